"""A package whose location names several kecamatan ("Kecamatan Sumberrejo, Balen,
Kedungadem", as Bojonegoro's biggest road contracts are written) is found on each of their
pages, in the list's count for each, in each one's totals and feed; the year's total still
counts it once, and a package of the whole regency stays without a kecamatan."""

import importlib
import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency
from contracts import kecamatan as places
from contracts import services
from contracts.filters import PackageFilter
from contracts.locations import resolve_packages
from contracts.models import Process
from tests.factories import make_operator
from tests.imports.test_imports import csv_bytes, import_plans, sirup_row

ROAD = "Peningkatan Jalan Sumberrejo - Balen - Kedungadem"
ROWS = [
    # (kode RUP, title, pagu, SiRUP's detail_lokasi)
    (
        "17000301",
        ROAD,
        "19.900.000.000",
        "Kecamatan Sumberrejo, Balen, Kedungadem - Bojonegoro (Kab.)",
    ),
    ("17000302", "Rehabilitasi Pasar Balen", "500.000.000", "Kecamatan Balen"),
    ("17000303", "Pengadaan Obat Kabupaten", "300.000.000", "Kab. Bojonegoro - Bojonegoro (Kab.)"),
    ("17000304", "Pembangunan Polindes Dander", "200.000.000", "Kecamatan Dander"),
]


@pytest.fixture
def imported(db):
    """The four plans of ROWS, imported from a SiRUP file (TA 2018, announced: published)."""
    report = import_plans(
        csv_bytes(
            [
                sirup_row(kode_rup=code, nama_paket=title, pagu_rup=pagu, detail_lokasi=place)
                for code, title, pagu, place in ROWS
            ]
        )
    )
    assert report.counts["created"] == 4
    return {p.rup_code: p for p in Process.objects.filter(rup_code__startswith="170003")}


def page_count(client, slug, year=2018):
    html = client.get(reverse("contracts:kecamatan-detail", args=[slug]), {"tahun": year})
    html = html.content.decode()
    return int(re.search(r'data-count="(\d+)"', html).group(1)), html


def list_count(client, **params):
    html = client.get(reverse("contracts:process-list"), params).content.decode()
    return int(re.search(r'data-count="(\d+)"', html).group(1))


@pytest.mark.django_db
def test_the_import_stores_every_kecamatan_the_location_names(imported):
    road = imported["17000301"]
    assert road.location_kecamatan == ""  # several: none stored alone
    assert road.location_kecamatan_all == ["Balen", "Kedungadem", "Sumberejo"]
    assert road.location_detail == "Kecamatan Sumberrejo, Balen, Kedungadem - Bojonegoro (Kab.)"
    market = imported["17000302"]
    assert (market.location_kecamatan, market.location_kecamatan_all) == ("Balen", ["Balen"])
    regency = imported["17000303"]
    assert (regency.location_kecamatan, regency.location_kecamatan_all) == ("", [])
    # The same file again changes nothing.
    report = import_plans(
        csv_bytes(
            [
                sirup_row(kode_rup=code, nama_paket=title, pagu_rup=pagu, detail_lokasi=place)
                for code, title, pagu, place in ROWS
            ]
        )
    )
    assert report.counts["unchanged"] == 4


@pytest.mark.django_db
def test_the_package_is_on_each_kecamatan_page_and_in_each_list_count(client, imported):
    for slug, name, expected in [
        ("sumberejo", "Sumberejo", 1),
        ("balen", "Balen", 2),  # the road and the market
        ("kedungadem", "Kedungadem", 1),
    ]:
        count, html = page_count(client, slug)
        assert count == expected, slug
        assert ROAD in html, slug
        assert list_count(client, kecamatan=name, tahun=2018) == expected, name
    # Spelled as the source spells it.
    assert list_count(client, kecamatan="Kec. Sumberrejo", tahun=2018) == 1
    count, html = page_count(client, "dander")
    assert count == 1 and ROAD not in html
    # Balen's totals: 19,9 miliar + 500 juta of pagu (no contract yet).
    _, html = page_count(client, "balen")
    assert "Rp 20.400.000.000" in html


@pytest.mark.django_db
def test_the_totals_count_it_in_each_kecamatan_and_the_year_once(client, imported):
    totals = places.totals_per_kecamatan(2018)
    rows = {row["name"]: row for row in totals["rows"]}
    assert (rows["Balen"]["packages"], rows["Balen"]["budget"]) == (2, 20_400_000_000)
    assert (rows["Sumberejo"]["packages"], rows["Sumberejo"]["budget"]) == (1, 19_900_000_000)
    assert (rows["Kedungadem"]["packages"], rows["Kedungadem"]["spending"]) == (
        1,
        19_900_000_000,
    )
    assert (rows["Dander"]["packages"], rows["Dander"]["budget"]) == (1, 200_000_000)
    # Only the regency's own package is without a kecamatan; the year counts four, each once,
    # while the rows add up to five (the road in three kecamatan, the market, the polindes).
    assert (totals["unplaced"], totals["unplaced_budget"]) == (1, 300_000_000)
    assert totals["packages"] == 4
    assert sum(row["packages"] for row in totals["rows"]) == 5
    # The year's spending counts the road once (19,9 M + 500 jt + 200 jt + 300 jt of pagu, no
    # contract yet), and the unplaced row's is the regency's package's own: never the year's
    # less the rows' (which count the road three times, and would give minus 39,5 M).
    assert (totals["spending"], totals["unplaced_spending"]) == (20_900_000_000, 300_000_000)
    # The index says so beside the table, which shows the same numbers.
    html = client.get(reverse("contracts:kecamatan-list"), {"tahun": "2018"}).content.decode()
    table = html.split("<table", 1)[1]
    assert 'data-kecamatan="Balen"><th scope="row">' in table
    assert re.search(r'data-kecamatan="Balen">.*?data-paket="2"', table, re.S)
    assert 'data-tanpa-kecamatan="1"' in table
    assert 'data-semua-paket="4"' in table
    assert 'data-belanja-tanpa-kecamatan="300000000"' in table
    assert 'data-belanja-semua="20900000000"' in table
    assert "menyebut beberapa kecamatan dihitung di setiap kecamatan itu" in html


@pytest.mark.django_db
def test_the_kecamatan_feed_lists_its_packages(client, imported):
    body = client.get(reverse("contracts:feed"), {"kecamatan": "Balen"}).content.decode()
    assert "<feed" in body and "Kecamatan Balen" in body
    assert ROAD in body and "Rehabilitasi Pasar Balen" in body
    assert "Polindes Dander" not in body and "Obat Kabupaten" not in body
    body = client.get(reverse("contracts:feed"), {"kecamatan": "sumberrejo"}).content.decode()
    assert ROAD in body and "Rehabilitasi Pasar Balen" not in body
    # A name that is no kecamatan of the regency is not the whole regency's feed.
    assert client.get(reverse("contracts:feed"), {"kecamatan": "Atlantis"}).status_code == 404
    # The page links to it, and to its office's own packages' feed, named as such.
    assert Agency.objects.get(code="kecamatan-balen").name == "Kecamatan Balen"
    _, html = page_count(client, "balen")
    assert (
        '<a href="/feed/paket/?kecamatan=Balen" data-umpan="kecamatan">'
        "umpan Atom paket di Kecamatan Balen</a>" in html
    )
    assert (
        '<a href="/feed/paket/?pd=kecamatan-balen" data-umpan="kantor">'
        "umpan Atom paket yang dikelola Kecamatan Balen</a>" in html
    )


@pytest.mark.django_db
def test_the_kecamatan_feed_runs_a_fixed_number_of_queries(client, imported):
    # The kecamatan named, then the newest fifty packages with their agency and supplier.
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("contracts:feed"), {"kecamatan": "Balen"}).status_code == 200
    assert len(queries) == 2, [q["sql"] for q in queries]


@pytest.mark.django_db
def test_an_operator_who_moves_a_package_moves_its_kecamatan(imported):
    market = imported["17000302"]
    operator = make_operator(market.agency)
    market.location_kecamatan = "Dander"  # the operator knows better than "Kecamatan Balen"
    services.save_process(process=market, by=operator)
    market.refresh_from_db()
    assert market.location_kecamatan_all == ["Dander"]
    totals = {row["name"]: row["packages"] for row in places.totals_per_kecamatan(2018)["rows"]}
    assert (totals["Balen"], totals["Dander"]) == (1, 2)
    # Choosing one of the road's kecamatan keeps it in the others its location names.
    road = imported["17000301"]
    road.location_kecamatan = "Balen"
    services.save_process(process=road, by=operator)
    road.refresh_from_db()
    assert road.location_kecamatan_all == ["Balen", "Kedungadem", "Sumberejo"]
    # The source later names several kecamatan for the market: the operator's Dander stays
    # (the import never blanks it) and the package is in each kecamatan named too.
    code, title, pagu, _ = ROWS[1]
    row = sirup_row(
        kode_rup=code,
        nama_paket=title,
        pagu_rup=pagu,
        detail_lokasi="Kecamatan Balen, Sumberrejo",
        tanggal_terakhir_update="2018-03-01 10:00:00",
    )
    assert import_plans(csv_bytes([row])).counts["updated"] == 1
    market.refresh_from_db()
    assert market.location_kecamatan == "Dander"
    assert market.location_kecamatan_all == ["Balen", "Dander", "Sumberejo"]


@pytest.mark.django_db
def test_an_existing_database_gets_the_lists(imported):
    # As before the migration: nothing listed; the migration's pass and the resolver's fill it.
    Process.objects.update(location_kecamatan_all=[])
    migration = importlib.import_module("contracts.migrations.0026_process_location_kecamatan_all")
    from django.apps import apps

    migration.fill(apps, None)
    named = dict(Process.objects.values_list("rup_code", "location_kecamatan_all"))
    assert named == {
        "17000301": ["Balen", "Kedungadem", "Sumberejo"],
        "17000302": ["Balen"],
        "17000303": [],
        "17000304": ["Dander"],
    }
    Process.objects.update(location_kecamatan_all=[])
    assert resolve_packages() == 3  # the regency's package has none to add
    assert dict(Process.objects.values_list("rup_code", "location_kecamatan_all")) == named


def copies_across_the_register(process, number):
    """`number` published copies of `process` spread over the 28 kecamatan (each its own
    kecamatan, stored and listed), written by one INSERT … SELECT; then ANALYZE, so that the
    planner sees a regency's worth of packages."""
    from agencies.models import Kecamatan

    names = list(Kecamatan.objects.order_by("name").values_list("name", flat=True))
    columns = [f.column for f in Process._meta.concrete_fields]
    chosen = "(%s::varchar[])[1 + n %% 28]"
    override = {
        "id": "10000000 + n",
        "ocid": "ocid || '-' || n",
        "rup_code": "'B' || n",
        "location_kecamatan": chosen,
        "location_kecamatan_all": f"ARRAY[{chosen}]",
    }
    values = [override.get(column, f'p."{column}"') for column in columns]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO contracts_process ({', '.join(columns)}) "  # noqa: S608
            f"SELECT {', '.join(values)} FROM contracts_process p, "
            "generate_series(1, %s) n WHERE p.id = %s",
            [names, names, number, process.pk],
        )
        cursor.execute("ANALYZE contracts_process")


@pytest.mark.django_db
def test_the_kecamatan_filter_reads_the_list_through_its_indexes_at_scale(imported):
    copies_across_the_register(imported["17000304"], 30_000)
    listed = PackageFilter.from_query(QueryDict("kecamatan=Kedungadem")).apply(
        Process.objects.published()
    )
    plan = listed.explain()
    # Each way of being in Kedungadem by its own index, their rows joined (a BitmapOr), then
    # only those rows read. (The samples rule's "any real package?" probe stops at its first
    # row, whatever its plan says.)
    assert "Bitmap Heap Scan on contracts_process " in plan, plan
    assert "BitmapOr" in plan, plan
    assert "Bitmap Index Scan on process_kecamatan_all" in plan, plan
    assert "Bitmap Index Scan on process_kecamatan " in plan, plan
    # 30,000 spread over 28 kecamatan: Kedungadem, the 13th by name, holds the copies with
    # n % 28 == 12 (n = 12, 40, …, 29,996: 1,072 of them), and the road.
    assert listed.count() == 1_072 + 1


@pytest.mark.django_db
def test_a_tender_without_a_plan_names_its_kecamatan_too(client):
    # As the 2019 road came: from the LPSE export alone, its lokasi naming three kecamatan.
    from tests.imports.test_order import import_tenders, tender_row

    report = import_tenders(
        [
            tender_row(
                kode_lelang="7586244",
                id_rup="18959699",
                nama_paket="Peningkatan Jalan Sumberrejo - Kepohkidul I dan II",
                tahun_ang="2019",
                lokasi="Kecamatan Sumberrejo, Balen, Kedungadem - Bojonegoro (Kab.)",
            )
        ]
    )
    assert report.counts["created"] == 1
    road = Process.objects.get(tender_code="7586244")
    assert (road.location_kecamatan, road.location_kecamatan_all) == (
        "",
        ["Balen", "Kedungadem", "Sumberejo"],
    )
    count, html = page_count(client, "sumberejo", year=2019)
    assert count == 1 and f'href="/paket/{road.pk}/"' in html
    # The spending page's chart table counts it under each, and says why.
    html = client.get(reverse("contracts:spending"), {"tahun": "2019"}).content.decode()
    assert "menyebut beberapa kecamatan dihitung di setiap kecamatan itu" in html
    assert "Tanpa kecamatan atau di luar daftar" not in html  # the road names three


@pytest.mark.django_db
def test_a_package_in_several_kecamatan_has_its_kecamatan_in_data_and_files(client, imported):
    """Found by a try-out: the road on three kecamatan pages read "Data yang belum ada:
    kecamatan" and had an empty kecamatan column in paket.csv."""
    import csv
    import io

    road = Process.objects.get(title__startswith=ROAD)
    import json

    missing = json.dumps([row.missing for row in road.completeness.all()]).lower()
    assert "kecamatan" not in missing
    body = client.get(reverse("opendata:selection", args=["csv"]), {"kecamatan": "Balen"})
    rows = list(csv.DictReader(io.StringIO(b"".join(body.streaming_content).decode("utf-8-sig"))))
    by_title = {row["nama_paket"]: row for row in rows}
    assert by_title[road.title]["kecamatan"] == "Balen;Kedungadem;Sumberejo"
