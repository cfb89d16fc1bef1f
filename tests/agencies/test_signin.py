"""Signing in: lockouts per account and per address, the audit, and the second step."""

import datetime
import time

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies import signin
from agencies.models import Agency
from tests.factories import make_administrator, make_operator, make_user

PASSWORD = "kata-sandi-uji-123"
LOGIN = "/admin/login/"
REFUSED = "Nama pengguna, kata sandi, atau kode autentikator salah."
LOCKED = "Terlalu banyak percobaan masuk yang gagal"


@pytest.fixture(autouse=True)
def quick_hashing(settings):
    # Dozens of sign-ins per test: a fast hasher here, the real one everywhere else.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def no_code_throttle(settings):
    # django-otp waits 1, 2, 4 ... s after a wrong code before checking another; these tests
    # send the right code right after a wrong one. test_a_wrong_code_slows_the_next_check
    # keeps the wait on.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture
def operator():
    return make_operator(Agency.objects.get(code="dinas-kesehatan"), username="operator-sehat")


def sign_in(client, username, password=PASSWORD, code="", address="10.0.0.1"):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "code": code, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def signed_in(client):
    return "_auth_user_id" in client.session


def age_attempts(seconds):
    """Move every counted failure into the past, as if that much time had gone by."""
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - datetime.timedelta(seconds=seconds)
        )


def failures():
    """The failure log, oldest first: (account, address, whether the attempt met a lock)."""
    return list(
        AccessFailureLog.objects.order_by("attempt_time", "pk").values_list(
            "username", "ip_address", "locked_out"
        )
    )


@pytest.mark.django_db
def test_an_account_is_locked_after_five_failures_even_for_the_right_password(client, operator):
    for _ in range(4):
        response = sign_in(client, "operator-sehat", "salah-sekali")
        assert REFUSED in response.content.decode()
    response = sign_in(client, "operator-sehat", "salah-sekali")  # the fifth locks
    assert response.status_code == 429 and LOCKED in response.content.decode()
    response = sign_in(client, "operator-sehat")
    assert not signed_in(client)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "Coba lagi dalam 15 menit" in response.content.decode()
    # Another address does not help: the account itself is locked.
    sign_in(client, "operator-sehat", address="10.9.9.9")
    assert not signed_in(client)
    assert [locked for _, _, locked in failures()] == [False] * 4 + [True] * 3
    assert not AccessLog.objects.exists()
    # Fifteen minutes without an attempt, and the right password works again.
    age_attempts(15 * 60 + 1)
    response = sign_in(client, "operator-sehat")
    assert response.status_code == 302 and signed_in(client)
    assert AccessLog.objects.get().username == "operator-sehat"


@pytest.mark.django_db
def test_the_count_is_per_account_whatever_the_case_and_a_success_does_not_clear_it(
    client, operator
):
    for _ in range(3):
        sign_in(client, " OPERATOR-SEHAT", "salah")  # case and spaces do not escape the count
    sign_in(client, "operator-sehat")
    assert signed_in(client)
    client.logout()
    sign_in(client, "operator-sehat", "salah", address="10.0.0.2")
    sign_in(client, "operator-sehat", "salah", address="10.0.0.3")  # the fifth in 15 minutes
    sign_in(client, "operator-sehat", address="10.0.0.4")
    assert not signed_in(client)


@pytest.mark.django_db
def test_one_address_trying_many_accounts_is_locked(client, operator):
    for number in range(19):
        sign_in(client, f"tebakan-{number}", "salah", address="10.6.6.6")
    sign_in(client, "operator-sehat", address="10.6.6.6")  # 19 failures: not yet
    assert signed_in(client)
    client.logout()
    sign_in(client, "tebakan-19", "salah", address="10.6.6.6")
    response = sign_in(client, "operator-sehat", address="10.6.6.6")
    assert not signed_in(client) and LOCKED in response.content.decode()
    sign_in(client, "operator-sehat", address="10.7.7.7")  # another address is not locked
    assert signed_in(client)


@pytest.mark.django_db
def test_an_empty_password_never_counts_as_a_success(client, operator):
    """Issue 17, finding 1: an empty password was recorded as a success and cleared the
    account's count, so four guesses at a time from new addresses never locked anything."""
    for round_ in range(4):
        for guess in range(4):
            sign_in(
                client,
                "operator-sehat",
                f"tebakan-{round_}-{guess}",
                address=f"10.1.{round_}.{guess}",
            )
        response = sign_in(client, "operator-sehat", "", address=f"10.2.{round_}.1")
        assert not signed_in(client) and "password" in response.context["form"].errors
    response = sign_in(client, "operator-sehat", address="10.3.0.1")  # the right one, at last
    assert not signed_in(client)
    assert LOCKED in response.content.decode()
    assert not AccessLog.objects.exists()


@pytest.mark.django_db
def test_an_empty_or_wrong_code_never_counts_as_a_success(client, operator):
    """Finding 1 on the second step: someone who has the password guesses codes from new
    addresses, an empty code between rounds; the account locks all the same."""
    device = authenticator(operator)
    wrong = "000000" if current_code(device) != "000000" else "111111"
    for round_ in range(2):
        for guess in range(2):
            sign_in(client, "operator-sehat", code=wrong, address=f"10.1.{round_}.{guess}")
        sign_in(client, "operator-sehat", "", code="", address=f"10.2.{round_}.1")
        sign_in(client, "operator-sehat", code="", address=f"10.2.{round_}.2")
    assert not signed_in(client)
    response = sign_in(client, "operator-sehat", code=current_code(device), address="10.3.0.1")
    assert not signed_in(client)
    assert LOCKED in response.content.decode()
    assert not AccessLog.objects.exists()


@pytest.mark.django_db
def test_every_refusal_says_the_same(client, operator):
    """Finding 8: the page told a right password from a wrong one (a missing code, an account
    that may not use the workspace)."""
    authenticator(make_operator(operator.agency, username="operator-dengan-kode"))
    make_user(username="bukan-staf")  # right password, but no role in the workspace
    make_user(username="nonaktif", role="Operator", is_active=False)
    errors = []
    for number, (username, password) in enumerate(
        [
            ("operator-sehat", "salah-sekali"),
            ("tidak-ada", PASSWORD),
            ("operator-dengan-kode", PASSWORD),
            ("bukan-staf", PASSWORD),
            ("nonaktif", PASSWORD),
        ]
    ):
        response = sign_in(client, username, password, address=f"10.4.0.{number}")
        assert response.status_code == 200 and not signed_in(client), username
        errors.append(response.context["form"].non_field_errors())
    assert len({tuple(error) for error in errors}) == 1, errors
    assert REFUSED in errors[0][0]


@pytest.mark.parametrize("unsafe", ["https://penipu.example/", "//penipu.example/admin/", ""])
@pytest.mark.django_db
def test_an_unsafe_next_lands_on_the_workspace(client, operator, unsafe):
    """Finding 10: a `next` pointing off the site sent one to /accounts/profile/ (404)."""
    response = client.post(
        LOGIN,
        {"username": "operator-sehat", "password": PASSWORD, "next": unsafe},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"


@pytest.mark.django_db
def test_the_audit_is_for_administrators_only(client, operator):
    sign_in(client, "operator-sehat", "salah")
    assert failures() == [("operator-sehat", "10.0.0.1", False)]
    attempt = AccessFailureLog.objects.get()
    url = reverse("admin:axes_accessfailurelog_changelist")
    client.force_login(operator)
    assert client.get(url).status_code == 403
    client.force_login(make_administrator())
    response = client.get(url)
    assert response.status_code == 200 and "operator-sehat" in response.content.decode()
    change = reverse("admin:axes_accessfailurelog_change", args=[attempt.pk])
    client.post(change, {"username": "dihapus", "locked_out": "on"})
    attempt.refresh_from_db()
    assert attempt.username == "operator-sehat"  # nobody rewrites the audit
    delete = reverse("admin:axes_accessfailurelog_delete", args=[attempt.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AccessFailureLog.objects.filter(pk=attempt.pk).exists()


@pytest.mark.parametrize(
    "moment, code",
    # RFC 6238, appendix B, SHA-1 (the last six of the eight digits given there).
    [(59, "287082"), (1111111109, "081804"), (1234567890, "005924"), (2000000000, "279037")],
)
def test_codes_follow_rfc_6238(moment, code):
    device = TOTPDevice(key=b"12345678901234567890".hex())  # the defaults our devices use
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = moment
    assert f"{totp.token():06d}" == code


def authenticator(user, confirmed=True):
    return TOTPDevice.objects.create(user=user, name="uji", confirmed=confirmed)


def current_code(device, offset=0):
    """The code the phone shows now (or `offset` steps later), by the phone's own clock."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = time.time() + offset * device.step
    return f"{totp.token():0{device.digits}d}"


@pytest.mark.django_db
def test_with_an_authenticator_the_password_alone_is_not_enough(client, operator):
    device = authenticator(operator)
    response = sign_in(client, "operator-sehat")
    assert not signed_in(client)
    assert REFUSED in response.content.decode()
    code = current_code(device)
    sign_in(client, "operator-sehat", code=code)
    assert signed_in(client)
    client.logout()
    sign_in(client, "operator-sehat", code=code)  # the same code again: refused
    assert not signed_in(client)
    sign_in(client, "operator-sehat", code=current_code(device, +1))  # the next one works
    assert signed_in(client)
    # The missing code and the replayed one are failures of the account.
    assert [username for username, _, _ in failures()] == ["operator-sehat"] * 2


@pytest.mark.django_db
def test_an_administrator_must_set_up_an_authenticator_first(client, settings):
    settings.REQUIRE_ADMIN_TWO_FACTOR = True
    administrator = make_administrator(username="admin-kab")
    sign_in(client, "admin-kab")
    assert signed_in(client)
    setup = reverse("two-factor")
    for page in ["/admin/", reverse("admin:contracts_process_changelist"), "/pengawasan/"]:
        response = client.get(page)
        assert response.status_code == 302 and response["Location"] == setup, page
    html = client.get(setup).content.decode()
    assert 'src="data:image/svg+xml' in html and "data-secret" in html
    device = TOTPDevice.objects.get(user=administrator)
    response = client.post(setup, {"code": "000000" if current_code(device) != "000000" else "1"})
    assert "Kode tidak cocok" in response.content.decode()
    client.post(setup, {"code": current_code(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200
    # An administrator cannot switch it off, even with a code; an operator may.
    client.post(setup, {"aksi": "matikan", "code": current_code(device, +1)})
    assert TOTPDevice.objects.filter(user=administrator, confirmed=True).exists()


@pytest.mark.django_db
def test_operators_may_use_an_authenticator_and_switch_it_off(client, operator):
    client.force_login(operator)
    # The workspace links to it from every page's user tools.
    assert f'href="{reverse("two-factor")}"' in client.get("/admin/").content.decode()
    client.get(reverse("two-factor"))
    device = TOTPDevice.objects.get(user=operator)
    client.post(reverse("two-factor"), {"code": current_code(device)})
    assert signin.confirmed_device(operator)
    # Switching it off takes a code from the authenticator: a session alone is not enough.
    response = client.post(reverse("two-factor"), {"aksi": "matikan"}, follow=True)
    assert "tidak ada yang berubah" in response.content.decode()
    assert signin.confirmed_device(operator)
    client.post(reverse("two-factor"), {"aksi": "matikan", "code": current_code(device, +1)})
    assert not TOTPDevice.objects.filter(user=operator).exists()


@pytest.mark.django_db
def test_a_wrong_code_slows_the_next_check(client, operator, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    device = authenticator(operator)
    wrong = "000000" if current_code(device) != "000000" else "111111"
    sign_in(client, "operator-sehat", code=wrong)
    sign_in(client, "operator-sehat", code=current_code(device), address="10.0.0.2")
    assert not signed_in(client)  # within a second of the wrong code: not even checked
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=device.throttling_failure_timestamp
        - datetime.timedelta(seconds=2)
    )
    sign_in(client, "operator-sehat", code=current_code(device), address="10.0.0.3")
    assert signed_in(client)


@pytest.mark.parametrize(
    "password",
    ["pendek-12", "123456789012345", "password1234", "operator-sehat-1"],
)
@pytest.mark.django_db
def test_weak_passwords_are_refused(password, operator):
    with pytest.raises(ValidationError):
        validate_password(password, user=operator)


@pytest.mark.django_db
def test_a_long_uncommon_password_is_accepted(operator):
    validate_password("gudang-arsip-kalitidu-2018", user=operator)


def logged(model, username, days_ago):
    row = model.objects.create(
        username=username, ip_address="10.0.0.1", user_agent="uji", http_accept="", path_info=LOGIN
    )
    model.objects.filter(pk=row.pk).update(
        attempt_time=row.attempt_time - datetime.timedelta(days=days_ago)
    )
    return row


@pytest.mark.django_db
def test_the_sign_in_audit_keeps_a_year():
    from opendata.management.commands.portal_daily import forget_old_sign_ins

    logged(AccessLog, "lama", 366)
    logged(AccessFailureLog, "lama", 366)
    recent = [logged(AccessLog, "baru", 364).pk, logged(AccessFailureLog, "baru", 1).pk]
    assert forget_old_sign_ins() == 2
    assert [*AccessLog.objects.values_list("pk", flat=True)] == recent[:1]
    assert [*AccessFailureLog.objects.values_list("pk", flat=True)] == recent[1:]


@pytest.mark.django_db
def test_the_daily_round_drops_old_sign_in_records(media_root):
    from io import StringIO

    from django.core.management import call_command

    logged(AccessFailureLog, "lama", 400)
    out = StringIO()
    call_command("portal_daily", stdout=out)
    assert not AccessFailureLog.objects.exists()
    assert (
        "1 catatan percobaan masuk lama dibuang; 0 berkas tanpa pemilik dihapus." in out.getvalue()
    )
