"""Signing in: lockouts per account and per address, the audit, and the second step."""

import base64
import datetime
import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from agencies import signin
from agencies.models import Agency, LoginAttempt, TwoFactor
from tests.factories import make_administrator, make_operator

PASSWORD = "kata-sandi-uji-123"
LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def quick_hashing(settings):
    # Dozens of sign-ins per test: a fast hasher here, the real one everywhere else.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
    """Move every recorded attempt into the past, as if that much time had gone by."""
    for attempt in LoginAttempt.objects.all():
        LoginAttempt.objects.filter(pk=attempt.pk).update(
            at=attempt.at - datetime.timedelta(seconds=seconds)
        )


@pytest.mark.django_db
def test_an_account_is_locked_after_five_failures_even_for_the_right_password(client, operator):
    for _ in range(5):
        response = sign_in(client, "operator-sehat", "salah-sekali")
        assert "Nama pengguna atau kata sandi salah" in response.content.decode()
    response = sign_in(client, "operator-sehat")
    assert not signed_in(client)
    assert "Terlalu banyak percobaan masuk yang gagal" in response.content.decode()
    assert "Coba lagi dalam 15 menit" in response.content.decode()
    # Another address does not help: the account itself is locked.
    sign_in(client, "operator-sehat", address="10.9.9.9")
    assert not signed_in(client)
    outcomes = list(LoginAttempt.objects.order_by("at", "pk").values_list("outcome", flat=True))
    assert outcomes == ["gagal"] * 5 + ["terkunci"] * 2
    # Fifteen minutes later the right password works again.
    age_attempts(15 * 60 + 1)
    response = sign_in(client, "operator-sehat")
    assert response.status_code == 302 and signed_in(client)
    assert LoginAttempt.objects.order_by("-at", "-pk").first().outcome == "berhasil"


@pytest.mark.django_db
def test_the_count_is_per_account_and_a_success_clears_it(client, operator):
    for _ in range(4):
        sign_in(client, "OPERATOR-SEHAT", "salah")  # case and spaces do not escape the count
    sign_in(client, "operator-sehat")
    assert signed_in(client)
    client.logout()
    for _ in range(4):
        sign_in(client, "operator-sehat", "salah")
    sign_in(client, "operator-sehat")
    assert signed_in(client)


@pytest.mark.django_db
def test_one_address_trying_many_accounts_is_locked(client, operator):
    for number in range(20):
        sign_in(client, f"tebakan-{number}", "salah", address="10.6.6.6")
    sign_in(client, "operator-sehat", address="10.6.6.6")
    assert not signed_in(client)
    sign_in(client, "operator-sehat", address="10.7.7.7")  # another address is not locked
    assert signed_in(client)


@pytest.mark.django_db
def test_the_audit_is_for_administrators_only(client, operator):
    sign_in(client, "operator-sehat", "salah")
    attempt = LoginAttempt.objects.get()
    assert (attempt.username, attempt.address, attempt.outcome) == (
        "operator-sehat",
        "10.0.0.1",
        "gagal",
    )
    url = reverse("admin:agencies_loginattempt_changelist")
    client.force_login(operator)
    assert client.get(url).status_code == 403
    client.force_login(make_administrator())
    response = client.get(url)
    assert response.status_code == 200 and "operator-sehat" in response.content.decode()
    change = reverse("admin:agencies_loginattempt_change", args=[attempt.pk])
    client.post(change, {"username": "dihapus", "outcome": "berhasil"})
    attempt.refresh_from_db()
    assert attempt.username == "operator-sehat"  # nobody rewrites the audit


@pytest.mark.parametrize(
    "moment, code",
    # RFC 6238, appendix B, SHA-1 (the last six of the eight digits given there).
    [(59, "287082"), (1111111109, "081804"), (1234567890, "005924"), (2000000000, "279037")],
)
def test_codes_follow_rfc_6238(moment, code):
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert signin.code_at(secret, moment // signin.STEP) == code


def current_code(device, offset=0):
    return signin.code_at(device.secret, int(time.time() // signin.STEP) + offset)


@pytest.mark.django_db
def test_with_an_authenticator_the_password_alone_is_not_enough(client, operator):
    device = TwoFactor.objects.create(
        user=operator, secret=signin.new_secret(), confirmed_at=datetime.datetime.now(datetime.UTC)
    )
    response = sign_in(client, "operator-sehat")
    assert not signed_in(client)
    assert "Kode autentikator salah" in response.content.decode()
    code = current_code(device)
    sign_in(client, "operator-sehat", code=code)
    assert signed_in(client)
    client.logout()
    sign_in(client, "operator-sehat", code=code)  # the same code again: refused
    assert not signed_in(client)
    sign_in(client, "operator-sehat", code=current_code(device, +1))  # the next one works
    assert signed_in(client)
    assert "kode_salah" in LoginAttempt.objects.values_list("outcome", flat=True)


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
    device = TwoFactor.objects.get(user=administrator)
    response = client.post(setup, {"code": "000000" if current_code(device) != "000000" else "1"})
    assert "Kode tidak cocok" in response.content.decode()
    client.post(setup, {"code": current_code(device)})
    device.refresh_from_db()
    assert device.confirmed_at is not None
    assert client.get("/admin/").status_code == 200
    # An administrator cannot switch it off, even with a code; an operator may.
    client.post(setup, {"aksi": "matikan", "code": current_code(device, +1)})
    assert TwoFactor.objects.filter(user=administrator).exists()


@pytest.mark.django_db
def test_operators_may_use_an_authenticator_and_switch_it_off(client, operator):
    client.force_login(operator)
    # The workspace links to it from every page's user tools.
    assert f'href="{reverse("two-factor")}"' in client.get("/admin/").content.decode()
    client.get(reverse("two-factor"))
    device = TwoFactor.objects.get(user=operator)
    client.post(reverse("two-factor"), {"code": current_code(device)})
    assert signin.confirmed_device(operator)
    # Switching it off takes a code from the authenticator: a session alone is not enough.
    response = client.post(reverse("two-factor"), {"aksi": "matikan"}, follow=True)
    assert "tidak ada yang berubah" in response.content.decode()
    assert signin.confirmed_device(operator)
    client.post(reverse("two-factor"), {"aksi": "matikan", "code": current_code(device, +1)})
    assert not TwoFactor.objects.filter(user=operator).exists()


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


@pytest.mark.django_db
def test_the_sign_in_audit_keeps_a_year():
    from opendata.management.commands.portal_daily import forget_old_sign_ins

    old = LoginAttempt.objects.create(username="lama", address="10.0.0.1", outcome="gagal")
    recent = LoginAttempt.objects.create(username="baru", address="10.0.0.1", outcome="gagal")
    LoginAttempt.objects.filter(pk=old.pk).update(at=old.at - datetime.timedelta(days=366))
    assert forget_old_sign_ins() == 1
    assert list(LoginAttempt.objects.values_list("pk", flat=True)) == [recent.pk]


@pytest.mark.django_db
def test_the_daily_round_drops_old_sign_in_records(media_root):
    from io import StringIO

    from django.core.management import call_command

    old = LoginAttempt.objects.create(username="lama", address="10.0.0.1", outcome="gagal")
    LoginAttempt.objects.filter(pk=old.pk).update(at=old.at - datetime.timedelta(days=400))
    out = StringIO()
    call_command("portal_daily", stdout=out)
    assert not LoginAttempt.objects.exists()
    assert (
        "1 catatan percobaan masuk lama dibuang; 0 berkas tanpa pemilik dihapus." in out.getvalue()
    )
