"""The operators' workspace for packages in English (issue #23): an operator who chose English
(the `django_language` cookie the workspace's language button sets) reads the package form,
its refusals, the publication, the bulk upload and the workbook in English; without the
cookie everything reads in Indonesian as before. Real PDFs and real XLSX files, real
PostgreSQL."""

import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from agencies.models import Agency
from contracts.models import (
    AuditEntry,
    BulkUploadFile,
    Document,
    DocumentType,
    Process,
    Status,
)
from tests import pdfs
from tests.admin_forms import form_data
from tests.contracts.test_admin import planning_post
from tests.factories import make_operator, make_process, planning_fields
from tests.workers import jobs_db, load_migrated_data, run_queued_jobs

ADD_URL = "/admin/contracts/process/add/"
LIST_URL = "/admin/contracts/process/"
BULK_URL = "/admin/unggah-massal/"
SHEET_URL = "/admin/lembar-kerja-paket/"
SHEET_DOWNLOAD = "/admin/lembar-kerja-paket/unduh/"
SHEET_CONFIRM = "/admin/lembar-kerja-paket/simpan/"
TYPED = "Judul yang sudah diketik"
# The catalogue's typographic apostrophe.
APOSTROPHE = "\N{RIGHT SINGLE QUOTATION MARK}"


def change_url(process):
    return f"/admin/contracts/process/{process.pk}/change/"


@pytest.fixture
def agency():
    return Agency.objects.get(code="dinas-kesehatan")


@pytest.fixture
def operator(agency):
    return make_operator(agency, username="operator-bahasa")


@pytest.fixture
def english(client, operator):
    client.force_login(operator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def indonesian(client, operator):
    client.force_login(operator)
    return client


def text(response):
    return response.content.decode()


def post_with_file(client, agency, filename, data):
    page = client.get(ADD_URL)
    return client.post(
        ADD_URL,
        form_data(
            page,
            **planning_post(agency, title=TYPED),
            upload_type_perencanaan=str(DocumentType.objects.get(code="dpa").pk),
            upload_files_perencanaan=[SimpleUploadedFile(filename, data)],
        ),
    )


# --- the package form ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_package_form_reads_in_english_with_its_stage_sections(english, agency):
    process = make_process(agency, **planning_fields(title="Rehabilitasi Puskesmas Dander"))
    html = text(english.get(change_url(process)))
    for phrase in [
        # sections and the stages' headings
        "Budget and method",
        "Location and schedule",
        "Supplier selection details",
        "Award decision",
        "Hand-over",
        "Stage 1: Planning",
        "Stage 2: Supplier selection",
        "Upload Planning documents",
        # labels and help texts of the model and the form
        "Selection method",
        "Budget ceiling, pagu (IDR)",
        "Planned start",
        "NIP of the PPK",
        "For work with a maintenance period (construction works).",
        "18 digits; spaces allowed, for example 19700101 199003 1 005.",
        "You may choose several files at once. PDF only, at most",
        # the status and the publication button
        ">Draft<",
        ">Publish<",
    ]:
        assert phrase in html, phrase
    for indonesian_words in [
        "Anggaran dan metode",
        "Lokasi dan jadwal",
        "Tahap 1: Perencanaan",
        "Unggah dokumen",
        "Metode pemilihan",
        "Pagu (Rp)",
        "18 angka; spasi boleh",
        "Boleh memilih beberapa berkas",
        ">Publikasikan<",
    ]:
        assert indonesian_words not in html, indonesian_words


@pytest.mark.django_db
def test_the_package_form_stays_indonesian_without_the_cookie(indonesian, agency):
    process = make_process(agency, **planning_fields(title="Rehabilitasi Puskesmas Dander"))
    html = text(indonesian.get(change_url(process)))
    for phrase in [
        "Anggaran dan metode",
        "Tahap 1: Perencanaan",
        "Unggah dokumen Perencanaan",
        "Metode pemilihan",
        "Pagu (Rp)",
        "18 angka; spasi boleh, misalnya 19700101 199003 1 005.",
        ">Publikasikan<",
    ]:
        assert phrase in html, phrase
    assert "Budget and method" not in html and "Stage 1" not in html


# --- refused PDFs ----------------------------------------------------------------------------


def assert_refused_keeping_the_form(response):
    assert response.status_code == 200
    html = text(response)
    assert f'value="{TYPED}"' in html
    assert not Process.objects.filter(title=TYPED).exists()
    assert not Document.objects.exists()
    return html


@pytest.mark.django_db
def test_a_file_that_is_not_a_pdf_is_refused_in_english_keeping_what_was_typed(
    english, agency, media_root
):
    response = post_with_file(english, agency, "KAK.pdf", b"<html><body>bukan pdf</body></html>")
    html = assert_refused_keeping_the_form(response)
    assert "KAK.pdf: not a PDF file (its content does not start with the %PDF- marker)." in html
    assert (
        "No file of this stage was stored. Choose the right files; the other fields of the "
        "form stay as you typed them."
    ) in html
    assert "Not saved yet: check the 1 field marked below." in html
    assert "bukan berkas PDF" not in html and "Belum tersimpan" not in html


@pytest.mark.django_db
def test_an_active_pdf_is_refused_in_english_naming_what_was_found(english, agency, media_root):
    response = post_with_file(english, agency, "SPK.pdf", pdfs.javascript_pdf())
    html = assert_refused_keeping_the_form(response)
    # The sentence and the advice in English; what was found in the file in its own words.
    assert (
        "SPK.pdf: the PDF holds active content or attachments that are not accepted, which "
        "could run by themselves or be opened by another program on a "
        f"reader{APOSTROPHE}s computer: "
        "aksi JavaScript saat dokumen dibuka (OpenAction). To have it published, open this "
        "file and print it to PDF again"
    ) in html
    assert "PDF memuat konten aktif" not in html and "Agar bisa diterbitkan" not in html


@pytest.mark.django_db
def test_a_password_protected_pdf_says_how_to_unlock_it_in_english(english, agency, media_root):
    response = post_with_file(english, agency, "SPK.pdf", pdfs.encrypted_pdf())
    html = assert_refused_keeping_the_form(response)
    assert "SPK.pdf: this PDF opens only with a password." in html
    assert "Document Properties → Security → No Security" in html


@pytest.mark.django_db
def test_a_refused_pdf_stays_indonesian_without_the_cookie(indonesian, agency, media_root):
    response = post_with_file(indonesian, agency, "KAK.pdf", b"<html>bukan pdf</html>")
    html = assert_refused_keeping_the_form(response)
    assert "KAK.pdf: bukan berkas PDF (isinya tidak diawali penanda %PDF-)." in html
    assert "Tidak ada berkas tahap ini yang disimpan." in html
    assert "not a PDF file" not in html


# --- publication and withdrawal --------------------------------------------------------------


@pytest.mark.django_db
def test_publishing_from_the_package_page_says_so_in_english(english, agency):
    process = make_process(agency, **planning_fields(title="Rehabilitasi Puskesmas Dander"))
    response = english.post(f"/admin/contracts/process/{process.pk}/publikasi/", follow=True)
    html = text(response)
    assert "“Rehabilitasi Puskesmas Dander” published." in html
    assert "dipublikasikan." not in html
    process.refresh_from_db()
    assert process.status == Status.PUBLISHED
    # The withdrawal asks for its reason in English, and says so when it is missing.
    page = english.post(f"/admin/contracts/process/{process.pk}/tarik/", {"reason": ""})
    html = text(page)
    assert "The reason for withdrawal is required: the public will read it." in html
    assert "will be withdrawn from the public site" in html
    assert "Alasan penarikan wajib" not in html


@pytest.mark.django_db
def test_publishing_a_selection_confirms_in_english_then_indonesian_without_cookie(
    english, agency, client
):
    first = make_process(agency, title="Paket Tender", **planning_fields())
    second = make_process(agency, title="Paket Kosong", method="swakelola")
    selection = {"action": "publish_selected", "_selected_action": [first.pk, second.pk]}
    html = text(english.post(LIST_URL, selection))
    assert "2 packages will be published and appear on the public site at once." in html
    assert "2 packages still have incomplete stages" in html
    assert 'value="Yes, publish 2 packages"' in html
    assert "Planning, Supplier selection" in html  # the stages still missing, translated
    assert "paket akan dipublikasikan" not in html
    done = english.post(LIST_URL, {**selection, "confirm_publish": "ya"}, follow=True)
    assert "2 packages published." in text(done)
    assert set(Process.objects.values_list("status", flat=True)) == {Status.PUBLISHED}

    third = make_process(agency, title="Paket Ketiga")
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    html = text(
        client.post(LIST_URL, {"action": "publish_selected", "_selected_action": [third.pk]})
    )
    assert "1 paket akan dipublikasikan dan langsung tampil di situs publik." in html
    assert 'value="Ya, publikasikan 1 paket"' in html


# --- the bulk upload ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_bulk_upload_page_reads_in_english(english, agency):
    html = text(english.get(BULK_URL))
    for phrase in [
        "Upload many PDFs at once",
        f"Choose many PDFs at once. Each file is placed in the package of {agency.name} whose",
        "<strong>nothing is stored until you confirm</strong>",
        "PDF files",
        f"at most {settings.UPLOAD_MAX_FILES} per submission",
        'value="See the preview"',
    ]:
        assert phrase in html, phrase
    assert "Pilih banyak PDF sekaligus" not in html and "Lihat pratinjau" not in html


@pytest.mark.django_db
def test_the_bulk_upload_page_stays_indonesian_without_the_cookie(indonesian):
    html = text(indonesian.get(BULK_URL))
    assert "Pilih banyak PDF sekaligus. Tiap berkas ditempatkan pada paket" in html
    assert 'value="Lihat pratinjau"' in html
    assert "Upload many PDFs" not in html


@jobs_db
def test_a_bulk_upload_is_checked_and_previewed_in_english_its_reasons_stored_in_indonesian(
    client, media_root
):
    load_migrated_data()
    agency = Agency.objects.get(code="dinas-kesehatan")
    client.force_login(make_operator(agency, username="operator-massal"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        BULK_URL, {"files": [SimpleUploadedFile("Laporan tanpa kode.pdf", pdfs.good_pdf())]}
    )
    assert response.status_code == 302
    # The workspace's address, not an /en/ copy the language button could not switch back.
    assert response["Location"].startswith("/admin/unggah-massal/")
    html = text(client.get(response["Location"]))
    assert "Checking files: <strong>0 of 1 files</strong>." in html
    assert '<a href="/admin/unggah-massal/">Upload many PDFs</a>' in html
    assert "This page refreshes itself every 2 seconds." in html
    assert "Memeriksa berkas" not in html
    run_queued_jobs()
    html = text(client.get(response["Location"]))
    assert "Preview: 1 file, 0 ready to store" in html
    # Stored in Indonesian (the check ran after an English request), shown in English.
    (row,) = BulkUploadFile.objects.all()
    assert row.problem.startswith("Tidak ada kode RUP atau kode tender paket perangkat daerah")
    assert (
        "Cannot be stored: The file name holds no RUP code or tender code of a package of "
        f"your agency; name the file with its package{APOSTROPHE}s code"
    ) in html
    assert "Tidak dapat disimpan" not in html and "Tidak ada kode RUP" not in html
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    html = text(client.get(response["Location"]))
    assert "Tidak dapat disimpan: Tidak ada kode RUP atau kode tender" in html


# --- the workbook -------------------------------------------------------------------------------


def sheet_rows(content, sheet_name):
    book = load_workbook(io.BytesIO(content))
    sheet = book[sheet_name]
    header = [cell.value for cell in sheet[1]]
    return book, sheet, {name: index + 1 for index, name in enumerate(header)}


def edited(content, sheet_name, key_header, changes):
    """The workbook with cells changed: {(package id, column header): value}."""
    book, sheet, column = sheet_rows(content, sheet_name)
    rows = {
        sheet.cell(row=row, column=column[key_header]).value: row
        for row in range(2, sheet.max_row + 1)
    }
    for (key, header), value in changes.items():
        cell = sheet.cell(row=rows[key], column=column[header])
        cell.value = value
        cell.data_type = "s" if isinstance(value, str) else cell.data_type
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_the_workbook_downloads_in_english_and_is_read_back_in_either_language(
    english, client, agency, operator
):
    process = make_process(agency, **planning_fields(title="A Rehabilitasi Puskesmas Dander"))
    response = english.get(SHEET_DOWNLOAD, {"tahun": 2018})
    assert response.status_code == 200
    book, sheet, column = sheet_rows(response.content, "Packages")
    assert book.sheetnames[0] == "Packages" and "Instructions" in book.sheetnames
    for header in [
        "Package ID (do not change)",
        "Version (do not change)",
        "RUP code",
        "Package name",
        "Budget ceiling, pagu (IDR)",
        "Planned end",
        "NIP of the PPK",
    ]:
        assert header in column, header
    assert sheet.cell(row=2, column=column["Status"]).value == "Draft"
    notes = [row[0].value for row in book["Instructions"].iter_rows()]
    assert notes[0] == f"Packages of {agency.name}, fiscal year 2018."
    assert notes[1].startswith("Change only the columns with yellow headers on the “Packages”")

    # The English workbook, changed, is read by an operator working in Indonesian.
    content = edited(
        response.content,
        "Packages",
        "Package ID (do not change)",
        {(process.pk, "Package name"): "A Rehabilitasi Puskesmas Dander Tahap II"},
    )
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    preview = client.post(SHEET_URL, {"berkas": SimpleUploadedFile("paket.xlsx", content)})
    assert preview.status_code == 200
    changes = [cell for change in preview.context["result"].changes for cell in change.cells]
    assert changes == [
        (
            "Nama paket",
            "A Rehabilitasi Puskesmas Dander",
            "A Rehabilitasi Puskesmas Dander Tahap II",
        )
    ]
    assert "1 perubahan pada 1 paket." in text(preview)

    # An Indonesian workbook, changed, is read and confirmed by an operator working in English.
    indonesian_book = client.get(SHEET_DOWNLOAD, {"tahun": 2018}).content
    assert "Paket" in load_workbook(io.BytesIO(indonesian_book)).sheetnames
    content = edited(
        indonesian_book,
        "Paket",
        "ID paket (jangan diubah)",
        {(process.pk, "Pagu (Rp)"): 1_100_000_000},
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    preview = client.post(SHEET_URL, {"berkas": SimpleUploadedFile("paket.xlsx", content)})
    assert preview.status_code == 200
    html = text(preview)
    changes = [cell for change in preview.context["result"].changes for cell in change.cells]
    assert changes == [("Budget ceiling, pagu (IDR)", "IDR 1,250,000,000", "IDR 1,100,000,000")]
    assert 'value="Save 1 change to 1 package"' in html
    saved = client.post(SHEET_CONFIRM, {"konfirmasi": preview.context["token"]}, follow=True)
    assert (
        "Saved: 1 change to 1 package. Every change is recorded in its "
        f"package{APOSTROPHE}s history." in (text(saved))
    )
    process.refresh_from_db()
    assert process.budget_amount == 1_100_000_000
    # What is stored stays in Indonesian, whatever language the operator reads.
    entry = AuditEntry.objects.filter(process=process, action=AuditEntry.Action.CHANGE).get()
    assert entry.changes == {"pagu (Rp)": [1_250_000_000, 1_100_000_000]}
    assert entry.user == operator


@pytest.mark.django_db
def test_a_workbook_refusal_reads_in_english(english):
    response = english.post(
        SHEET_URL, {"berkas": SimpleUploadedFile("catatan.xlsx", b"bukan lembar kerja")}
    )
    assert response.status_code == 400
    html = text(response)
    assert (
        "catatan.xlsx: not an XLSX file. Upload the workbook downloaded from this page, saved "
        "as an Excel Workbook (.xlsx). Nothing was saved."
    ) in html
    assert "bukan berkas XLSX" not in html
