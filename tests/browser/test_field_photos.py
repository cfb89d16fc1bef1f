"""A progress report with a camera photo from a 360 px phone, then on the public page; and a
refused report whose photo is kept (contracts.StagedPhoto) until the corrected one is saved."""

import pytest
from playwright.sync_api import expect

from agencies.models import Agency
from contracts import services
from contracts.models import ProgressPhoto, StagedPhoto
from tests.factories import make_operator, make_process, planning_fields
from tests.participation.test_reports import jpeg_with_gps

pytestmark = pytest.mark.browser

PASSWORD = "kata-sandi-uji-123"
PHONE = {"width": 360, "height": 740}


def test_an_operator_adds_a_progress_photo_from_a_phone_and_citizens_see_it(
    portal, browser, media_root, tmp_path, console_errors
):
    health = Agency.objects.get(code="dinas-kesehatan")
    operator = make_operator(health, username="operator-lapangan", password=PASSWORD)
    process = make_process(health, **planning_fields(title="Rehabilitasi Puskesmas Dander"))
    photo = tmp_path / "IMG_0001.jpg"
    photo.write_bytes(jpeg_with_gps((1600, 1200)))

    phone = browser.new_page(viewport=PHONE)
    phone.on("pageerror", lambda error: console_errors.append(str(error)))
    phone.goto(f"{portal.url}/admin/login/?next=/pengawasan/lapangan/{process.pk}/")
    phone.fill("#id_username", "operator-lapangan")
    phone.fill("#id_password", PASSWORD)
    phone.get_by_role("button", name="Masuk").click()
    form = phone.locator("form", has=phone.locator("input[name=jenis][value=kemajuan]"))
    form.get_by_label("tanggal laporan").fill("02/07/2024")  # as printed on the page
    form.get_by_label("progres fisik (%)").fill("45,5")
    form.get_by_label("progres keuangan (%)").fill("30")
    form.get_by_label("Foto pekerjaan (opsional)").set_input_files(str(photo))
    form.get_by_role("button", name="Simpan laporan kemajuan").click()
    expect(phone.locator(".messages")).to_contain_text("disimpan untuk Rehabilitasi")
    # The form posts to #kesalahan; the saved page opens on its message, not on that fragment.
    assert phone.url.endswith(f"/pengawasan/lapangan/{process.pk}/#pesan"), phone.url
    expect(phone.locator("#pesan")).to_contain_text("disimpan untuk Rehabilitasi")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert ProgressPhoto.objects.count() == 1

    services.publish_process(process=process, by=operator)
    citizen = browser.new_page(viewport=PHONE)
    citizen.goto(f"{portal.url}/paket/{process.pk}/")
    thumbnail = citizen.get_by_role("img", name="Foto 1 kemajuan pekerjaan")
    expect(thumbnail).to_be_visible()
    assert citizen.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_refused_report_keeps_the_photo_until_the_corrected_one_is_saved(
    portal, browser, media_root, tmp_path, console_errors
):
    health = Agency.objects.get(code="dinas-kesehatan")
    make_operator(health, username="operator-lapangan", password=PASSWORD)
    process = make_process(health, **planning_fields(title="Rehabilitasi Puskesmas Dander"))
    photo = tmp_path / "IMG_0002.jpg"
    photo.write_bytes(jpeg_with_gps((1600, 1200)))

    phone = browser.new_page(viewport=PHONE)
    phone.on("pageerror", lambda error: console_errors.append(str(error)))
    phone.goto(f"{portal.url}/admin/login/?next=/pengawasan/lapangan/{process.pk}/")
    phone.fill("#id_username", "operator-lapangan")
    phone.fill("#id_password", PASSWORD)
    phone.get_by_role("button", name="Masuk").click()
    form = phone.locator("form", has=phone.locator("input[name=jenis][value=kemajuan]"))
    form.get_by_label("tanggal laporan").fill("02/07/2024")
    form.get_by_label("progres fisik (%)").fill("150")
    form.get_by_label("progres keuangan (%)").fill("30")
    form.get_by_label("Foto pekerjaan (opsional)").set_input_files(str(photo))
    form.get_by_role("button", name="Simpan laporan kemajuan").click()

    note = phone.locator("#kesalahan")
    expect(note).to_contain_text("1 foto yang lolos pemeriksaan disimpan sementara")
    expect(note).to_contain_text("tidak perlu dipilih ulang")
    kept = form.locator("li[data-staged='IMG_0002.jpg']")
    expect(kept).to_contain_text("IMG_0002.jpg")
    expect(kept.get_by_label("Hapus")).not_to_be_checked()
    # The thumbnail is the operator's own photo, loaded from the portal.
    # (Lazy-loaded: brought into view, then waited for; it fails if it never decodes.)
    thumbnail = kept.locator("img")
    thumbnail.scroll_into_view_if_needed()
    phone.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle()
    )
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert StagedPhoto.objects.count() == 1 and not ProgressPhoto.objects.exists()

    # Corrected, without choosing the photo again.
    form = phone.locator("form", has=phone.locator("input[name=jenis][value=kemajuan]"))
    form.get_by_label("progres fisik (%)").fill("45,5")
    form.get_by_role("button", name="Simpan laporan kemajuan").click()
    expect(phone.locator(".messages")).to_contain_text("disimpan untuk Rehabilitasi")
    expect(phone.locator("li[data-staged]")).to_have_count(0)
    assert ProgressPhoto.objects.count() == 1 and not StagedPhoto.objects.exists()
    assert console_errors == []
