"""LPSE non-tender results (Pengadaan Langsung, Penunjukan Langsung): one package per process
whatever the order, the supplier from the contractor columns, every row accounted for."""

import datetime
import io
import itertools

import pytest
from django.core.management import call_command
from django.db.models import Sum
from openpyxl import Workbook

from contracts.models import Bidder, Method, Process, Stage
from imports import lpse
from imports.models import ImportKind
from imports.services import detect_kind, run_import
from opendata_kontrak.readers import read_table
from tests.imports.test_imports import csv_bytes, import_plans, sirup_row
from tests.imports.test_order import import_bidders, import_tenders, tender_row

# The columns of the non-tender export of the regency's LPSE scrape
# (jokojr97/siipp_laravel, app/Imports/NonTendersImport.php).
HEADER = [
    "kd_lelang", "nama_paket", "ocid", "tanggal_pembuatan", "keterangan", "tahap_tender",
    "instansi", "satker", "jenis_pekerjaan", "metode_pengadaan", "sumber_dana", "tahun_ang",
    "pagu", "hps", "lokasi", "kualifikasi", "peserta", "npwp_peserta", "harga_penawaran",
    "harga_terkoreksi", "hasil_negosiasi", "pagu1", "hps1", "pemenang", "paket1",
    "alamat_pemenang", "npwp_pemenang", "hasil_negosiasi_pemenang", "nama_kontraktor",
    "alamat_kontraktor", "npwp_kontraktor", "penawaran_kontraktor", "negosiasi_kontraktor",
]  # fmt: skip


def non_tender_row(**overrides):
    return {
        "kd_lelang": "3120244",
        "nama_paket": "Pengadaan ATK Puskesmas Dander (PL)",
        "ocid": "17000003",
        "tanggal_pembuatan": "43200",
        "tahap_tender": "Paket Sudah Selesai",
        "instansi": "Pemerintah Daerah Kabupaten Bojonegoro",
        "satker": "DINAS KESEHATAN",
        "jenis_pekerjaan": "Pengadaan Barang",
        "metode_pengadaan": "Pengadaan Langsung",
        "sumber_dana": "APBD",
        "tahun_ang": "2018",
        "pagu": "150000000",
        "hps": "148500000",
        "lokasi": "Kecamatan Dander - Bojonegoro (Kab.)",
        "harga_penawaran": "147000000",
        "harga_terkoreksi": "147000000",
        "hasil_negosiasi": "145000000",
        "nama_kontraktor": "CV. MITRA ATK",
        "alamat_kontraktor": "Jl. Veteran 1 Bojonegoro",
        "npwp_kontraktor": "02.577.005.8-645.000",
        "penawaran_kontraktor": "147000000",
        "negosiasi_kontraktor": "145000000",
        **overrides,
    }


def import_non_tenders(rows, filename="nontender.csv", **kwargs):
    return run_import(
        kind=ImportKind.LPSE_NON_TENDER,
        content=csv_bytes(rows, header=HEADER),
        filename=filename,
        commit=True,
        **kwargs,
    )


PL_PLAN = sirup_row(
    kode_rup="17000003",
    nama_paket="Pengadaan ATK Puskesmas Dander",
    pagu_rup="150.000.000",
    metode_pemilihan="Pengadaan Langsung",
    jenis_pengadaan="Barang",
)


@pytest.mark.django_db
def test_a_non_tender_row_becomes_a_package_with_its_supplier_award_and_contract():
    report = import_non_tenders([non_tender_row()])
    assert report.kind == "lpse_non_tender"
    assert report.counts["created"] == 1, report.rows
    process = Process.objects.select_related("supplier").get()
    assert process.tender_code == "3120244"
    assert process.lpse_url == (
        "https://lpse.bojonegorokab.go.id/eproc4/nontender/3120244/pengumumanpl"
    )
    assert process.rup_code == "17000003"  # kept, so that the plan adopts it
    assert (process.method, process.method_original) == (Method.DIRECT_PROCUREMENT, "")
    assert process.category == "barang"
    assert (process.budget_amount, process.hps_amount) == (150_000_000, 148_500_000)
    assert process.supplier.name == "CV. MITRA ATK"
    assert process.supplier.npwp == "0025770058645000"
    assert process.supplier.address == "Jl. Veteran 1 Bojonegoro"
    assert (process.award_amount, process.contract_amount) == (145_000_000, 145_000_000)
    assert process.tender_announced == datetime.date(2018, 4, 10)  # serial 43200
    assert process.stage_reached == Stage.CONTRACT


@pytest.mark.django_db
@pytest.mark.parametrize("plan_first", [True, False], ids=["plan-first", "non-tender-first"])
def test_a_non_tender_joins_its_plan_whichever_comes_first(plan_first):
    steps = [
        lambda: import_plans(csv_bytes([PL_PLAN])),
        lambda: import_non_tenders([non_tender_row()]),
    ]
    for step in steps if plan_first else steps[::-1]:
        step()
    process = Process.objects.get()
    assert (process.rup_code, process.tender_code) == ("17000003", "3120244")
    assert process.title == "Pengadaan ATK Puskesmas Dander"
    assert process.budget_amount == 150_000_000
    assert process.supplier.name == "CV. MITRA ATK"


STEPS = {
    "plans": lambda: import_plans(csv_bytes([sirup_row(), PL_PLAN])),
    "tenders": lambda: import_tenders([tender_row()]),
    "non-tenders": lambda: import_non_tenders([non_tender_row()]),
}


@pytest.mark.django_db
@pytest.mark.parametrize("order", list(itertools.permutations(STEPS)), ids="-".join)
def test_plans_tenders_and_non_tenders_in_any_order_give_one_package_each(order):
    for step in order * 2:
        STEPS[step]()
    assert Process.objects.aggregate(total=Sum("budget_amount"))["total"] == 1_400_000_000
    assert sorted(
        Process.objects.values_list("rup_code", "tender_code", "title", "supplier__name")
    ) == [
        ("17000001", "5009244", "Rehabilitasi Puskesmas Dander", "CV. CONTOH KARYA"),
        ("17000003", "3120244", "Pengadaan ATK Puskesmas Dander", "CV. MITRA ATK"),
    ]


@pytest.mark.django_db
def test_importing_the_same_export_again_changes_nothing():
    import_non_tenders([non_tender_row()])
    before = list(Process.objects.values_list("pk", "updated_at"))
    again = import_non_tenders([non_tender_row()])
    assert again.counts["unchanged"] == 1 == sum(again.counts.values())
    assert list(Process.objects.values_list("pk", "updated_at")) == before


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["", "abc", "3120244x", "-3120244"])
def test_an_empty_or_malformed_code_is_skipped_and_matches_nothing(code):
    import_plans(csv_bytes([PL_PLAN]))
    report = import_non_tenders([non_tender_row(kd_lelang=code)])
    assert report.counts["skipped"] == 1
    assert "kode non tender" in report.rows[0].messages[0]
    process = Process.objects.get()
    assert (process.tender_code, process.supplier) == ("", None)


@pytest.mark.django_db
def test_amounts_as_spreadsheets_and_people_write_them():
    import_non_tenders(
        [
            non_tender_row(
                pagu="Rp 250.000.000,-",
                hps="Rp 250.000.000,-",
                hasil_negosiasi="212506221.4",
                negosiasi_kontraktor="212506221.4",
            )
        ]
    )
    process = Process.objects.get()
    assert (process.budget_amount, process.hps_amount) == (250_000_000, 250_000_000)
    assert (process.award_amount, process.contract_amount) == (212_506_221, 212_506_221)


@pytest.mark.django_db
def test_a_contractor_amount_cut_to_thousands_takes_the_award_with_a_note():
    report = import_non_tenders([non_tender_row(negosiasi_kontraktor="145000")])
    process = Process.objects.get()
    assert (process.award_amount, process.contract_amount) == (145_000_000, 145_000_000)
    assert "terpotong (tertulis dalam ribuan)" in " ".join(report.rows[0].messages)

    # With nothing to compare it to, an amount under 1% of the HPS is never published.
    report = import_non_tenders(
        [
            non_tender_row(
                kd_lelang="3121244",
                ocid="",
                hasil_negosiasi="",
                harga_terkoreksi="",
                harga_penawaran="",
                penawaran_kontraktor="147000",
                negosiasi_kontraktor="145000",
            )
        ]
    )
    process = Process.objects.get(tender_code="3121244")
    assert (process.award_amount, process.contract_amount) == (None, None)
    assert process.supplier.name == "CV. MITRA ATK"
    assert "kurang dari 1%" in " ".join(report.rows[0].messages)


@pytest.mark.django_db
def test_every_row_of_the_file_is_accounted_for():
    rows = [
        non_tender_row(),
        non_tender_row(nama_paket="Baris ganda"),
        non_tender_row(kd_lelang=""),
        non_tender_row(kd_lelang="3122244", satker="POLRES BOJONEGORO"),
        non_tender_row(kd_lelang="3123244", tahun_ang="dua ribu"),
        non_tender_row(kd_lelang="3124244", hps="seratus juta"),
        non_tender_row(
            kd_lelang="3125244", ocid="", nama_kontraktor="", npwp_kontraktor="", pemenang=""
        ),
    ]
    report = import_non_tenders(rows)
    assert report.total == len(rows) == sum(report.counts.values())
    assert report.counts == {"created": 2, "updated": 0, "unchanged": 0, "skipped": 5}
    assert all(row.messages for row in report.skipped_rows)
    unawarded = Process.objects.get(tender_code="3125244")
    assert (unawarded.supplier, unawarded.stage_reached) == (None, Stage.TENDER)


@pytest.mark.django_db
def test_an_xlsx_export_with_numbers_and_dates_as_cells():
    workbook = Workbook()
    workbook.active.append(HEADER)
    row = non_tender_row(
        kd_lelang=3120244,
        ocid=17000003.0,
        tahun_ang=2018,
        pagu=150000000,
        hps=148500000.0,
        hasil_negosiasi=145000000,
        negosiasi_kontraktor=145000000,
        tanggal_pembuatan=datetime.datetime(2018, 4, 10, 9, 30),
    )
    workbook.active.append([row.get(column, "") for column in HEADER])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run_import(content=buffer.getvalue(), filename="Non Tender 2018.xlsx", commit=True)
    assert report.kind == "lpse_non_tender"
    assert report.counts["created"] == 1, report.rows
    process = Process.objects.get()
    assert (process.tender_code, process.rup_code) == ("3120244", "17000003")
    assert (process.hps_amount, process.contract_amount) == (148_500_000, 145_000_000)
    assert process.tender_announced == datetime.date(2018, 4, 10)


def test_the_kind_is_told_apart_from_tenders_and_bidders_by_its_columns():
    tenders, bidders = lpse.shared_files()
    # The real tender export has contractor columns too, and is still a tender export.
    assert {"nama_kontraktor", "npwp_kontraktor"} <= set(header_of(tenders))
    assert detect_kind(header_of(tenders), tenders.name) == "lpse_tender"
    assert detect_kind(header_of(bidders), bidders.name) == "lpse_bidder"
    assert detect_kind(HEADER, "nontender.csv") == "lpse_non_tender"
    # kd_lelang, peserta and harga_terkoreksi are bidder columns too: the kind needing more wins.
    assert detect_kind([*HEADER, "npwp", "penawaran"], "x.csv") == "lpse_non_tender"


def header_of(path):
    header, _ = read_table(io.BytesIO(path.read_bytes()), path.name)
    return header


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("term", "method"),
    [
        ("Penunjukan Langsung", Method.DIRECT_APPOINTMENT),
        ("e-Purchasing", Method.E_PURCHASING),
        ("Pengadaan Langsung - Satu File - Harga Terendah", Method.DIRECT_PROCUREMENT),
    ],
)
def test_the_method_is_the_exports(term, method):
    import_non_tenders([non_tender_row(metode_pengadaan=term)])
    assert Process.objects.get().method == method


@pytest.mark.django_db
def test_import_data_recognises_a_non_tender_export(tmp_path):
    path = tmp_path / "non tender 2018.csv"
    path.write_bytes(csv_bytes([non_tender_row()], header=HEADER))
    out = io.StringIO()
    call_command("import_data", str(path), "--commit", stdout=out)
    assert "Hasil non tender LPSE" in out.getvalue()
    assert "1 baru" in out.getvalue()
    assert Process.objects.get().tender_code == "3120244"


@pytest.mark.django_db
def test_a_tender_and_a_non_tender_with_the_same_number_stay_apart():
    import_tenders([tender_row(kode_lelang="3120244", id_rup="")])
    import_non_tenders([non_tender_row(ocid="")])
    import_bidders(["3120244,CV. LAIN,,1190000000,"])
    import_tenders([tender_row(kode_lelang="3120244", id_rup="")])
    import_non_tenders([non_tender_row(ocid="")])
    tender = Process.objects.get(tender_code="3120244", lpse_url__contains="/lelang/")
    non_tender = Process.objects.get(tender_code="3120244", lpse_url__contains="/nontender/")
    assert tender.supplier.name == "CV. CONTOH KARYA"
    assert non_tender.supplier.name == "CV. MITRA ATK"
    assert list(Bidder.objects.values_list("process", flat=True)) == [tender.pk]
