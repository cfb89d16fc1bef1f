"""One story for a place's money: the kecamatan page, the map, its table and /angka/ give the
same spending under the same name, the packages of no kecamatan one name everywhere; desa
lead to their packages; a sort by contract value that sorts nothing says so. Expected values
by hand from the `spread` fixture (tests/contracts/test_kecamatan.py)."""

import re

import pytest
from django.urls import reverse

from contracts import spending
from tests.contracts import test_kecamatan as places
from tests.contracts.test_kecamatan import cells, publish
from tests.factories import make_process

# The kecamatan tests' fixtures, shared.
health, operator, spread = places.health, places.operator, places.spread


def detail(client, name, **params):
    return client.get(reverse("contracts:kecamatan-detail", args=[name]), params).content.decode()


@pytest.mark.django_db
def test_a_kecamatan_page_shows_the_maps_spending_beside_pagu_and_contracts(client, spread):
    index = client.get(reverse("contracts:kecamatan-list")).content.decode()
    on_map = cells(index.split("<table", 1)[1], "data-belanja")
    html = detail(client, "dander")
    # Dander 2019: 850 juta of contract, and 300 juta of pagu for the package without one.
    assert '<dt>Belanja</dt><dd data-belanja="1150000000">' in html
    assert '<span class="money">Rp 1.150.000.000</span>' in html
    assert on_map["Dander"] == 1_150_000_000
    assert "Belanja: nilai kontrak, atau pagu bila belum berkontrak;" in html
    assert '<span class="money">Rp 1.200.000.000</span>' in html  # pagu 900 + 300 juta
    assert '<span class="money">Rp 850.000.000</span>' in html  # the one contract
    # Kapas: the contract of its one package, as on the map.
    html = detail(client, "kapas")
    assert '<dd data-belanja="1900000000">' in html and on_map["Kapas"] == 1_900_000_000
    # No package: Rp 0 for each figure, never "—".
    html = detail(client, "malo")
    figures = re.search(r'<dl class="figures figures--tempat">.*?</dl>', html, re.S).group(0)
    assert figures.count('<span class="money">Rp 0</span>') == 3 and "—" not in figures
    # Packages but no contract yet (Dander 2018): said so, not "—" nor Rp 0.
    html = detail(client, "dander", tahun="2018")
    figures = re.search(r'<dl class="figures figures--tempat">.*?</dl>', html, re.S).group(0)
    assert '<span class="figures__kosong">belum ada kontrak</span>' in figures
    assert '<dd data-belanja="500000000">' in figures  # its pagu


@pytest.mark.django_db
def test_the_packages_of_no_kecamatan_have_one_name_everywhere(client, spread):
    pages = [
        client.get(reverse("home")).content.decode(),
        client.get(reverse("contracts:kecamatan-list")).content.decode(),
        client.get(reverse("contracts:spending")).content.decode(),
    ]
    for html in pages:
        assert re.search(rf'<th scope="row"[^>]*>{spending.NO_KECAMATAN}</th>', html)
        assert "Tanpa kecamatan tercatat" not in html


@pytest.mark.django_db
def test_the_home_figures_keep_each_amount_whole(client, spread):
    html = client.get(reverse("home")).content.decode()
    # 2019: pagu 900 juta + 300 juta + 2 miliar + Rp 100; contracts 850 juta + 1,9 miliar.
    assert '<dt>Total pagu</dt><dd><span class="money">Rp 3.200.000.100</span></dd>' in html
    assert (
        '<dt>Total nilai kontrak</dt><dd><span class="money">Rp 2.750.000.000</span></dd>' in html
    )


@pytest.mark.django_db
def test_the_desa_of_a_kecamatans_packages_are_counted_as_recorded(client, health, operator):
    """Each desa recorded on the kecamatan's packages, with their number; not links, for a
    search of the name would also find the packages that merely mention it (a try-out saw
    "Kepohkidul (1 paket)" open a list of 10)."""
    for title, desa, kecamatan in [
        ("Rehabilitasi Polindes", "Sumberarum", "Dander"),
        ("Jalan Poros Desa", "Sumberarum", "Dander"),
        ("Drainase Lingkungan", "Ngumpakdalem", "Dander"),
        ("Talud Sungai", "Sumberarum", "Kapas"),  # the same name elsewhere: not Dander's
        ("Gorong-gorong Sumberarum", "", "Dander"),  # names it, records no desa
    ]:
        publish(
            make_process(
                health,
                title=title,
                location_kecamatan=kecamatan,
                location_desa=desa,
                budget_amount=100_000_000,
            ),
            operator,
        )
    html = detail(client, "dander").split('class="place-desa"', 1)[1].split("</ul>")[0]
    assert '<li data-desa="Sumberarum">Sumberarum <span class="count">(2 paket)</span></li>' in html
    assert 'data-desa="Ngumpakdalem">Ngumpakdalem <span class="count">(1 paket)</span>' in html
    assert "<a " not in html


NOTE = "Belum ada nilai kontrak di pilihan ini; urutan mengikuti paket terbaru."


@pytest.mark.django_db
def test_a_sort_by_contract_value_that_sorts_nothing_says_so(client, spread):
    url = reverse("contracts:process-list")
    # 2018: one package, with no contract value.
    assert NOTE in client.get(url, {"tahun": "2018", "urut": "kontrak"}).content.decode()
    # 2019 has contract values: sorted by them, no note; nor under another sort.
    html = client.get(url, {"tahun": "2019", "urut": "kontrak"}).content.decode()
    assert NOTE not in html
    assert html.index("Pembangunan Puskesmas Kapas") < html.index("Rehabilitasi Polindes")
    assert NOTE not in client.get(url, {"tahun": "2018"}).content.decode()
    # Within 2019, Dander's package without a contract alone.
    html = client.get(url, {"tahun": "2019", "urut": "kontrak", "q": "Posyandu"}).content.decode()
    assert 'data-count="1"' in html and NOTE in html
