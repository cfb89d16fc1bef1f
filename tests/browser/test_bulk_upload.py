"""An operator uploads several PDFs at once from a 360 px phone: each is matched to its package
by the kode RUP or kode tender in its name, the preview says where each goes (and why one
cannot), and after the confirmation a real queue worker stores them on their packages."""

import re

import pytest
from django.db import connection
from playwright.sync_api import expect

from agencies.models import Agency
from contracts.models import Document
from tests.factories import make_operator, make_process
from tests.pdfs import good_pdf
from tests.workers import worker_process

pytestmark = pytest.mark.browser

PASSWORD = "kata-sandi-uji-123"
PHONE = {"width": 360, "height": 740}


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_an_operator_uploads_pdfs_named_by_kode_rup_and_finds_them_on_their_packages(
    portal, browser, media_root, tmp_path, console_errors
):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_workers")
    roads = Agency.objects.get(code="dinas-pu-bina-marga-penataan-ruang")
    make_operator(roads, username="operator-pu", password=PASSWORD)
    road = make_process(roads, rup_code="12345678", title="Rehabilitasi Jalan Dander")
    bridge = make_process(
        roads, rup_code="34567890", tender_code="23456789", title="Jembatan Kalitidu"
    )
    names = ["12345678 KAK.pdf", "Kontrak 23456789.pdf", "Notulen rapat koordinasi.pdf"]
    paths = []
    for name in names:
        path = tmp_path / name
        path.write_bytes(good_pdf(title=name, lines=(f"Isi {name}",)))
        paths.append(str(path))

    page = browser.new_page(viewport=PHONE)
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    page.goto(f"{portal.url}/admin/login/?next=/pengawasan/tugas/")
    page.fill("#id_username", "operator-pu")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_role("link", name=re.compile("Unggah banyak PDF sekaligus")).click()

    with worker_process(media_root=media_root):
        page.get_by_label("Berkas PDF").set_input_files(paths)
        page.get_by_role("button", name="Lihat pratinjau").click()
        page.wait_for_url(re.compile(r"/admin/unggah-massal/\d+/$"))
        # The files are checked in the background; the page refreshes itself until the preview.
        heading = page.get_by_role("heading", name=re.compile("3 berkas, 1 siap disimpan"))
        expect(heading).to_be_visible(timeout=60_000)
        kak = page.locator('tr[data-file="12345678 KAK.pdf"]')
        expect(kak).to_contain_text("Rehabilitasi Jalan Dander")
        # "KAK" alone names no stage's KAK: the operator chooses, told which two it may be.
        expect(kak).to_contain_text("Pilih jenis dokumennya: KAK Perencanaan atau KAK Pelaksanaan")
        kak.get_by_label("Jenis dokumen 12345678 KAK.pdf").select_option(label="KAK Pelaksanaan")
        contract = page.locator('tr[data-file="Kontrak 23456789.pdf"]')
        expect(contract).to_contain_text("Jembatan Kalitidu")
        expect(contract).to_contain_text("Siap disimpan")
        expect(page.locator('tr[data-file="Notulen rapat koordinasi.pdf"]')).to_contain_text(
            "Tidak ada kode RUP atau kode tender paket perangkat daerah Anda"
        )
        assert fits(page)
        assert not Document.objects.exists()

        page.get_by_role("button", name="Konfirmasi dan simpan").click()
        state = page.locator("#keadaan-unggah")
        expect(state).to_have_attribute("data-state", "done", timeout=60_000)
    expect(state).to_contain_text("Selesai: 2 berkas tersimpan, 1 tidak disimpan")
    expect(page.locator("#tidak-disimpan")).to_contain_text("Notulen rapat koordinasi.pdf")
    assert fits(page)

    page.locator("#tersimpan").get_by_role("link", name="Jembatan Kalitidu").click()
    expect(page.get_by_text("Kontrak 23456789.pdf").first).to_be_visible()
    page.goto(f"{portal.url}/admin/contracts/process/{road.pk}/change/")
    expect(page.get_by_text("12345678 KAK.pdf").first).to_be_visible()
    assert {(d.process_id, d.document_type.code) for d in Document.objects.all()} == {
        (road.pk, "kak-pelaksanaan"),
        (bridge.pk, "kontrak"),
    }
    assert console_errors == []
