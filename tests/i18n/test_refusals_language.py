"""Answers made before the language is set (PortalLocaleMiddleware): a NUL byte in the
address, a body over the limit, the database out of reach. Each speaks the language of the
address — or, for the API, of the client's Accept-Language — not whatever the worker's thread
last activated."""

import pytest
from django.db import OperationalError
from django.test import RequestFactory
from django.utils import translation

from opendata_kontrak import outage


@pytest.mark.django_db
def test_a_nul_byte_is_refused_in_the_address_language(client):
    english = client.get("/en/paket/", {"q": "jalan\x00"})
    assert english.status_code == 400
    text = english.content.decode()
    assert '<html lang="en">' in text
    assert "This address contains a NUL character (0x00), which is not allowed" in text
    assert "karakter NUL" not in text
    # The thread left in English does not make the next Indonesian refusal English.
    with translation.override("en"):
        indonesian = client.get("/paket/", {"q": "jalan\x00"}).content.decode()
    assert "Alamat ini memuat karakter NUL (0x00) yang tidak sah" in indonesian
    api = client.get("/api/v1/paket/", {"pd": "\x00"}, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert api.status_code == 400
    assert api.json()["galat"].startswith("This address contains a NUL character")
    plain = client.get("/api/v1/paket/", {"pd": "\x00"})
    assert plain.json()["galat"].startswith("Alamat ini memuat karakter NUL")


@pytest.mark.django_db
def test_a_body_over_the_limit_is_refused_in_the_address_language(client, settings):
    settings.FORM_MAX_BYTES = 1000
    body = "x=" + "a" * 5000
    english = client.post(
        "/en/paket/", body, content_type="application/x-www-form-urlencoded"
    ).content.decode()
    assert "This submission is 4.9\xa0KB, over the 1000\xa0bytes limit of this page." in english
    assert "Nothing was saved." in english
    indonesian = client.post(
        "/paket/", body, content_type="application/x-www-form-urlencoded"
    ).content.decode()
    assert "Kiriman ini 4,9\xa0KB, lebih dari batas 1000\xa0bita untuk halaman ini." in indonesian


def test_the_outage_page_speaks_the_address_language():
    factory = RequestFactory()
    with translation.override("id"):
        page = outage.unavailable(factory.get("/en/paket/"), OperationalError("down"))
    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert "The portal\u2019s database cannot be reached right now." in page.content.decode()
    with translation.override("en"):
        page = outage.unavailable(factory.get("/paket/"), OperationalError("down"))
    assert "Basis data portal sedang tidak dapat dijangkau." in page.content.decode()
    api = outage.unavailable(
        factory.get("/api/v1/paket/", HTTP_ACCEPT_LANGUAGE="en"), OperationalError("down")
    )
    assert api.status_code == 503
    assert b"cannot be reached right now" in api.content
