"""Signing in to the workspace: lockouts after repeated failures, and the second step (TOTP).

Failures are counted per account and per address over a window, from the audit rows
themselves (`LoginAttempt`), so every worker sees the same count. While an account or an
address is locked, even the right password is refused: a guesser learns nothing by finding it.
A success clears the account's count; the address's count runs on (one address trying many
accounts is the pattern to stop).
"""

import base64
import datetime
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote

from django.conf import settings
from django.utils import timezone

from agencies.models import LoginAttempt, TwoFactor
from opendata.ratelimit import client_address

STEP = 30  # seconds per code
DIGITS = 6


def normalise(username):
    return (username or "").strip().lower()[:150]


def locked_for(username, address):
    """Seconds until this account or address may try again; 0 when it may now."""
    rules = settings.LOGIN_LIMITS
    now = timezone.now()
    since = now - datetime.timedelta(seconds=rules["window"])
    username = normalise(username)
    last_success = (
        LoginAttempt.objects.filter(
            username=username, outcome=LoginAttempt.Outcome.SUCCESS, at__gte=since
        )
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    failed = [LoginAttempt.Outcome.FAILED, LoginAttempt.Outcome.BAD_CODE]
    waits = []
    for field, value, limit, after in [
        ("username", username, rules["per_account"], last_success or since),
        ("address", address, rules["per_address"], since),
    ]:
        failures = list(
            LoginAttempt.objects.filter(**{field: value}, outcome__in=failed, at__gt=after)
            .order_by("-at")
            .values_list("at", flat=True)[:limit]
        )
        if len(failures) >= limit:
            # Locked until the lock time has passed since the limit-th latest failure.
            until = failures[-1] + datetime.timedelta(seconds=rules["lockout"])
            waits.append(max(0, int((until - now).total_seconds()) + 1))
    return max(waits, default=0)


def record(request, username, outcome):
    LoginAttempt.objects.create(
        username=normalise(username),
        address=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        outcome=outcome,
    )


# --- TOTP (RFC 6238, HMAC-SHA1, 30 s, 6 digits) -----------------------------------------------


def new_secret():
    return base64.b32encode(secrets.token_bytes(20)).decode()


def code_at(secret, step, digits=DIGITS):
    key = base64.b32decode(secret)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def verify(device, code, *, now=None):
    """True once for a code of the current step or one step either side (clock drift).

    A code accepted is never accepted again (the step is stored), so a code seen over a
    shoulder or in a log cannot be replayed.
    """
    code = "".join((code or "").split())
    if len(code) != DIGITS or not code.isdigit():
        return False
    current = int((now if now is not None else time.time()) // STEP)
    for step in (current - 1, current, current + 1):
        if step > device.last_step and hmac.compare_digest(code_at(device.secret, step), code):
            updated = TwoFactor.objects.filter(pk=device.pk, last_step__lt=step).update(
                last_step=step
            )
            if updated:  # not raced by a second request with the same code
                device.last_step = step
                return True
    return False


def provisioning_uri(device):
    issuer = settings.PORTAL["SITE_NAME"]
    label = quote(f"{issuer}:{device.user.get_username()}")
    return (
        f"otpauth://totp/{label}?secret={device.secret}&issuer={quote(issuer)}"
        f"&algorithm=SHA1&digits={DIGITS}&period={STEP}"
    )


def confirmed_device(user):
    device = TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).first()
    return device


def required(user):
    """Administrators must use a second step (in production, or where the setting says so);
    operators and supervisors may."""
    return settings.REQUIRE_ADMIN_TWO_FACTOR and user.is_administrator
