"""The workspace page where a user sets up (or resets) their authenticator app, and the one
rule that keeps a session without its second step out of everything not public."""

from base64 import b32encode

import django_otp
import segno
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies import signin

DEVICE_NAME = "Aplikasi autentikator"  # i18n: data (stored as the device's name)


class ConfirmForm(forms.Form):
    code = forms.CharField(
        label=_("Kode dari aplikasi"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def setup(request):
    user = request.user
    confirmed = signin.confirmed_device(user)
    action = request.POST.get("aksi") if request.method == "POST" else None
    if action in {"matikan", "ganti"}:
        # Switching off or replacing an active authenticator takes a code from it: a borrowed
        # session alone cannot remove the second step. (A lost phone: an administrator
        # deletes the user's row.)
        if confirmed and not signin.verify(confirmed, request.POST.get("code")):
            messages.error(
                request,
                gettext("Kode autentikator salah atau sudah dipakai; tidak ada yang berubah."),
            )
        elif action == "matikan" and signin.required(user):
            messages.error(request, gettext("Administrator wajib memakai autentikasi dua langkah."))
        else:
            TOTPDevice.objects.filter(user=user).delete()
            if action == "matikan":
                messages.success(request, gettext("Autentikasi dua langkah dimatikan."))
        return redirect("two-factor")
    if confirmed:
        return render(
            request,
            "admin/two_factor.html",
            {
                **admin.site.each_context(request),
                "confirmed": confirmed,
                "required": signin.required(user),
                "title": TITLE,
            },
        )
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if signin.verify(device, form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            # This session has just shown the code: it has passed the second step.
            django_otp.login(request, device)
            messages.success(
                request,
                gettext("Autentikasi dua langkah aktif. Mulai sekarang masuk dengan kodenya."),
            )
            return redirect("admin:index")
        form.add_error(
            "code", gettext("Kode tidak cocok. Periksa jam ponsel dan masukkan kode terbaru.")
        )
    uri = device.config_url
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "admin/two_factor.html",
        {
            **admin.site.each_context(request),
            "title": TITLE,
            "form": form,
            "qr": segno.make(uri, error="m").svg_data_uri(scale=5, title=gettext("Kode QR")),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "required": signin.required(user),
        },
    )


TITLE = _("Autentikasi dua langkah")


class SecondStepMiddleware:
    """One rule for every address: a session that has not passed the second step its user
    must take (signin.second_step_missing) gets nothing a signed-out visitor would not.

    On the workspace's pages it is sent to set up its authenticator (or, if it has one but
    signed in before the code was asked, to sign in again); everywhere else (documents,
    citizens' photos, every page a view may one day open to the signed-in) its user is
    anonymous. Only the pages that set the step up, sign in and sign out see the real user.
    """

    WORKSPACE = ("/admin/", "/pengawasan/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path in {reverse("two-factor"), reverse("admin:login"), reverse("admin:logout")}:
            return self.get_response(request)
        user = request.user
        if request.path.startswith(self.WORKSPACE):
            if signin.second_step_missing(user):
                return self.send_to_second_step(request, user)
        else:
            # Lazy, as Django's own request.user: public pages never load the user for this.
            request.user = SimpleLazyObject(
                lambda: AnonymousUser() if signin.second_step_missing(user) else user
            )
        return self.get_response(request)

    @staticmethod
    def send_to_second_step(request, user):
        if signin.confirmed_device(user):
            logout(request)
            messages.info(request, gettext("Masuk lagi dengan kode dari aplikasi autentikator."))
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        messages.warning(
            request,
            gettext("Administrator wajib mengaktifkan autentikasi dua langkah sebelum bekerja."),
        )
        return redirect("two-factor")
