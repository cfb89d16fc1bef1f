"""The refusals a user meets (403, a stale form's CSRF failure) are the portal's Indonesian
pages in its layout, saying what happened and what to do, with the right status."""

import pytest
from django.test import Client

from agencies.models import Agency
from tests.factories import make_operator, make_supervisor

LAYOUT = '<a class="skip-link" href="#konten">Langsung ke konten utama</a>'


@pytest.mark.django_db
def test_an_operator_on_the_supervisors_page_is_told_whose_page_it_is(client):
    client.force_login(make_operator(Agency.objects.get(code="dinas-kesehatan")))
    response = client.get("/pengawasan/")
    html = response.content.decode()
    assert response.status_code == 403
    assert LAYOUT in html and '<html lang="id">' in html
    assert "<h1>Akses ditolak</h1>" in html
    assert "Halaman ini untuk pengawas" in html and "masuk dengan akun pengawas" in html
    # What to do next: the operator's own to-do list.
    assert 'href="/pengawasan/tugas/"' in html
    assert "Forbidden" not in html


@pytest.mark.django_db
def test_a_supervisor_on_the_to_do_list_is_sent_to_the_supervisors_page(client):
    client.force_login(make_supervisor())
    response = client.get("/pengawasan/tugas/")
    html = response.content.decode()
    assert response.status_code == 403
    assert LAYOUT in html
    assert "Daftar tugas ada untuk operator perangkat daerah" in html
    assert 'href="/pengawasan/"' in html and "Forbidden" not in html


@pytest.mark.django_db
def test_a_stale_form_gets_the_indonesian_csrf_page_without_debug_talk():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "x", "password": "y"})
    html = response.content.decode()
    assert response.status_code == 403
    assert LAYOUT in html and '<html lang="id">' in html
    assert "Formulir tidak dapat diterima" in html and "Tidak ada yang disimpan" in html
    for english in ("CSRF", "DEBUG", "Forbidden", "verification failed"):
        assert english not in html


@pytest.mark.django_db
def test_an_unknown_address_gets_the_indonesian_404_in_the_layout(client):
    response = client.get("/pengawasan/tidak-ada/")
    assert response.status_code == 404
    html = response.content.decode()
    assert LAYOUT in html and "Halaman tidak ditemukan" in html


@pytest.mark.django_db
def test_a_suspicious_request_gets_the_indonesian_400_in_the_layout(client, settings):
    # More fields in the address than Django reads (DATA_UPLOAD_MAX_NUMBER_FIELDS): a
    # SuspiciousOperation (TooManyFieldsSent), answered by Django's own handler400, which
    # renders our 400.html with the request (so with the layout's context processors).
    fields = {f"f{n}": "1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.get("/paket/", fields)
    html = response.content.decode()
    assert response.status_code == 400
    assert LAYOUT in html and '<html lang="id">' in html
    assert "<h1>Permintaan tidak sah</h1>" in html
    # Rendered with the request: the site's name and navigation are there, and what to do.
    assert f"<title>Permintaan tidak sah — {settings.PORTAL['REGION_NAME']}</title>" in html
    assert f'<span class="brand__name">{settings.PORTAL["SITE_NAME"]}</span>' in html
    assert 'class="site-nav__link" href="/paket/"' in html
    assert "periksa kembali tautannya" in html and 'href="/"' in html
    assert f"mailto:{settings.PORTAL['CONTACT_EMAIL']}" in html
    for english in ("Bad Request", "TooManyFieldsSent", "DATA_UPLOAD_MAX_NUMBER_FIELDS"):
        assert english not in html


@pytest.mark.django_db
def test_an_unknown_host_gets_the_indonesian_400(client, settings):
    settings.ALLOWED_HOSTS = ["portal.example"]
    response = client.get("/paket/", HTTP_HOST="penyerang.example")
    html = response.content.decode()
    assert response.status_code == 400
    assert LAYOUT in html and "Permintaan tidak sah" in html and "penyerang" not in html
