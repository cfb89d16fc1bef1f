"""The workspace at 360 px (a phone held upright): no page of the to-do, the admin's package,
withdrawal and agency-document pages, the bulk upload, the package sheet, the supervisors'
matrix, the requests, the field page or the import pages is wider than the screen. A wide table
scrolls inside its own box (`.table-scroll`), which says so; the page itself never scrolls
sideways."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from playwright.sync_api import expect

from agencies.models import Agency
from contracts import bulk_uploads
from contracts.models import Amendment, Payment, ProgressReport
from contracts.spreadsheet import SHEET_TITLE
from followups import services as followup_services
from imports import jobs
from tests.contracts.test_agency_documents import upload_agency_document
from tests.factories import make_operator, make_process, make_supervisor, planning_fields
from tests.imports.test_imports import csv_bytes, sirup_row
from tests.pdfs import good_pdf
from tests.workers import jobs_db

# The import preview is run here, in the test: it writes its progress on its own connection.
pytestmark = [pytest.mark.browser, jobs_db]

PASSWORD = "kata-sandi-uji-123"
PHONE = {"width": 360, "height": 740}
# Long words do not wrap by themselves: a title, a file name and a note as operators type them.
LONG_TITLE = (
    "Pembangunan/Peningkatan Jalan Poros Desa Ngumpakdalem-Kalianyar-Sumberrejo "
    "(Lanjutan_Tahap_II_Segmen_KM_0+000_s.d._KM_3+450) Kecamatan Dander"
)


def sign_in(page, url, username):
    page.goto(f"{url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.locator("#user-tools")).to_be_visible()


def overflow(page):
    """How many pixels the page is wider than the screen (scrollWidth - innerWidth, 0 when it
    fits), and the innermost elements sticking out, for the failure message."""
    return page.evaluate(
        """() => {
        const width = window.innerWidth;
        const over = document.documentElement.scrollWidth - width;
        const clipped = e => {
          for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
            if (getComputedStyle(a).overflowX !== 'visible') return true;
          }
          return false;
        };
        const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
          + (typeof e.className === 'string' && e.className.trim()
             ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
        // An element's reach: its box, or what sticks out of it (a long word, a wide child)
        // unless the element scrolls that itself.
        const right = e => e.getBoundingClientRect().left
          + (getComputedStyle(e).overflowX === 'visible' ? e.scrollWidth : e.offsetWidth);
        const culprits = [...document.querySelectorAll('body *')]
          .filter(e => right(e) > width + 1 && !clipped(e))
          .slice(-4)
          .map(e => name(e.parentElement) + ' > ' + name(e)
                    + ' right=' + Math.round(right(e)));
        return [Math.max(over, 0), culprits];
    }"""
    )


def misfits(page, url, path):
    """What is wrong with `path` at this width: [] when nothing."""
    response = page.goto(url + path)
    if response.status != 200:
        return [f"{path}: HTTP {response.status}"]
    return misfits_here(page, path)


def misfits_here(page, path):
    """What is wrong with the page shown (reached by a form), named `path`: [] when nothing."""
    found = []
    pixels, culprits = overflow(page)
    if pixels:
        found.append(f"{path} is {pixels} px wider than the screen: {culprits}")
    # A table wider than its box scrolls in it, shows a shadow at the side where more is
    # (the box's background), and the box can be reached and scrolled by keyboard.
    for box in page.locator(".table-scroll").all():
        if box.evaluate("e => e.scrollWidth > e.clientWidth") and not box.evaluate(
            """e => getComputedStyle(e).overflowX === 'auto' && e.tabIndex === 0
                    && getComputedStyle(e).backgroundImage.includes('radial-gradient')"""
        ):
            found.append(f"{path}: a wide .table-scroll box without its scroll, cue or focus")
    return found


def bulk_batch(operator, names, *, store=False):
    """A bulk upload of PDFs named `names`, checked (a preview) or, with `store`, stored."""
    batch = bulk_uploads.start_bulk_upload(by=operator)
    uploads = [SimpleUploadedFile(name, good_pdf(title=name)) for name in names]
    bulk_uploads.add_bulk_files(batch=batch, uploads=uploads, by=operator)
    bulk_uploads.check_bulk_files(batch_id=batch.pk)
    if store:
        bulk_uploads.confirm_bulk_upload(batch=batch, by=operator)
        bulk_uploads.store_bulk_files(batch_id=batch.pk)
    return batch


def test_no_workspace_page_is_wider_than_a_phone(portal, browser, media_root, tmp_path):
    health = Agency.objects.get(code="dinas-kesehatan")
    operator = make_operator(health, username="operator-dinkes", password=PASSWORD)
    supervisor = make_supervisor(username="pengawas", password=PASSWORD)
    process = make_process(health, **planning_fields(title=LONG_TITLE, fiscal_year=2018))
    for number in range(3):
        make_process(health, method="tender", title=f"Rehabilitasi Puskesmas {number}")
    # Every stage inline with a row: an addendum, a progress report and a payment.
    Amendment.objects.create(
        process=process, number="ADD-01/PU/2018", date=datetime.date(2018, 9, 1)
    )
    ProgressReport.objects.create(
        process=process, date=datetime.date(2018, 9, 5), physical_percent=40, financial_percent=30
    )
    Payment.objects.create(
        process=process, label="Termin I", date=datetime.date(2018, 9, 10), amount=250_000_000
    )
    document = upload_agency_document(operator, year=2018)
    followup = followup_services.ask(
        by=supervisor, text="Unggah KAK Perencanaan yang sudah ditandatangani.", process=process
    )
    export = tmp_path / "sirup_rup_penyedia_2018.csv"
    export.write_bytes(
        csv_bytes(
            [sirup_row(kode_rup=str(19_000_000 + i), nama_paket=LONG_TITLE) for i in range(3)]
        )
    )
    job = jobs.start_preview(
        content=export.read_bytes(), filename=export.name, by=operator, scope=health
    )
    jobs.perform(job_id=job.pk)
    make_process(health, rup_code="12345678", title=LONG_TITLE, fiscal_year=2018)
    long_name = "12345678_Laporan_Pengawasan_Lanjutan_Tahap_II_Segmen_KM_0+000_s.d._KM_3+450.pdf"
    preview = bulk_batch(
        operator,
        [long_name, "12345678 KAK.pdf", "12345678 DPA.pdf", "Tanpa_kode_" + long_name[9:]],
    )
    stored = bulk_batch(operator, ["12345678 SPK.pdf", "99999999 SPK.pdf"], store=True)

    problems = []
    context = browser.new_context(viewport=PHONE)
    phone = context.new_page()
    sign_in(phone, portal.url, "operator-dinkes")
    for path in [
        "/admin/",
        "/pengawasan/tugas/",
        "/admin/contracts/process/",
        f"/admin/contracts/process/{process.pk}/change/",
        f"/admin/contracts/process/{process.pk}/tarik/",
        "/admin/unggah-massal/",
        f"/admin/unggah-massal/{preview.pk}/",
        f"/admin/unggah-massal/{stored.pk}/",
        "/admin/lembar-kerja-paket/",
        "/admin/contracts/agencydocument/",
        f"/admin/contracts/agencydocument/{document.pk}/change/",
        "/admin/contracts/agencydocument/add/",
        "/pengawasan/permintaan/",
        f"/pengawasan/permintaan/{followup.pk}/",
        "/pengawasan/lapangan/",
        f"/pengawasan/lapangan/{process.pk}/",
        "/admin/imports/importrun/impor/",
        f"/admin/imports/importrun/impor/{job.pk}/",
        "/admin/imports/importrun/",
    ]:
        problems += misfits(phone, portal.url, path)
    # The package sheet's preview, reached by sending an edited sheet: a long title in it.
    phone.goto(f"{portal.url}/admin/lembar-kerja-paket/")
    phone.get_by_label("Tahun anggaran").select_option("2018")
    with phone.expect_download() as download_info:
        phone.get_by_role("button", name="Unduh XLSX").click()
    sheet_path = tmp_path / "paket.xlsx"
    download_info.value.save_as(sheet_path)
    book = load_workbook(sheet_path)
    sheet = book[SHEET_TITLE]
    headers = {cell.value: cell.column for cell in sheet[1]}
    sheet.cell(row=2, column=headers["Nama paket"]).value = LONG_TITLE + " Revisi"
    book.save(sheet_path)
    phone.get_by_label("Berkas XLSX yang sudah diubah").set_input_files(str(sheet_path))
    phone.get_by_role("button", name="Periksa perubahan").click()
    expect(phone.locator("table.sheet-changes")).to_be_visible()
    phone.wait_for_load_state("load")  # its stylesheets too, as page.goto waits for them
    problems += misfits_here(phone, "/admin/lembar-kerja-paket/ (pratinjau)")
    context.close()

    context = browser.new_context(viewport=PHONE)
    phone = context.new_page()
    sign_in(phone, portal.url, "pengawas")
    for path in [
        "/admin/",
        "/admin/contracts/process/",
        "/pengawasan/?tahun=2018",
        f"/pengawasan/2018/{health.code}/perencanaan/",
        "/pengawasan/permintaan/",
        "/pengawasan/permintaan/baru/",
        f"/pengawasan/permintaan/{followup.pk}/",
        f"/admin/contracts/process/{process.pk}/change/",
        "/pengawasan/kualitas-data/",
    ]:
        problems += misfits(phone, portal.url, path)
    context.close()
    assert problems == [], "\n".join(problems)
