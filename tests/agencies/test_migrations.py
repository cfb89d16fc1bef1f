"""An install upgraded from the project's own lockout and TOTP tables keeps its records and
its users' authenticators."""

import base64
import datetime
import hashlib
import hmac
import struct
import time

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import Agency
from tests.factories import make_operator

BEFORE_AXES = ("agencies", "0005_load_place_register")
BEFORE_DJANGO_OTP = ("agencies", "0007_delete_loginattempt")


def migrate(target):
    """Migrate the test database to `target` and return the models as they are there."""
    # Rows written just before a table is dropped must not wait for the end of the test's
    # transaction to have their foreign keys checked.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()
    return executor.loader.project_state([target]).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes("agencies")[0]


@pytest.mark.django_db
def test_the_sign_in_audit_moves_to_axes_and_a_lock_in_force_stays():
    apps = migrate(BEFORE_AXES)
    LoginAttempt = apps.get_model("agencies", "LoginAttempt")
    now = datetime.datetime.now(datetime.UTC)
    rows = [
        ("admin-kab", "10.0.0.1", "berhasil", 400),  # days ago: the daily round drops it later
        ("admin-kab", "10.0.0.1", "gagal", 30),
        ("admin-kab", "bukan-alamat", "terkunci", 30),
    ] + [("operator-sehat", "10.0.0.9", "kode_salah", 0)] * 5
    for username, address, outcome, days in rows:
        attempt = LoginAttempt.objects.create(
            username=username, address=address, user_agent="Firefox", outcome=outcome
        )
        moment = now - datetime.timedelta(days=days, minutes=1)
        LoginAttempt.objects.filter(pk=attempt.pk).update(at=moment)

    apps = migrate(latest())
    AccessLog = apps.get_model("axes", "AccessLog")
    AccessFailureLog = apps.get_model("axes", "AccessFailureLog")
    AccessAttempt = apps.get_model("axes", "AccessAttempt")
    success = AccessLog.objects.get()
    assert (success.username, success.ip_address, success.user_agent) == (
        "admin-kab",
        "10.0.0.1",
        "Firefox",
    )
    assert now - success.attempt_time > datetime.timedelta(days=399)  # its own time, kept
    failures = AccessFailureLog.objects.order_by("attempt_time", "pk")
    assert list(failures.values_list("username", "ip_address", "locked_out")) == [
        ("admin-kab", "10.0.0.1", False),
        ("admin-kab", None, True),  # not an address: kept without one
        *[("operator-sehat", "10.0.0.9", False)] * 5,
    ]
    # The five recent failures still lock the account after the upgrade.
    counter = AccessAttempt.objects.get()
    assert (counter.username, counter.failures_since_start) == ("operator-sehat", 5)

    # And back: the rows return to the project's table.
    apps = migrate(BEFORE_AXES)
    LoginAttempt = apps.get_model("agencies", "LoginAttempt")
    assert sorted(LoginAttempt.objects.values_list("outcome", flat=True)) == sorted(
        ["berhasil", "gagal", "terkunci"] + ["gagal"] * 5
    )
    apps = migrate(latest())
    assert apps.get_model("axes", "AccessFailureLog").objects.count() == 7  # not twice


def rfc_6238(secret, step):
    """A code as the project computed it before django-otp, from the stored base32 secret."""
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10**6:06d}"


@pytest.mark.django_db
def test_an_authenticator_set_up_before_keeps_working(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the right code right after a refused one
    operator = make_operator(Agency.objects.get(code="dinas-kesehatan"), username="lama")
    pending = make_operator(Agency.objects.get(code="dinas-kesehatan"))
    apps = migrate(BEFORE_DJANGO_OTP)
    TwoFactor = apps.get_model("agencies", "TwoFactor")
    secret = base64.b32encode(b"rahasia-dua-puluh-bt").decode()
    now = int(time.time() // 30)
    confirmed_at = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)
    # The code of the step before was used to sign in: it is never accepted again.
    TwoFactor.objects.create(
        user_id=operator.pk, secret=secret, confirmed_at=confirmed_at, last_step=now - 1
    )
    TwoFactor.objects.create(user_id=pending.pk, secret=secret)  # set up, never confirmed

    migrate(latest())
    device = TOTPDevice.objects.get(user=operator)
    assert device.confirmed and device.created_at == confirmed_at
    assert not TOTPDevice.objects.get(user=pending).confirmed

    def sign_in(code):
        client.post(
            "/admin/login/",
            {"username": "lama", "password": "kata-sandi-uji-123", "code": code},
            REMOTE_ADDR="10.0.0.1",
        )
        return "_auth_user_id" in client.session

    assert not sign_in(rfc_6238(secret, now - 1))  # used before the upgrade
    assert sign_in(rfc_6238(secret, now))  # the phone's current code, as before

    # And back: the secret and the last step used return to the project's table.
    apps = migrate(BEFORE_DJANGO_OTP)
    old = apps.get_model("agencies", "TwoFactor").objects.get(user_id=operator.pk)
    assert (old.secret, old.confirmed_at) == (secret, confirmed_at)
    assert old.last_step >= now
    migrate(latest())
