import re

import pytest
from playwright.sync_api import expect

from agencies.models import Agency
from contracts.models import Process, Status
from tests import pdfs
from tests.factories import make_operator, make_process, planning_fields

pytestmark = pytest.mark.browser

PASSWORD = "kata-sandi-uji-123"


def sign_in(page, url):
    page.goto(url + "/admin/login/")
    page.fill("#id_username", "operator-pu")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()


def training_pdfs(tmp_path, names):
    paths = []
    for name in names:
        path = tmp_path / name
        path.write_bytes(pdfs.good_pdf(name.removesuffix(".pdf"), ["Dokumen pelatihan."]))
        paths.append(str(path))
    return paths


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

    sign_in(page, portal.url)

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
    sign_in(page, portal.url)

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


def test_the_five_training_pdfs_saved_in_perencanaan_put_the_kak_pelaksanaan_in_stage_2(
    portal, operator, page, media_root, tmp_path, console_errors
):
    """Issue #19: the five PDFs of the training chosen together in Perencanaan, on a save that
    succeeds: the KAK Pelaksanaan is a Pemilihan Penyedia document (DOMAIN.md) and lands there,
    and the message says where."""
    process = make_process(operator.agency, title="Jalan Kalitidu")
    names = [
        "DPA 2018.pdf",
        "Renja SKPD 2018.pdf",
        "Jadwal Kegiatan.pdf",
        "KAK Perencanaan.pdf",
        "KAK Pelaksanaan.pdf",
    ]
    sign_in(page, portal.url)
    change = f"{portal.url}/admin/contracts/process/{process.pk}/change/"
    page.goto(change)
    page.set_input_files("#id_upload_files_perencanaan", training_pdfs(tmp_path, names))
    page.locator("input[name=_continue]").click()

    page.wait_for_url(re.compile(r"/change/#pesan$"))
    messages = page.locator("#pesan")
    expect(messages).to_contain_text("4 dokumen Perencanaan tersimpan")
    expect(messages).to_contain_text(
        "KAK Pelaksanaan.pdf dipilih di tahap Perencanaan tetapi dikenali sebagai KAK "
        "Pelaksanaan: disimpan di tahap Pemilihan Penyedia."
    )
    messages.get_by_role("link", name="tahap Pemilihan Penyedia").click()
    expect(page.locator("#tahap-pemilihan")).to_be_in_viewport()
    expect(page.locator("#tahap-pemilihan")).to_contain_text("KAK Pelaksanaan.pdf")
    expect(page.locator("#tahap-perencanaan")).not_to_contain_text("KAK Pelaksanaan.pdf")
    assert sorted(process.documents.values_list("original_filename", "stage")) == [
        ("DPA 2018.pdf", "perencanaan"),
        ("Jadwal Kegiatan.pdf", "perencanaan"),
        ("KAK Pelaksanaan.pdf", "pemilihan"),
        ("KAK Perencanaan.pdf", "perencanaan"),
        ("Renja SKPD 2018.pdf", "perencanaan"),
    ]
    assert console_errors == []


def test_publishing_a_selection_with_empty_stages_asks_first(
    portal, operator, page, console_errors, axe_violations
):
    """Issue #19: "Publikasikan paket terpilih" lists each package's incomplete stages and
    publishes only once the operator confirms."""
    tender = make_process(operator.agency, title="Jalan Ngasem", **planning_fields())
    # Swakelola selects no supplier and awards nothing (DOMAIN.md): those stages are not owed.
    own_work = make_process(
        operator.agency, title="Drainase Dander", **planning_fields(method="swakelola")
    )
    untouched = make_process(operator.agency, title="Jembatan Kalitidu")
    sign_in(page, portal.url)
    page.goto(portal.url + "/admin/contracts/process/")
    for process in (tender, own_work):
        page.check(f"input[name=_selected_action][value='{process.pk}']")
    page.select_option("select[name=action]", "publish_selected")
    page.locator("button[name=index]").click()

    confirm = page.locator(".publish-confirm")
    expect(confirm).to_contain_text("2 paket akan dipublikasikan")
    expect(confirm).to_contain_text("2 paket masih memiliki tahap yang belum lengkap")
    rows = confirm.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Jalan Ngasem").locator(".incomplete-stages")).to_have_text(
        "Perencanaan, Pemilihan Penyedia, Pemenang, Kontrak, Implementasi"
    )
    expect(rows.filter(has_text="Drainase Dander").locator(".incomplete-stages")).to_have_text(
        "Perencanaan, Kontrak, Implementasi"
    )
    assert axe_violations(page) == []
    # Asking published nothing.
    assert set(Process.objects.values_list("status", flat=True)) == {Status.DRAFT}

    page.get_by_role("button", name="Ya, publikasikan 2 paket").click()
    expect(page.locator(".messagelist")).to_contain_text("2 paket dipublikasikan.")
    statuses = dict(Process.objects.values_list("title", "status"))
    assert statuses == {
        tender.title: Status.PUBLISHED,
        own_work.title: Status.PUBLISHED,
        untouched.title: Status.DRAFT,
    }
    assert console_errors == []
