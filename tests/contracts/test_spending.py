"""The public charts: their numbers are the database's, their tables hold the same numbers,
their SVG is well-formed and their bars are as long as their values say."""

import re

import pytest
from defusedxml import ElementTree as ET
from django.urls import reverse

from agencies.models import Agency, Kecamatan
from contracts import spending
from contracts.charts import MAX_BAR, bar_chart, short_rupiah
from contracts.models import Supplier
from tests.contracts.test_public import publish
from tests.factories import make_operator, make_process

SVG = "{http://www.w3.org/2000/svg}"


# --- the chart module, without the database ------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (None, "—"),
        (0, "Rp 0"),
        (750, "Rp 750"),
        (250_000, "Rp 250 rb"),
        (150_000_000, "Rp 150 jt"),
        (12_500_000_000, "Rp 12,5 M"),
        (1_250_000_000, "Rp 1,3 M"),  # one decimal: 1,25 rounds half up to 1,3
        (1_200_000_000_000, "Rp 1,2 T"),
        (999_960_000, "Rp 1 M"),  # not "Rp 1.000 jt"
        (140_000_000, "Rp 140 jt"),
        (99_940_000, "Rp 99,9 jt"),
    ],
)
def test_short_rupiah_writes_indonesian_units(amount, text):
    assert short_rupiah(amount) == text


def chart_of(rows, **kwargs):
    from contracts.charts import Series

    return bar_chart(
        rows,
        slug="uji",
        title="Uji",
        series=kwargs.pop("series", [Series("a", "Pagu"), Series("b", "Nilai kontrak")]),
        label=lambda row: row["name"],
        label_heading="Nama",
        empty_text="Tidak ada data.",
        **kwargs,
    )


def test_each_bar_is_as_long_as_its_value_on_one_scale():
    chart = chart_of(
        [
            {"name": "satu", "a": 400, "b": 100},
            {"name": "dua", "a": 800, "b": 0},
            {"name": "tiga", "a": 200, "b": None},
        ]
    )
    lengths = {(g.label, b.series_name): b.length for g in chart.groups for b in g.bars}
    assert lengths[("dua", "Pagu")] == MAX_BAR  # the largest value fills the scale
    assert lengths[("satu", "Pagu")] == MAX_BAR / 2
    assert lengths[("satu", "Nilai kontrak")] == MAX_BAR / 8
    assert lengths[("tiga", "Pagu")] == MAX_BAR / 4
    zero = chart.groups[1].bars[1]
    assert (zero.length, zero.drawn, zero.text) == (0, True, "Rp 0")
    unknown = chart.groups[2].bars[1]
    assert (unknown.length, unknown.drawn, unknown.text) == (0, False, "—")
    # The groups stack downwards without overlapping, inside the viewBox.
    tops = [g.bars[0].y for g in chart.groups]
    assert tops == sorted(tops) and len(set(tops)) == 3
    assert chart.groups[-1].bars[-1].y + chart.groups[-1].bars[-1].height <= chart.height
    assert [entry.name for entry in chart.legend] == ["Pagu", "Nilai kontrak"]
    assert chart.description == (
        "Uji. satu: Pagu Rp 400, Nilai kontrak Rp 100; dua: Pagu Rp 800, Nilai kontrak Rp 0; "
        "tiga: Pagu Rp 200, Nilai kontrak —."
    )


def test_all_zero_or_unknown_values_draw_no_bar_and_divide_by_nothing():
    chart = chart_of([{"name": "satu", "a": 0, "b": None}])
    assert [b.length for b in chart.groups[0].bars] == [0, 0]
    assert not chart.is_empty  # the row is known; only its amounts are zero or unknown


def test_a_row_of_zeros_can_take_one_line():
    rows = [{"name": "satu", "a": 400, "b": 100}, {"name": "nol", "a": 0, "b": 0}]
    full, short = chart_of(rows), chart_of(rows, zero_row_text="tidak ada paket")
    assert short.groups[1].note == "tidak ada paket"
    assert [bar.shown for bar in short.groups[1].bars] == [False, False]
    assert short.height < full.height
    assert short.groups[1].label_y < short.height  # the last line inside the drawing
    assert short.description == full.description  # the text alternative names the zeros
    assert short.table_rows == full.table_rows


def test_a_row_aside_is_in_the_table_only_and_off_the_scale():
    from contracts.charts import Series

    rows = [{"name": "satu", "a": 400, "b": 100}, {"name": "dua", "a": 200, "b": None}]
    rest = {"name": "sisa", "a": 10_000, "b": None}
    chart = chart_of(
        rows,
        series=[Series("a", "Pagu"), Series("b", "Nilai kontrak", unknown="belum ada kontrak")],
        aside=[rest],
        notes=["Sisa tidak digambar."],
    )
    # The largest drawn value, 400, sets the scale, not the 10.000 aside.
    assert [g.label for g in chart.groups] == ["satu", "dua"]
    assert chart.groups[0].bars[0].length == MAX_BAR
    assert chart.groups[1].bars[0].length == MAX_BAR / 2
    assert chart.groups[1].bars[1].text == "—"  # the bar's end: unknown
    assert [row.label for row in chart.table_rows] == ["satu", "dua", "sisa"]
    assert chart.table_rows[1].cells[1] == ("Nilai kontrak", "belum ada kontrak")
    assert chart.table_rows[2].cells == [
        ("Pagu", "Rp 10.000"),
        ("Nilai kontrak", "belum ada kontrak"),
    ]
    assert chart.notes == ["Sisa tidak digambar."]


def test_no_rows_make_an_empty_chart_with_its_sentence():
    from django.template.loader import render_to_string

    chart = chart_of([])
    assert chart.is_empty
    assert chart.description == "Tidak ada data."
    html = render_to_string("_partials/bar_chart.html", {"chart": chart})
    assert '<p class="empty">Tidak ada data.</p>' in html
    assert "<svg" not in html and "<table" not in html
    assert "<figcaption" in html and "Uji" in html  # the empty chart still says what it is


# --- the figures, from the database --------------------------------------------------------


@pytest.fixture
def health():
    return Agency.objects.get(code="dinas-kesehatan")


@pytest.fixture
def kapas():
    return Agency.objects.get(code="kecamatan-kapas")


@pytest.fixture
def spent(health, kapas):
    """Four published packages in two years, two won by one supplier; a draft and a sample
    that no public figure may count.

    | agency (kind)     | year | method             | kecamatan | pagu          | contract      |
    | Dinkes (dinas)    | 2018 | tender             | Dander    | 1.250.000.000 | 1.100.000.000 |
    | Dinkes (dinas)    | 2019 | pengadaan_langsung | DANDER    |   150.000.000 |   140.000.000 |
    | Kapas (kecamatan) | 2019 | tender             | Kapas     |   600.000.000 | —             |
    | Dinkes (dinas)    | 2019 | swakelola          | (none)    |    50.000.000 | —             |
    """
    health_operator, kapas_operator = make_operator(health), make_operator(kapas)
    supplier = Supplier.objects.create(name="CV Jaya & Abadi <Sentosa>")  # escaped in the SVG

    def package(agency, by, **fields):
        return publish(make_process(agency, **fields), by)

    package(
        health,
        health_operator,
        fiscal_year=2018,
        method="tender",
        location_kecamatan="Dander",
        budget_amount=1_250_000_000,
        award_amount=1_100_000_000,
        contract_amount=1_100_000_000,
        supplier=supplier,
    )
    package(
        health,
        health_operator,
        fiscal_year=2019,
        method="pengadaan_langsung",
        location_kecamatan="DANDER",
        budget_amount=150_000_000,
        award_amount=140_000_000,
        contract_amount=140_000_000,
        supplier=supplier,
    )
    package(
        kapas,
        kapas_operator,
        fiscal_year=2019,
        method="tender",
        location_kecamatan="Kapas",
        budget_amount=600_000_000,
    )
    package(health, health_operator, fiscal_year=2019, method="swakelola", budget_amount=50_000_000)
    make_process(health, fiscal_year=2019, method="tender", budget_amount=9_000_000_000)  # draft
    package(
        health,
        health_operator,
        fiscal_year=2019,
        method="tender",
        location_kecamatan="Kapas",
        budget_amount=7_000_000_000,
        is_sample=True,
    )
    return supplier


@pytest.mark.django_db
def test_the_figures_are_the_published_packages_grouped(spent):
    assert spending.per_year() == [
        {"fiscal_year": 2018, "packages": 1, "budget": 1_250_000_000, "contracts": 1_100_000_000},
        {"fiscal_year": 2019, "packages": 3, "budget": 800_000_000, "contracts": 140_000_000},
    ]
    assert [(r["label"], r["packages"], r["budget"], r["contracts"]) for r in
            spending.per_method(2019)] == [
        ("Tender", 1, 600_000_000, None),
        ("Pengadaan Langsung", 1, 150_000_000, 140_000_000),
        ("Swakelola", 1, 50_000_000, None),
    ]  # fmt: skip
    assert [(r["label"], r["packages"], r["budget"], r["contracts"]) for r in
            spending.per_agency_kind(2019)] == [
        ("Dinas", 2, 200_000_000, 140_000_000),
        ("Kecamatan", 1, 600_000_000, None),
    ]  # fmt: skip
    places = spending.per_kecamatan(2019)
    register = Kecamatan.objects.count()
    assert register == 28
    assert len(places) == register + 1  # every kecamatan, and the packages of none
    assert places[0] == {
        "name": "Kapas",
        "packages": 1,
        "budget": 600_000_000,
        "contracts": None,
        "spending": 600_000_000,  # no contract yet: its pagu
    }
    assert places[1] == {
        "name": "Dander",
        "packages": 1,
        "budget": 150_000_000,
        "contracts": 140_000_000,
        "spending": 140_000_000,
    }
    quiet = places[2:-1]
    assert all(r["packages"] == 0 and r["budget"] == 0 for r in quiet)
    assert [r["name"] for r in quiet] == sorted(r["name"] for r in quiet)
    assert places[-1] == {
        "name": spending.NO_KECAMATAN,
        "packages": 1,
        "budget": 50_000_000,
        "contracts": None,
        "spending": 50_000_000,
    }
    # The year's spending: 140 juta of contract, 600 juta and 50 juta of pagu.
    from contracts.kecamatan import totals_per_kecamatan

    totals = totals_per_kecamatan(2019)
    assert (totals["spending"], totals["unplaced_spending"]) == (790_000_000, 50_000_000)


def figure(html, slug):
    """The chart's <figure> as XML: it must be well-formed for an XML parser to read it
    (defusedxml: xml.etree's parser, refusing entities)."""
    found = re.search(rf'<figure class="bar-chart" id="{slug}">.*?</figure>', html, re.S)
    assert found, f"no chart {slug}"
    return ET.fromstring(found.group(0))


def drawn(element):
    """The SVG's bars as {(group label, colour): value} and the values written beside them."""
    svg = element.find(f"{SVG}svg")
    assert svg is not None, "no SVG"
    assert svg.get("role") == "img"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    bars = {}
    for group in svg.iter(f"{SVG}g"):
        label = group.find(f"{SVG}text").text
        for rect in group.iter(f"{SVG}rect"):
            value, width = int(rect.get("data-value")), float(rect.get("width"))
            bars[(label, rect.get("fill"))] = (value, width)
    return svg, bars


def table(element):
    """The table's rows as {label: [cell texts]}."""
    rows = {}
    for tr in element.find("details/table/tbody"):
        head = tr.find("th")
        label = "".join(head.itertext())
        rows[label] = [td.text for td in tr.findall("td")]
    return rows


def assert_proportional(bars):
    ratios = {round(width / value, 9) for value, width in bars.values() if value}
    assert len(ratios) == 1, f"bars not on one scale: {bars}"
    assert max(width for _, width in bars.values()) == MAX_BAR


BLUE, ORANGE = "#0b4a6f", "#b35900"


@pytest.mark.django_db
def test_the_home_page_charts_years_and_methods(client, spent):
    html = client.get(reverse("home"), {"tahun": "2019"}).content.decode()

    years = figure(html, "grafik-per-tahun")
    svg, bars = drawn(years)
    assert bars == {
        ("2018", BLUE): (1_250_000_000, MAX_BAR),
        ("2018", ORANGE): (1_100_000_000, pytest.approx(MAX_BAR * 1_100 / 1_250, abs=0.01)),
        ("2019", BLUE): (800_000_000, pytest.approx(MAX_BAR * 800 / 1_250, abs=0.01)),
        ("2019", ORANGE): (140_000_000, pytest.approx(MAX_BAR * 140 / 1_250, abs=0.01)),
    }
    written = [t.text for t in svg.iter(f"{SVG}text")]
    assert [t for t in written if t.startswith("Rp")] == [
        "Rp 1,3 M",
        "Rp 1,1 M",
        "Rp 800 jt",
        "Rp 140 jt",
    ]
    assert table(years) == {
        "2018": ["Rp 1.250.000.000", "Rp 1.100.000.000", "1"],
        "2019": ["Rp 800.000.000", "Rp 140.000.000", "3"],
    }
    desc = svg.find(f"{SVG}desc").text
    assert "2019: Pagu Rp 800.000.000, Nilai kontrak Rp 140.000.000" in desc

    methods = figure(html, "grafik-per-metode")
    svg, bars = drawn(methods)
    assert {key: value for key, (value, _) in bars.items()} == {
        ("Tender", BLUE): 600_000_000,
        ("Pengadaan Langsung", BLUE): 150_000_000,
        ("Pengadaan Langsung", ORANGE): 140_000_000,
        ("Swakelola", BLUE): 50_000_000,
    }  # no contract value for Tender and Swakelola: no bar, a dash
    assert_proportional(bars)
    assert table(methods) == {
        "Tender": ["Rp 600.000.000", "—", "1"],
        "Pengadaan Langsung": ["Rp 150.000.000", "Rp 140.000.000", "1"],
        "Swakelola": ["Rp 50.000.000", "—", "1"],
    }
    # A row leads to the list of the same packages.
    link = methods.find("details/table/tbody/tr/th/a").get("href")
    assert link == reverse("contracts:process-list") + "?tahun=2019&metode=tender"
    assert f'href="{reverse("contracts:spending")}?tahun=2019"' in html


@pytest.mark.django_db
def test_the_spending_page_charts_agency_kinds_and_kecamatan(client, spent):
    html = client.get(reverse("contracts:spending"), {"tahun": "2019"}).content.decode()
    assert "<h1>Belanja dalam angka: tahun anggaran 2019</h1>" in html

    kinds = figure(html, "grafik-per-jenis-pd")
    _, bars = drawn(kinds)
    assert {key: value for key, (value, _) in bars.items()} == {
        ("Dinas", BLUE): 200_000_000,
        ("Dinas", ORANGE): 140_000_000,
        ("Kecamatan", BLUE): 600_000_000,
    }
    assert_proportional(bars)
    assert table(kinds) == {
        "Dinas": ["Rp 200.000.000", "Rp 140.000.000", "2"],
        "Kecamatan": ["Rp 600.000.000", "—", "1"],
    }

    places = figure(html, "grafik-per-kecamatan")
    _, bars = drawn(places)
    rows = table(places)
    assert len(rows) == 29
    # Pagu, contract value, spending (contract, else pagu) and packages. No package: Rp 0;
    # packages without a contract: the table says so, the bar's value reads "—".
    assert rows["Kapas"] == ["Rp 600.000.000", "— (belum ada kontrak)", "Rp 600.000.000", "1"]
    assert rows["Dander"] == ["Rp 150.000.000", "Rp 140.000.000", "Rp 140.000.000", "1"]
    assert rows["Ngasem"] == ["Rp 0", "Rp 0", "Rp 0", "0"]
    assert rows[spending.NO_KECAMATAN] == [
        "Rp 50.000.000",
        "— (belum ada kontrak)",
        "Rp 50.000.000",
        "1",
    ]
    assert list(rows)[-1] == spending.NO_KECAMATAN  # the table's last row
    assert bars[("Kapas", BLUE)] == (600_000_000, MAX_BAR)
    # The packages of no kecamatan are no bar: a sentence under the chart names them.
    assert not any(label == spending.NO_KECAMATAN for label, _ in bars)
    notes = ["".join(p.itertext()) for p in places.findall("p")]
    assert notes[0] == (
        "Tanpa kecamatan atau di luar daftar (1 paket; pagu Rp 50.000.000, nilai kontrak "
        "belum ada) tidak digambar, agar batang kecamatan memakai seluruh lebar grafik; "
        "angkanya ada di baris terakhir tabel."
    )
    assert "Kecamatan tanpa paket ditulis “tidak ada paket” (Rp 0)" in notes[1]
    assert "Belanja = nilai kontrak, atau pagu bila belum berkontrak" in notes[1]
    kapas = next(g for g in places.iter(f"{SVG}g") if g.find(f"{SVG}text").text == "Kapas")
    assert [t.text for t in kapas.iter(f"{SVG}text")] == ["Kapas", "Rp 600 jt", "—"]
    # A kecamatan without a package takes one line: its name and "tidak ada paket".
    assert ("Ngasem", BLUE) not in bars
    ngasem = next(g for g in places.iter(f"{SVG}g") if g.find(f"{SVG}text").text == "Ngasem")
    assert [t.text for t in ngasem.iter(f"{SVG}text")] == ["Ngasem", "tidak ada paket"]
    assert_proportional(bars)
    # The kecamatan's row leads to its packages, which the list counts alike.
    dander = next(a.get("href") for a in places.iter("a") if a.text == "Dander")
    listed = client.get(dander).content.decode()
    assert 'data-count="1"' in listed


@pytest.mark.django_db
def test_the_spending_page_names_a_year_it_has_not(client, spent):
    html = client.get(reverse("contracts:spending"), {"tahun": "20x9"}).content.decode()
    assert "“20x9” bukan tahun; yang ditampilkan tahun anggaran 2019." in html
    assert "tahun anggaran 2019</h1>" in html  # the newest year instead
    html = client.get(reverse("contracts:spending"), {"tahun": "2030"}).content.decode()
    assert (
        "Tahun anggaran 2030 belum punya paket yang dipublikasikan; "
        "yang ditampilkan tahun anggaran 2019." in html
    )
    html = client.get(reverse("contracts:spending"), {"tahun": "2018"}).content.decode()
    assert 'class="notice"' not in html
    assert "tahun anggaran 2018</h1>" in html


@pytest.mark.django_db
def test_without_packages_the_pages_say_so_instead_of_an_empty_chart(client, health):
    html = client.get(reverse("contracts:spending")).content.decode()
    assert "Belum ada paket yang dipublikasikan." in html
    assert "<svg" not in html
    agency = client.get(reverse("contracts:agency-detail", args=[health.code])).content.decode()
    assert "<svg" not in agency


@pytest.mark.django_db
def test_a_year_of_one_agency_kind_only_leaves_the_others_out(client, health):
    operator = make_operator(health)
    publish(make_process(health, fiscal_year=2020, budget_amount=None), operator)
    html = client.get(reverse("contracts:spending")).content.decode()
    kinds = figure(html, "grafik-per-jenis-pd")
    svg, bars = drawn(kinds)
    assert bars == {}  # a package with no pagu: nothing to draw ...
    assert table(kinds) == {"Dinas": ["—", "—", "1"]}  # ... and the table says so
    assert "Dinas: Pagu —, Nilai kontrak —" in svg.find(f"{SVG}desc").text


@pytest.mark.django_db
def test_a_method_outside_the_choices_is_charted_as_stored(client, health):
    operator = make_operator(health)
    publish(make_process(health, fiscal_year=2020, method="lelang_umum", budget_amount=5), operator)
    assert [(r["label"], r["budget"]) for r in spending.per_method(2020)] == [("lelang_umum", 5)]
    html = client.get(reverse("home")).content.decode()
    methods = figure(html, "grafik-per-metode")
    assert table(methods) == {"lelang_umum": ["Rp 5", "—", "1"]}
    assert methods.find(".//tbody//a") is None  # the list's method filter would ignore it


@pytest.mark.django_db
def test_the_agency_page_charts_its_years(client, spent, health):
    html = client.get(reverse("contracts:agency-detail", args=[health.code])).content.decode()
    years = figure(html, "grafik-pd-per-tahun")
    _, bars = drawn(years)
    assert {key: value for key, (value, _) in bars.items()} == {
        ("2018", BLUE): 1_250_000_000,
        ("2018", ORANGE): 1_100_000_000,
        ("2019", BLUE): 200_000_000,
        ("2019", ORANGE): 140_000_000,
    }
    assert_proportional(bars)
    assert table(years) == {
        "2018": ["Rp 1.250.000.000", "Rp 1.100.000.000", "1"],
        "2019": ["Rp 200.000.000", "Rp 140.000.000", "2"],
    }


@pytest.mark.django_db
def test_the_supplier_page_charts_its_wins_per_year(client, spent):
    html = client.get(reverse("contracts:supplier-detail", args=[spent.pk])).content.decode()
    wins = figure(html, "grafik-penyedia-per-tahun")
    svg, bars = drawn(wins)
    title = "Kemenangan CV Jaya & Abadi <Sentosa> per tahun anggaran"
    assert svg.find(f"{SVG}title").text == title  # escaped, so the XML reads it back whole
    assert bars == {
        ("2018 · 1 paket", BLUE): (1_100_000_000, MAX_BAR),
        ("2019 · 1 paket", BLUE): (140_000_000, pytest.approx(MAX_BAR * 140 / 1_100, abs=0.01)),
    }
    assert table(wins) == {
        "2018 · 1 paket": ["Rp 1.100.000.000", "1"],
        "2019 · 1 paket": ["Rp 140.000.000", "1"],
    }


# --- query counts --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_chart_pages_run_a_fixed_number_of_queries(
    client, spent, health, django_assert_num_queries
):
    from contracts import public_cache

    # A cached value read: the value with its data versions, one query; a cached fragment:
    # its versions, then the fragment. Computed anew: its queries, then the cache's write
    # (cull count, savepoint, existing key, insert, release).
    value, read, write = 1, 2, 5
    pages = [
        # (url, params, cold: just after a change, warm: cached)
        # home: the years and the figures as before (one query each), the year's fragment
        # (agencies, kecamatan) and inside it the two charts' rows, one query each, and the
        # kecamatan map's (the grouped packages, which also give the footer's spending, and
        # the register's names); the latest packages' fragment (one query)
        (reverse("home"), {"tahun": "2019"}, 2 * (value + 1 + write) + read + 2 + write
         + 2 * (value + 1 + write) + (value + 2 + write) + read + 1 + write, 2 * value + 2 * read),
        # the spending page: the years, the agency kinds (one query), the kecamatan (the
        # grouped packages and the register's names)
        (reverse("contracts:spending"), {"tahun": "2019"}, (value + 1 + write) * 2
         + value + 2 + write, 3 * value),
        # agency and supplier: the charts are drawn from the rows the pages read already, so
        # the counts are the pages' own: the agency (or supplier), its cached figures (one
        # query; the supplier's three), its cards
        (reverse("contracts:agency-detail", args=[health.code]), {},
         1 + (value + 1 + write) + (read + 1 + write), 1 + value + read),
        (reverse("contracts:supplier-detail", args=[spent.pk]), {},
         1 + (value + 3 + write) + (read + 1 + write), 1 + value + read),
    ]  # fmt: skip
    for url, params, cold, warm in pages:
        public_cache.changed()
        with django_assert_num_queries(cold):
            client.get(url, params)
        with django_assert_num_queries(warm):
            client.get(url, params)
