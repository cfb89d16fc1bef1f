"""Authenticators move to django-otp's TOTP devices: the same secret (base32 becomes hex), the
same 30-second, six-digit codes, the last accepted step kept, so every authenticator app set up
before goes on working and no code used before is accepted again."""

import base64
import datetime

from django.db import migrations

NAME = "Aplikasi autentikator"


def to_django_otp(apps, schema_editor):
    TwoFactor = apps.get_model("agencies", "TwoFactor")
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    # created_at is auto_now_add: a moved device keeps the time it was confirmed.
    TOTPDevice._meta.get_field("created_at").auto_now_add = False
    now = datetime.datetime.now(datetime.UTC)
    TOTPDevice.objects.bulk_create(
        TOTPDevice(
            user_id=old.user_id,
            name=NAME,
            confirmed=old.confirmed_at is not None,
            key=base64.b32decode("".join(old.secret.split()), casefold=True).hex(),
            step=30,
            t0=0,
            digits=6,
            tolerance=1,
            drift=0,
            last_t=old.last_step if old.last_step > 0 else -1,
            created_at=old.confirmed_at or now,
        )
        for old in TwoFactor.objects.all()
    )


def from_django_otp(apps, schema_editor):
    TwoFactor = apps.get_model("agencies", "TwoFactor")
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    # One authenticator per user there: the confirmed one, else the newest.
    kept = {}
    for device in TOTPDevice.objects.order_by("confirmed", "created_at", "pk"):
        kept[device.user_id] = device
    TwoFactor.objects.bulk_create(
        TwoFactor(
            user_id=device.user_id,
            secret=base64.b32encode(bytes.fromhex(device.key)).decode(),
            confirmed_at=(device.created_at or datetime.datetime.now(datetime.UTC))
            if device.confirmed
            else None,
            last_step=max(device.last_t, 0),
        )
        for device in kept.values()
        if device.step == 30 and device.t0 == 0 and device.digits == 6
    )
    TOTPDevice.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0007_delete_loginattempt"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(to_django_otp, from_django_otp)]
