import datetime
import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from agencies.models import Agency
from contracts import services
from tests.factories import make_operator, make_process, planning_fields

pytestmark = pytest.mark.browser

PASSWORD = "kata-sandi-uji-123"


def test_a_citizen_reports_the_operator_answers_the_citizen_reads_it(
    portal, page, browser, media_root, tmp_path, console_errors, axe_violations
):
    health = Agency.objects.get(code="dinas-kesehatan")
    operator = make_operator(health, username="operator-dinkes", password=PASSWORD)
    process = make_process(
        health,
        **planning_fields(
            title="Rehabilitasi Puskesmas Kalitidu",
            planned_start=datetime.date(2099, 3, 1),
            planned_end=datetime.date(2099, 11, 30),
        ),
    )
    services.publish_process(process=process, by=operator)
    photo = tmp_path / "atap.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (120, 80, 40)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())
    package_url = f"{portal.url}/paket/{process.pk}/"

    # A citizen, on a phone, sends a report with a photo.
    citizen = browser.new_page(viewport={"width": 360, "height": 740})
    citizen.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    citizen.on("pageerror", lambda error: console_errors.append(str(error)))
    citizen.goto(package_url)
    form = citizen.locator("form.report-form")
    form.get_by_label("Jenis").select_option("kualitas_pekerjaan")
    form.get_by_label("Isi laporan atau komentar").fill(
        "Atap ruang tunggu bocor lagi setelah hujan pertama."
    )
    form.get_by_label("Lokasi (opsional)").fill("Ruang tunggu")
    form.get_by_label("Nama (opsional)").fill("Ibu Sri")
    form.get_by_label("Surel atau nomor telepon (opsional, tidak dipublikasikan)").fill(
        "sri@example.com"
    )
    form.get_by_label("Foto (opsional)").set_input_files(str(photo))
    form.get_by_role("button", name="Kirim").click()
    expect(citizen.locator("#laporan-terkirim")).to_contain_text("sudah kami terima")
    citizen.goto(package_url + "#partisipasi")
    expect(citizen.locator(".report")).to_have_count(0)  # shown once checked

    # The operator publishes it with an answer.
    page.goto(portal.url + "/admin/login/?next=/pengawasan/laporan/")
    page.fill("#id_username", "operator-dinkes")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Laporan warga yang terbuka")
    page.locator("table a").first.click()
    expect(page.locator(".field-contact")).to_contain_text("sri@example.com")
    page.locator("#id_moderation").select_option("terbit")
    page.locator("#id_status").select_option("ditindaklanjuti")
    page.locator("#id_answer").fill("Kontraktor memperbaiki atap pada masa pemeliharaan.")
    page.get_by_role("button", name="Simpan", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("berhasil")

    # The citizen sees the report, its status, the photo and the answer.
    citizen.reload()
    report = citizen.locator(".report")
    expect(report).to_contain_text("Atap ruang tunggu bocor lagi")
    expect(report).to_contain_text("Ibu Sri")
    expect(report).to_contain_text("Ditindaklanjuti")
    expect(report.locator(".report__answer")).to_contain_text("Kontraktor memperbaiki atap")
    expect(report).not_to_contain_text("sri@example.com")
    image = report.locator("img")
    expect(image).to_be_visible()
    # Loaded lazily: brought on screen, then read once it has arrived.
    image.scroll_into_view_if_needed()
    citizen.wait_for_function("img => img.complete", arg=image.element_handle())
    assert image.evaluate("img => img.naturalWidth") == 320
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(citizen) == []
    assert console_errors == []
