"""The list's selection to take away (CSV, XLSX, JSON) and who leads it, on hand-made data.

Six published packages, a draft and a withdrawn one:

    n  agency  year  method              kecamatan (as written)  winner  award  contract  pagu
    1  health  2018  tender              Sumberejo               Karya   100 M   90 M      400 M
    2  health  2018  tender              sumberejo               Karya   200 M   -         500 M
    3  roads   2018  tender              SUMBEREJO               Bangun  510 M   500 M     600 M
    4  roads   2018  pengadaan_langsung  Dander                  Karya   -       50 M      100 M
    5  roads   2018  tender              Dander                  -       -       -         200 M
    6  health  2019  tender              Sumberejo               Bangun  -       1.000 M   1.100 M
    draft (health 2018, winner Cipta) and withdrawn (roads 2018): never in a selection.

Cipta bid for package 3 (and won nothing published). A package's value in the leaders' box is
its contract value, else its award value.
"""

import csv
import io
import json
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from agencies.models import Agency
from contracts import services
from contracts.models import Bidder, Supplier
from opendata import selection
from opendata.bulk import build
from opendata.columns import TABLES
from opendata.models import BulkFile
from tests.factories import make_operator, make_process, planning_fields

M = 1_000_000


def publish(operator, **fields):
    # One activity for all, so that a search finds the titles' words only.
    planned = planning_fields(activity_name="Belanja Modal", program_name="Program Uji")
    process = make_process(operator.agency, **{**planned, **fields})
    services.publish_process(process=process, by=operator)
    return process


@pytest.fixture
def catalogue(media_root):
    return make_catalogue()


def make_catalogue():
    """The packages of the table above; {"packages": [1..6], "karya", "bangun", "cipta"}."""
    health = Agency.objects.get(code="dinas-kesehatan")
    roads = Agency.objects.get(code="dinas-pu-bina-marga-penataan-ruang")
    at_health, at_roads = make_operator(health), make_operator(roads)
    karya = Supplier.objects.create(name="CV Karya Mandiri", npwp="0012345678901000")
    bangun = Supplier.objects.create(name="PT Bangun Persada", npwp="0098765432109000")
    cipta = Supplier.objects.create(name="CV Cipta Lestari", npwp="0011111111111000")
    rows = [
        (at_health, "Rehabilitasi Jalan Mojo", 2018, "tender", "Sumberejo", karya, 100, 90, 400),
        (at_health, "=1+1 Talud Sungai", 2018, "tender", "sumberejo", karya, 200, None, 500),
        (at_roads, "Jembatan Ngampel", 2018, "tender", "SUMBEREJO", bangun, 510, 500, 600),
        (
            at_roads,
            "Rehabilitasi Gedung Posyandu",
            2018,
            "pengadaan_langsung",
            "Dander",
            karya,
            None,
            50,
            100,
        ),
        (at_roads, "Saluran Irigasi Dander", 2018, "tender", "Dander", None, None, None, 200),
        (
            at_health,
            "Pengaspalan Jalan Poros",
            2019,
            "tender",
            "Sumberejo",
            bangun,
            None,
            1000,
            1100,
        ),
    ]
    made = []
    for operator, title, year, method, place, winner, award, contract, budget in rows:
        made.append(
            publish(
                operator,
                title=title,
                fiscal_year=year,
                method=method,
                location_kecamatan=place,
                budget_amount=budget * M,
                supplier=winner,
                award_amount=award and award * M,
                contract_amount=contract and contract * M,
                contract_number="027/SPK/2018" if contract else "",
            )
        )
    Bidder.objects.create(process=made[2], supplier=cipta, bid_amount=520 * M)
    make_process(health, title="Draf tersembunyi", supplier=cipta, **planning_fields())
    withdrawn = publish(at_roads, title="Paket ditarik", fiscal_year=2018)
    services.withdraw_process(process=withdrawn, by=at_roads, reason="Batal")
    services.save_process(process=made[2], by=at_roads)  # a fresh data version after the bid
    return {"packages": made, "karya": karya, "bangun": bangun, "cipta": cipta}


def listed(client, **query):
    """The list page's HTML and the count it shows."""
    html = client.get(reverse("contracts:process-list"), query).content.decode()
    return html, int(re.search(r'data-count="(\d+)"', html).group(1))


def fetch(client, fmt, **query):
    response = client.get(reverse("opendata:selection", args=[fmt]), query)
    assert response.status_code == 200
    assert response.streaming  # written while read, never whole in memory
    return response, b"".join(response.streaming_content)


def csv_rows(content):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def titles(rows):
    return [row[5] for row in rows[1:]]


SELECTIONS = [
    # (query, titles in the list's order, by hand)
    (
        {"tahun": "2018"},  # newest first: published in the table's order
        [
            "Saluran Irigasi Dander",
            "Rehabilitasi Gedung Posyandu",
            "Jembatan Ngampel",
            "'=1+1 Talud Sungai",
            "Rehabilitasi Jalan Mojo",
        ],
    ),
    (
        {"tahun": "2018", "kecamatan": "kec sumberrejo", "urut": "nilai"},  # pagu, largest first
        ["Jembatan Ngampel", "'=1+1 Talud Sungai", "Rehabilitasi Jalan Mojo"],
    ),
    ({"penyedia": "cipta"}, ["Jembatan Ngampel"]),
    (
        {"q": "rehabilitasi", "urut": "nama"},
        ["Rehabilitasi Gedung Posyandu", "Rehabilitasi Jalan Mojo"],
    ),
    ({"metode": "pengadaan_langsung", "kecamatan": "DANDER"}, ["Rehabilitasi Gedung Posyandu"]),
    ({"q": "jembatan ngampel"}, ["Jembatan Ngampel"]),  # the search's own order: relevance
]


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "expected"), SELECTIONS)
def test_each_file_holds_the_lists_packages_in_its_order(client, catalogue, query, expected):
    if query.get("penyedia") == "cipta":
        query = {**query, "penyedia": str(catalogue["cipta"].pk)}
    _, count = listed(client, **query)
    assert count == len(expected)

    response, content = fetch(client, "csv", **query)
    rows = csv_rows(content)
    assert rows[0] == TABLES["paket"].names  # the bulk file's columns, in its order
    assert titles(rows) == expected
    assert response["Content-Type"].startswith("text/csv")

    _, content = fetch(client, "json", **query)
    data = json.loads(content)
    assert data["jumlah_paket"] == len(data["paket"]) == count
    # JSON is not a spreadsheet: the text as written.
    assert [p["nama_paket"] for p in data["paket"]] == [t.removeprefix("'") for t in expected]
    assert data["kolom"] == TABLES["paket"].names

    response = client.get(reverse("opendata:selection", args=["xlsx"]), query)
    assert response.status_code == 200 and response.streaming
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["paket", "Keterangan"]
    sheet = [list(row) for row in workbook["paket"].iter_rows(values_only=True)]
    assert sheet[0] == TABLES["paket"].names
    # A spreadsheet's text cell: the title as written, no apostrophe, never a formula.
    assert [row[5] for row in sheet[1:]] == [t.removeprefix("'") for t in expected]
    assert {row[5].data_type for row in workbook["paket"].iter_rows(min_row=2)} == {"s"}
    notes = dict(workbook["Keterangan"].iter_rows(values_only=True))
    assert notes["Jumlah paket"] == count


@pytest.mark.django_db
def test_a_row_reads_like_the_same_packages_row_of_the_bulk_file(client, catalogue):
    build(base_url=settings.PORTAL["BASE_URL"])
    assert BulkFile.objects.filter(scope="2018", name="paket.csv").exists()
    stored = client.get(reverse("opendata:download", args=["2018", "paket.csv"]))
    whole_year = {row[0]: row for row in csv_rows(b"".join(stored.streaming_content))[1:]}
    assert len(whole_year) == 5
    _, content = fetch(client, "csv", tahun="2018", kecamatan="Sumberrejo")
    rows = csv_rows(content)[1:]
    assert len(rows) == 3
    for row in rows:
        assert row == whole_year[row[0]]
    posyandu = catalogue["packages"][3]
    _, content = fetch(client, "csv", q="posyandu")
    (row,) = csv_rows(content)[1:]
    assert row == whole_year[posyandu.ocid]
    columns = TABLES["paket"].names
    assert row[columns.index("nilai_kontrak")] == str(50 * M)
    assert row[columns.index("pemenang")] == "CV Karya Mandiri"


@pytest.mark.django_db
def test_the_filters_are_written_in_each_file(client, catalogue):
    cipta = catalogue["cipta"]
    query = {"tahun": "2018", "metode": "tender", "penyedia": str(cipta.pk), "tahun_x": "1"}
    response, content = fetch(client, "csv", **query)
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="paket-pilihan-tahun-2018-metode-tender-penyedia-{cipta.pk}.csv"'
    )
    assert response["Access-Control-Allow-Origin"] == "*"  # open data, as the bulk files
    link = response["Link"]
    assert link.startswith("<http://testserver/paket/?tahun=2018&metode=tender&penyedia=")
    assert link.endswith('>; rel="describedby"; type="text/html"')

    _, content = fetch(client, "json", **query)
    data = json.loads(content)
    assert data["saringan"] == {
        "tahun": 2018,
        "metode": "tender",
        "penyedia": cipta.pk,
        "urut": "terbaru",
    }
    assert data["keterangan_saringan"]["penyedia"] == (
        f"Penyedia (menang atau ikut): CV Cipta Lestari (id {cipta.pk})"
    )
    assert data["keterangan_saringan"]["metode"] == "Metode pemilihan: Tender"
    assert data["sumber"].startswith("http://testserver/paket/?tahun=2018")
    assert data["jumlah_paket"] == 1

    response = client.get(reverse("opendata:selection", args=["xlsx"]), query)
    notes = dict(
        load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Keterangan"].iter_rows(
            values_only=True
        )
    )
    assert notes["Saringan: Tahun anggaran"] == "2018"
    assert notes["Saringan: Metode pemilihan"] == "Tender"
    assert notes["Saringan: Urutan"] == "Terbaru"
    assert notes["Jumlah paket"] == 1
    assert notes["Sumber"] == data["sumber"]
    assert notes["Dibuat (WIB)"] is not None


@pytest.mark.django_db
def test_an_unknown_format_is_a_404_and_a_bad_filter_is_refused_by_name(client, catalogue):
    """The list drops a bad filter beside its results; a download would hand a script every
    package as its selection, so it answers 400 naming the filter."""
    assert client.get("/paket/unduh.pdf").status_code == 404
    html, count = listed(client, tahun="abc")
    assert count == 6 and "Tahun “abc” tidak valid; saringan ini diabaikan." in html
    for fmt in ["csv", "xlsx"]:
        response = client.get(reverse("opendata:selection", args=[fmt]), {"tahun": "abc"})
        assert response.status_code == 400
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert "Content-Disposition" not in response  # no file named paket-pilihan.csv
        text = response.content.decode()
        assert text.startswith("Unduhan tidak dibuat: ada saringan yang tidak valid")
        assert "Tahun “abc” tidak valid." in text.splitlines()
    response = client.get(
        reverse("opendata:selection", args=["json"]), {"tahun": "abc", "pd": "tidak-ada"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["galat"].startswith("Unduhan tidak dibuat")
    assert body["masalah"] == [
        "Tahun “abc” tidak valid.",
        "Perangkat daerah “tidak-ada” tidak dikenal.",
    ]
    # Filters that read well still download, an impossible pagu range as its empty selection.
    _, content = fetch(client, "csv", nilai_min="900", nilai_max="100")
    assert len(csv_rows(content)) == 1  # the header alone


@pytest.mark.django_db
def test_the_list_links_its_selection_and_shows_who_leads_it(client, catalogue):
    karya, bangun = catalogue["karya"], catalogue["bangun"]
    html, count = listed(client, tahun="2018")
    assert count == 5
    assert 'href="/paket/unduh.csv?tahun=2018"' in html
    assert 'href="/paket/unduh.xlsx?tahun=2018"' in html
    assert 'href="/paket/unduh.json?tahun=2018"' in html
    assert '<span data-selection-count="5">5</span> paket' in html
    suppliers = re.findall(
        r'<li data-supplier="(\d+)"><a href="\?([^"]+)">([^<]+)</a>.*?'
        r'data-packages="(\d+)">([^<]+)</span>.*?data-value="(\d+)">([^<]+)</span>',
        html,
    )
    # Karya won 1, 2 and 4: 90 + 200 + 50 M; Bangun won 3: 500 M (its 2019 win is outside).
    assert suppliers == [
        (
            str(karya.pk),
            f"tahun=2018&amp;penyedia={karya.pk}",
            "CV Karya Mandiri",
            "3",
            "3",
            str(340 * M),
            "Rp 340.000.000",
        ),
        (
            str(bangun.pk),
            f"tahun=2018&amp;penyedia={bangun.pk}",
            "PT Bangun Persada",
            "1",
            "1",
            str(500 * M),
            "Rp 500.000.000",
        ),
    ]
    agencies = re.findall(
        r'<li data-agency="([^"]+)">.*?data-packages="(\d+)".*?data-value="(\d+)"', html
    )
    # Roads: 3, 4, 5 = 500 + 50 + 0 M; health: 1, 2 = 90 + 200 M.
    assert agencies == [
        ("dinas-pu-bina-marga-penataan-ruang", "3", str(550 * M)),
        ("dinas-kesehatan", "2", str(290 * M)),
    ]

    # A planning-only selection has no winner to show, and says so.
    html, count = listed(client, tahun="2018", kecamatan="Dander", metode="tender")
    assert count == 1
    assert "Belum ada pemenang di antara paket pilihan ini." in html
    assert re.findall(r'data-agency="([^"]+)">.*?data-value="(\d+)"', html) == [
        ("dinas-pu-bina-marga-penataan-ruang", "0")
    ]
    # Nothing selected: no links to empty files, no box.
    html, count = listed(client, tahun="2018", q="zzzqqq")
    assert count == 0 and "Unduh pilihan ini" not in html and "Penyedia terbanyak" not in html


@pytest.mark.django_db
def test_the_leaders_follow_a_change_of_the_data(client, catalogue):
    html, _ = listed(client, tahun="2018")
    assert "Rp 340.000.000" in html
    first = catalogue["packages"][0]
    first.contract_amount = 190 * M
    services.save_process(process=first, by=make_operator(first.agency))
    html, _ = listed(client, tahun="2018")
    assert "Rp 440.000.000" in html and "Rp 340.000.000" not in html


@pytest.mark.django_db
def test_downloads_read_in_chunks_whatever_the_number_of_packages(client, catalogue, monkeypatch):
    """Queries grow with the chunks (the packages, their documents, their flags), never with
    the rows: no query per package."""
    monkeypatch.setattr(selection, "CHUNK", 2)

    def queries(fmt, **query):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("opendata:selection", args=[fmt]), query)
            b"".join(response.streaming_content)
        return len(captured)

    for fmt in selection.FORMATS:
        one_chunk = queries(fmt, tahun="2018", kecamatan="Dander")  # 2 packages
        three_chunks = queries(fmt, tahun="2018")  # 5 packages
        assert three_chunks == one_chunk + 2 * 3, fmt
    monkeypatch.setattr(selection, "CHUNK", 2000)
    # One chunk: its packages, their documents and their flags (the XLSX and JSON describe the
    # filters too: no query without a supplier filter). The selection's ordered keys, read
    # first, are streamed by psycopg beside Django's query log (opendata_kontrak/chunked.py).
    for fmt in selection.FORMATS:
        assert queries(fmt, tahun="2018") == queries(fmt, tahun="2018", kecamatan="Dander") == 3


@pytest.mark.django_db
def test_the_list_with_its_box_runs_a_fixed_number_of_queries(
    client, catalogue, django_assert_num_queries
):
    query = {"tahun": "2018", "metode": "tender"}
    client.get(reverse("contracts:process-list"), query)  # the summary and box, once
    # Warm: the version twice, the summary with its leaders, the filter form and the cards.
    with django_assert_num_queries(5):
        html = client.get(reverse("contracts:process-list"), query).content.decode()
    assert "Penyedia terbanyak" in html


@pytest.mark.django_db
def test_the_policy_page_says_where_each_file_writes_its_filters(client):
    html = client.get(reverse("opendata:policy")).content.decode()
    section = html[html.index('id="unduhan-pilihan"') :]
    assert "<code>/paket/unduh.csv</code>" in section
    assert "lembar kedua “Keterangan”" in section
    assert "objek <code>saringan</code>" in section
    assert "tidak ada baris yang dipotong" in section
    assert "Saringan yang tidak valid ditolak" in section
