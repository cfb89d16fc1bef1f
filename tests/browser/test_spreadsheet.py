"""An operator corrects packages through the XLSX round trip and citizens see the new value."""

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from agencies.models import Agency
from contracts import services
from contracts.spreadsheet import KEY_HEADER, SHEET_TITLE
from tests.factories import make_operator, make_process, planning_fields

pytestmark = pytest.mark.browser

PASSWORD = "kata-sandi-uji-123"


def test_an_operator_downloads_edits_uploads_previews_and_confirms_the_sheet(
    portal, page, tmp_path, console_errors, axe_violations
):
    health = Agency.objects.get(code="dinas-kesehatan")
    operator = make_operator(health, username="operator-lembar", password=PASSWORD)
    process = make_process(health, **planning_fields(title="Rehabilitasi Puskesmas Dander"))
    make_process(health, **planning_fields(title="Pengadaan Ambulans"))
    services.publish_process(process=process, by=operator)

    page.goto(f"{portal.url}/admin/login/?next=/pengawasan/tugas/")
    page.fill("#id_username", "operator-lembar")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_role("link", name="Lembar kerja paket (XLSX)").click()

    page.get_by_label("Tahun anggaran").select_option("2018")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Unduh XLSX").click()
    download = download_info.value
    assert download.suggested_filename == "paket-dinas-kesehatan-2018.xlsx"
    downloaded = tmp_path / download.suggested_filename
    download.save_as(downloaded)
    book = load_workbook(downloaded)
    sheet = book[SHEET_TITLE]
    headers = {cell.value: cell.column for cell in sheet[1]}
    [row] = [
        r
        for r in range(2, sheet.max_row + 1)
        if sheet.cell(row=r, column=headers[KEY_HEADER]).value == process.pk
    ]
    sheet.cell(row=row, column=headers["Nama paket"]).value = "Rehabilitasi Puskesmas Dander II"
    sheet.cell(row=row, column=headers["HPS (Rp)"]).value = 1_175_000_000
    edited = tmp_path / "paket-diubah.xlsx"
    book.save(edited)

    page.get_by_label("Berkas XLSX yang sudah diubah").set_input_files(str(edited))
    page.get_by_role("button", name="Periksa perubahan").click()
    table = page.locator("table.sheet-changes")
    expect(table).to_contain_text("Rehabilitasi Puskesmas Dander II")
    expect(table).to_contain_text("Rp 1.175.000.000")
    expect(page.locator("table.sheet-changes tbody tr")).to_have_count(2)
    expect(page.get_by_text("1 paket di antaranya sudah dipublikasikan")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Simpan 2 perubahan pada 1 paket").click()
    expect(page.locator(".messagelist")).to_contain_text("Tersimpan: 2 perubahan pada 1 paket")

    page.goto(f"{portal.url}/paket/{process.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rehabilitasi Puskesmas Dander II")
    expect(page.get_by_text("Rp 1.175.000.000").first).to_be_visible()
    assert not console_errors
