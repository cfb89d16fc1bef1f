"""Signing in to the workspace: who proves what, and the lockout after repeated failures.

django-axes counts the failures and locks: per account and per address, from rows in
PostgreSQL, so every worker sees the same count. Only Django's `authenticate()` feeds it,
through its signals: a failure is an `authenticate()` that found no user, a success is a
`login()`. A request that never reached `authenticate()` (an empty password, a missing field)
counts as neither, so nothing but the password and, where the user has one, the
authenticator's code can ever stand for a success. While an account or an address is locked,
even the right password is refused: a guesser learns nothing by finding it.
"""

import ipaddress

import django_otp
from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import Sum
from django_otp.plugins.otp_totp.models import TOTPDevice

from opendata_kontrak.addresses import client_address


def normalise(username):
    return (username or "").strip().lower()[:150]


def lockout_username(request, credentials):
    """The name failures are counted under: case and spaces do not escape the count."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = request.POST.get("username")
    return normalise(username)


def lockout_address(request):
    """The client's address as the rate limits see it, or None when it is not an address
    (the audit stores it as PostgreSQL's inet)."""
    address = client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' own database handler, with a larger allowance for an address.

    Axes has one failure limit for every lockout parameter; an office's operators share one
    address, so the address gets its own, larger limit (LOGIN_FAILURES_PER_ADDRESS). An
    address over it counts as an account at its limit: everything else (the counting, the
    cool-off, the audit) is axes'.
    """

    def get_failures(self, request, credentials=None):
        # AXES_LOCKOUT_PARAMETERS is ["username", "ip_address"]: one queryset for each.
        by_account, by_address = (
            attempts.aggregate(failures=Sum("failures_since_start"))["failures"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if by_address >= settings.LOGIN_FAILURES_PER_ADDRESS:
            return max(by_account, settings.AXES_FAILURE_LIMIT)
        return by_account


def lockout_response(request, original_response, credentials):
    """The sign-in page as the form rendered it (it says why), as 429 Too Many Requests."""
    original_response.status_code = 429
    return original_response


def locked_out(request):
    return bool(getattr(request, "axes_locked_out", False))


def lockout_minutes():
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds()) // 60)


class PasswordAndCodeBackend(ModelBackend):
    """Django's password check, then the authenticator's code for a user who has one.

    Both belong to one `authenticate()`: a right password with a missing or wrong code is a
    failed sign-in, counted by the lockout like a wrong password.
    """

    def authenticate(self, request, username=None, password=None, otp_token=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            return None
        device = confirmed_device(user)
        if device is not None:
            if not verify(device, otp_token):
                return None
            # django-otp marks the session as having passed the second step when it logs in.
            user.otp_device = device
        return user


# --- the second step: TOTP (RFC 6238) with django-otp ------------------------------------------


def confirmed_device(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def verify(device, code):
    """True once for a code of the current step or one step either side (clock drift).

    django-otp locks the device's row while it checks, and never accepts a code of a step at
    or before the last one accepted: a code seen over a shoulder, in a log, or sent twice at
    once is refused. After a wrong code it waits 1, 2, 4 ... seconds before it checks another.
    """
    code = "".join((code or "").split())
    if len(code) != device.digits or not code.isdigit():
        return False
    return django_otp.verify_token(device.user, device.persistent_id, code) is not None


def required(user):
    """Administrators must use a second step (in production, or where the setting says so);
    operators and supervisors may."""
    return settings.REQUIRE_ADMIN_TWO_FACTOR and user.is_administrator


def second_step_missing(user):
    """A signed-in user who must use a second step, in a session that has not passed it
    (django-otp's OTPMiddleware knows which device, if any, this session was verified by)."""
    return user.is_authenticated and required(user) and not user.is_verified()
