"""Security headers: a strict Content-Security-Policy and friends on every kind of answer."""

import re

import pytest
from django.urls import reverse

from tests.factories import make_operator
from tests.test_settings import PRODUCTION, SOME_SERVER, run_python

PAGES = ["/", "/paket/", "/data-terbuka/", "/api/v1/paket/", "/admin/login/", "/tidak-ada/"]


def directives(policy):
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


def policy_under(env, var_dir):
    """The policy django-csp builds from the settings a deployment with `env` would read."""
    code = "from csp.utils import build_policy; print(build_policy())"
    result = run_python(code, {"PORTAL_VAR_DIR": str(var_dir), "DATABASE_URL": SOME_SERVER, **env})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_every_answer_carries_the_policies(client, path):
    response = client.get(path)
    policy = directives(response["Content-Security-Policy"])
    # Nothing inline, nothing evaluated, nothing from elsewhere.
    for name in ["default-src", "script-src", "style-src"]:
        assert policy[name] == ["'self'"], name
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_the_admin_pages_carry_the_policy_too(client):
    from agencies.models import Agency

    client.force_login(make_operator(Agency.objects.get(code="dinas-kesehatan")))
    response = client.get(reverse("admin:contracts_process_add"))
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/paket/", "/data-terbuka/", "/api/"])
def test_no_page_needs_inline_script_or_style(client, path):
    html = client.get(path).content.decode()
    # Every <script> has a src (or is JSON data), no element has a style or on* attribute.
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"<[^>]+\sstyle=", html)
    assert not re.search(r"<[^>]+\son[a-z]+=", html)
    assert "<style" not in html


def test_images_may_come_from_the_object_store_when_files_live_there(tmp_path):
    store = {"S3_BUCKET": "dokumen", "S3_ENDPOINT_URL": "https://s3.example.id:9000"}
    assert "img-src 'self' data: https://s3.example.id:9000" in policy_under(store, tmp_path)
    assert directives(policy_under({}, tmp_path))["img-src"] == ["'self'", "data:"]


def test_production_upgrades_insecure_requests(tmp_path):
    # Present and valueless; not "last", since django-csp orders the directives through a set,
    # differently in each process (browsers read them in any order).
    assert directives(policy_under(PRODUCTION, tmp_path))["upgrade-insecure-requests"] == []
    assert "upgrade-insecure-requests" not in directives(policy_under({}, tmp_path))


@pytest.mark.django_db
def test_the_open_data_may_be_fetched_from_elsewhere_but_pages_may_not(client):
    assert client.get("/paket/")["Cross-Origin-Resource-Policy"] == "same-origin"
    api = client.get("/api/v1/paket/")
    assert api["Access-Control-Allow-Origin"] == "*"
    assert not api.has_header("Cross-Origin-Resource-Policy")


@pytest.mark.django_db
def test_cookies_are_out_of_scripts_reach_and_same_site(client):
    from agencies.models import Agency

    login = client.get("/admin/login/")
    csrf = login.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"
    operator = make_operator(Agency.objects.get(code="dinas-kesehatan"), username="kue-uji")
    response = client.post(
        "/admin/login/",
        {
            "username": operator.username,
            "password": "kata-sandi-uji-123",
            "csrfmiddlewaretoken": csrf.value,
            "next": "/admin/",
        },
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
