"""Bulk downloads and the open-data pages: every published package once, drafts nowhere."""

import csv
import io
import json
import re
import urllib.request

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from agencies.models import Agency
from contracts import services
from contracts.models import Bidder, DocumentType, Process, Supplier
from contracts.ocds import schema_errors
from contracts.pdf import inspect_upload
from opendata.bulk import FILES, build
from opendata.models import BulkFile
from tests import pdfs
from tests.factories import make_operator, make_process, planning_fields

BASE = "https://data.contoh.go.id"


def publish(operator, **fields):
    process = make_process(operator.agency, **{**planning_fields(), **fields})
    services.publish_process(process=process, by=operator)
    return process


@pytest.fixture
def packages(media_root):
    health = Agency.objects.get(code="dinas-kesehatan")
    operator = make_operator(health)
    published = [publish(operator, title=f"Terbit {n}", fiscal_year=2018 + n % 2) for n in range(4)]
    winner = Supplier.objects.create(npwp="0012345678901000", name="CV Maju")
    rival = Supplier.objects.create(npwp="0098765432109000", name='=HYPERLINK("x")')
    first = published[0]
    first.supplier, first.award_amount = winner, 1_100_000_000
    first.contract_number, first.contract_amount = "027/SPK/2018", 1_100_000_000
    services.save_process(process=first, by=operator)
    Bidder.objects.create(process=first, supplier=winner, bid_amount=1_100_000_000)
    Bidder.objects.create(process=first, supplier=rival, bid_amount=1_150_000_000)
    uploaded = SimpleUploadedFile("DPA.pdf", pdfs.good_pdf("DPA"))
    services.add_documents(
        process=first,
        stage="perencanaan",
        document_type=DocumentType.objects.get(code="dpa"),
        uploads=[(uploaded, inspect_upload(uploaded))],
        by=operator,
    )
    draft = make_process(health, title="Draf tersembunyi", **planning_fields())
    withdrawn = publish(operator, title="Ditarik kembali")
    services.withdraw_process(process=withdrawn, by=operator, reason="Batal")
    return {"published": published, "draft": draft, "withdrawn": withdrawn}


def download(client, scope, name):
    response = client.get(reverse("opendata:download", args=[scope, name]))
    assert response.status_code == 200, (scope, name)
    assert response.streaming  # a file read in chunks, never whole into memory
    assert response["Access-Control-Allow-Origin"] == "*"
    return b"".join(response.streaming_content)


def csv_rows(content):
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.django_db
def test_every_file_holds_each_published_package_once_and_no_draft(client, packages):
    assert build(base_url=BASE) == ["2019", "2018", "semua"]
    published = {p.ocid for p in packages["published"]}
    hidden = [packages["draft"], packages["withdrawn"]]

    in_ocds = published | {packages["withdrawn"].ocid}
    release_package = json.loads(download(client, "semua", "ocds.json"))
    assert schema_errors(release_package) == []
    assert {r["ocid"] for r in release_package["releases"]} == in_ocds
    record_package = json.loads(download(client, "semua", "ocds-rekaman.json"))
    assert schema_errors(record_package, "record-package-schema.json") == []
    assert sorted(r["ocid"] for r in record_package["records"]) == sorted(in_ocds)
    # The records' releases come from ocds.json, which the record package names.
    assert record_package["packages"] == [release_package["uri"]]
    assert release_package["uri"].endswith("/ocds.json")
    for package in (release_package, record_package):
        assert package["publicationPolicy"].endswith("/data-terbuka/kebijakan/")
        assert package["extensions"][0].endswith("/ocds_bid_extension/v1.1.5/extension.json")
    lines = download(client, "semua", "ocds.jsonl").decode().splitlines()
    compiled = {json.loads(line)["ocid"]: json.loads(line) for line in lines}
    assert sorted(compiled) == sorted(in_ocds)
    assert compiled[packages["withdrawn"].ocid]["tender"]["statusDetails"] == "Batal"

    rows = csv_rows(download(client, "semua", "paket.csv"))
    assert sorted(row["ocid"] for row in rows) == sorted(published)
    first = packages["published"][0]
    by_ocid = {row["ocid"]: row for row in rows}
    assert by_ocid[first.ocid]["pagu"] == "1250000000"
    assert by_ocid[first.ocid]["pemenang"] == "CV Maju"
    assert [r["ocid"] for r in csv_rows(download(client, "semua", "dokumen.csv"))] == [first.ocid]
    bidders = csv_rows(download(client, "semua", "peserta.csv"))
    assert {(b["npwp"], b["pemenang"]) for b in bidders} == {
        ("0012345678901000", "ya"),
        ("0098765432109000", "tidak"),
    }
    # Neither NPWP passes its check digit: both said so, in the last column.
    assert list(bidders[0])[-1] == "npwp_lolos_uji"
    assert {b["npwp_lolos_uji"] for b in bidders} == {"tidak"}
    assert by_ocid[first.ocid]["npwp_pemenang_lolos_uji"] == "tidak"
    # A name that looks like a formula stays text in a spreadsheet.
    assert {b["nama"] for b in bidders} == {"CV Maju", '\'=HYPERLINK("x")'}
    assert [r["ocid"] for r in csv_rows(download(client, "semua", "pemenang.csv"))] == [first.ocid]
    assert [r["nomor_kontrak"] for r in csv_rows(download(client, "semua", "kontrak.csv"))] == [
        "027/SPK/2018"
    ]

    # The workbooks are per year; together they hold what the all-years CSV files hold.
    assert client.get(reverse("opendata:download", args=["semua", "paket.xlsx"])).status_code == 404
    ocids, names = [], []
    for year in ["2018", "2019"]:
        workbook = load_workbook(io.BytesIO(download(client, year, "paket.xlsx")))
        assert workbook.sheetnames == [
            "paket",
            "dokumen",
            "peserta",
            "pemenang",
            "tanda",
            "kontrak",
        ]
        ocids += [row[0] for row in workbook["paket"].iter_rows(min_row=2, values_only=True)]
        names += [row[2] for row in workbook["peserta"].iter_rows(min_row=2, values_only=True)]
        assert all(cell.data_type != "f" for row in workbook["peserta"].iter_rows() for cell in row)
    assert sorted(ocids) == sorted(published)
    # The workbook's text cells hold the name as written: no apostrophe, never a formula.
    assert sorted(names) == sorted(b["nama"].removeprefix("'") for b in bidders)

    of_2018 = csv_rows(download(client, "2018", "paket.csv"))
    assert {row["ocid"] for row in of_2018} == {
        p.ocid for p in packages["published"] if p.fiscal_year == 2018
    }
    draft, withdrawn = hidden
    for name in FILES:
        if name.endswith(".xlsx"):
            continue
        text = download(client, "semua", name).decode("utf-8-sig")
        assert draft.ocid not in text and draft.title not in text, name
        # A withdrawn package is in the OCDS files only, with its cancellation.
        assert (withdrawn.ocid in text) == name.startswith("ocds"), name


@pytest.mark.django_db
def test_a_table_longer_than_a_sheet_continues_on_the_next(packages, monkeypatch, tmp_path):
    from opendata import bulk

    monkeypatch.setattr(bulk, "SHEET_ROWS", 2)  # a header and one row per sheet
    bulk.write("2018", tmp_path, uri=f"{BASE}/data-terbuka/2018")
    count = len(csv_rows((tmp_path / "paket.csv").read_bytes()))  # the published packages
    assert count >= 2
    workbook = load_workbook(tmp_path / "paket.xlsx")
    sheets = [name for name in workbook.sheetnames if name.split(" (")[0] == "paket"]
    assert sheets == ["paket"] + [f"paket ({n})" for n in range(2, count + 1)]
    rows = [list(workbook[name].iter_rows(values_only=True)) for name in sheets]
    assert all(len(sheet) == 2 and sheet[0] == rows[0][0] for sheet in rows)  # each with header
    expected = csv_rows((tmp_path / "paket.csv").read_bytes())
    assert [sheet[1][0] for sheet in rows] == [row["ocid"] for row in expected]


@pytest.mark.django_db
def test_files_are_rebuilt_only_when_their_data_changed(
    client, packages, django_capture_on_commit_callbacks
):
    build(base_url=BASE)
    assert build(base_url=BASE) == []
    stored = BulkFile.objects.get(scope="2019", name="paket.csv").storage_name

    operator = make_operator(Agency.objects.get(code="dinas-kesehatan"))
    late = publish(operator, title="Terbit belakangan", fiscal_year=2019)
    with django_capture_on_commit_callbacks(execute=True):
        assert build(base_url=BASE) == ["2019", "semua"]
    rows = csv_rows(download(client, "2019", "paket.csv"))
    assert late.ocid in {row["ocid"] for row in rows}
    # The replaced file is gone from storage; the new one is what the page points at.
    from django.core.files.storage import default_storage

    assert not default_storage.exists(stored)

    services.withdraw_process(process=late, by=operator, reason="Salah tahun")
    assert build(base_url=BASE) == ["2019", "semua"]
    assert late.ocid not in download(client, "2019", "paket.csv").decode()
    assert late.ocid in download(client, "2019", "ocds.json").decode()  # its withdrawal


@pytest.mark.django_db
def test_a_year_without_packages_in_open_data_loses_its_files(client, packages):
    build(base_url=BASE)
    for process in packages["published"]:
        if process.fiscal_year == 2019:
            Process.objects.filter(pk=process.pk).update(status="draft")  # as if never published
    build(base_url=BASE)
    assert not BulkFile.objects.filter(scope="2019").exists()
    assert client.get(reverse("opendata:download", args=["2019", "paket.csv"])).status_code == 404


@pytest.mark.django_db
def test_a_year_of_withdrawn_packages_keeps_their_cancellations(client, packages):
    operator = make_operator(Agency.objects.get(code="dinas-kesehatan"))
    withdrawn = [p for p in packages["published"] if p.fiscal_year == 2019]
    for process in withdrawn:
        services.withdraw_process(process=process, by=operator, reason="Uji")
    build(base_url=BASE)
    assert csv_rows(download(client, "2019", "paket.csv")) == []
    releases = json.loads(download(client, "2019", "ocds.json"))["releases"]
    assert {r["ocid"] for r in releases} == {p.ocid for p in withdrawn}
    assert {r["tender"]["status"] for r in releases if "planningUpdate" in r["tag"]} == {
        "withdrawn"
    }


@pytest.mark.django_db
def test_the_builder_reads_in_chunks_whatever_the_number_of_packages(media_root):
    operator = make_operator(Agency.objects.get(code="dinas-kesehatan"))

    def queries_to_build():
        with CaptureQueriesContext(connection) as captured:
            build(base_url=BASE, force=True)
        return len(captured)

    publish(operator)
    build(base_url=BASE)  # the first build creates the rows that later builds update
    few = queries_to_build()
    for _ in range(6):
        publish(operator)
    assert queries_to_build() == few


@pytest.mark.django_db
def test_the_page_shows_each_file_with_its_size_and_date(client, packages):
    html = client.get(reverse("opendata:index")).content.decode()
    assert "sedang disiapkan" in html  # nothing built yet: said so, no dead link
    build(base_url=BASE)
    html = client.get(reverse("opendata:index")).content.decode()
    for bulk in BulkFile.objects.all():
        link = reverse("opendata:download", args=[bulk.scope, bulk.name])
        assert f'href="{link}"' in html
        assert f'data-bytes="{bulk.size}"' in html
    assert len(BulkFile.objects.all()) == 3 * len(FILES) - 1  # no workbook of all years
    assert "XLSX tersedia per tahun anggaran" in html
    assert re.search(r"dibuat \d{1,2} \w+ \d{4}, \d\d:\d\d WIB", html)
    assert 'href="/data-terbuka/kebijakan/"' in html and 'href="/data-terbuka/"' in html


@pytest.mark.django_db
def test_policy_page_states_licence_timing_and_prefix(client, settings):
    html = client.get(reverse("opendata:policy")).content.decode()
    assert "CC BY 4.0" in html and "creativecommons.org/licenses/by/4.0" in html
    assert f"<code>{settings.PORTAL['OCID_PREFIX']}</code>" in html
    assert "10 menit" in html and "seketika" in html


@pytest.mark.django_db
def test_bulk_files_on_object_storage_download_through_a_signed_url(client, s3_storage):
    operator = make_operator(Agency.objects.get(code="dinas-kesehatan"))
    process = publish(operator)
    build(base_url=BASE)
    response = client.get(reverse("opendata:download", args=["semua", "paket.csv"]))
    assert response.status_code == 302
    with urllib.request.urlopen(response["Location"]) as fetched:  # noqa: S310 (loopback)
        rows = csv_rows(fetched.read())
    assert [row["ocid"] for row in rows] == [process.ocid]


@pytest.mark.django_db
def test_each_sections_headline_counts_what_its_files_hold(client, packages):
    """Found by a try-out: "Tahun anggaran 2018 — 4.447 paket" above a paket.csv of 3.736 rows
    (the 711 withdrawn packages are only in the OCDS files). Here 2018 holds two published
    packages and the withdrawn one, 2019 two published."""
    from django.core.files.storage import default_storage

    build(base_url=BASE)
    html = client.get(reverse("opendata:index")).content.decode()
    for scope, published, withdrawn in [("2018", 2, 1), ("2019", 2, 0), ("semua", 4, 1)]:
        section = html.split(f'id="cakupan-{scope}"')[1].split("</section>")[0]
        assert f'data-published="{published}" data-withdrawn="{withdrawn}"' in section
        assert f"{published} paket dipublikasikan" in section
        assert (f"{withdrawn} paket ditarik, hanya di berkas OCDS" in section) == bool(withdrawn)
        table = BulkFile.objects.get(scope=scope, name="paket.csv")
        with default_storage.open(table.storage_name) as handle:
            rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))
        assert len(rows) - 1 == published


@pytest.mark.django_db
def test_a_threshold_change_rebuilds_the_years_whose_flags_it_changed(client, packages):
    from integrity import flags
    from integrity.models import Flag, Threshold

    first = packages["published"][0]  # 2018, won by CV Maju
    operator = make_operator(first.agency)
    second = publish(operator, title="Terbit kedua CV Maju", fiscal_year=2018)
    second.supplier, second.award_amount = first.supplier, 900_000_000
    services.save_process(process=second, by=operator)
    build(base_url=BASE)
    assert not [
        r
        for r in csv_rows(download(client, "2018", "tanda.csv"))
        if r["tanda"] == Flag.REPEAT_WINNER
    ]

    # The administrator lowers "the same supplier wins repeatedly" from 3 wins to 2; the
    # recompute job (integrity.tasks.recompute_flags) runs refresh_all. No package is saved.
    Threshold.objects.filter(flag=Flag.REPEAT_WINNER).update(value=2)
    flags.refresh_all()
    assert build(base_url=BASE) == ["2018", "semua"]  # 2019's flags did not change
    for scope in ("2018", "semua"):
        raised = {
            row["ocid"]
            for row in csv_rows(download(client, scope, "tanda.csv"))
            if row["tanda"] == Flag.REPEAT_WINNER
        }
        assert raised == {first.ocid, second.ocid}, scope
    compiled = [json.loads(line) for line in download(client, "2018", "ocds.jsonl").splitlines()]
    assert Flag.REPEAT_WINNER in {
        flag["id"] for release in compiled for flag in release.get("redFlags", [])
    }

    # The daily recompute replaces every flag with the same ones: nothing to rebuild.
    flags.refresh_all()
    assert build(base_url=BASE) == []


@pytest.mark.django_db
def test_a_corrected_supplier_name_rebuilds_the_years_it_appears_in(client, packages):
    build(base_url=BASE)
    Supplier.objects.filter(name="CV Maju").update(name="CV Maju Jaya")  # 2018's winner only
    assert build(base_url=BASE) == ["2018", "semua"]
    rows = csv_rows(download(client, "2018", "paket.csv"))
    assert "CV Maju Jaya" in {row["pemenang"] for row in rows}


@pytest.mark.django_db
def test_a_renamed_agency_rebuilds_its_years(client, packages):
    build(base_url=BASE)
    Agency.objects.filter(code="dinas-kesehatan").update(name="Dinas Kesehatan Daerah")
    assert build(base_url=BASE) == ["2019", "2018", "semua"]
    rows = csv_rows(download(client, "2019", "paket.csv"))
    assert {row["perangkat_daerah"] for row in rows} == {"Dinas Kesehatan Daerah"}


@pytest.mark.django_db
def test_a_requirements_change_rebuilds_the_completeness_it_changed(client, packages):
    from contracts import completeness
    from contracts.models import StageRequirement

    build(base_url=BASE)
    ocid = packages["published"][1].ocid  # 2019, planning data only, no document
    row = {r["ocid"]: r for r in csv_rows(download(client, "2019", "paket.csv"))}[ocid]
    assert row["semua_tahap_lengkap"] == "tidak"
    # The administrator drops every requirement (the job contracts.tasks.
    # recompute_completeness runs refresh_all): no package is saved, every stage is complete.
    StageRequirement.objects.all().delete()
    completeness.refresh_all()
    assert Process.objects.get(ocid=ocid).all_complete
    assert "2019" in build(base_url=BASE)
    row = {r["ocid"]: r for r in csv_rows(download(client, "2019", "paket.csv"))}[ocid]
    assert row["semua_tahap_lengkap"] == "ya"
