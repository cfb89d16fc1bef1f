import pytest
from playwright.sync_api import expect

from agencies.models import Agency
from tests.factories import make_process, make_supervisor, planning_fields

pytestmark = pytest.mark.browser

PASSWORD = "kata-sandi-uji-123"


def test_a_supervisor_follows_the_worst_cell_to_the_missing_documents(
    portal, page, console_errors, axe_violations
):
    health = Agency.objects.get(code="dinas-kesehatan")
    make_process(health, title="Puskesmas tanpa DPA", **planning_fields())
    make_supervisor(username="pengawas", password=PASSWORD)

    page.goto(portal.url + "/admin/login/?next=/pengawasan/")
    page.fill("#id_username", "pengawas")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kelengkapan tahap")
    page.locator("select#tahun").select_option("2018")
    page.locator("select#urut").select_option("terburuk")
    page.get_by_role("button", name="Tampilkan").click()
    assert axe_violations(page) == []

    worst_row = page.locator("table.matrix tbody tr").first
    expect(worst_row.locator("th")).to_have_text("Dinas Kesehatan")
    worst_row.locator("td[data-stage=perencanaan] a").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Dinas Kesehatan — Perencanaan")
    item = page.locator(".missing-item", has_text="Puskesmas tanpa DPA")
    expect(item).to_contain_text("Dokumen: DPA (Dokumen Pelaksanaan Anggaran)")
    expect(item).to_contain_text("Dokumen: Renja SKPD")
    expect(item.locator(".overdue")).to_contain_text("terlambat")
    assert axe_violations(page) == []
    assert console_errors == []
