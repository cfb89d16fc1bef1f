"""Issue #19: the DPA and Renja SKPD uploaded once complete the Perencanaan documents of every
package of the agency-year, in the operator's to-do, the package page and the supervisors'
matrix."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from agencies.models import Agency
from contracts import completeness
from contracts.models import (
    AgencyDocument,
    Document,
    DocumentType,
    Process,
    StageCompleteness,
    make_ocid,
)
from contracts.pdf import inspect_upload
from tests import pdfs
from tests.factories import make_operator, make_supervisor, planning_fields

pytestmark = pytest.mark.browser

PASSWORD = "kata-sandi-uji-123"
PACKAGES = 150
AGENCY = "dinas-pu-bina-marga-penataan-ruang"


def sign_in(page, url, username, next_path):
    page.goto(f"{url}/admin/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()


def agency_year(agency, operator, count):
    """`count` draft packages of the agency's 2018, created in bulk, each with every Perencanaan
    field and its own KAK Perencanaan and jadwal kegiatan: all they lack in Perencanaan is the
    DPA and the Renja SKPD. Their completeness is computed once for all, as an import does."""
    ids = Process.objects.allocate_ids(count)
    Process.objects.bulk_create(
        Process(
            pk=pk,
            ocid=make_ocid(pk),
            agency=agency,
            fiscal_year=2018,
            title=f"Rehabilitasi Jalan Poros Desa {number}",
            **planning_fields(),
        )
        for number, pk in enumerate(ids, start=1)
    )
    own = []
    for code, name in [("kak-perencanaan", "KAK Perencanaan"), ("jadwal-kegiatan", "Jadwal")]:
        uploaded = SimpleUploadedFile(f"{name}.pdf", pdfs.good_pdf(name, ["Ruas jalan desa."]))
        info = inspect_upload(uploaded)
        # One stored file per type behind every row: the test's bytes, not 300 copies of them.
        stored = default_storage.save(f"dokumen/{code}.pdf", uploaded)
        kind = DocumentType.objects.get(code=code)
        own += [
            Document(
                process_id=pk,
                stage="perencanaan",
                document_type=kind,
                title=name,
                file=stored,
                original_filename=uploaded.name,
                size=info.size,
                sha256=info.sha256,
                page_count=info.page_count,
                text=info.text,
                text_status=info.text_status,
                uploaded_by=operator,
            )
            for pk in ids
        ]
    Document.objects.bulk_create(own)
    completeness.refresh(ids)
    return ids


def test_the_dpa_and_renja_uploaded_once_complete_150_packages(
    portal, media_root, page, browser, tmp_path, console_errors
):
    agency = Agency.objects.get(code=AGENCY)
    operator = make_operator(agency, username="operator-pu", password=PASSWORD)
    make_supervisor(username="pengawas", password=PASSWORD)
    ids = agency_year(agency, operator, PACKAGES)
    dpa = DocumentType.objects.get(code="dpa")
    renja = DocumentType.objects.get(code="renja")

    # The supervisors' matrix before: no package complete, the two documents missing once.
    desk = browser.new_context()
    supervisor = desk.new_page()
    sign_in(supervisor, portal.url, "pengawas", "/pengawasan/?tahun=2018")
    cell = supervisor.locator(f"td[data-stage=perencanaan][data-agency={AGENCY}]")
    expect(cell).to_have_text(f"0/{PACKAGES}")
    lacking = supervisor.locator(f".agency-documents-missing li[data-agency={AGENCY}]")
    expect(lacking).to_contain_text(f"{dpa.name} 2018 belum diunggah ({PACKAGES} paket)")
    expect(lacking).to_contain_text(f"{renja.name} 2018 belum diunggah ({PACKAGES} paket)")

    # The operator's to-do says each once, for the 150 packages, with a link to upload it.
    sign_in(page, portal.url, "operator-pu", "/pengawasan/tugas/")
    for kind in (dpa, renja):
        item = page.locator(
            "section[aria-labelledby=dokumen-opd] li", has_text=f"{kind.name} 2018 belum"
        )
        expect(item).to_contain_text(f"({PACKAGES} paket menunggu)")
        item.get_by_role("link", name="Unggah").click()
        # The form opens on the agency, year and type the item named.
        expect(page.locator("#id_agency option:checked")).to_have_text(agency.name)
        expect(page.locator("#id_fiscal_year")).to_have_value("2018")
        expect(page.locator("#id_document_type option:checked")).to_have_text(kind.name)
        path = tmp_path / f"{kind.code} 2018.pdf"
        path.write_bytes(pdfs.good_pdf(kind.name, [f"{kind.name} Dinas PU 2018."]))
        page.set_input_files("#id_upload", str(path))
        page.locator("input[name=_save]").click()
        expect(page.locator(".messagelist")).to_contain_text(
            f"{kind.name} TA 2018 tersimpan sekali dan berlaku untuk {PACKAGES} paket."
        )
        page.goto(portal.url + "/pengawasan/tugas/")

    # Gone from the to-do, and no package has a Perencanaan item left.
    for kind in (dpa, renja):
        expect(page.get_by_text(f"{kind.name} 2018 belum diunggah")).to_have_count(0)
    expect(page.locator("#dokumen-opd")).to_have_count(0)
    page.locator("select[name=tahap]").select_option("perencanaan")
    page.get_by_role("button", name="Terapkan").click()
    expect(page.locator(".empty", has_text="Tidak ada tahap yang belum lengkap")).to_be_visible()

    # Any package's page shows Perencanaan complete.
    page.goto(f"{portal.url}/admin/contracts/process/{ids[-1]}/change/")
    expect(page.locator("#tahap-perencanaan [data-stage-state]")).to_have_attribute(
        "data-stage-state", "complete"
    )

    # The matrix after: all 150 complete, nothing missing for the agency.
    supervisor.reload()
    expect(cell).to_have_text(f"{PACKAGES}/{PACKAGES}")
    expect(lacking).to_have_count(0)
    desk.close()

    assert AgencyDocument.objects.filter(agency=agency, fiscal_year=2018).count() == 2
    assert (
        StageCompleteness.objects.filter(
            process_id__in=ids, stage="perencanaan", is_complete=True
        ).count()
        == PACKAGES
    )
    assert console_errors == []
