"""The supervisors' and operators' dashboards in both languages (issue #23).

The dashboards are public-prefix pages (dashboards/urls.py is included in
`language_patterns`): `/pengawasan/...` is Indonesian, `/en/pengawasan/...` English, whoever
asks. The workspace's language cookie decides only the workspace (/admin/), whose links then
lead to the English dashboards. The exports follow the page's language in their column titles
and sheet names only: the same columns, and the same values (names, the vocabularies' labels
as the data has them, real numbers), in both.

The English phrases below are the catalogue's, typed by hand.
"""

import csv
import datetime
import io
import re

import pytest
from django.conf import settings
from django.utils import timezone, translation
from openpyxl import load_workbook

from agencies.models import Agency
from contracts import services
from contracts.models import DocumentType
from dashboards import selectors
from dashboards.charts import trend_svg
from tests.dashboards import test_dashboards, test_field, test_quality
from tests.factories import make_administrator, make_operator, make_process, make_supervisor
from tests.i18n.pages import absent
from tests.participation.test_reports import png, upload

# The dashboards' own fixtures: a small data set whose numbers are worked out in their tests.
data, rules, report = test_dashboards.data, test_dashboards.rules, test_quality.report

MATRIX = "/pengawasan/"
CELL = "/pengawasan/2018/dinas-kesehatan/pemilihan/"
TODO = "/pengawasan/tugas/"
QUALITY = "/pengawasan/kualitas-data/"
FAILURES = "/pengawasan/kualitas-data/tanggal_runtut/"
OPENNESS = "/keterbukaan/"
FIELD = "/pengawasan/lapangan/"


def main_of(response):
    """The page's <main>, where the dashboard's own text is (the header and footer are
    base.html's, converted and tested elsewhere)."""
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def overdue_since_march_2018():
    return (timezone.localdate() - datetime.date(2018, 3, 1)).days


# --- the matrix ------------------------------------------------------------------------------


MATRIX_INDONESIAN = [
    "Kelengkapan tahap 2018",
    "Untuk setiap perangkat daerah: berapa paket",
    "Paling tidak lengkap dulu",
    "Menurut jenis",
    "Unduh CSV",
    "Unduh XLSX",
    "Permintaan terbuka",
    "Kelengkapan kabupaten per bulan",
    "Tahap lengkap pada akhir bulan",
    "dari 3 lengkap",
    "permintaan belum ditutup",
    ">Mei</text>",
    "Juni 2018",
]


@pytest.mark.django_db
def test_the_matrix_in_english_under_en(client, data):
    client.force_login(make_supervisor())
    page = main_of(client.get("/en" + MATRIX, {"tahun": "2018"}))
    for phrase in [
        "<h1>Stage completeness 2018</h1>",
        "For each agency (perangkat daerah): how many packages have a stage complete, of "
        "those that must fill it in. Withdrawn packages are not counted; drafts are.",
        "Least complete first",
        "Download XLSX",
        '<th scope="col">Supplier selection</th>',
        '<th scope="col">Open requests</th>',
        # Dinas Kesehatan: two of three packages have their planning complete (P1, P2).
        'aria-label="Dinas Kesehatan, Planning: 2 of 3 complete"',
        'aria-label="Dinas Kesehatan: 0 requests not yet closed; see or make requests"',
        # The totals' rows: the kind's and the regency's labels, kept Indonesian in the data.
        '<th scope="row">Office (dinas)</th>',
        '<th scope="row">Regency (kabupaten)</th>',
        "<h2>Completeness of the regency by month</h2>",
        'aria-label="Completeness of the regency by month, 2018"',
        ">May</text>",
        "<td>June 2018</td>",
        # Short enough for the trend table to fit a phone (tests/browser).
        '<th scope="col">Month</th><th scope="col">Done</th><th scope="col">Needed</th>',
    ]:
        assert phrase in page, phrase
    assert absent(page, MATRIX_INDONESIAN) == []


@pytest.mark.django_db
def test_the_matrix_stays_indonesian_without_the_prefix_whatever_the_cookie(client, data):
    """The address decides: the workspace's English cookie does not turn the unprefixed
    dashboard English."""
    client.force_login(make_supervisor())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(MATRIX, {"tahun": "2018"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "id"
    page = main_of(response)
    for phrase in [
        "<h1>Kelengkapan tahap 2018</h1>",
        'aria-label="Dinas Kesehatan, Perencanaan: 2 dari 3 lengkap"',
        '<th scope="row">Dinas</th>',
        '<th scope="row">Kabupaten</th>',
        ">Mei</text>",
        "<td>Juni 2018</td>",
    ]:
        assert phrase in page, phrase
    assert "Stage completeness" not in page and "Regency (kabupaten)" not in page


@pytest.mark.django_db
def test_the_workspace_in_english_leads_to_the_english_dashboards(client, data):
    client.force_login(make_supervisor())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    workspace = client.get("/admin/")
    assert workspace["Content-Language"] == "en"
    assert 'href="/en/pengawasan/"' in workspace.content.decode()
    assert "<h1>Stage completeness" in main_of(client.get("/en/pengawasan/", {"tahun": 2018}))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    assert 'href="/pengawasan/"' in client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_the_matrix_is_cached_apart_per_language(client, data):
    client.force_login(make_supervisor())
    for _round in range(2):  # the second read comes from the cached fragment
        english = main_of(client.get("/en" + MATRIX, {"tahun": "2018"}))
        indonesian = main_of(client.get(MATRIX, {"tahun": "2018"}))
        assert "Regency (kabupaten)" in english and "Kelengkapan kabupaten" not in english
        assert "Kelengkapan kabupaten per bulan" in indonesian and "Regency" not in indonesian


@pytest.mark.django_db
def test_only_supervisors_are_told_so_in_english(client, data):
    client.force_login(data["operator"])
    response = client.get("/en" + MATRIX)
    assert response.status_code == 403
    assert "This page is for supervisors" in response.content.decode()
    assert "Halaman ini untuk pengawas" in client.get(MATRIX).content.decode()


# --- the exports -----------------------------------------------------------------------------

MATRIX_TITLES_EN = [
    "Agency",
    "Type",
    "Planning complete",
    "Planning required",
    "Supplier selection complete",
    "Supplier selection required",
    "Award complete",
    "Award required",
    "Contract complete",
    "Contract required",
    "Implementation complete",
    "Implementation required",
    "Total complete",
    "Total required",
    "Percent",
    "Requests not yet closed",
]
MATRIX_TITLES_ID = [
    "Perangkat daerah",
    "Jenis",
    "Perencanaan lengkap",
    "Perencanaan wajib",
    "Pemilihan Penyedia lengkap",
    "Pemilihan Penyedia wajib",
    "Pemenang lengkap",
    "Pemenang wajib",
    "Kontrak lengkap",
    "Kontrak wajib",
    "Implementasi lengkap",
    "Implementasi wajib",
    "Total lengkap",
    "Total wajib",
    "Persen",
    "Permintaan belum ditutup",
]


def workbook_of(response):
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    (sheet,) = book.worksheets
    return sheet.title, [list(row) for row in sheet.iter_rows(values_only=True)]


def csv_of(response):
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.django_db
def test_the_matrix_export_titles_follow_the_language_and_the_values_do_not(client, data):
    client.force_login(make_supervisor())
    query = {"tahun": "2018", "format": "xlsx"}
    sheet_en, rows_en = workbook_of(client.get("/en" + MATRIX, query))
    sheet_id, rows_id = workbook_of(client.get(MATRIX, query))
    assert (sheet_en, sheet_id) == ("completeness-2018", "kelengkapan-2018")
    assert rows_en[0] == MATRIX_TITLES_EN
    assert rows_id[0] == MATRIX_TITLES_ID
    assert rows_en[1:] == rows_id[1:]
    health = next(row for row in rows_en if row[0] == "Dinas Kesehatan")
    # The kind as the data has it; counts and the share as numbers: Planning 2 of 3, Supplier
    # selection 1 of 2, Award 0 of 2, Contract 0 of 3, Implementation 0 of 3; 3 of 13 is 23%.
    assert health == ["Dinas Kesehatan", "Dinas", 2, 3, 1, 2, 0, 2, 0, 3, 0, 3, 3, 13, 23, 0]
    csv_en = csv_of(client.get("/en" + MATRIX, {"tahun": "2018", "format": "csv"}))
    csv_id = csv_of(client.get(MATRIX, {"tahun": "2018", "format": "csv"}))
    assert csv_en[0] == MATRIX_TITLES_EN and csv_id[0] == MATRIX_TITLES_ID
    assert csv_en[1:] == csv_id[1:]


MISSING_TITLES_EN = [
    "ocid",
    "Package",
    "Year",
    "Stage",
    "What is missing",
    "Due",
    "Overdue (days)",
]
MISSING_TITLES_ID = [
    "ocid",
    "Paket",
    "Tahun",
    "Tahap",
    "Yang belum ada",
    "Batas",
    "Terlambat (hari)",
]


@pytest.mark.django_db
def test_the_drilldown_export_in_both_languages(client, data):
    client.force_login(make_supervisor())
    sheet_en, rows_en = workbook_of(client.get("/en" + CELL, {"format": "xlsx"}))
    sheet_id, rows_id = workbook_of(client.get(CELL, {"format": "xlsx"}))
    # A sheet's title holds 31 characters at most.
    assert sheet_en == "missing-dinas-kesehatan-pemilih"
    assert sheet_id == "kurang-dinas-kesehatan-pemiliha"
    assert rows_en[0] == MISSING_TITLES_EN and rows_id[0] == MISSING_TITLES_ID
    assert rows_en[1:] == rows_id[1:]
    # P3 lacks its tender code; the stage as the data names it, the year and days as numbers.
    assert rows_en[1][1:] == [
        "P3 kosong",
        2018,
        "Pemilihan Penyedia",
        "kode tender",
        "2018-03-01",
        overdue_since_march_2018(),
    ]
    csv_en = csv_of(client.get("/en" + CELL, {"format": "csv"}))
    assert csv_en[0] == MISSING_TITLES_EN
    assert csv_en[1:] == csv_of(client.get(CELL, {"format": "csv"}))[1:]


@pytest.mark.django_db
def test_the_to_do_export_in_both_languages(client, data):
    client.force_login(data["operator"])
    sheet_en, rows_en = workbook_of(client.get("/en" + TODO, {"format": "xlsx"}))
    sheet_id, rows_id = workbook_of(client.get(TODO, {"format": "xlsx"}))
    assert (sheet_en, sheet_id) == ("tasks-dinas-kesehatan", "tugas-dinas-kesehatan")
    assert rows_en[0] == MISSING_TITLES_EN and rows_id[0] == MISSING_TITLES_ID
    assert rows_en[1:] == rows_id[1:] and len(rows_en) > 1


# --- the drill-down --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_drilldown_in_english(client, data):
    client.force_login(make_supervisor())
    page = main_of(client.get("/en" + CELL))
    days = overdue_since_march_2018()
    for phrase in [
        '<nav class="breadcrumbs" aria-label="Location">',
        ">Oversight 2018</a>",
        "<h1>Dinas Kesehatan — Supplier selection 2018</h1>",
        "1 package with the Supplier selection stage incomplete, the longest overdue first.",
        "Send a request to Dinas Kesehatan about the Supplier selection stage",
        "<span>FY 2018</span>",
        f"{days:,} days overdue (since 1 March 2018)",
        "<h2>Completeness of Dinas Kesehatan by month</h2>",
        'aria-label="Completeness of Dinas Kesehatan by month, 2018"',
    ]:
        assert phrase in page, phrase
    assert (
        absent(
            page,
            [
                "paket dengan tahap",
                "Kirim permintaan",
                "terlambat",
                "sejak",
                "Unduh",
                "Kelengkapan",
                "TA 2018",
            ],
        )
        == []
    )
    indonesian = main_of(client.get(CELL))
    assert "1 paket dengan tahap Pemilihan Penyedia belum lengkap" in indonesian
    assert f"terlambat {days:,} hari (sejak 1 Maret 2018)".replace(",", ".") in indonesian


# --- the operator's to-do and field pages ----------------------------------------------------


@pytest.mark.django_db
def test_the_to_do_in_english(client):
    health = Agency.objects.get(code="dinas-kesehatan")
    operator = make_operator(health)
    for _ in range(3):
        make_process(health, fiscal_year=2019, method="tender")
    client.force_login(operator)
    page = main_of(client.get("/en" + TODO))
    for phrase in [
        "<h1>Still missing at Dinas Kesehatan</h1>",
        "Field reports from a phone (progress, payments)",
        "Supervisors\u2019 requests not yet closed (0)",
        "No supervisor\u2019s request is waiting for an answer.",
        '<h2 id="dokumen-opd">Agency documents</h2>',
        # The agency document's name is the register's (data); the sentence is English.
        "DPA (Dokumen Pelaksanaan Anggaran) 2019 not uploaded yet (3 packages waiting)",
        ">Upload</a>",
        "Package stages not yet complete",
        '<option value="dokumen">Document not uploaded yet</option>',
        '<option value="terlambat" selected>Longest overdue</option>',
        "Search package name or RUP code",
        "package stages not yet complete.",
        "<span>FY 2019</span>",
    ]:
        assert phrase in page, phrase
    assert (
        absent(
            page,
            [
                "Yang masih kurang",
                "belum diunggah",
                "paket menunggu",
                "Tahap paket yang belum lengkap",
                "Paling lama terlambat",
                "Dokumen belum diunggah",
                "Terapkan",
                "Unduh",
                "TA 2019",
            ],
        )
        == []
    )
    indonesian = main_of(client.get(TODO))
    assert "DPA (Dokumen Pelaksanaan Anggaran) 2019 belum diunggah (3 paket menunggu)" in (
        indonesian
    )
    assert '<option value="terlambat" selected>Paling lama terlambat</option>' in indonesian


@pytest.mark.django_db
def test_a_filter_that_keeps_nothing_says_so_in_english(client, data):
    client.force_login(data["operator"])
    page = main_of(client.get("/en" + TODO, {"q": "tidak-ada-sama-sekali"}))
    assert "No incomplete stage with these filters." in page and ">Show all</a>" in page
    assert ">Clear the filters</a>" in page


@pytest.mark.django_db
def test_the_field_pages_in_english(client, data):
    client.force_login(data["operator"])
    picker = main_of(client.get("/en" + FIELD))
    assert "<h1>Field report</h1>" in picker
    assert "Search packages (name, RUP code (procurement plan) or tender code)" in picker
    assert "tender 111 · FY 2018" in picker
    assert "Cari paket" not in picker and "TA 2018" not in picker
    assert "No package matches “zzz”." in main_of(client.get("/en" + FIELD, {"q": "zzz"}))
    url = f"/en{FIELD}{data['p1'].pk}/"
    form = main_of(client.get(url))
    for phrase in ["← Choose another package", "Save the progress report", "Save the payment"]:
        assert phrase in form, phrase
    assert "Simpan laporan kemajuan" not in form and "Simpan pembayaran" not in form
    refused = client.post(url, {"jenis": "bayar", "bayar-label": ""})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert (
        "Not saved yet: check the fields marked below; what you have written is still there."
        in (text)
    )
    assert "<title>Not saved yet: Field report: P1 pemilihan lengkap" in text
    saved = client.post(
        url,
        {
            "jenis": "bayar",
            "bayar-label": "Termin I",
            "bayar-sp2d_number": "0042/SP2D/2018",
            "bayar-date": "2018-07-01",
            "bayar-amount": "1000000",
        },
        follow=True,
    )
    # Back to the English page; the payment's own name is the model's (its translation is
    # contracts'), the sentence around it English.
    assert saved.redirect_chain[-1][0].startswith(url)
    assert " saved for P1 pemilihan lengkap." in saved.content.decode()
    assert "disimpan untuk" not in saved.content.decode()
    indonesian = client.get(url[3:]).content.decode()
    assert "Simpan laporan kemajuan" in indonesian and "← Pilih paket lain" in indonesian


@pytest.mark.django_db
def test_a_refused_progress_report_keeps_its_photo_and_says_so_in_english(client, media_root):
    health = Agency.objects.get(code="dinas-kesehatan")
    process = make_process(health, title="Rehabilitasi Puskesmas Dander")
    client.force_login(make_operator(health))
    response = client.post(
        f"/en{FIELD}{process.pk}/",
        {
            **test_field.PROGRESS,
            "kemajuan-physical_percent": "150",
            "kemajuan-photos": [upload(png(), "denah.png")],
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    for phrase in [
        "Not saved yet: check the fields marked below; what you have written is still there.",
        "1 photo that passed the checks is kept for now and listed below: "
        "<strong>no need to choose it again</strong>.",
        "<legend>Photos kept for now (1)</legend>",
        "these photos are saved with the next progress report, no need to choose them again. "
        f"Kept for at most {settings.STAGED_UPLOAD_HOURS} hours.",
        "> Remove</label>",
    ]:
        assert phrase in html, phrase
    assert "foto yang lolos" not in html and "Foto disimpan sementara" not in html


# --- openness and quality --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_openness_ranking_in_english(client, data):
    services.publish_process(process=data["p5"], by=make_operator(data["schools"]))
    page = main_of(client.get("/en" + OPENNESS, {"tahun": "2018"}))
    for phrase in [
        "<h1>How open each agency is — 2018</h1>",
        "The share of published packages with every required stage complete.",
        '<th scope="col">All stages complete</th>',
        "1 (100%)",
    ]:
        assert phrase in page, phrase
    assert "Seberapa terbuka" not in page and "Persentase paket" not in page
    assert "<h1>Seberapa terbuka setiap perangkat daerah — 2018</h1>" in main_of(
        client.get(OPENNESS, {"tahun": "2018"})
    )


@pytest.mark.django_db
def test_the_quality_report_in_english(client, report):
    client.force_login(make_supervisor())
    page = main_of(client.get("/en" + QUALITY, {"tahun": "2018"}))
    for phrase in [
        "<h1>Open data quality — 2018</h1>",
        "pass each check of their OCDS data, per agency, the weakest first.",
        "open-data packages (published or withdrawn), by the daily job.",
        '<h2 id="per-pemeriksaan">Per check</h2>',
        '<th scope="col">Pass</th><th scope="col">Checked</th><th scope="col">Share</th>',
        # Three of Dinas Kesehatan's 2018 packages were signed before their award.
        "3 packages fail, see the list",
        "Share of packages that pass, and passed/checked; — where the check does not apply",
        "<h2>What is checked</h2>",
    ]:
        assert phrase in page, phrase
    assert (
        absent(page, ["Kualitas data terbuka", "Per pemeriksaan", "paket gagal", "Dihitung"]) == []
    )
    failures = main_of(client.get("/en" + FAILURES, {"tahun": "2018", "pd": "dinas-kesehatan"}))
    for phrase in [
        ">Open data quality</a>",
        ": failing packages</h1>",
        "3 packages of Dinas Kesehatan, fiscal year 2018, fail this check.",
        ">See every agency</a>",
        'aria-label="Filter the failing packages"',
        '<th scope="col">What fails</th>',
        "<span>FY 2018</span>",
    ]:
        assert phrase in failures, phrase
    assert "gagal pemeriksaan ini" not in failures and "Lihat semua" not in failures
    indonesian = main_of(client.get(FAILURES, {"tahun": "2018", "pd": "dinas-kesehatan"}))
    assert "3 paket Dinas Kesehatan tahun anggaran 2018 gagal pemeriksaan ini." in indonesian


@pytest.mark.django_db
def test_asking_for_a_new_count_answers_in_english(client, report):
    client.force_login(make_administrator())
    response = client.post("/en" + QUALITY + "hitung-ulang/")
    assert response["Location"] == "/en" + QUALITY
    page = client.get(response["Location"]).content.decode()
    assert "The data quality count is queued; its results appear here once it is done" in page
    assert "A new count is queued or running." in page
    again = client.post("/en" + QUALITY + "hitung-ulang/", follow=True).content.decode()
    assert "A new data quality count is already queued." in again
    assert "sudah ada di antrean" not in again


@pytest.mark.django_db
def test_no_count_yet_in_english(client, data):
    client.force_login(make_supervisor())
    page = main_of(client.get("/en" + QUALITY))
    assert "Data quality has not been counted yet. It is counted every day." in page
    client.force_login(make_administrator())
    page = main_of(client.get("/en" + QUALITY))
    assert "It is counted every day, or ask for it now." in page
    assert ">Count again now</button>" in page


# --- pieces built in Python --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_missing_agency_document_reads_in_the_active_language():
    dpa = DocumentType.objects.per_agency().get(code="dpa")
    missing = selectors.MissingAgencyDocument(2019, dpa, 3)
    with translation.override("en"):
        assert str(missing) == f"{dpa.name} 2019 not uploaded yet"
    with translation.override("id"):
        assert str(missing) == f"{dpa.name} 2019 belum diunggah"


def test_the_charts_months_follow_the_language():
    points = [{"month": m, "share": 10 * m if m < 11 else None} for m in range(1, 13)]
    with translation.override("en"):
        svg = str(trend_svg(points, "Completeness"))
    assert re.findall(r">(\w{3})</text>", svg) == [
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "May",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
    ]
    assert "<title>May: 50%</title>" in svg
    with translation.override("id"):
        svg = str(trend_svg(points, "Kelengkapan"))
    assert re.findall(r">(\w{3})</text>", svg)[4:] == [
        "Mei",
        "Jun",
        "Jul",
        "Agu",
        "Sep",
        "Okt",
        "Nov",
        "Des",
    ]
    assert "<title>Okt: 100%</title>" in svg
