"""One second-step rule for every address (issue 17, finding 4): with two-step sign-in required,
an administrator signed in by password alone fetched every draft document and unpublished
report photo, while the workspace kept them out."""

import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import Agency
from contracts import services
from participation.models import Moderation
from tests.contracts.test_public import attach
from tests.factories import make_administrator, make_operator, make_process
from tests.test_authorization_matrix import add_report, photo_url

PASSWORD = "kata-sandi-uji-123"


@pytest.fixture
def files(media_root, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.REQUIRE_ADMIN_TWO_FACTOR = True
    health = Agency.objects.get(code="dinas-kesehatan")
    operator = make_operator(health)
    draft = make_process(health, title="Draf")
    published = make_process(health, title="Terbit")
    published_document = attach(published, operator, "isi terbit")
    services.publish_process(process=published, by=operator)
    return {
        "draft document": f"/dokumen/{attach(draft, operator, 'isi draf').pk}/",
        "published document": f"/dokumen/{published_document.pk}/",
        "pending photo": photo_url(add_report(published, Moderation.PENDING)),
    }


def sign_in(client, username, code=""):
    return client.post(
        "/admin/login/",
        {"username": username, "password": PASSWORD, "code": code, "next": "/admin/"},
        REMOTE_ADDR="10.0.0.1",
    )


def code_now(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = time.time()
    return f"{totp.token():06d}"


@pytest.mark.django_db
def test_without_the_second_step_an_administrator_gets_only_public_files(client, files):
    administrator = make_administrator(username="admin-kab")
    sign_in(client, "admin-kab")  # by password alone: no authenticator set up yet
    assert "_auth_user_id" in client.session
    assert client.get(files["draft document"]).status_code == 404
    assert client.get(files["pending photo"]).status_code == 404
    assert client.get(files["published document"]).status_code == 200
    assert client.get("/admin/")["Location"] == reverse("two-factor")

    # Set up and confirmed in this session: the session has passed the second step.
    client.get(reverse("two-factor"))
    device = TOTPDevice.objects.get(user=administrator)
    client.post(reverse("two-factor"), {"code": code_now(device)})
    for label in ("draft document", "pending photo"):
        assert client.get(files[label]).status_code == 200, label
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_a_session_from_before_the_code_was_asked_signs_in_again(client, files):
    administrator = make_administrator(username="admin-kab")
    TOTPDevice.objects.create(user=administrator, name="uji")
    # A session that never showed the code (one from before the upgrade, say).
    client.force_login(administrator)
    assert client.get(files["draft document"]).status_code == 404
    response = client.get("/admin/contracts/process/")
    assert response["Location"] == "/admin/login/?next=/admin/contracts/process/"
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_with_the_code_an_administrator_gets_the_files(client, files):
    administrator = make_administrator(username="admin-kab")
    device = TOTPDevice.objects.create(user=administrator, name="uji")
    sign_in(client, "admin-kab", code=code_now(device))
    assert client.get(files["draft document"]).status_code == 200
    assert client.get(files["pending photo"]).status_code == 200
