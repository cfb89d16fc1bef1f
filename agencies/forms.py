from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from agencies import signin
from agencies.models import LoginAttempt
from opendata.ratelimit import client_address

Outcome = LoginAttempt.Outcome


class WorkspaceLoginForm(AdminAuthenticationForm):
    """The workspace's sign-in: password, then the authenticator's code where one is set up."""

    code = forms.CharField(
        label="Kode autentikator",
        required=False,
        max_length=12,
        help_text="Enam angka dari aplikasi autentikator, bila autentikasi dua langkah aktif.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "aria-describedby": "kode-bantuan",
            }
        ),
    )

    def clean(self):
        username = self.cleaned_data.get("username", "")
        wait = signin.locked_for(username, client_address(self.request))
        if wait:
            signin.record(self.request, username, Outcome.LOCKED)
            minutes = max(1, -(-wait // 60))
            raise ValidationError(
                "Terlalu banyak percobaan masuk yang gagal untuk akun atau alamat ini. "
                f"Coba lagi dalam {minutes} menit.",
                code="locked",
            )
        try:
            super().clean()
        except ValidationError:
            signin.record(self.request, username, Outcome.FAILED)
            raise
        device = signin.confirmed_device(self.user_cache)
        if device and not signin.verify(device, self.cleaned_data.get("code")):
            signin.record(self.request, username, Outcome.BAD_CODE)
            self.user_cache = None
            raise ValidationError(
                "Kode autentikator salah, kedaluwarsa, atau sudah dipakai. Masukkan kode yang "
                "sedang tampil di aplikasi autentikator.",
                code="bad_code",
            )
        signin.record(self.request, username, Outcome.SUCCESS)
        return self.cleaned_data

    def get_invalid_login_error(self):
        return ValidationError(
            "Nama pengguna atau kata sandi salah. Perhatikan huruf besar dan kecil.",
            code="invalid_login",
        )
