"""The ways in: "Ikuti lewat surel" on the list (with its filters), the agency, supplier,
kecamatan and package pages; "Peluang usaha" where suppliers look; the privacy note."""

import html as html_lib
import re

import pytest

from agencies.models import Agency
from contracts.models import Supplier
from tests.alerts.subscribing import published_package

pytestmark = pytest.mark.django_db


@pytest.fixture
def health():
    return Agency.objects.get(code="dinas-kesehatan")


def follow_href(client, url):
    page = client.get(url)
    assert page.status_code == 200, url
    found = re.findall(
        r'<a href="([^"]*)" rel="nofollow" data-follow>Ikuti lewat surel</a>', page.content.decode()
    )
    assert len(found) == 1, url
    return html_lib.unescape(found[0])


def test_each_public_page_offers_to_follow_what_it_shows(client, health):
    supplier = Supplier.objects.create(name="CV Sehat Sentosa")
    package = published_package(health, title="Rehabilitasi Puskesmas Dander", supplier=supplier)

    # The list: its filters and search, without the page number.
    assert (
        follow_href(client, "/paket/?tahun=2018&metode=tender&q=puskesmas&halaman=1")
        == "/langganan/ikuti/?tahun=2018&metode=tender&q=puskesmas"
    )
    assert follow_href(client, "/paket/") == "/langganan/ikuti/"
    assert follow_href(client, f"/perangkat-daerah/{health.code}/") == (
        "/langganan/ikuti/?pd=dinas-kesehatan"
    )
    assert follow_href(client, f"/penyedia/{supplier.pk}/") == (
        f"/langganan/ikuti/?penyedia={supplier.pk}"
    )
    assert follow_href(client, "/kecamatan/dander/") == "/langganan/ikuti/?kecamatan=Dander"
    assert follow_href(client, f"/paket/{package.pk}/") == f"/langganan/ikuti/?paket={package.pk}"

    # Each leads to a form that names the same thing.
    for href, words in [
        ("/langganan/ikuti/?tahun=2018&metode=tender", "Paket TA 2018, metode Tender"),
        (f"/langganan/ikuti/?penyedia={supplier.pk}", "Paket penyedia CV Sehat Sentosa"),
        ("/langganan/ikuti/?kecamatan=Dander", "Paket di Kecamatan Dander"),
    ]:
        assert words in client.get(href).content.decode()


def test_suppliers_find_the_opportunities_page_from_the_list_and_their_own_page(client, health):
    supplier = Supplier.objects.create(name="CV Sehat Sentosa")
    published_package(health, supplier=supplier)
    for url in ("/paket/", f"/penyedia/{supplier.pk}/"):
        html = client.get(url).content.decode()
        assert '<a href="/langganan/peluang/" data-peluang>Peluang usaha untuk penyedia</a>' in html


def test_the_policy_page_says_what_is_kept_for_how_long_and_who_sees_it(client, settings):
    settings.ALERT_CONFIRM_HOURS = 24
    html = client.get("/data-terbuka/kebijakan/").content.decode()
    assert 'id="langganan-surel"' in html
    assert "dihapus bersama langganan terakhir" in html
    assert "Permintaan yang tidak dikonfirmasi dihapus setelah 24 jam." in html
    assert "disimpan paling lama 30 hari" in html
    assert "tidak ada halaman yang menunjukkan siapa mengikuti apa" in html


def test_the_package_page_with_its_follow_link_reads_a_fixed_number_of_queries(
    client, health, django_assert_num_queries
):
    # The list, agency, supplier and kecamatan pages are pinned where they are tested
    # (tests/contracts/test_public.py, test_kecamatan.py); the link adds no query to any, as
    # it is written from what the page already holds.
    package = published_package(health, title="Rehabilitasi Puskesmas Dander")
    client.get(f"/paket/{package.pk}/")  # renders and caches the page's fragment
    # The package, the data version, the cached fragment (the link inside it), the published
    # reports, the cached empty report form.
    with django_assert_num_queries(5):
        html = client.get(f"/paket/{package.pk}/").content.decode()
    assert f'href="/langganan/ikuti/?paket={package.pk}"' in html
