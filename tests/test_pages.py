import re

import pytest
from django.conf import settings

from agencies.models import Agency, AgencyKind


@pytest.mark.django_db
def test_home_page(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert "Kabupaten Bojonegoro" in html
    for stage in ["Perencanaan", "Pemilihan Penyedia", "Pemenang", "Kontrak", "Implementasi"]:
        assert stage in html
    # Landmarks and the skip link that keyboard users rely on.
    assert 'href="#konten"' in html and 'id="konten"' in html
    assert "<header" in html and "<nav" in html and "<main" in html and "<footer" in html
    assert "Undang-Undang Nomor 14 Tahun 2008" in html
    assert "Nomor 35 Tahun 2017" in html
    # Assets come from the portal itself, hashed for caching; nothing from a CDN. (The
    # hreflang alternates are absolute, as search engines ask, and name the portal itself.)
    assert re.search(r'href="/static/css/portal\.[0-9a-f]{12}\.css"', html)
    assert not re.search(r'(src|href)="(https?:)?//(?!testserver/)', html)


@pytest.mark.django_db
def test_agency_page_lists_every_agency_grouped_by_kind(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/perangkat-daerah/")
    assert response.status_code == 200
    html = response.content.decode()
    for agency in Agency.objects.all():
        assert agency.name in html
    headings = re.findall(r'<h2 id="([a-z_]+)">', html)
    assert headings == list(AgencyKind.values)
    assert 'aria-current="page"' in html
    assert "74 perangkat daerah" in html


@pytest.mark.django_db
def test_inactive_agencies_are_not_listed(client):
    Agency.objects.filter(code="dinas-kesehatan").update(is_active=False)
    html = client.get("/perangkat-daerah/").content.decode()
    assert "Dinas Kesehatan<" not in html
    assert "73 perangkat daerah" in html


@pytest.mark.django_db
def test_navigation_links_only_to_pages_that_exist(client):
    html = client.get("/").content.decode()
    links = re.findall(r'class="site-nav__link" href="([^"]+)"', html)
    assert links[:1] == ["/"]
    for link in links:
        assert client.get(link).status_code == 200


@pytest.mark.django_db
def test_publisher_comes_from_settings(client, settings):
    settings.PORTAL = {**settings.PORTAL, "REGION_NAME": "Kabupaten Tuban"}
    html = client.get("/tentang/").content.decode()
    assert "Kabupaten Tuban" in html
    assert settings.PORTAL["OCID_PREFIX"] in html


@pytest.mark.django_db
def test_unknown_page_gets_the_portal_404(client):
    response = client.get("/tidak-ada/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Halaman tidak ditemukan" in html
    assert 'href="/perangkat-daerah/"' in html


def test_static_files_are_compressed_for_whitenoise(collected_static):
    css = list(collected_static.glob("css/portal.*.css"))
    assert any(path.with_name(path.name + ".gz").exists() for path in css)
    assert settings.STORAGES["staticfiles"]["BACKEND"].startswith("whitenoise.")
