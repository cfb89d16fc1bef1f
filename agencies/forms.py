from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies import signin


class WorkspaceLoginForm(AdminAuthenticationForm):
    """The workspace's sign-in: password, and the authenticator's code where one is set up.

    Every refusal says the same thing, whichever part was wrong: a wrong password, a right
    password with a missing or wrong code, a right password on an account that may not use the
    workspace. Only a lockout says something else, and it says it whatever was typed.
    """

    code = forms.CharField(
        label=_("Kode autentikator"),
        required=False,
        max_length=12,
        help_text=_("Enam angka dari aplikasi autentikator, bila autentikasi dua langkah aktif."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "aria-describedby": "kode-bantuan",
            }
        ),
    )

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            self.user_cache = authenticate(
                self.request,
                username=username,
                password=password,
                otp_token=self.cleaned_data.get("code", ""),
            )
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def confirm_login_allowed(self, user):
        if not user.has_workspace_role:
            raise self.get_invalid_login_error()

    def get_invalid_login_error(self):
        if signin.locked_out(self.request):
            return ValidationError(
                gettext(
                    "Terlalu banyak percobaan masuk yang gagal untuk akun atau alamat ini. "
                    "Coba lagi dalam %(minutes)s menit."
                )
                % {"minutes": signin.lockout_minutes()},
                code="locked",
            )
        return ValidationError(
            gettext(
                "Nama pengguna, kata sandi, atau kode autentikator salah. Perhatikan huruf besar "
                "dan kecil; kode autentikator hanya berlaku sekali."
            ),
            code="invalid_login",
        )
