"""Browse by place: the kecamatan pages, the index with its map and table, and the home
page's way in. Every number is the list's own count for `?kecamatan=`, and the database's."""

import re
from urllib.parse import quote

import pytest
from django.urls import reverse

from agencies.models import Agency, Kecamatan
from contracts import kecamatan as places
from contracts import public_cache, services
from contracts.models import Supplier
from tests.factories import make_operator, make_process
from tests.imports.test_imports import csv_bytes, import_plans, sirup_row
from tests.sitemaps import whole_sitemap


@pytest.fixture
def health(db):
    return Agency.objects.get(code="dinas-kesehatan")


@pytest.fixture
def operator(health):
    return make_operator(health)


def publish(process, by):
    services.publish_process(process=process, by=by)
    return process


@pytest.fixture
def spread(health, operator):
    """2019: two packages in Dander (one with a contract), one in Kapas, one with no place, a
    draft in Dander; 2018: one in Dander."""
    supplier = Supplier.objects.create(name="CV Bangun Desa", npwp="0012345678901000")
    publish(
        make_process(
            health,
            title="Rehabilitasi Polindes Sumberarum",
            fiscal_year=2019,
            budget_amount=900_000_000,
            contract_amount=850_000_000,
            supplier=supplier,
            location_kecamatan="Dander",
        ),
        operator,
    )
    publish(
        make_process(
            health,
            title="Pengadaan Alat Posyandu Dander",
            fiscal_year=2019,
            budget_amount=300_000_000,
            location_kecamatan="Dander",
        ),
        operator,
    )
    publish(
        make_process(
            health,
            title="Pembangunan Puskesmas Kapas",
            fiscal_year=2019,
            budget_amount=2_000_000_000,
            contract_amount=1_900_000_000,
            location_kecamatan="Kapas",
        ),
        operator,
    )
    publish(
        make_process(health, title="Obat Generik", fiscal_year=2019, budget_amount=100), operator
    )
    make_process(health, title="Draf Dander", fiscal_year=2019, location_kecamatan="Dander")
    publish(
        make_process(
            health,
            title="Sumur Bor Dander 2018",
            fiscal_year=2018,
            budget_amount=500_000_000,
            location_kecamatan="Dander",
        ),
        operator,
    )


def list_count(client, **params):
    html = client.get(reverse("contracts:process-list"), params).content.decode()
    return int(re.search(r'data-count="(\d+)"', html).group(1))


def cells(html, attribute, end="tr"):
    """{kecamatan: number} of the table's rows (end="a": the map's tiles) carrying
    data-kecamatan and `attribute`."""
    found = {}
    for name, rest in re.findall(rf'data-kecamatan="([^"]+)"(.*?)</{end}>', html, re.S):
        found[name] = int(re.search(rf'{attribute}="(\d+)"', rest).group(1))
    return found


@pytest.mark.django_db
def test_the_map_its_table_and_the_list_agree(client, spread):
    html = client.get(reverse("contracts:kecamatan-list")).content.decode()
    assert "Tahun anggaran 2019" in html  # the latest published year by default
    tiles, table = html.split("<table", 1)
    tile_packages, tile_spending = (
        cells(tiles, "data-paket", "a"),
        cells(tiles, "data-belanja", "a"),
    )
    row_packages, row_spending = cells(table, "data-paket"), cells(table, "data-belanja")
    assert len(tile_packages) == len(row_packages) == 28  # every kecamatan of the register
    assert tile_packages == row_packages and tile_spending == row_spending
    # By hand: Dander 850 juta of contract + 300 juta of pagu (no contract); Kapas its contract.
    assert (row_packages["Dander"], row_spending["Dander"]) == (2, 1_150_000_000)
    assert (row_packages["Kapas"], row_spending["Kapas"]) == (1, 1_900_000_000)
    assert (row_packages["Malo"], row_spending["Malo"]) == (0, 0)
    assert 'data-tanpa-kecamatan="1"' in table  # the package with no place is not lost
    assert 'data-semua-paket="4"' in table  # all four published packages of 2019
    # The footer's spending, filled: the unplaced package's pagu (no contract), and the year's
    # 850 juta + 300 juta + 1.900 juta + Rp 100.
    assert '<th scope="row">Tanpa kecamatan atau di luar daftar</th>' in table
    assert 'data-belanja-tanpa-kecamatan="100">Rp 100</td>' in table
    assert 'data-belanja-semua="3050000100">Rp 3.050.000.100</td>' in table
    # The spending's definition is said beside the map and in the table's heading.
    assert "Warna menurut <strong>Belanja</strong>: nilai kontrak, atau pagu bila" in tiles
    assert "(nilai kontrak, atau pagu bila belum berkontrak)</span></th>" in table
    for name, count in row_packages.items():
        assert list_count(client, kecamatan=name, tahun=2019) == count, name
    # The tiles link to each kecamatan's page in the year shown, and name it for screen readers.
    assert 'href="/kecamatan/dander/?tahun=2019"' in tiles
    assert 'aria-label="Dander: 2 paket, Rp 1.150.000.000"' in tiles
    # Another year: Dander's 2018 package alone.
    html = client.get(reverse("contracts:kecamatan-list"), {"tahun": "2018"}).content.decode()
    assert cells(html.split("<table", 1)[1], "data-paket")["Dander"] == 1


@pytest.mark.django_db
def test_the_legend_names_the_bands_in_rupiah(client, spread):
    html = client.get(reverse("contracts:kecamatan-list")).content.decode()
    # Two kecamatan spend: Rp 1.150.000.000 and Rp 1.900.000.000, each rounded up to two digits.
    # Each amount kept whole on its line (span.money): "Rp" never parts from its digits.
    assert 'Tanpa paket atau <span class="money">Rp 0</span>' in html
    money = '<span class="money">{}</span>'
    assert f"{money.format('Rp 1')} \N{EN DASH} {money.format('Rp 1.200.000.000')}" in html
    assert (
        f"{money.format('Rp 1.200.000.001')} \N{EN DASH} {money.format('Rp 1.900.000.000')}" in html
    )
    assert html.count('class="peta__k peta__k--0"') == 26
    # Two bands, spread over the scale so the top one is the darkest.
    assert html.count('class="peta__k peta__k--2"') == 1  # Dander
    assert html.count('class="peta__k peta__k--4"') == 1  # Kapas
    assert (
        '<span class="peta__warna peta__k--4" aria-hidden="true"></span> '
        '<span class="money">Rp 1.200.000.001</span>' in html
    )


def test_spending_bands_split_the_kecamatan_that_spend():
    limits = places.band_limits([0, 100, 250, 1000, 1234])
    assert limits == [100, 250, 1000, 1300]
    assert [places.band(v, limits) for v in (0, 100, 101, 250, 999, 1234)] == [0, 1, 2, 2, 3, 4]
    assert places.band_limits([0, 0]) == []
    assert places.band_limits([7, 7, 7]) == [7]
    assert [places.shade(b, 4) for b in range(5)] == [0, 1, 2, 3, 4]
    assert [places.shade(b, 3) for b in range(4)] == [0, 1, 3, 4]
    assert [places.shade(b, 2) for b in range(3)] == [0, 2, 4]
    assert places.shade(1, 1) == 4


def test_the_layout_places_every_kecamatan_of_the_register_once():
    from agencies.places import REGISTER_FILE

    with open(REGISTER_FILE, encoding="utf-8") as handle:
        register = {line.split(",")[1] for line in handle if line.rstrip().endswith(",kecamatan")}
    positions = places.layout()
    assert set(positions) == register and len(register) == 28
    assert len(set(positions.values())) == 28  # no two tiles on one spot


@pytest.mark.django_db
def test_a_kecamatan_missing_from_the_layout_stays_in_the_table(
    client, spread, tmp_path, monkeypatch
):
    # A register grown by a kecamatan the layout file does not place yet: said, not dropped.
    lines = places.MAP_FILE.read_text(encoding="utf-8").splitlines()
    shorter = tmp_path / "peta.csv"
    shorter.write_text("\n".join(line for line in lines if ",Dander," not in line) + "\n")
    monkeypatch.setattr(places, "MAP_FILE", shorter)
    html = client.get(reverse("contracts:kecamatan-list")).content.decode()
    tiles, table = html.split("<table", 1)
    assert tiles.count('class="peta__petak"') == 27
    assert cells(table, "data-paket")["Dander"] == 2
    assert "Belum ada di peta (ada di tabel): Dander." in html


@pytest.mark.django_db
def test_a_kecamatan_page_shows_its_packages_of_the_year(client, spread):
    html = client.get(reverse("contracts:kecamatan-detail", args=["dander"])).content.decode()
    assert "<h1>Kecamatan Dander</h1>" in html
    assert 'data-count="2"' in html
    assert "Rp 1.200.000.000" in html  # pagu: 900 juta + 300 juta
    assert "Rp 850.000.000" in html  # the one contract
    assert "Rehabilitasi Polindes Sumberarum" in html
    assert "<dt>Penyedia</dt><dd>CV Bangun Desa</dd>" in html
    assert "Pengadaan Alat Posyandu Dander" in html
    assert "Sumur Bor Dander 2018" not in html and "Draf Dander" not in html
    assert 'href="/paket/?kecamatan=Dander&amp;tahun=2019"' in html
    assert list_count(client, kecamatan="Dander", tahun=2019) == 2
    html = client.get(
        reverse("contracts:kecamatan-detail", args=["dander"]), {"tahun": "2018"}
    ).content.decode()
    assert 'data-count="1"' in html and "Sumur Bor Dander 2018" in html
    # A year with no package there says so.
    html = client.get(reverse("contracts:kecamatan-detail", args=["malo"])).content.decode()
    assert 'data-count="0"' in html
    assert "Belum ada paket TA 2019 yang dipublikasikan dengan lokasi di Kecamatan Malo" in html


@pytest.mark.django_db
def test_a_kecamatan_page_pages_its_packages(client, health, operator):
    for n in range(27):
        publish(
            make_process(health, title=f"Paket Kapas {n}", location_kecamatan="Kapas"), operator
        )
    url = reverse("contracts:kecamatan-detail", args=["kapas"])
    html = client.get(url).content.decode()
    assert 'data-count="27"' in html and html.count('class="package"') == 25
    assert "Halaman 1 dari 2" in html and "?tahun=2018&amp;halaman=2" in html
    html = client.get(url, {"tahun": "2018", "halaman": "2"}).content.decode()
    assert html.count('class="package"') == 2


@pytest.mark.django_db
def test_any_spelling_redirects_to_the_page_and_an_unknown_place_is_not_found(client, spread):
    detail = reverse("contracts:kecamatan-detail", args=["sumberejo"])
    assert detail == "/kecamatan/sumberejo/"
    for typed in ["Sumberejo", "sumberrejo", "Kec.%20Sumber%20Rejo", "kecamatan-sumberrejo"]:
        response = client.get(f"/kecamatan/{typed}/", {"tahun": "2018"})
        assert response.status_code == 301, typed
        assert response["Location"] == detail + "?tahun=2018"
    response = client.get("/kecamatan/atlantis/")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()
    # The home page's choice: a name, any spelling, to its page (in the year shown there).
    response = client.get(
        reverse("contracts:kecamatan-list"), {"nama": "Sumberrejo", "tahun": "2019"}
    )
    assert (response.status_code, response["Location"]) == (302, detail + "?tahun=2019")
    response = client.get(reverse("contracts:kecamatan-list"), {"nama": "Atlantis"})
    assert response.status_code == 200
    assert "Kecamatan “Atlantis” tidak ada dalam daftar wilayah" in response.content.decode()


@pytest.mark.django_db
def test_packages_spelled_otherwise_count_as_in_the_list(client):
    # SiRUP writes the place its own ways; the import resolves them to the register's name.
    import_plans(
        csv_bytes(
            [
                sirup_row(kode_rup=str(17000100 + n), nama_paket=f"Paket {n}", detail_lokasi=text)
                for n, text in enumerate(
                    [
                        "Kec. Sumberrejo - Bojonegoro (Kab.)",
                        "Kecamatan Sumberrejo",
                        "Puskesmas Mejuwet",  # a desa of Sumberejo
                        "Kecamatan Dander",
                    ]
                )
            ]
        )
    )
    html = client.get(reverse("contracts:kecamatan-detail", args=["sumberejo"])).content.decode()
    assert 'data-count="3"' in html
    assert list_count(client, kecamatan="Kec. Sumberrejo", tahun=2018) == 3
    assert "Mejuwet <span" in html  # its desa, as the register writes it
    # Its office, which the agency register spells "Kecamatan Sumberrejo".
    assert 'href="/perangkat-daerah/kecamatan-sumberrejo/"' in html
    index = client.get(reverse("contracts:kecamatan-list")).content.decode()
    assert cells(index.split("<table", 1)[1], "data-paket")["Sumberejo"] == 3


@pytest.mark.django_db
def test_the_home_page_offers_the_kecamatan_and_the_map(client, spread):
    html = client.get(reverse("home")).content.decode()
    assert 'action="/kecamatan/"' in html and '<select id="pilih-kecamatan" name="nama"' in html
    assert html.count("<option value=") >= 28 + 2  # the register, and the years
    assert '<option value="Sumberejo">Sumberejo</option>' in html
    assert '<input type="hidden" name="tahun" value="2019">' in html
    assert html.count('class="peta__petak"') == 28
    assert "Tabel per kecamatan, TA 2019" in html


@pytest.mark.django_db
def test_the_sitemap_lists_the_kecamatan_pages(client, spread):
    body = whole_sitemap(client)
    assert "/kecamatan/</loc>" in body
    # Each page once per language (the list and every kecamatan), with its alternates beside.
    pages = 1 + Kecamatan.objects.count()
    assert len(re.findall(r"<loc>http://testserver/kecamatan/", body)) == pages
    assert len(re.findall(r"<loc>http://testserver/en/kecamatan/", body)) == pages
    assert "/kecamatan/sumberejo/</loc>" in body and "/en/kecamatan/sumberejo/</loc>" in body


# --- speed guarded by structure --------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("many", [5, 30])
def test_the_place_pages_run_a_fixed_number_of_queries(
    client, health, operator, django_assert_num_queries, many
):
    for n in range(many):
        publish(
            make_process(health, title=f"Paket {n}", location_kecamatan="Dander", budget_amount=n),
            operator,
        )
    pages = [
        # years (value and versions in one read), the fragment's versions and entry; the
        # page's kecamatan first
        (reverse("contracts:kecamatan-list"), {}, 3, COLD_INDEX_QUERIES),
        (reverse("contracts:kecamatan-detail", args=["dander"]), {}, 5, COLD_DETAIL_QUERIES),
    ]
    for url, params, warm, cold in pages:
        public_cache.changed()
        with django_assert_num_queries(cold):
            assert client.get(url, params).status_code == 200
        with django_assert_num_queries(warm):
            client.get(url, params)


# Cold, after a change: besides the warm reads, the years' loose scan, the register and the
# grouped totals (index) or the figures and the desa (page), the cards and the kecamatan's
# office (page), and three cache writes of five statements each (count, savepoint, read,
# insert, release); the footer's spending comes from the same grouped query as the rows.
COLD_INDEX_QUERIES = 22
COLD_DETAIL_QUERIES = 25


@pytest.mark.django_db
def test_odd_addresses_get_an_answer_never_an_error(client, spread):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(name=st.text(max_size=120), year=st.text(max_size=12))
    def check(name, year):
        typed = name.replace("/", "").replace("\x00", "")
        if typed.strip():
            page = client.get(f"/kecamatan/{quote(typed)}/", {"tahun": year})
            # 400: a NUL byte is refused by the request guard ("Permintaan tidak sah"), as anywhere.
            assert page.status_code in (200, 301, 400, 404)
        index = client.get(reverse("contracts:kecamatan-list"), {"nama": name, "tahun": year})
        assert index.status_code in (200, 302, 400)

    check()
