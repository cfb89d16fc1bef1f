"""The open-data policy, local-code and extension pages in English under /en/ (issue #23), the
Indonesian ones unchanged, and the bulk files the same bytes whatever language is active.

The expected English is the catalogue's (locale/en/LC_MESSAGES/django.po), typed here by hand.
The columns' names are the files' own (Indonesian, machine names): the English page explains
each one in English under the same name.
"""

import csv
import datetime
import io
import json
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from agencies.models import Agency
from contracts import services
from contracts.models import Bidder, DocumentType, Supplier
from contracts.pdf import inspect_upload
from opendata import bulk, quality
from tests import pdfs
from tests.factories import make_operator, make_process, planning_fields

POLICY = "/data-terbuka/kebijakan/"
LOCAL_CODES = "/data-terbuka/kode-lokal/"
EXTENSION = "/data-terbuka/ekstensi/tanda/"

# The sections other pages link to (#waktu from the API's documentation, #kolom from the open
# data page, ...): the same ids in both languages.
POLICY_ANCHORS = [
    'id="unduhan-pilihan"',
    'id="waktu"',
    'id="pengenal-penyedia"',
    'id="pengenal-perangkat-daerah"',
    'id="jumlah-peserta"',
    'id="kolom"',
    'id="kolom-paket"',
    'id="kolom-kontrak"',
    'id="kualitas-data"',
]


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def publish(operator, **fields):
    process = make_process(operator.agency, **planning_fields(**fields))
    services.publish_process(process=process, by=operator)
    return process


@pytest.fixture
def packages(media_root):
    """Two published packages of 2019: a bridge won by CV Maju Jaya (one bidder, a DPA, a
    contract close to its HPS, so flagged) and a plain plan."""
    health = Agency.objects.get(code="dinas-kesehatan")
    operator = make_operator(health)
    winner = Supplier.objects.create(npwp="0012345678901000", name="CV Maju Jaya")
    bridge = publish(
        operator,
        fiscal_year=2019,
        title="Jembatan Kali Tiga",
        budget_amount=1_250_000_000,
        method="tender",
        tender_code="5009244",
        hps_amount=1_200_000_000,
        number_of_tenderers=9,
        supplier=winner,
        award_amount=1_150_000_000,
        award_date=datetime.date(2019, 11, 4),
        contract_number="027/SPK/2019",
        contract_amount=1_150_000_000,
        contract_signed=datetime.date(2019, 11, 11),
        contract_start=datetime.date(2019, 11, 11),
        contract_end=datetime.date(2019, 12, 20),
    )
    Bidder.objects.create(process=bridge, supplier=winner, bid_amount=1_150_000_000)
    upload = SimpleUploadedFile("DPA 2019.pdf", pdfs.good_pdf("DPA"))
    services.add_documents(
        process=bridge,
        stage="perencanaan",
        document_type=DocumentType.objects.get(code="dpa"),
        uploads=[(upload, inspect_upload(upload))],
        by=operator,
    )
    plan = publish(operator, fiscal_year=2019, title="Talud Sungai", budget_amount=300_000_000)
    return {"bridge": bridge, "plan": plan}


def column_names(html):
    """{table: [column names in order]} of the policy page's column tables."""
    tables = {}
    for name, body in re.findall(r'data-table="(\w+)"(.*?)</table>', html, re.S):
        tables[name] = re.findall(r'<tr data-column="(\w+)">', body)
    return tables


# --- the policy page ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_policy_page_in_english(client):
    html = page(client, "/en" + POLICY)
    assert '<html lang="en">' in html
    assert "<h1>Data publication policy</h1>" in html
    # Hand-written phrases from each section.
    for phrase in [
        "<h2>What is not published</h2>",
        "Drafts that the operator has not published yet.",
        "<strong>at once</strong>, as soon as the operator presses “Publikasikan” (publish)",
        "rebuilt at most <strong>10 minutes</strong> after the data change",
        '<h2 id="unduhan-pilihan">Selection downloads from the package list</h2>',
        "<strong>No limit</strong>: the file is made when asked for",
        "continues on the sheet “paket (2)”",
        "(OCDS) version 1.1.5; every file is checked against its official schema.",
        "<strong>Times</strong> in every output (CSV, JSON, API, OCDS) are written in Western "
        "Indonesian Time (WIB) with their offset from UTC",
        "a package published at 00:30 WIB on 1 January 2020 reads "
        "<code>2020-01-01T00:30:00+07:00</code>",
        "Suppliers are identified by their NPWP (tax number)",
        "is the number of suppliers who <strong>registered</strong> on LPSE, not the number of "
        "bidders",
        '<h2 id="kolom">Columns of the table files</h2>',
        "The column names never change (they are Indonesian, and the same whatever the language "
        "of this page, as are the files’ values)",  # noqa: RUF001
        "open the CSV through Data › From Text/CSV with the comma as separator",  # noqa: RUF001
        "<h2>Licence</h2>",
        "Creative Commons Attribution 4.0 International (CC BY 4.0)</a>",
        "Data quality has not been counted yet.",
        "Are any data wrong or missing? Write to ",
    ]:
        assert phrase in html, phrase
    # Its links lead to the English pages.
    for link in [
        'href="/en/data-terbuka/"',
        'href="/en/paket/"',
        'href="/en/data-terbuka/kode-lokal/">codes and mapping</a>',
        'href="/en/data-terbuka/ekstensi/tanda/">red flags</a>',
        'href="https://creativecommons.org/licenses/by/4.0/deed.en"',
    ]:
        assert link in html, link
    for anchor in POLICY_ANCHORS:
        assert anchor in html, anchor
    for indonesian in [
        "Kebijakan publikasi data",
        "Apa yang tidak dipublikasikan",
        "Seberapa cepat",
        "dibangun ulang paling lambat",
        "Unduhan pilihan dari daftar paket",
        "Standar dan pengenal",
        "Kolom berkas tabel",
        "Nama kolom tidak pernah berubah",
        "Kualitas data belum dihitung",
        "Contoh atribusi",
        "Hubungi ",
    ]:
        assert indonesian not in html, indonesian


@pytest.mark.django_db
def test_the_english_policy_page_explains_each_column_in_english_under_the_same_name(client):
    english = page(client, "/en" + POLICY)
    indonesian = page(client, POLICY)
    # The same tables and the same column names, in the same order, in both languages.
    tables = column_names(english)
    assert tables == column_names(indonesian)
    assert list(tables) == ["paket", "dokumen", "peserta", "pemenang", "tanda", "kontrak"]
    assert tables["paket"][:4] == ["ocid", "kode_rup", "tahun_anggaran", "kode_pd"]
    assert tables["peserta"] == [
        "ocid",
        "npwp",
        "nama",
        "nilai_penawaran",
        "harga_terkoreksi",
        "pemenang",
        "npwp_lolos_uji",
    ]
    # Each table's heading and what a row is, in English.
    assert (
        '<h3 id="kolom-paket"><code>paket.csv</code></h3>\n<p>One row per published package.</p>'
        in (english)
    )
    assert "<p>One row per PDF document and progress photo.</p>" in english
    assert "<p>One row per red flag.</p>" in english
    assert (
        '<thead><tr><th scope="col">Column</th><th scope="col">Meaning</th>'
        '<th scope="col">Unit or form</th></tr></thead>'
    ) in english
    # Meanings and units in English (the units by the kind of value).
    for row in [
        '<tr data-column="pagu"><th scope="row"><code>pagu</code></th>'
        '<td data-label="Meaning">The package’s budget ceiling (pagu)</td>'  # noqa: RUF001
        '<td data-label="Unit">Rupiah, a whole number without cents</td></tr>',
        '<tr data-column="hps"><th scope="row"><code>hps</code></th>'
        '<td data-label="Meaning">Owner’s estimate (HPS)</td>'  # noqa: RUF001
        '<td data-label="Unit">Rupiah, a whole number without cents</td></tr>',
        '<tr data-column="tanggal_kontrak"><th scope="row"><code>tanggal_kontrak</code></th>'
        '<td data-label="Meaning">Date the contract was signed</td>'
        '<td data-label="Unit">calendar date (WIB, Western Indonesian Time), ISO 8601 '
        "YYYY-MM-DD</td></tr>",
        '<tr data-column="jumlah_peserta"><th scope="row"><code>jumlah_peserta</code></th>'
        '<td data-label="Meaning">Number of suppliers who registered on LPSE (not the number '
        'of bidders)</td><td data-label="Unit">whole number</td></tr>',
        '<tr data-column="dipublikasikan"><th scope="row"><code>dipublikasikan</code></th>'
        '<td data-label="Meaning">When the package was published</td>'
        '<td data-label="Unit">time in WIB with its offset, ISO 8601 '
        "(2020-01-01T00:30:00+07:00); in XLSX the WIB clock time</td></tr>",
        '<tr data-column="tanda"><th scope="row"><code>tanda</code></th>'
        '<td data-label="Meaning">Codes of the red flags</td>'
        '<td data-label="Unit">list separated by semicolons (;) (JSON: array)</td></tr>',
        '<tr data-column="npwp_lolos_uji"><th scope="row"><code>npwp_lolos_uji</code></th>'
        '<td data-label="Meaning">The participant’s NPWP passes the check-digit test</td>'  # noqa: RUF001
        '<td data-label="Unit">ya (yes) / tidak (no) (JSON: true / false); empty when '
        "unknown</td></tr>",
    ]:
        assert row in english, row
    for meaning in [
        "Pagu anggaran paket",
        "Harga perkiraan sendiri",
        "Tanggal kontrak ditandatangani",
        "bilangan bulat",
        "satu baris per",
        "Satu baris per",
        'data-label="Arti"',
    ]:
        assert meaning not in english, meaning


@pytest.mark.django_db
def test_the_policy_pages_quality_figures_in_english(client, packages):
    quality.refresh()
    english = page(client, "/en" + POLICY)
    # Two packages in open data, both valid against the OCDS schema.
    assert re.search(
        r"<p>Computed \d{1,2} \w+ \d{4}, \d\d:\d\d WIB over 2 packages in open data "
        r"\(published or withdrawn\)\.</p>",
        english,
    )
    assert '<th scope="col">Check</th><th scope="col">Packages that pass</th>' in english
    schema = english.split('data-check="skema"')[1].split("</tr>")[0]
    assert "<td>2 of 2</td>" in schema and "100.0%" in schema
    indonesian = page(client, POLICY)
    assert "atas 2 paket data terbuka (dipublikasikan atau ditarik)" in indonesian
    schema = indonesian.split('data-check="skema"')[1].split("</tr>")[0]
    assert "<td>2 dari 2</td>" in schema and "100,0%" in schema


@pytest.mark.django_db
def test_the_unprefixed_policy_page_stays_indonesian(client):
    html = page(client, POLICY)
    assert '<html lang="id">' in html
    for phrase in [
        "<h1>Kebijakan publikasi data</h1>",
        "<h2>Apa yang tidak dipublikasikan</h2>",
        "dibangun ulang paling lambat <strong>10 menit</strong> setelah data berubah",
        '<h2 id="kolom">Kolom berkas tabel</h2>',
        '<tr data-column="pagu"><th scope="row"><code>pagu</code></th><td data-label="Arti">'
        'Pagu anggaran paket</td><td data-label="Satuan">Rupiah, bilangan bulat tanpa sen</td>'
        "</tr>",
        "<p>Satu baris per paket yang dipublikasikan.</p>",
        'href="/data-terbuka/kode-lokal/">kode dan pemetaan</a>',
        "Creative Commons Atribusi 4.0 Internasional (CC BY 4.0)",
    ]:
        assert phrase in html, phrase
    for anchor in POLICY_ANCHORS:
        assert anchor in html, anchor
    for english in [
        "Data publication policy",
        "Columns of the table files",
        "Meaning",
        'href="/en/',
    ]:
        assert english not in html.split("<main")[1], english


# --- the local codes and the extension ------------------------------------------------------


@pytest.mark.django_db
def test_the_local_codes_page_in_english(client):
    html = page(client, "/en" + LOCAL_CODES)
    assert "<h1>OCDS codes and mapping</h1>" in html
    for phrase in [
        "How Indonesian procurement terms are mapped to OCDS 1.1.5",
        '<h2 id="jenis-dokumen">Document type (<code>documentType</code>)</h2>',
        '<h2 id="metode">Selection method (<code>procurementMethod</code>)</h2>',
        '<h2 id="jenis-pengadaan">Type of procurement (<code>mainProcurementCategory</code>)</h2>',
        '<h2 id="pengenal">Party identifiers (<code>identifier.scheme</code>)</h2>',
        '<h2 id="lainnya">Other mappings</h2>',
        # The vocabularies, Indonesian in the data, shown in English.
        '<td data-label="Stage">Planning</td>',
        '<td data-label="Method">Open tender</td><td data-label="OCDS code"><span><code>open'
        "</code></span></td>",
        '<td data-label="Method">Self-managed (swakelola)</td><td data-label="OCDS code"><span>'
        "no supplier selection: only <code>procurementMethodDetails</code> “Swakelola” "
        "(self-managed)</span></td>",
        '<td data-label="Type">Consulting services</td><td data-label="OCDS code"><code>'
        "services</code></td>",
        "<code>budgetExecutionDocument</code> <strong>(local code)</strong>",
        "<dt><code>ID-NPWP</code> (local code)</dt>",
        "the owner’s estimate (HPS) as <code>tender.value</code>",  # noqa: RUF001
        "Payments as <code>transactions</code> with the SP2D (payment order) number as "
        "<code>id</code>",
    ]:
        assert phrase in html, phrase
    # The local codes keep their anchors (kode-<code>), linked from the OCDS data.
    assert 'id="kode-budgetExecutionDocument"' in html
    for indonesian in [
        "Kode dan pemetaan OCDS",
        "Pemetaan lainnya",
        "kode lokal",
        "tanpa pemilihan penyedia",
        '<td data-label="Tahap">',
        '<td data-label="Metode">Swakelola</td>',
    ]:
        assert indonesian not in html, indonesian
    indonesian_page = page(client, LOCAL_CODES)
    assert "<h1>Kode dan pemetaan OCDS</h1>" in indonesian_page
    assert '<td data-label="Metode">Swakelola</td>' in indonesian_page
    assert '<td data-label="Tahap">Perencanaan</td>' in indonesian_page
    assert "<code>budgetExecutionDocument</code> <strong>(kode lokal)</strong>" in indonesian_page


@pytest.mark.django_db
def test_the_extension_documentation_in_english_puts_the_english_readme_first(client):
    html = page(client, "/en" + EXTENSION)
    assert "<h1>OCDS extension: red flags</h1>" in html
    assert "Documentation of the <code>redFlags</code> extension used by this portal’s " in html  # noqa: RUF001
    assert 'href="/en/data-terbuka/">open data</a>' in html
    assert '<nav aria-label="Language">' in html
    # Both READMEs, each in its own language and with its own id; the reader's first.
    assert html.index('<section id="en" lang="en"') < html.index('<section id="id" lang="id"')
    assert "Dokumentasi ekstensi" not in html and "tanda untuk dicermati</h1>" not in html
    indonesian = page(client, EXTENSION)
    assert "<h1>Ekstensi OCDS: tanda untuk dicermati</h1>" in indonesian
    assert '<nav aria-label="Bahasa">' in indonesian
    assert indonesian.index('<section id="id" lang="id"') < indonesian.index(
        '<section id="en" lang="en"'
    )


# --- the bulk files carry no language -------------------------------------------------------

PUBLISHED_DATE = re.compile(rb'"publishedDate": "[^"]+"')


def built_files(folder, language):
    with translation.override(language):
        assert bulk.write("2019", folder, uri="https://data.contoh.go.id/data-terbuka/2019") == 2
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def workbook_parts(content):
    """The workbook's parts but its properties (which hold the moment it was written)."""
    with zipfile.ZipFile(io.BytesIO(content)) as workbook:
        return {
            name: workbook.read(name) for name in workbook.namelist() if name != "docProps/core.xml"
        }


@pytest.mark.django_db
def test_bulk_files_built_under_english_are_the_indonesian_bytes(packages, tmp_path):
    (tmp_path / "id").mkdir()
    (tmp_path / "en").mkdir()
    indonesian = built_files(tmp_path / "id", "id")
    english = built_files(tmp_path / "en", "en")
    assert sorted(english) == sorted(indonesian) == sorted(bulk.files_for("2019"))
    for name, content in indonesian.items():
        if name.endswith(".xlsx"):
            assert workbook_parts(english[name]) == workbook_parts(content), name
        elif name in ("ocds.json", "ocds-rekaman.json"):
            # The one difference: when each package was written.
            assert len(PUBLISHED_DATE.findall(content)) == 1, name
            assert PUBLISHED_DATE.sub(b"", english[name]) == PUBLISHED_DATE.sub(b"", content)
        else:
            assert english[name] == content, name
    # What they hold, under English: the Indonesian names and words of the data.
    rows = list(csv.DictReader(io.StringIO(english["paket.csv"].decode("utf-8-sig"))))
    bridge = next(row for row in rows if row["nama_paket"] == "Jembatan Kali Tiga")
    assert bridge["metode_pemilihan"] == "Tender"
    assert bridge["jenis_pengadaan"] == "Pekerjaan Konstruksi"
    assert bridge["semua_tahap_lengkap"] in ("ya", "tidak")
    assert (
        bridge["url"].endswith(f"/paket/{packages['bridge'].pk}/") and "/en/" not in bridge["url"]
    )
    header = english["paket.csv"].decode("utf-8-sig").splitlines()[0]
    assert header.startswith("ocid,kode_rup,tahun_anggaran,kode_pd,perangkat_daerah,nama_paket,")
    (document,) = csv.DictReader(io.StringIO(english["dokumen.csv"].decode("utf-8-sig")))
    assert document["tahap"] == "Perencanaan"
    flags = csv.DictReader(io.StringIO(english["tanda.csv"].decode("utf-8-sig")))
    names = {flag["tanda"]: flag["nama_tanda"] for flag in flags}
    # The award of 1.150.000.000 is 95,8% of the HPS of 1.200.000.000: a red flag, named in
    # Indonesian in the file.
    assert names["kontrak_dekat_hps"] == "Nilai kontrak/penetapan sangat dekat HPS"
    (bidder,) = csv.DictReader(io.StringIO(english["peserta.csv"].decode("utf-8-sig")))
    assert bidder["pemenang"] == "ya"
    for english_word in (b"Open tender", b"Construction works", b"very close to", b"/en/"):
        assert all(english_word not in content for content in english.values()), english_word


@pytest.mark.django_db
def test_the_selection_download_and_the_extension_file_are_the_same_under_en(client, packages):
    """Files answer under /en/ too, with the same content: the list's selection CSV (the
    columns of paket.csv) and the extension's metadata, its links the canonical addresses."""
    english = client.get("/en/paket/unduh.csv", {"tahun": "2019"})
    indonesian = client.get("/paket/unduh.csv", {"tahun": "2019"})
    assert english.status_code == indonesian.status_code == 200
    english_bytes = b"".join(english.streaming_content)
    assert english_bytes == b"".join(indonesian.streaming_content)
    assert english_bytes.decode("utf-8-sig").startswith("ocid,kode_rup,tahun_anggaran,")
    metadata = client.get("/en/data-terbuka/ekstensi/tanda/extension.json")
    assert metadata.content == client.get("/data-terbuka/ekstensi/tanda/extension.json").content
    urls = json.loads(metadata.content)["documentationUrl"]
    assert urls["en"].endswith("/data-terbuka/ekstensi/tanda/#en") and "/en/" not in urls["en"]
