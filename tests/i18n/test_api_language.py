"""The API's messages by Accept-Language, its data the same in both languages, and the open-data
pages (the index, the API's documentation, the list's selection downloads) in English under /en/
(issue #23).

The English expected here is the catalogue's (locale/en/LC_MESSAGES/django.po), typed by hand.
"""

import csv
import io
import json
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from agencies.models import Agency
from contracts import services
from opendata import openapi
from opendata.bulk import build
from opendata.columns import TABLES
from opendata.openapi_text import SHOWN
from tests.factories import make_operator, make_process, planning_fields

ENGLISH = "en-GB,en;q=0.9"


def publish(operator, **fields):
    process = make_process(operator.agency, **{**planning_fields(), **fields})
    services.publish_process(process=process, by=operator)
    return process


@pytest.fixture
def packages():
    """Two published packages of 2019 (tender) at the health office."""
    operator = make_operator(Agency.objects.get(code="dinas-kesehatan"))
    return [
        publish(operator, title=f"Rehabilitasi Puskesmas {n}", fiscal_year=2019, method="tender")
        for n in range(2)
    ]


def error_of(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()["galat"]


# --- the API's messages ----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_error_answers_in_the_language_the_client_prefers(client):
    url = "/api/v1/perangkat-daerah/tidak-ada/"
    english = client.get(url, HTTP_ACCEPT_LANGUAGE=ENGLISH)
    assert error_of(english, 404) == "Agency not found."
    assert english["Content-Language"] == "en"
    assert "Accept-Language" in english["Vary"]
    for header in [{"HTTP_ACCEPT_LANGUAGE": "id"}, {}]:
        indonesian = client.get(url, **header)
        assert error_of(indonesian, 404) == "Perangkat daerah tidak ditemukan."
        assert indonesian["Content-Language"] == "id"
        assert "Accept-Language" in indonesian["Vary"]
    # The first language the portal speaks, in the client's order of preference.
    assert error_of(client.get(url, HTTP_ACCEPT_LANGUAGE="de, en;q=0.5"), 404) == (
        "Agency not found."
    )
    assert error_of(client.get(url, HTTP_ACCEPT_LANGUAGE="de, fr"), 404) == (
        "Perangkat daerah tidak ditemukan."
    )
    # Under /en/ the address decides, as for every page there.
    prefixed = client.get(f"/en{url}", HTTP_ACCEPT_LANGUAGE="id")
    assert error_of(prefixed, 404) == "Agency not found."
    assert prefixed["Content-Language"] == "en"


@pytest.mark.django_db
def test_the_query_parameters_errors_and_the_other_refusals_in_english(client, settings):
    packages = "/api/v1/paket/"
    assert error_of(client.get(packages, {"halaman": "dua"}, HTTP_ACCEPT_LANGUAGE="en"), 400) == (
        "halaman and per_halaman must be whole numbers."
    )
    assert error_of(client.get(packages, {"halaman": "dua"}), 400) == (
        "halaman dan per_halaman harus bilangan bulat."
    )
    assert error_of(
        client.get(packages, {"per_halaman": "500"}, HTTP_ACCEPT_LANGUAGE="en"), 400
    ) == ("halaman starts at 1; per_halaman is between 1 and 100.")
    assert error_of(client.get(packages, {"halaman": "3"}, HTTP_ACCEPT_LANGUAGE="en"), 404) == (
        "Page 3 does not exist: there is only 1 page."
    )
    assert error_of(client.get(packages, {"setelah": "x"}, HTTP_ACCEPT_LANGUAGE="en"), 400) == (
        "setelah must be an id, as in the next link."
    )
    refused = client.get(packages, {"tahun": "dua-ribu"}, HTTP_ACCEPT_LANGUAGE="en")
    assert error_of(refused, 400) == "Some filters are not valid."
    assert refused.json()["masalah"]  # each refused filter named
    assert error_of(client.get("/api/v1/tidak-ada/", HTTP_ACCEPT_LANGUAGE="en"), 404) == (
        "This API address does not exist; see /api/v1/ for the list."
    )
    assert error_of(client.post("/api/v1/paket/", HTTP_ACCEPT_LANGUAGE="en"), 405) == (
        "This API is read-only (GET)."
    )
    # The OCDS addresses refuse writes in the client's language too.
    assert error_of(client.post("/ocds/ocds-x-1/", HTTP_ACCEPT_LANGUAGE="en"), 405) == (
        "This API is read-only (GET)."
    )
    assert error_of(client.post("/ocds/ocds-x-1/"), 405) == "API ini hanya untuk dibaca (GET)."
    settings.API_RATE_LIMIT = (1, 60)
    fresh = {"REMOTE_ADDR": "10.0.0.7"}  # an address the requests above have not counted
    assert client.get("/api/v1/", HTTP_ACCEPT_LANGUAGE="en", **fresh).status_code == 200
    limited = client.get("/api/v1/", HTTP_ACCEPT_LANGUAGE="en", **fresh)
    assert re.fullmatch(
        r"Too many requests: at most 1 per 60 seconds\. Try again in \d+ seconds\.",
        error_of(limited, 429),
    )
    assert limited["Content-Language"] == "en" and "Accept-Language" in limited["Vary"]
    assert error_of(client.get("/api/v1/", **fresh), 429).startswith(
        "Terlalu banyak permintaan: paling banyak 1 per 60 detik."
    )


@pytest.mark.django_db
def test_a_cached_answer_gives_each_language_its_own_and_the_same_data(client, packages):
    ocid = packages[0].ocid
    for url in [f"/api/v1/paket/{ocid}/", "/api/v1/paket/?per_halaman=1", "/api/v1/"]:
        english = client.get(url, HTTP_ACCEPT_LANGUAGE=ENGLISH)  # asked first: computed, cached
        indonesian = client.get(url, HTTP_ACCEPT_LANGUAGE="id")
        again = client.get(url, HTTP_ACCEPT_LANGUAGE=ENGLISH)  # from the cache
        assert english.status_code == indonesian.status_code == again.status_code == 200
        assert english["Content-Language"] == again["Content-Language"] == "en", url
        assert indonesian["Content-Language"] == "id", url
        assert "Accept-Language" in english["Vary"] and "Accept-Language" in indonesian["Vary"]
        # The data carry no language: the same fields, the canonical (Indonesian) links.
        assert english.json() == indonesian.json() == again.json(), url
        assert "/en/" not in english.content.decode(), url
    detail = client.get(f"/api/v1/paket/{ocid}/", HTTP_ACCEPT_LANGUAGE=ENGLISH).json()
    assert detail["metode_pemilihan"] == "tender"
    assert detail["tahap"][0]["nama"] == "Perencanaan"  # a label of the data, never translated
    assert detail["url"] == f"{settings.PORTAL['BASE_URL']}/paket/{packages[0].pk}/"
    # Under /en/ the same data as well (the page and API links are the canonical ones).
    prefixed = client.get(f"/en/api/v1/paket/{ocid}/")
    assert prefixed["Content-Language"] == "en"
    assert prefixed.json() == client.get(f"/api/v1/paket/{ocid}/").json()
    # An error after a cached answer of the same address is in the asker's language.
    url = "/api/v1/paket/?per_halaman=1&halaman=9"
    assert error_of(client.get(url, HTTP_ACCEPT_LANGUAGE="en"), 404) == (
        "Page 9 does not exist: there are only 2 pages."
    )
    assert error_of(client.get(url), 404) == "Halaman 9 tidak ada: hanya ada 2 halaman."


# --- the open-data pages ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_open_data_page_in_english_under_en(client, packages, media_root):
    english = client.get("/en/data-terbuka/").content.decode()
    assert "<h1>Open Data</h1>" in english
    assert '<h2 id="cakupan-2019">Fiscal year 2019</h2>' in english
    assert '<h2 id="cakupan-semua">All years</h2>' in english
    assert "being prepared" in english and "CSV: one row per package" in english
    assert '<td data-label="File">' in english
    assert 'href="/en/data-terbuka/kebijakan/">Publication policy</a>' in english
    for indonesian in ["Semua tahun", "Tahun anggaran 2019", "sedang disiapkan", "satu baris per"]:
        assert indonesian not in english, indonesian
    build(base_url=settings.PORTAL["BASE_URL"])
    english = client.get("/en/data-terbuka/").content.decode()
    section = english.split('id="cakupan-2019"')[1].split("</section>")[0]
    assert re.search(r"2 packages published · built \d{1,2} \w+ \d{4}, \d\d:\d\d WIB", section)
    assert "for all years at once, the CSV files hold the same rows" in english
    indonesian = client.get("/data-terbuka/").content.decode()
    assert "<h1>Data Terbuka</h1>" in indonesian and "Semua tahun" in indonesian
    assert re.search(
        r"2 paket dipublikasikan · dibuat \d{1,2} \w+ \d{4}, \d\d:\d\d WIB", indonesian
    )
    assert "CSV: satu baris per paket" in indonesian and "All years" not in indonesian


@pytest.mark.django_db
def test_the_api_documentation_in_english_under_en(client, packages):
    english = client.get("/en/api/").content.decode()
    assert "<h1>Procurement data API</h1>" in english
    for phrase in [
        "<h2>Endpoints</h2>",
        "<h2>Rate limit</h2>",
        "<h2>Pages</h2>",
        "List of packages",  # the document's own summaries, through the catalogue
        "Supplier selection method.",
        "<caption>Parameters</caption>",
        "(required)",
        "whole number",
        "; one of: <code>",
        "<code>Accept-Language</code> header: in English when English is asked for",
        "At most {} requests per {} seconds from one address.".format(*settings.API_RATE_LIMIT),
    ]:
        assert phrase in english, phrase
    for indonesian in [
        "Titik akhir",
        "Batas permintaan",
        "Daftar paket",
        "bilangan bulat",
        "salah satu dari",
        "(wajib)",
        "Jawaban",
    ]:
        assert indonesian not in english, indonesian
    indonesian = client.get("/api/").content.decode()
    assert "<h1>API data pengadaan</h1>" in indonesian and "<h2>Titik akhir</h2>" in indonesian
    assert "Daftar paket" in indonesian and "bilangan bulat" in indonesian
    assert "Pesan galat mengikuti kepala <code>Accept-Language</code>" in indonesian


def test_every_text_the_documentation_shows_from_the_document_has_its_english():
    """opendata/openapi.yaml is read by no makemessages: its texts on the page are listed in
    opendata/openapi_text.py. A text changed in the document without that list fails here."""
    shown = set()
    for operation in openapi.operations(openapi.document()):
        shown |= {operation["summary"], operation["description"]}
        shown |= {parameter["description"] for parameter in operation["parameters"]}
        shown |= {about for _status, about in operation["statuses"]}
    shown.discard("")
    assert shown == set(SHOWN)
    with translation.override("en"):
        untranslated = [text for text in SHOWN if translation.gettext(text) == text]
    assert untranslated == []


# --- the list's selection to take away -------------------------------------------------------


@pytest.mark.django_db
def test_a_selection_downloads_human_text_in_english_under_en_with_the_same_columns(
    client, packages
):
    query = {"tahun": "2019", "metode": "tender"}
    path = reverse("opendata:selection", args=["json"])
    english = json.loads(b"".join(client.get(f"/en{path}", query).streaming_content))
    indonesian = json.loads(b"".join(client.get(path, query).streaming_content))
    assert english["keterangan_saringan"] == {
        "tahun": "Fiscal year: 2019",
        "metode": "Selection method: Open tender",
        "urut": "Order: Newest",
    }
    assert indonesian["keterangan_saringan"] == {
        "tahun": "Tahun anggaran: 2019",
        "metode": "Metode pemilihan: Tender",
        "urut": "Urutan: Terbaru",
    }
    # What a program reads is the same: the column names, the filters, the rows.
    assert english["kolom"] == indonesian["kolom"] == TABLES["paket"].names
    assert english["saringan"] == indonesian["saringan"]
    assert english["paket"] == indonesian["paket"] and english["jumlah_paket"] == 2

    path = reverse("opendata:selection", args=["xlsx"])
    sheets = {}
    for prefix in ["/en", ""]:
        response = client.get(f"{prefix}{path}", query)
        sheets[prefix] = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    english, indonesian = sheets["/en"], sheets[""]
    assert english.sheetnames == indonesian.sheetnames == ["paket", "Keterangan"]
    header = [next(english["paket"].iter_rows(values_only=True))]
    assert header == [next(indonesian["paket"].iter_rows(values_only=True))]
    assert list(header[0]) == TABLES["paket"].names
    notes = dict(english["Keterangan"].iter_rows(values_only=True))
    assert notes["Description"] == "Value"
    assert notes["Number of packages"] == 2
    assert notes["Filter: Fiscal year"] == "2019"
    assert notes["Filter: Selection method"] == "Open tender"
    assert notes["Filter: Order"] == "Newest"
    assert "Made (WIB, UTC+7)" in notes and notes["Source"].endswith(
        "/en/paket/?tahun=2019&metode=tender"
    )
    assert not {"Keterangan", "Jumlah paket", "Sumber"} & set(notes)
    notes = dict(indonesian["Keterangan"].iter_rows(values_only=True))
    assert notes["Jumlah paket"] == 2 and notes["Saringan: Metode pemilihan"] == "Tender"

    # The CSV has no human text: the same bytes in both languages.
    path = reverse("opendata:selection", args=["csv"])
    english = b"".join(client.get(f"/en{path}", query).streaming_content)
    assert english == b"".join(client.get(path, query).streaming_content)
    assert next(csv.reader(io.StringIO(english.decode("utf-8-sig")))) == TABLES["paket"].names

    # A refused filter is explained in the page's language.
    refused = client.get(f"/en{reverse('opendata:selection', args=['json'])}", {"tahun": "dua"})
    assert refused.status_code == 400
    assert refused.json()["galat"].startswith("Download not made: a filter is not valid")


@pytest.mark.django_db
def test_what_has_one_language_says_so_whatever_is_asked(client):
    """The OpenAPI document is one Indonesian document, and a feed under /en/ is the Indonesian
    feed: their Content-Language says id (it said en, from the try-out)."""
    document = client.get("/api/v1/openapi.json", HTTP_ACCEPT_LANGUAGE="en")
    assert document.status_code == 200 and document["Content-Language"] == "id"
    feed = client.get("/en/feed/paket/")
    assert feed.status_code == 200 and feed["Content-Language"] == "id"
    error = client.get("/api/v1/paket/", {"halaman": "abc"}, HTTP_ACCEPT_LANGUAGE="en")
    assert error["Content-Language"] == "en"
