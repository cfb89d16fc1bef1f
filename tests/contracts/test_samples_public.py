"""The "[CONTOH]" demo packages beside real data: an empty install shows them, so that there is
something to try; once a real package is published they leave every public total and list."""

import datetime

import pytest
from django.urls import reverse

from agencies.models import Agency
from contracts.models import Process, Supplier
from participation.models import Report
from tests.factories import answered_report, make_operator, make_process

EARLIER = datetime.datetime(2019, 1, 2, tzinfo=datetime.UTC)
LATER = datetime.datetime(2019, 6, 3, tzinfo=datetime.UTC)
SAMPLE_TITLE = "[CONTOH] Pengadaan Alat Kesehatan Puskesmas"


@pytest.fixture
def health():
    return Agency.objects.get(code="dinas-kesehatan")


@pytest.fixture
def sample(health):
    """A published sample, published after any real package: it would lead the newest."""
    supplier = Supplier.objects.create(name="PT Contoh Medika Sejahtera", npwp="0233344446020000")
    return make_process(
        health,
        title=SAMPLE_TITLE,
        is_sample=True,
        status="published",
        published_at=LATER,
        budget_amount=850_000_000,
        contract_amount=838_500_000,
        supplier=supplier,
    )


def publish_real(agency):
    return make_process(
        agency,
        title="Rehabilitasi Puskesmas Dander",
        status="published",
        published_at=EARLIER,
        budget_amount=1_250_000_000,
    )


@pytest.mark.django_db
def test_without_real_data_the_samples_are_shown(client, sample):
    assert list(Process.objects.published()) == [sample]
    home = client.get(reverse("home"), {"tahun": "2018"}).content.decode()
    assert SAMPLE_TITLE in home
    listing = client.get(reverse("contracts:process-list")).content.decode()
    assert 'data-count="1"' in listing and SAMPLE_TITLE in listing
    assert client.get(reverse("contracts:process-detail", args=[sample.pk])).status_code == 200


@pytest.mark.django_db
def test_beside_a_real_package_the_samples_leave_every_public_total_and_list(
    client, health, sample
):
    real = publish_real(health)
    assert list(Process.objects.published()) == [real]
    assert list(Process.objects.open_data()) == [real]

    # Home: the year's figures are the real package's alone, and it leads the newest.
    home = client.get(reverse("home"), {"tahun": "2018"}).content.decode()
    assert '?tahun=2018">1</a>' in home
    assert "Rp 1.250.000.000" in home and "Rp 2.100.000.000" not in home
    assert SAMPLE_TITLE not in home

    listing = client.get(reverse("contracts:process-list")).content.decode()
    assert 'data-count="1"' in listing and SAMPLE_TITLE not in listing
    agency = client.get(reverse("contracts:agency-detail", args=[health.code])).content.decode()
    assert real.title in agency and SAMPLE_TITLE not in agency
    feed = client.get(reverse("contracts:feed")).content.decode()
    assert real.title in feed and SAMPLE_TITLE not in feed

    # The sample's own pages are gone as a draft's are.
    assert client.get(reverse("contracts:process-detail", args=[sample.pk])).status_code == 404
    supplier = reverse("contracts:supplier-detail", args=[sample.supplier_id])
    assert client.get(supplier).status_code == 404

    # The API: the list, and the agency's totals.
    packages = client.get(reverse("opendata:api-packages")).json()
    assert packages["count"] == 1 and packages["results"][0]["nama_paket"] == real.title
    totals = client.get(reverse("opendata:api-agency", args=[health.code])).json()
    assert totals["paket"] == 1 and totals["pagu"] == 1_250_000_000


@pytest.mark.django_db
def test_a_report_on_a_sample_leaves_the_public_reports_beside_real_data(health, sample):
    operator = make_operator(health)
    report = answered_report(sample, operator, "Sudah kami periksa.", body="Jalan retak.")
    assert list(Report.objects.public()) == [report]
    publish_real(health)
    assert list(Report.objects.public()) == []


@pytest.mark.django_db
def test_an_operator_still_reaches_the_agencys_sample_beside_real_data(health, sample):
    publish_real(health)
    operator = make_operator(health)
    assert sample in Process.objects.public_or_visible_to(operator)
    assert sample not in Process.objects.public_or_visible_to(
        make_operator(Agency.objects.get(code="dinas-pu-bina-marga-penataan-ruang"))
    )


@pytest.mark.django_db
def test_a_sample_beside_real_data_gets_no_release_when_saved(health, sample):
    """The releases follow the one public rule: a sample is not open data beside real data,
    whichever way the package reaches the capture (read by it, or handed to it after a save)."""
    from contracts import completeness
    from contracts.models import Release
    from contracts.releases import capture

    real = publish_real(health)
    Release.objects.all().delete()
    capture([sample.pk, real.pk], packages=[sample, real])
    assert list(Release.objects.values_list("process_id", flat=True)) == [real.pk]
    completeness.refresh([sample.pk])
    assert not Release.objects.filter(process=sample).exists()


@pytest.mark.django_db
def test_a_samples_files_beside_real_data_are_never_kept_by_shared_caches(
    client, health, sample, media_root
):
    """Its people still open them, as a draft's: `private, no-store`, not `public`."""
    from tests import pdfs
    from tests.factories import add_document

    operator = make_operator(health)
    document = add_document(sample, operator, pdfs.good_pdf())
    url = reverse("contracts:document-download", args=[document.pk])
    assert client.get(url)["Cache-Control"] == "public, no-cache"  # the install's only data
    publish_real(health)
    assert client.get(url).status_code == 404
    client.force_login(operator)
    assert client.get(url)["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_the_agency_list_says_how_many_agencies_publish_and_what(client, health, sample):
    """Found by a try-out: "74 perangkat daerah … mempublikasikan paket" when 42 had any. Each
    agency's count follows the one public rule: the sample leaves it beside a real package."""
    roads = Agency.objects.get(code="dinas-pu-bina-marga-penataan-ruang")
    make_process(roads, title="Draf jalan")  # a draft publishes nothing
    publish_real(health)
    html = client.get(reverse("agencies:agency-list")).content.decode()
    total = Agency.objects.active().count()
    assert f"{total} perangkat daerah" in html
    assert '<span data-publishing="1">1</span> di antaranya sudah mempublikasikan' in html
    item = html.split(f'href="/perangkat-daerah/{health.code}/"')[1].split("</li>")[0]
    assert 'data-published="1">1 paket<' in item
    item = html.split(f'href="/perangkat-daerah/{roads.code}/"')[1].split("</li>")[0]
    assert 'data-published="0">belum ada paket<' in item
