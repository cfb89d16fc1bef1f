"""Counts read the Indonesian way on the public pages: a dot between thousands ("1.234 paket"),
never "1234 paket"; fiscal years stay as they are written ("2018")."""

import datetime
import re

import pytest
from django.urls import reverse

from agencies.models import Agency
from contracts import public_cache
from contracts.models import Process, Status, Supplier, make_ocid

NOW = datetime.datetime(2019, 1, 2, tzinfo=datetime.UTC)
MANY = 1234


@pytest.fixture
def many():
    """1,234 published packages of one agency in 2018, all won by one supplier."""
    health = Agency.objects.get(code="dinas-kesehatan")
    supplier = Supplier.objects.create(name="CV Sehat Sentosa", npwp="0012345678901000")
    Process.objects.bulk_create(
        Process(
            pk=pk,
            ocid=make_ocid(pk),
            agency=health,
            fiscal_year=2018,
            title=f"Pengadaan obat puskesmas {pk}",
            status=Status.PUBLISHED,
            published_at=NOW,
            budget_amount=100_000_000,
            supplier=supplier,
        )
        for pk in Process.objects.allocate_ids(MANY)
    )
    public_cache.changed()
    return {"agency": health, "supplier": supplier}


def page(client, name, *args, **query):
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_home_page_counts_with_a_thousands_dot(client, many):
    html = page(client, "home", tahun="2018")
    assert '?tahun=2018">1.234</a>' in html


@pytest.mark.django_db
def test_the_list_counts_its_results_and_facets_with_a_thousands_dot(client, many):
    html = page(client, "contracts:process-list")
    assert '<strong data-count="1234">1.234</strong> paket' in html
    assert ">2018 (1.234)</option>" in html
    assert re.search(r'<option value="dinas">[^<]* \(1\.234\)</option>', html)


@pytest.mark.django_db
def test_agency_supplier_openness_and_flag_pages_count_with_a_thousands_dot(client, many):
    agency = page(client, "contracts:agency-detail", many["agency"].code)
    assert '<td data-label="Paket">1.234</td>' in agency and "0 dari 1.234" in agency
    supplier = page(client, "contracts:supplier-detail", many["supplier"].pk)
    assert "Menang 1.234 paket; ikut dalam 1.234 paket" in supplier
    assert '<td data-label="Paket">1.234</td>' in supplier
    openness = page(client, "dashboards:openness", tahun="2018")
    assert "<td>1.234</td>" in openness
    flags = page(client, "integrity:summary", tahun="2018")
    assert "0 dari 1.234 paket yang dipublikasikan" in flags
