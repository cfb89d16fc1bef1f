"""Every column of every output, package by package: the bulk files (CSV, XLSX, JSON Lines,
the OCDS packages), the list's selection downloads, the API and the package page say the same.

Two packages of fiscal year 2019, made by hand, their expected values worked out below:

    A  "Jembatan Kali Tiga": pagu 1.250.000.000, HPS 1.200.000.000, won by CV Maju Jaya for
       1.150.000.000 (awarded 4 November 2019), contract 027/SPK/2019 of 1.150.000.000
       signed 11 November 2019; one DPA uploaded at 23:50 WIB on 31 December 2019
       (16:50 UTC); published at 00:30 WIB on 1 January 2020 (17:30 UTC on 31 December
       2019), last edited at 09:15 WIB on 6 January 2020.
    B  "=1+1 Talud Sungai" (a title a spreadsheet would run): pagu 300.000.000, no tender
       yet; published at 10:00 WIB on 3 February 2020.

Each is published "at" its moment by storing its first release then (`releases.capture` with
`now`), as publish_process does at the time it runs.
"""

import csv
import datetime
import io
import json
import zoneinfo

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from agencies.models import Agency
from contracts import completeness, releases, services
from contracts.models import (
    Bidder,
    Category,
    Document,
    DocumentType,
    Method,
    Process,
    Release,
    Stage,
    Status,
    Supplier,
)
from contracts.pdf import inspect_upload
from opendata.bulk import build
from opendata.columns import PAKET
from tests import pdfs
from tests.factories import make_operator, make_process, planning_fields

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
NEW_YEAR = datetime.datetime(2020, 1, 1, 0, 30, tzinfo=WIB)
EDITED = datetime.datetime(2020, 1, 6, 9, 15, tzinfo=WIB)
UPLOADED = datetime.datetime(2019, 12, 31, 23, 50, tzinfo=WIB)
FEBRUARY = datetime.datetime(2020, 2, 3, 10, 0, tzinfo=WIB)
FORMULA_TITLE = "=1+1 Talud Sungai"


def publish_at(process, operator, *, published, edited):
    """Published (and last edited) at these moments: its first release dated then."""
    completeness.refresh([process.pk])  # the stage reached, while still a draft
    Process.objects.filter(pk=process.pk).update(
        status=Status.PUBLISHED, published_at=published, published_by=operator, updated_at=edited
    )
    assert releases.capture([process.pk], now=published) == 1
    return Process.objects.get(pk=process.pk)


@pytest.fixture
def world(media_root):
    health = Agency.objects.get(code="dinas-kesehatan")
    operator = make_operator(health)
    winner = Supplier.objects.create(npwp="0012345678901000", name="CV Maju Jaya")
    bridge = make_process(
        health,
        **planning_fields(
            fiscal_year=2019,
            title="Jembatan Kali Tiga",
            rup_code="19000001",
            budget_amount=1_250_000_000,
            planned_start=datetime.date(2019, 8, 1),
            planned_end=datetime.date(2019, 12, 20),
            tender_code="5009244",
            hps_amount=1_200_000_000,
            number_of_tenderers=9,
            supplier=winner,
            award_amount=1_150_000_000,
            award_date=datetime.date(2019, 11, 4),
            contract_number="027/SPK/2019",
            contract_amount=1_150_000_000,
            contract_signed=datetime.date(2019, 11, 11),
            contract_start=datetime.date(2019, 11, 11),
            contract_end=datetime.date(2019, 12, 20),
        ),
    )
    Bidder.objects.create(process=bridge, supplier=winner, bid_amount=1_150_000_000)
    upload = SimpleUploadedFile("DPA 2019.pdf", pdfs.good_pdf("DPA"))
    services.add_documents(
        process=bridge,
        stage="perencanaan",
        document_type=DocumentType.objects.get(code="dpa"),
        uploads=[(upload, inspect_upload(upload))],
        by=operator,
    )
    (document,) = Document.objects.filter(process=bridge)
    Document.objects.filter(pk=document.pk).update(uploaded_at=UPLOADED)
    bridge = publish_at(bridge, operator, published=NEW_YEAR, edited=EDITED)
    formula = make_process(
        health,
        **planning_fields(
            fiscal_year=2019,
            title=FORMULA_TITLE,
            rup_code="19000002",
            budget_amount=300_000_000,
            planned_start=datetime.date(2019, 9, 1),
            planned_end=datetime.date(2019, 12, 1),
        ),
    )
    formula = publish_at(formula, operator, published=FEBRUARY, edited=FEBRUARY)
    return {"bridge": bridge, "formula": formula, "document": document, "agency": health}


def expected_rows(world):
    """paket.csv's row of each package, by hand (ocid: the prefix and the package's number)."""
    base, prefix = settings.PORTAL["BASE_URL"], settings.PORTAL["OCID_PREFIX"]
    bridge, formula, agency = world["bridge"], world["formula"], world["agency"]
    common = {
        "tahun_anggaran": "2019",
        "kode_pd": "dinas-kesehatan",
        "perangkat_daerah": agency.name,
        "sumber_dana": "APBD",
        "jenis_pengadaan": "Pekerjaan Konstruksi",
        "metode_pemilihan": "Tender",
        "kecamatan": "Dander",
    }
    return {
        bridge.pk: {
            **common,
            "ocid": f"{prefix}-{bridge.pk}",
            "kode_rup": "19000001",
            "nama_paket": "Jembatan Kali Tiga",
            "pagu": "1250000000",
            "hps": "1200000000",
            "kode_tender": "5009244",
            "jumlah_peserta": "9",
            "npwp_pemenang": "0012345678901000",
            "pemenang": "CV Maju Jaya",
            "nilai_penetapan": "1150000000",
            "nomor_kontrak": "027/SPK/2019",
            "nilai_kontrak": "1150000000",
            "tanggal_kontrak": "2019-11-11",
            "jumlah_dokumen": "1",
            # Contract 1,15 M of an HPS of 1,2 M (95.8%); stages past due lacking documents.
            "tanda": "kontrak_dekat_hps;tahap_lewat_dokumen_kurang",
            # 00:30 WIB on 1 January: 1 January, not 31 December (its UTC day).
            "dipublikasikan": "2020-01-01T00:30:00+07:00",
            "diperbarui": "2020-01-06T09:15:00+07:00",
            "url": f"{base}/paket/{bridge.pk}/",
            "npwp_pemenang_lolos_uji": "tidak",  # the NPWP fails its check digit
        },
        formula.pk: {
            **common,
            "ocid": f"{prefix}-{formula.pk}",
            "kode_rup": "19000002",
            "nama_paket": "'" + FORMULA_TITLE,  # CSV: the common practice, a leading '
            "pagu": "300000000",
            "hps": "",
            "npwp_pemenang": "",
            "pemenang": "",
            "nilai_kontrak": "",
            "tanggal_kontrak": "",
            "jumlah_dokumen": "0",
            "dipublikasikan": "2020-02-03T10:00:00+07:00",
            "diperbarui": "2020-02-03T10:00:00+07:00",
            "url": f"{base}/paket/{formula.pk}/",
            "npwp_pemenang_lolos_uji": "",  # no winner: unknown
        },
    }


def download(client, scope, name):
    response = client.get(reverse("opendata:download", args=[scope, name]))
    assert response.status_code == 200, name
    return b"".join(response.streaming_content)


def csv_rows(content):
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def as_csv(value):
    """An API value as paket.csv writes it (by the policy page's rules)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


@pytest.mark.django_db
def test_every_column_of_every_file_says_what_the_api_and_the_page_say(client, world):
    base = settings.PORTAL["BASE_URL"]
    bridge, formula, document = world["bridge"], world["formula"], world["document"]
    expected = expected_rows(world)
    assert "2019" in build(base_url=base)

    # paket.csv: every column of both packages, in the stable order.
    rows = csv_rows(download(client, "2019", "paket.csv"))
    assert list(rows[0]) == PAKET.names
    assert list(rows[0])[:3] == ["ocid", "kode_rup", "tahun_anggaran"]
    assert list(rows[0])[-2:] == ["url", "npwp_pemenang_lolos_uji"]
    by_ocid = {row["ocid"]: row for row in rows}
    assert set(by_ocid) == {bridge.ocid, formula.ocid}
    for values in expected.values():
        row = by_ocid[values["ocid"]]
        assert {name: row[name] for name in values} == values
    # A filter on the publication date agrees with the site: both published in 2020, in the
    # fiscal year 2019.
    assert {row["dipublikasikan"][:10] for row in rows} == {"2020-01-01", "2020-02-03"}

    # dokumen.csv: the document's own download, its upload in WIB.
    (doc_row,) = csv_rows(download(client, "2019", "dokumen.csv"))
    document_url = f"{base}/dokumen/{document.pk}/"
    assert (doc_row["ocid"], doc_row["id_dokumen"], doc_row["url"]) == (
        bridge.ocid,
        str(document.pk),
        document_url,
    )
    assert doc_row["diunggah"] == "2019-12-31T23:50:00+07:00"
    (award,) = csv_rows(download(client, "2019", "pemenang.csv"))
    assert (award["tanggal_penetapan"], award["nilai_penetapan"]) == ("2019-11-04", "1150000000")
    (contract,) = csv_rows(download(client, "2019", "kontrak.csv"))
    assert (contract["tanggal_tanda_tangan"], contract["nilai_kontrak"]) == (
        "2019-11-11",
        "1150000000",
    )

    # paket.xlsx: the same columns; text cells, numbers, WIB wall times, a frozen header.
    workbook = load_workbook(io.BytesIO(download(client, "2019", "paket.xlsx")))
    sheet = workbook["paket"]
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert header == PAKET.names
    cells = {
        row[0].value: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)
    }
    title = cells[formula.ocid]["nama_paket"]
    assert (title.value, title.data_type) == (FORMULA_TITLE, "s")  # text, no apostrophe
    a = cells[bridge.ocid]
    assert a["nama_paket"].value == "Jembatan Kali Tiga"
    assert (a["pagu"].value, a["pagu"].number_format) == (1_250_000_000, "#,##0")
    assert (a["nilai_kontrak"].value, a["nilai_kontrak"].data_type) == (1_150_000_000, "n")
    assert a["dipublikasikan"].value == datetime.datetime(2020, 1, 1, 0, 30)  # WIB wall time
    assert a["diperbarui"].value == datetime.datetime(2020, 1, 6, 9, 15)
    assert a["tanggal_kontrak"].value == datetime.datetime(2019, 11, 11)
    assert a["url"].value == expected[bridge.pk]["url"]
    assert a["semua_tahap_lengkap"].value == by_ocid[bridge.ocid]["semua_tahap_lengkap"]
    for name in ("tahun_anggaran", "jumlah_peserta", "jumlah_dokumen"):
        assert str(a[name].value) == expected[bridge.pk][name], name
    (doc_cells,) = list(workbook["dokumen"].iter_rows(min_row=2, values_only=True))
    assert doc_cells[-1] == document_url
    assert doc_cells[-2] == datetime.datetime(2019, 12, 31, 23, 50)

    # The API: its fields that are paket columns hold the same values, typed as JSON's.
    api = {}
    for process in (bridge, formula):
        response = client.get(reverse("opendata:api-package", args=[process.ocid]))
        assert response.status_code == 200
        api[process.pk] = response.json()
    answer = api[bridge.pk]
    assert answer["nama_paket"] == "Jembatan Kali Tiga"
    assert api[formula.pk]["nama_paket"] == FORMULA_TITLE  # JSON is no spreadsheet
    assert (answer["tahun_anggaran"], answer["pagu"]) == (2019, 1_250_000_000)
    assert answer["dipublikasikan"] == "2020-01-01T00:30:00+07:00"
    assert answer["tanggal_kontrak"] == "2019-11-11"
    assert answer["url"] == expected[bridge.pk]["url"]
    assert [d["url"] for d in answer["dokumen"]] == [document_url]
    # The API's v1 gives codes where the tables give names, and the agency as an object (the
    # policy page says so): the code's name is the table's.
    coded = {"metode_pemilihan": Method, "jenis_pengadaan": Category, "tahap_tercapai": Stage}
    apart = {"nama_paket", "perangkat_daerah", *coded}
    shared = [name for name in PAKET.names if name in answer and name not in apart]
    assert len(shared) == 24
    for process in (bridge, formula):
        row, values = by_ocid[process.ocid], api[process.pk]
        for name in shared:
            assert as_csv(values[name]) == row[name], (process.title, name)
        for name, codes in coded.items():
            assert codes(values[name]).label == row[name], (process.title, name)
        assert values["perangkat_daerah"]["kode"] == row["kode_pd"]
        assert values["perangkat_daerah"]["nama"] == row["perangkat_daerah"]
    listed = client.get(reverse("opendata:api-packages"), {"tahun": "2019"}).json()
    assert {item["ocid"] for item in listed["results"]} == set(by_ocid)

    # The selection download of the list: the same rows; JSON typed.
    selection = csv_rows(
        b"".join(client.get("/paket/unduh.csv", {"tahun": "2019"}).streaming_content)
    )
    assert {row["ocid"]: row for row in selection} == by_ocid
    data = json.loads(
        b"".join(client.get("/paket/unduh.json", {"tahun": "2019"}).streaming_content)
    )
    (item,) = [p for p in data["paket"] if p["ocid"] == bridge.ocid]
    assert (item["pagu"], item["dipublikasikan"], item["url"]) == (
        1_250_000_000,
        "2020-01-01T00:30:00+07:00",
        expected[bridge.pk]["url"],
    )
    assert item["semua_tahap_lengkap"] is answer["semua_tahap_lengkap"]
    assert item["npwp_pemenang_lolos_uji"] is False
    chosen = load_workbook(
        io.BytesIO(b"".join(client.get("/paket/unduh.xlsx", {"tahun": "2019"}).streaming_content))
    )["paket"]
    titles = {row[5].value: row[5].data_type for row in chosen.iter_rows(min_row=2)}
    assert titles == {"Jembatan Kali Tiga": "s", FORMULA_TITLE: "s"}

    # OCDS: JSON Lines (compiled releases), the release and record packages.
    compiled = {
        line["ocid"]: line
        for line in map(json.loads, download(client, "2019", "ocds.jsonl").decode().splitlines())
    }
    c = compiled[bridge.ocid]
    assert c["date"] == "2020-01-01T00:30:00+07:00"  # its one release: the publication
    assert c["id"] == f"{bridge.ocid}-2020-01-01T00:30:00+07:00"
    assert c["tender"]["title"] == "Jembatan Kali Tiga"
    assert compiled[formula.ocid]["tender"]["title"] == FORMULA_TITLE
    assert c["planning"]["budget"]["amount"] == {"amount": 1_250_000_000, "currency": "IDR"}
    assert c["tender"]["value"] == {"amount": 1_200_000_000, "currency": "IDR"}
    (ocds_award,) = c["awards"]
    assert ocds_award["date"] == "2019-11-04T00:00:00+07:00"  # the calendar date, in WIB
    assert ocds_award["value"]["amount"] == 1_150_000_000
    assert [s["name"] for s in ocds_award["suppliers"]] == ["CV Maju Jaya"]
    (ocds_contract,) = c["contracts"]
    assert ocds_contract["dateSigned"] == "2019-11-11T00:00:00+07:00"
    assert ocds_contract["value"]["amount"] == 1_150_000_000
    (ocds_document,) = [d for d in c["planning"]["documents"] if d["id"] == str(document.pk)]
    assert ocds_document["url"] == document_url
    assert ocds_document["datePublished"] == "2019-12-31T23:50:00+07:00"
    release_package = json.loads(download(client, "2019", "ocds.json"))
    first = {r["ocid"]: r for r in release_package["releases"]}
    assert first[bridge.ocid]["date"] == "2020-01-01T00:30:00+07:00"
    assert first[formula.ocid]["date"] == "2020-02-03T10:00:00+07:00"
    assert release_package["publishedDate"].endswith("+07:00")
    records = json.loads(download(client, "2019", "ocds-rekaman.json"))["records"]
    assert {r["ocid"]: r["compiledRelease"] for r in records} == compiled

    # The package page shows the same: title, date of publication, values, its links.
    for process in (bridge, formula):
        page_url = expected[process.pk]["url"]
        assert page_url.startswith(base)
        response = client.get(page_url.removeprefix(base))
        assert response.status_code == 200
        html = response.content.decode()
        assert f"<h1>{process.title}</h1>" in html
    html = client.get(expected[bridge.pk]["url"].removeprefix(base)).content.decode()
    assert '<time datetime="2020-01-01T00:30:00+07:00">1 Januari 2020</time>' in html
    assert "Rp 1.250.000.000" in html and "Rp 1.150.000.000" in html
    assert "11 November 2019" in html and "4 November 2019" in html
    assert "CV Maju Jaya" in html
    assert f'href="/dokumen/{document.pk}/"' in html
    html = client.get(expected[formula.pk]["url"].removeprefix(base)).content.decode()
    assert "3 Februari 2020" in html


@pytest.mark.django_db
def test_every_url_column_resolves(client, world, settings):
    """The links of paket.csv, dokumen.csv and the API answer: each one's own page or file,
    on the portal's public address (PORTAL_BASE_URL), whatever host the API was asked at."""
    base = "https://kontrak.example.go.id"
    settings.PORTAL = {**settings.PORTAL, "BASE_URL": base}
    build(base_url=base)
    urls = [row["url"] for row in csv_rows(download(client, "2019", "paket.csv"))]
    urls += [row["url"] for row in csv_rows(download(client, "2019", "dokumen.csv"))]
    answer = client.get(reverse("opendata:api-package", args=[world["bridge"].ocid])).json()
    urls += [answer["url"]] + [d["url"] for d in answer["dokumen"]]
    assert len(set(urls)) == 3  # two packages and a document, each its own address
    assert base not in {url.rstrip("/") for url in urls}  # not the portal's home
    for url in urls:
        assert url.startswith(f"{base}/")
        response = client.get(url.removeprefix(base))
        assert response.status_code == 200, url
    pdf = client.get(f"/dokumen/{world['document'].pk}/")
    assert pdf["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_files_of_an_older_format_are_all_rewritten(world):
    """The stamp carries the files' format: files stamped before it (the same data, an older
    way of writing it) are rebuilt, every scope, though no package changed."""
    from opendata.models import BulkFile

    base = settings.PORTAL["BASE_URL"]
    assert build(base_url=base) == ["2019", "semua"]
    assert build(base_url=base) == []
    for bulk in BulkFile.objects.all():
        assert bulk.data_stamp.startswith("v3|")
        bulk.data_stamp = bulk.data_stamp.replace(
            "v3|", "v2|", 1
        )  # as the previous format wrote it
        bulk.save(update_fields=["data_stamp"])
    assert build(base_url=base) == ["2019", "semua"]


@pytest.mark.django_db
def test_the_policy_page_lists_each_files_columns_with_their_meaning_and_unit(client):
    html = client.get(reverse("opendata:policy")).content.decode()
    for name in ("paket", "dokumen", "peserta", "pemenang", "tanda", "kontrak"):
        assert f'data-table="{name}"' in html
    paket = html.split('data-table="paket"')[1].split("</table>")[0]
    assert paket.count("<tr data-column=") == len(PAKET.names)
    assert (
        '<tr data-column="pagu"><th scope="row"><code>pagu</code></th><td data-label="Arti">'
        'Pagu anggaran paket</td><td data-label="Satuan">Rupiah, bilangan bulat tanpa sen</td></tr>'
    ) in paket
    assert 'data-column="dipublikasikan"' in paket and "+07:00" in paket
    assert "2020-01-01T00:30:00+07:00" in html  # the convention, stated with its example
    index = client.get(reverse("opendata:index")).content.decode()
    assert 'href="/data-terbuka/kebijakan/#kolom"' in index


@pytest.mark.django_db
def test_a_release_stored_in_utc_is_kept_and_adds_no_release(client, world):
    """Releases stored before the WIB convention spelled documents' and their own dates in
    UTC. They stay as published; a capture of the unchanged package adds nothing; the
    compiled release says the same instant in WIB; a real change adds one release, in WIB."""
    bridge = world["bridge"]
    stored = Release.objects.get(process=bridge)
    old = json.loads(
        json.dumps(stored.data)
        .replace("2020-01-01T00:30:00+07:00", "2019-12-31T17:30:00+00:00")
        .replace("2019-12-31T23:50:00+07:00", "2019-12-31T16:50:00+00:00")
    )
    assert old != stored.data
    Release.objects.filter(pk=stored.pk).update(data=old, digest=releases.digest(old))

    # Captures at fixed moments after the publication (statuses judged at the same dates).
    assert releases.capture([bridge.pk], now=EDITED) == 0
    kept = Release.objects.get(process=bridge)
    assert kept.data == old  # as published
    record = client.get(reverse("opendata:record", args=[bridge.ocid])).json()["records"][0]
    assert record["releases"][0]["date"] == "2019-12-31T17:30:00+00:00"
    assert record["compiledRelease"]["date"] == "2020-01-01T00:30:00+07:00"

    Process.objects.filter(pk=bridge.pk).update(title="Jembatan Kali Tiga (ulang)")
    assert releases.capture([bridge.pk], now=EDITED) == 1
    second = Release.objects.filter(process=bridge).order_by("sequence").last()
    assert second.data["date"] == "2020-01-06T09:15:00+07:00"
    # The title only: its documents, spelled in UTC before, are no planningUpdate.
    assert second.tags == ["tenderUpdate"]
    (document,) = second.data["planning"]["documents"]
    assert document["datePublished"] == "2019-12-31T23:50:00+07:00"


@pytest.mark.django_db
def test_the_kecamatan_column_names_every_kecamatan_the_filter_finds_the_package_by(client, world):
    """A location naming Sumberrejo, Balen and Kedungadem with Balen as its kecamatan is found
    under each of the three (the list's filter, the kecamatan pages); so every output names all
    three, Balen first. One naming two with no main kecamatan names both (the API said "")."""
    bridge, formula = world["bridge"], world["formula"]
    Process.objects.filter(pk=bridge.pk).update(
        location_kecamatan="Balen", location_kecamatan_all=["Sumberejo", "Balen", "Kedungadem"]
    )
    Process.objects.filter(pk=formula.pk).update(
        location_kecamatan="", location_kecamatan_all=["Ngambon", "Tambakrejo"]
    )
    expected = {bridge.ocid: "Balen;Sumberejo;Kedungadem", formula.ocid: "Ngambon;Tambakrejo"}
    assert "2019" in build(base_url=settings.PORTAL["BASE_URL"])
    rows = csv_rows(download(client, "2019", "paket.csv"))
    assert {row["ocid"]: row["kecamatan"] for row in rows} == expected
    for ocid, names in expected.items():
        answer = client.get(reverse("opendata:api-package", args=[ocid])).json()
        assert answer["kecamatan"] == names
    found = client.get(reverse("opendata:selection", args=["csv"]), {"kecamatan": "Kedungadem"})
    assert [row["kecamatan"] for row in csv_rows(b"".join(found.streaming_content))] == [
        expected[bridge.ocid]
    ]


@pytest.mark.django_db
def test_files_built_on_another_address_are_rewritten_on_the_portals(client, world, settings):
    """A build run by hand with another PORTAL_BASE_URL (a port of `make run`, an old host)
    writes its links on that address; the next build on the portal's own rewrites them, though
    no package changed."""
    own = settings.PORTAL["BASE_URL"]
    assert own != "http://localhost:8247"
    settings.PORTAL = {**settings.PORTAL, "BASE_URL": "http://localhost:8247"}
    assert build(base_url="http://localhost:8247") == ["2019", "semua"]
    settings.PORTAL = {**settings.PORTAL, "BASE_URL": own}
    assert build(base_url=own) == ["2019", "semua"]
    urls = {row["url"] for row in csv_rows(download(client, "semua", "paket.csv"))}
    assert urls == {f"{own}/paket/{world[key].pk}/" for key in ("bridge", "formula")}
    assert build(base_url=own) == []


@pytest.mark.django_db
def test_links_are_the_canonical_addresses_whichever_language_asked_first(client, world):
    """The English list's download (/en/paket/unduh.csv) may be the first to build a link in
    a process: the routes are reversed once and kept, so they must not keep its /en/ prefix
    for every file and answer after it."""
    from opendata import columns

    columns._route.cache_clear()
    base = settings.PORTAL["BASE_URL"]
    english = client.get("/en/paket/unduh.csv", {"tahun": "2019"})
    assert english.status_code == 200
    urls = {row["url"] for row in csv_rows(b"".join(english.streaming_content))}
    assert urls == {f"{base}/paket/{world[key].pk}/" for key in ("bridge", "formula")}
    answer = client.get(reverse("opendata:api-package", args=[world["bridge"].ocid])).json()
    assert answer["url"] == f"{base}/paket/{world['bridge'].pk}/"
