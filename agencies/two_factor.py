"""The workspace page where a user sets up (or resets) their authenticator app, and the rule
that an administrator does nothing else in the workspace until theirs is set up."""

from base64 import b32encode

import django_otp
import segno
from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies import signin

DEVICE_NAME = "Aplikasi autentikator"


class ConfirmForm(forms.Form):
    code = forms.CharField(
        label="Kode dari aplikasi",
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
                request, "Kode autentikator salah atau sudah dipakai; tidak ada yang berubah."
            )
        elif action == "matikan" and signin.required(user):
            messages.error(request, "Administrator wajib memakai autentikasi dua langkah.")
        else:
            TOTPDevice.objects.filter(user=user).delete()
            if action == "matikan":
                messages.success(request, "Autentikasi dua langkah dimatikan.")
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
                request, "Autentikasi dua langkah aktif. Mulai sekarang masuk dengan kodenya."
            )
            return redirect("admin:index")
        form.add_error("code", "Kode tidak cocok. Periksa jam ponsel dan masukkan kode terbaru.")
    uri = device.config_url
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "admin/two_factor.html",
        {
            **admin.site.each_context(request),
            "title": TITLE,
            "form": form,
            "qr": segno.make(uri, error="m").svg_data_uri(scale=5, title="Kode QR"),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "required": signin.required(user),
        },
    )


TITLE = "Autentikasi dua langkah"


class RequireTwoFactorMiddleware:
    """An administrator without a confirmed authenticator may only set one up (or sign out)."""

    GUARDED = ("/admin/", "/pengawasan/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The path first: public pages never load the session or the user for this.
        user = getattr(request, "user", None) if request.path.startswith(self.GUARDED) else None
        if user is not None and user.is_authenticated and signin.required(user):
            allowed = {reverse("two-factor"), reverse("admin:logout"), reverse("admin:login")}
            if request.path not in allowed and not signin.confirmed_device(user):
                messages.warning(
                    request,
                    "Administrator wajib mengaktifkan autentikasi dua langkah sebelum bekerja.",
                )
                return redirect("two-factor")
        return self.get_response(request)
