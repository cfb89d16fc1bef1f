"""What testers found reading the real data: the package page links its kecamatan, the list
says labels and unknown values in words, downloads refuse bad filters, the supplier page leads
into the list."""

import re

import pytest
from django.urls import reverse

from agencies.models import Agency
from contracts import services
from contracts.models import Bidder, Supplier
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


# --- 1. the work sentence on the pages -----------------------------------------------------


def test_a_tender_finished_without_a_winner_reads_so_on_its_card_and_page(client, health, operator):
    """As /paket/4983/ of the Bojonegoro data: Rp 39,9 M, "Tender Sudah Selesai", no winner."""
    from contracts.models import Process

    process = publish(
        make_process(
            health,
            fiscal_year=2019,
            method="tender",
            budget_amount=39_900_000_000,
            hps_amount=39_900_000_000,
            tender_code="4983",
        ),
        operator,
    )
    Process.objects.filter(pk=process.pk).update(
        source_values={"lpse_tahap": "Tender Sudah Selesai"}
    )
    sentence = (
        "Pekerjaan: belum ada kontrak tercatat. Tender selesai tanpa pemenang tercatat "
        "(LPSE: Tender Sudah Selesai)"
    )
    for url in ["/paket/?tahun=2019", reverse("contracts:process-detail", args=[process.pk])]:
        page = page_of(client, url)
        assert sentence in page, url
        assert "belum dimulai" not in page, url


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


# --- 6. an unknown value gets a word ----------------------------------------------------------


@pytest.fixture
def two_packages(health, operator):
    """Two 2019 packages of Dinas Kesehatan: Rp 300.000.000 in Dander, Rp 900.000.000 in Kapas."""
    return [
        publish(
            make_process(
                health,
                title="Alat Posyandu Dander",
                fiscal_year=2019,
                budget_amount=300_000_000,
                location_kecamatan="Dander",
            ),
            operator,
        ),
        publish(
            make_process(
                health,
                title="Polindes Kapas",
                fiscal_year=2019,
                budget_amount=900_000_000,
                location_kecamatan="Kapas",
            ),
            operator,
        ),
    ]


def shown(page):
    return int(page.split('data-count="', 1)[1].split('"', 1)[0])


def test_an_unknown_agency_code_is_said_and_ignored_like_an_unknown_method(client, two_packages):
    page = page_of(client, "/paket/?pd=tidak-ada")
    assert "Perangkat daerah “tidak-ada” tidak dikenal; saringan ini diabaikan." in page
    assert shown(page) == 2  # both packages: the filter is ignored, as for ?metode=arisan
    assert "Paket tidak-ada" not in page
    # A known code filters without a word.
    known = page_of(client, "/paket/?pd=dinas-kesehatan")
    assert "tidak dikenal" not in known and shown(known) == 2


def test_a_kecamatan_outside_the_register_says_why_nothing_matches(client, two_packages):
    page = page_of(client, "/paket/?kecamatan=Atlantis")
    assert shown(page) == 0
    assert (
        "Kecamatan “Atlantis” tidak ada dalam daftar kecamatan; hanya paket yang lokasinya "
        "tertulis persis demikian yang dicari."
    ) in page
    # Any spelling of a register kecamatan is known: no note.
    known = page_of(client, "/paket/?kecamatan=Kec.%20Dander")
    assert shown(known) == 1 and "tidak ada dalam daftar kecamatan" not in known


def test_a_lowest_pagu_above_the_highest_says_nothing_can_match(client, two_packages):
    page = page_of(client, "/paket/?nilai_min=900000000&nilai_max=300000000")
    assert shown(page) == 0
    assert (
        "Pagu terendah Rp\N{NO-BREAK SPACE}900.000.000 lebih besar dari pagu tertinggi "
        "Rp\N{NO-BREAK SPACE}300.000.000: tidak "
        "ada paket yang dapat cocok. Tukar kedua nilai itu."
    ) in page
    # The same bounds the right way round find both packages (300 and 900 million).
    both = page_of(client, "/paket/?nilai_min=300000000&nilai_max=900000000")
    assert shown(both) == 2 and "lebih besar dari pagu tertinggi" not in both


# --- 8. a supplier's page leads into the list -------------------------------------------------


@pytest.fixture
def bidder(health, operator):
    """CV Bangun Desa won a 2018 and a 2019 package and bid for a third (2019) it lost."""
    supplier = Supplier.objects.create(name="CV Bangun Desa", npwp="0012345678901000")
    for year, amount in [(2018, 400_000_000), (2019, 250_000_000)]:
        publish(
            make_process(
                health, fiscal_year=year, supplier=supplier, award_amount=amount, budget_amount=1
            ),
            operator,
        )
    lost = publish(make_process(health, fiscal_year=2019, budget_amount=1), operator)
    Bidder.objects.create(process=lost, supplier=supplier)
    return supplier


def test_the_supplier_page_links_its_packages_in_the_list_and_their_files(client, bidder):
    page = page_of(client, reverse("contracts:supplier-detail", args=[bidder.pk]))
    query = f"penyedia={bidder.pk}"
    assert f'<a href="/paket/?{query}">Lihat semua paketnya di daftar</a>' in page
    for fmt in ["csv", "xlsx", "json"]:
        assert f'<a href="/paket/unduh.{fmt}?{query}" data-format="{fmt}">' in page
    # Three packages (two won, one bid for): the list and the CSV the link gives say as much.
    assert 'data-selection-count="3"' in page
    listed = page_of(client, f"/paket/?{query}")
    assert 'data-count="3"' in listed
    response = client.get(f"/paket/unduh.csv?{query}")
    assert b"".join(response.streaming_content).decode("utf-8-sig").count("\n") == 1 + 3


def test_the_supplier_pages_year_chart_and_table_are_both_newest_first(client, bidder):
    page = page_of(client, reverse("contracts:supplier-detail", args=[bidder.pk]))
    table_years = re.findall(r'<td data-label="Tahun">(\d{4})</td>', page)
    chart = page.split('id="grafik-penyedia-per-tahun"', 1)[1].split("</figure>", 1)[0]
    chart_years = re.findall(r">(\d{4}) · \d+ paket<", chart)
    assert table_years == ["2019", "2018"]
    # The chart's bars and the table beside it, each naming the two years once.
    assert chart_years[: len(chart_years) // 2] == ["2019", "2018"]
    assert chart_years[len(chart_years) // 2 :] == ["2019", "2018"]
