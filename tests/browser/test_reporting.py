"""A citizen reports from a phone held upright (360 by 740 px): after sending, the confirmation
with its reference is on the screen where the browser lands, and its link follows the report;
a refused report lands on its error, the cursor in the field, what was typed and the photo
chosen still there."""

import datetime
import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from agencies.models import Agency
from contracts import services
from participation.models import Report
from tests.factories import make_operator, make_process, planning_fields

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
BODY = "Saluran di depan puskesmas tersumbat dan airnya meluap ke jalan."


@pytest.fixture
def package(portal):
    health = Agency.objects.get(code="dinas-kesehatan")
    process = make_process(
        health,
        **planning_fields(
            title="Rehabilitasi Puskesmas Kalitidu",
            planned_start=datetime.date(2099, 3, 1),
            planned_end=datetime.date(2099, 11, 30),
        ),
    )
    services.publish_process(process=process, by=make_operator(health))
    return process


def in_viewport(page, locator):
    """Whether the element's box lies whole within the screen as the page now stands."""
    box = locator.bounding_box()
    height = page.evaluate("window.innerHeight")
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


@pytest.fixture
def phone(browser, console_errors):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    yield page
    context.close()


def test_a_sent_report_lands_on_its_confirmation_and_its_link_follows_it(
    portal, package, phone, console_errors, axe_violations
):
    phone.goto(f"{portal.url}/paket/{package.pk}/")
    form = phone.locator("form.report-form")
    form.get_by_label("Jenis").select_option("keterlambatan")
    form.get_by_label("Isi laporan atau komentar").fill(BODY)
    form.get_by_label("Surel atau nomor telepon (opsional, tidak dipublikasikan)").fill(
        "0812 3456 7890"
    )
    form.get_by_role("button", name="Kirim").click()

    confirmation = phone.locator("#laporan-terkirim")
    expect(confirmation).to_contain_text("laporan Anda sudah kami terima")
    report = Report.objects.get()
    expect(confirmation.locator("[data-reference]")).to_have_text(report.reference)
    assert re.fullmatch(r"LAP-\d{4}-\d{6}", report.reference)
    # Where the browser landed: the confirmation and its reference on the screen.
    assert in_viewport(phone, confirmation.locator("h1"))
    assert in_viewport(phone, confirmation.locator("[data-reference]"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert axe_violations(phone) == []

    # The link, followed: the report's state and the citizen's own text, not their number.
    link = confirmation.locator("a[data-follow]")
    assert in_viewport(phone, link)
    link.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(f"Laporan {report.reference}")
    expect(phone.locator("[data-moderation]")).to_have_text("Menunggu pemeriksaan perangkat daerah")
    expect(phone.locator(".report__body")).to_have_text(BODY)
    expect(phone.locator("main")).not_to_contain_text("0812 3456 7890")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert axe_violations(phone) == []
    assert console_errors == []


def test_a_refused_report_lands_on_its_error_with_what_was_typed(
    portal, package, phone, media_root, tmp_path, console_errors, axe_violations
):
    photo = tmp_path / "saluran.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (40, 90, 160)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())
    phone.goto(f"{portal.url}/paket/{package.pk}/")
    form = phone.locator("form.report-form")
    form.get_by_label("Isi laporan atau komentar").fill(BODY)
    form.get_by_label("Lokasi (opsional)").fill("Ruang tunggu")
    form.get_by_label("Nama (opsional)").fill("Pak Harno")
    # Neither an e-mail address nor a phone number: the browser lets it through (a text
    # field), the server refuses it.
    contact = form.get_by_label("Surel atau nomor telepon (opsional, tidak dipublikasikan)")
    contact.fill("12ab")
    form.get_by_label("Foto (opsional)").set_input_files(str(photo))
    form.get_by_role("button", name="Kirim").click()

    expect(phone.locator("form.report-form [role=alert]")).to_contain_text("Laporan belum terkirim")
    assert phone.url.endswith(f"/paket/{package.pk}/lapor/#kesalahan-laporan")
    # Where the browser landed: the field at fault with its message on the screen, the cursor
    # in it.
    error = phone.locator("#kesalahan-laporan .field__error")
    expect(error).to_have_text("Tulis alamat surel atau nomor telepon (8 sampai 20 angka).")
    assert in_viewport(phone, error)
    contact = phone.get_by_label("Surel atau nomor telepon (opsional, tidak dipublikasikan)")
    expect(contact).to_be_focused()
    expect(contact).to_have_value("12ab")
    expect(phone.get_by_label("Isi laporan atau komentar")).to_have_value(BODY)
    expect(phone.get_by_label("Lokasi (opsional)")).to_have_value("Ruang tunggu")
    expect(phone.get_by_label("Nama (opsional)")).to_have_value("Pak Harno")
    # The photo is kept: nothing to choose again.
    expect(phone.locator("[data-staged]")).to_contain_text("1 foto yang lolos pemeriksaan")
    assert Report.objects.count() == 0
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert axe_violations(phone) == []

    # Put right and sent again, from where it stands: the confirmation this time.
    contact.fill("0812 3456 7890")
    phone.locator("form.report-form").get_by_role("button", name="Kirim").click()
    expect(phone.locator("#laporan-terkirim")).to_contain_text("sudah kami terima")
    assert in_viewport(phone, phone.locator("#laporan-terkirim h1"))
    report = Report.objects.get()
    assert report.name == "Pak Harno"
    assert [(p.width, p.height) for p in report.photos.all()] == [(320, 240)]
    # The 400 of the refusal is the browser's console note of a failed request, not an error
    # of the page's own code: only those are counted.
    assert [e for e in console_errors if "status of 400" not in e] == []
