"""The workspace at 360 px (a phone held upright): no page of the to-do, the admin's package and
agency-document pages, the supervisors' matrix, the requests, the field page or the import
pages is wider than the screen. A wide table scrolls inside its own box (`.table-scroll`),
which says so; the page itself never scrolls sideways."""

import datetime

import pytest
from playwright.sync_api import expect

from agencies.models import Agency
from contracts.models import Amendment, Payment, ProgressReport
from followups import services as followup_services
from imports import jobs
from tests.contracts.test_agency_documents import upload_agency_document
from tests.factories import make_operator, make_process, make_supervisor, planning_fields
from tests.imports.test_imports import csv_bytes, sirup_row
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

    problems = []
    context = browser.new_context(viewport=PHONE)
    phone = context.new_page()
    sign_in(phone, portal.url, "operator-dinkes")
    for path in [
        "/admin/",
        "/pengawasan/tugas/",
        "/admin/contracts/process/",
        f"/admin/contracts/process/{process.pk}/change/",
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
