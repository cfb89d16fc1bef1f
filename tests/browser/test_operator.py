import re

import pytest
from playwright.sync_api import expect

from agencies.models import Agency
from contracts.models import Process, Status
from tests import pdfs
from tests.factories import make_operator, make_process

pytestmark = pytest.mark.browser

PASSWORD = "kata-sandi-uji-123"


@pytest.fixture
def operator(portal):
    return make_operator(
        Agency.objects.get(code="dinas-pu-bina-marga-penataan-ruang"),
        username="operator-pu",
        password=PASSWORD,
    )


def test_an_operator_enters_a_package_uploads_its_pdfs_and_publishes(
    portal, operator, page, media_root, tmp_path, console_errors
):
    names = ["DPA 2018.pdf", "Renja SKPD 2018.pdf", "Jadwal Kegiatan.pdf", "KAK Perencanaan.pdf"]
    paths = []
    for name in names:
        path = tmp_path / name
        path.write_bytes(pdfs.good_pdf(name.removesuffix(".pdf"), ["Dokumen perencanaan."]))
        paths.append(path)

    page.goto(portal.url + "/admin/login/")
    page.fill("#id_username", "operator-pu")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()

    page.goto(portal.url + "/admin/contracts/process/add/")
    # The operator's own agency is the only choice, already chosen.
    expect(page.locator("#id_agency option:checked")).to_have_text(
        "Dinas Pekerjaan Umum Bina Marga dan Penataan Ruang"
    )
    page.fill("#id_fiscal_year", "2018")
    page.fill("#id_title", "Rehabilitasi Jalan Sumberrejo - Kalitidu")
    page.fill("#id_program_name", "Program Penyelenggaraan Jalan")
    page.fill("#id_activity_name", "Rehabilitasi Jalan Kabupaten")
    page.fill("#id_rup_code", "17009876")
    page.fill("#id_budget_amount", "1.750.000.000")
    page.check("input[name=funding_sources][value=APBD]")
    page.select_option("#id_category", "pekerjaan_konstruksi")
    page.select_option("#id_method", "tender")
    page.select_option("#id_location_kecamatan", "Kalitidu")
    page.fill("#id_planned_start", "01/03/2018")
    page.fill("#id_planned_end", "30/11/2018")
    page.fill("#id_pa_kpa_name", "Kepala Dinas")
    page.fill("#id_ppk_name", "PPK Jalan")
    page.fill("#id_pptk_name", "PPTK Jalan")
    page.set_input_files("#id_upload_files_perencanaan", [str(p) for p in paths])
    page.locator("input[name=_continue]").click()

    # With files chosen, the page posts through XMLHttpRequest to show upload progress, then
    # shows the answer at its own address.
    page.wait_for_url(re.compile(r"/admin/contracts/process/\d+/change/#pesan$"))
    expect(page.locator(".messagelist")).to_contain_text("4 dokumen Perencanaan tersimpan")
    page.get_by_role("button", name="Publikasikan").click()
    expect(page.locator(".process-status .badge")).to_have_text("Dipublikasikan")

    expect(page.locator("#tahap-perencanaan [data-stage-state]")).to_have_attribute(
        "data-stage-state", "complete"
    )
    for stage in ["pemilihan", "pemenang", "kontrak", "implementasi"]:
        expect(page.locator(f"#tahap-{stage} [data-stage-state]")).to_have_attribute(
            "data-stage-state", "missing"
        )
    for name in names:
        expect(page.locator("#tahap-perencanaan")).to_contain_text(name)

    process = Process.objects.get(title="Rehabilitasi Jalan Sumberrejo - Kalitidu")
    assert process.status == Status.PUBLISHED
    assert process.budget_amount == 1_750_000_000
    assert process.documents.count() == 4
    assert console_errors == []


def test_a_wrong_date_keeps_the_chosen_files_and_lands_on_the_error(
    portal, operator, page, media_root, tmp_path, console_errors
):
    """Issue #19: a refused save keeps the PDFs (staged), opens on the error note with the
    date field focused, and the KAK Pelaksanaan chosen in Perencanaan goes to Pemilihan."""
    process = make_process(operator.agency, title="Jalan Dander")
    paths = []
    for name in ["Jadwal Kegiatan.pdf", "KAK Pelaksanaan.pdf"]:
        path = tmp_path / name
        path.write_bytes(pdfs.good_pdf(name.removesuffix(".pdf")))
        paths.append(path)
    page.goto(portal.url + "/admin/login/")
    page.fill("#id_username", "operator-pu")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()

    change = f"{portal.url}/admin/contracts/process/{process.pk}/change/"
    page.goto(change)
    page.fill("#id_planned_end", "31/02/2018")
    page.set_input_files("#id_upload_files_perencanaan", [str(p) for p in paths])
    page.locator("input[name=_continue]").click()

    page.wait_for_url(re.compile(r"/change/#kesalahan$"))
    expect(page.locator("#kesalahan")).to_contain_text("Belum tersimpan")
    expect(page.locator("#id_planned_end")).to_be_focused()
    expect(page.locator("#sementara-perencanaan")).to_contain_text("Jadwal Kegiatan.pdf")
    expect(page.locator("#sementara-pemilihan")).to_contain_text("KAK Pelaksanaan.pdf")
    expect(page.locator("[data-moved='KAK Pelaksanaan.pdf'] a")).to_have_attribute(
        "href", "#sementara-pemilihan"
    )

    page.fill("#id_planned_end", "30/11/2018")
    page.locator("input[name=_continue]").click()
    page.wait_for_url(re.compile(r"/change/#pesan$"))
    expect(page.locator("#pesan")).to_be_in_viewport()
    expect(page.locator("#tahap-perencanaan")).to_contain_text("Jadwal Kegiatan.pdf")
    expect(page.locator("#tahap-pemilihan")).to_contain_text("KAK Pelaksanaan.pdf")
