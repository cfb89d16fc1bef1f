"""The public list says what it lists: its heading names every filter in use, the supplier
included, and the filter panel's summary counts them."""

import pytest
from django.urls import reverse

from agencies.models import Agency
from contracts import services
from contracts.list_heading import active_filters, describe
from contracts.models import Supplier
from tests.factories import make_operator, make_process


@pytest.fixture
def supplier(db):
    health = Agency.objects.get(code="dinas-kesehatan")
    supplier = Supplier.objects.create(name="CV Bangun Desa", npwp="0012345678901000")
    services.publish_process(
        process=make_process(
            health, fiscal_year=2019, location_kecamatan="Sumberejo", supplier=supplier
        ),
        by=make_operator(health),
    )
    return supplier


@pytest.mark.django_db
def test_the_heading_names_the_place_the_year_and_the_supplier(client, supplier):
    html = client.get(
        reverse("contracts:process-list"),
        {"kecamatan": "Kec. Sumberrejo", "tahun": "2019", "penyedia": supplier.pk},
    ).content.decode()
    assert (
        '<h1 id="judul-daftar">Paket di Kecamatan Sumberejo, TA 2019, penyedia CV Bangun Desa</h1>'
        in html
    )
    assert "<summary>Saringan (3 aktif)</summary>" in html
    assert 'data-count="1"' in html
    # Nothing chosen: the plain heading, no count.
    html = client.get(reverse("contracts:process-list")).content.decode()
    assert '<h1 id="judul-daftar">Paket pengadaan</h1>' in html
    assert "<summary>Saringan</summary>" in html


@pytest.mark.django_db
def test_every_filter_is_put_in_words():
    params = {
        "pd": "dinas-kesehatan",
        "jenis_pd": "dinas",
        "tahun": 2018,
        "tahap": "kontrak",
        "metode": "tender",
        "jenis": "barang",
        "dana": "DAK",
        "lengkap": "tidak",
        "tanda": "peserta_tunggal",
        "nilai_min": 1_000_000,
        "nilai_max": 2_500_000_000,
        "penyedia": 999_999,  # no such supplier: said as typed, not dropped
        "q": "jalan",
        "urut": "nama",
    }
    assert describe(params) == (
        "Paket Dinas Kesehatan, TA 2018, jenis perangkat daerah Dinas, tahap Kontrak, "
        "metode Tender, Barang, sumber dana DAK, tanda “Satu peserta pada tender terbuka”, "
        "data tahap belum lengkap, pagu dari Rp\N{NO-BREAK SPACE}1.000.000, pagu sampai "
        "Rp\N{NO-BREAK SPACE}2.500.000.000, "
        "penyedia nomor 999999, untuk “jalan”"
    )
    assert active_filters(params) == 12  # the search and the sort are not filters
    assert describe({"kecamatan": "Atlantis"}) == "Paket di Kecamatan Atlantis"


@pytest.mark.django_db
def test_naming_the_filters_costs_one_lookup_per_named_filter(
    client, supplier, django_assert_num_queries
):
    params = {"kecamatan": "Sumberejo", "penyedia": supplier.pk, "tahun": "2019"}
    client.get(reverse("contracts:process-list"), params)
    # The list's five warm queries (tests/contracts/test_public.py), and the kecamatan's and
    # the supplier's names for the heading; a year or a choice is named without a query. One
    # more: whether the kecamatan is in the register, to say so when it is not
    # (contracts.filter_words).
    with django_assert_num_queries(8):
        client.get(reverse("contracts:process-list"), params)
    plain = {"tahun": "2019"}  # the same package, named by year alone
    client.get(reverse("contracts:process-list"), plain)
    with django_assert_num_queries(5):
        client.get(reverse("contracts:process-list"), plain)
