"""What testers found reading the real data: the package page links its kecamatan, the list
says labels and unknown values in words, downloads refuse bad filters, the supplier page leads
into the list."""

import pytest
from django.urls import reverse

from agencies.models import Agency
from contracts import services
from tests.factories import make_operator, make_process


@pytest.fixture
def health(db):
    return Agency.objects.get(code="dinas-kesehatan")


@pytest.fixture
def operator(health):
    return make_operator(health)


def publish(process, by):
    services.publish_process(process=process, by=by)
    return process


def page_of(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- 4. the package's kecamatan is a way to its page ----------------------------------------


def test_the_package_page_links_its_kecamatan_to_the_kecamatan_page(client, health, operator):
    process = publish(
        make_process(
            health, location_kecamatan="Sumberejo", location_desa="Mejuwet", budget_amount=1
        ),
        operator,
    )
    page = page_of(client, reverse("contracts:process-detail", args=[process.pk]))
    assert '<a href="/kecamatan/sumberejo/">Kec. Sumberejo</a>, Mejuwet' in page


def test_a_place_outside_the_register_stays_plain_text(client, health, operator):
    process = publish(
        make_process(health, location_kecamatan="Atlantis", budget_amount=1), operator
    )
    page = page_of(client, reverse("contracts:process-detail", args=[process.pk]))
    assert "<dd>Kec. Atlantis</dd>" in page
    assert "/kecamatan/atlantis/" not in page


# --- 5. the empty result names filters as the form does -------------------------------------


def test_an_empty_result_names_the_filters_to_loosen_by_their_labels(client, health, operator):
    publish(make_process(health, title="Rehabilitasi Puskesmas", fiscal_year=2019), operator)
    page = page_of(client, "/paket/?q=zzzxqy&tahun=2019")
    assert "Tidak ada paket yang cocok" in page
    assert '<a href="?tahun=2019">tanpa saringan “kata kunci”</a>' in page
    assert '<a href="?q=zzzxqy">tanpa saringan “Tahun anggaran”</a>' in page
    assert "“q”" not in page and "“tahun”" not in page
