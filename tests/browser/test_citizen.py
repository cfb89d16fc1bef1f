import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from agencies.models import Agency
from contracts import services
from contracts.models import DocumentType, Process
from contracts.pdf import inspect_upload
from imports import lpse, sirup
from imports.models import ImportKind
from imports.services import run_import
from tests import pdfs
from tests.factories import make_operator

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 740}}


@pytest.fixture
def regency(portal, media_root):
    """The real 2018-2020 data, and one real package with a PDF only it mentions."""
    tenders, _ = lpse.shared_files()
    for kind, path in [(ImportKind.SIRUP, sirup.shared_file()), (ImportKind.LPSE_TENDER, tenders)]:
        run_import(kind=kind, content=path.read_bytes(), filename=path.name, commit=True)
    health = Agency.objects.get(code="dinas-kesehatan")
    package = Process.objects.published().filter(agency=health, fiscal_year=2018).first()
    data = pdfs.good_pdf("KAK Pelaksanaan", ["Kursi gigi hidrolik merk Zirkonia tipe 7"])
    uploaded = SimpleUploadedFile("KAK Pelaksanaan.pdf", data)
    services.add_documents(
        process=package,
        stage="pemilihan",
        document_type=DocumentType.objects.get(code="kak-pelaksanaan"),
        uploads=[(uploaded, inspect_upload(uploaded))],
        by=make_operator(health),
    )
    return {"health": health, "package": package, "pdf": data}


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=list(VIEWPORTS))
def test_a_citizen_filters_searches_reads_and_downloads(
    portal, regency, browser, viewport, tmp_path, axe_violations
):
    context = browser.new_context(viewport=VIEWPORTS[viewport], accept_downloads=True)
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # Filter by agency and year.
    page.goto(portal.url + "/paket/")
    page.get_by_text("Saringan", exact=True).click()
    page.locator("select[name=pd]").select_option("dinas-kesehatan")
    page.locator("select[name=tahun]").select_option("2018")
    page.get_by_role("button", name="Terapkan").click()
    expected = Process.objects.published().filter(agency=regency["health"], fiscal_year=2018)
    expect(page.locator("[data-count]")).to_have_attribute("data-count", str(expected.count()))
    first_titles = page.locator(".package__title").all_inner_texts()[:5]
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]

    # The filtered search's address, opened afresh, gives the same results.
    shared = page.url
    assert "pd=dinas-kesehatan" in shared and "tahun=2018" in shared
    other = context.new_page()
    other.goto(shared)
    expect(other.locator("[data-count]")).to_have_attribute("data-count", str(expected.count()))
    assert other.locator(".package__title").all_inner_texts()[:5] == first_titles
    other.close()

    # A word that appears only inside an attached PDF finds its package.
    page.goto(portal.url + "/")
    page.get_by_label("Cari paket, kode, penyedia, atau isi dokumen").fill("zirkonia")
    page.get_by_role("button", name="Cari", exact=True).click()
    expect(page.locator("[data-count]")).to_have_attribute("data-count", "1")
    page.get_by_role("link", name=regency["package"].title).click()

    # The package page: five stages, and the document downloads byte for byte.
    expect(page.get_by_role("heading", level=1)).to_have_text(regency["package"].title)
    expect(page.locator(".timeline__step")).to_have_count(5)
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Unduh").first.click()
    saved = tmp_path / "unduhan.pdf"
    download_info.value.save_as(saved)
    assert download_info.value.suggested_filename == "KAK Pelaksanaan.pdf"
    assert saved.read_bytes() == regency["pdf"]
    assert errors == []
    context.close()
