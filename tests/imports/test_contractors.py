"""The contractor columns of the LPSE tender export: the party who signed, the contract value,
and what the export gets wrong about it."""

import pytest

from contracts.models import Process, Stage
from imports.models import ImportKind
from imports.services import run_import
from tests.imports.test_imports import csv_bytes
from tests.imports.test_order import TENDER_HEADER, tender_row

HEADER = [
    *TENDER_HEADER,
    "tahap_tender", "tanggal_pembuatan", "harga_penawaran", "hasil_negosiasi",
    "nama_kontraktor", "npwp_kontraktor", "penawaran_kontraktor", "negosiasi_kontraktor",
]  # fmt: skip


def signed(**overrides):
    return tender_row(
        **{
            "tahap_tender": "Tender Sudah Selesai",
            "tanggal_pembuatan": "43160",
            "harga_penawaran": "1190000000",
            "hasil_negosiasi": "1180000000",
            "nama_kontraktor": "CV. CONTOH KARYA",
            "npwp_kontraktor": "71.242.031.4-601.000",
            "penawaran_kontraktor": "1190000000",
            "negosiasi_kontraktor": "1180000000",
            **overrides,
        }
    )


def import_one(row):
    report = run_import(
        kind=ImportKind.LPSE_TENDER,
        content=csv_bytes([row], header=HEADER),
        filename="tender.csv",
        commit=True,
    )
    assert sum(report.counts.values()) == 1
    return Process.objects.get(), " ".join(report.rows[0].messages)


@pytest.mark.django_db
def test_the_winners_signed_contract_brings_the_package_to_the_contract_stage():
    process, notes = import_one(signed())
    assert (process.award_amount, process.contract_amount) == (1_180_000_000, 1_180_000_000)
    assert process.stage_reached == Stage.CONTRACT
    assert process.tender_announced.isoformat() == "2018-03-01"
    assert "kontrak" not in notes


@pytest.mark.django_db
def test_a_contract_before_the_appointment_is_not_one_yet():
    process, notes = import_one(signed(tahap_tender="Evaluasi Administrasi, Kualifikasi"))
    assert process.contract_amount is None
    assert process.stage_reached == Stage.AWARD
    assert "belum dicatat sebagai kontrak" in notes


@pytest.mark.django_db
def test_a_contract_signed_by_another_firm_is_said():
    process, notes = import_one(
        signed(nama_kontraktor="CV. CADANGAN", npwp_kontraktor="01.538.261.7-601.000")
    )
    assert process.supplier.name == "CV. CONTOH KARYA"
    assert process.contract_amount == 1_180_000_000
    assert "kontrak ditandatangani CV. CADANGAN, bukan pemenang CV. CONTOH KARYA" in notes


@pytest.mark.django_db
@pytest.mark.parametrize("written", ["1180000", "1180"])
def test_a_contract_value_cut_to_thousands_or_millions_takes_the_award(written):
    process, notes = import_one(signed(negosiasi_kontraktor=written))
    assert process.contract_amount == 1_180_000_000
    assert f"nilai kontrak tertulis {written}, yaitu nilai penetapan Rp 1.180.000.000" in notes


@pytest.mark.django_db
def test_a_value_that_is_not_the_award_cut_short_is_not_published():
    process, notes = import_one(signed(negosiasi_kontraktor="1250", penawaran_kontraktor="1260"))
    assert process.contract_amount is None
    assert process.stage_reached == Stage.AWARD
    assert "kurang dari 1% nilai penetapan Rp 1.180.000.000" in notes


def import_xlsx_with_npwp(number):
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    row = signed()
    npwp_columns = {"npwp_pemenang", "npwp_kontraktor"}
    sheet.append([number if column in npwp_columns else row[column] for column in HEADER])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run_import(
        kind=ImportKind.LPSE_TENDER, content=buffer.getvalue(), filename="tender.xlsx", commit=True
    )
    assert sum(report.counts.values()) == 1
    return Process.objects.get(), " ".join(report.rows[0].messages)


@pytest.mark.django_db
def test_an_xlsx_export_with_the_npwp_as_a_number_keeps_its_leading_zero():
    """Excel turns 01.234.567.8-901.234 typed plainly into the number 12345678901234: the
    supplier gets the NPWP a CSV's text would give it, not "harus 15 atau 16 angka"."""
    from contracts.npwp import normalize_npwp

    process, notes = import_xlsx_with_npwp(12345678901234)
    assert process.supplier.npwp == normalize_npwp("01.234.567.8-901.234") == "0012345678901234"
    assert "harus 15 atau 16 angka" not in notes


@pytest.mark.django_db
def test_a_16_digit_npwp_stored_as_a_number_is_not_taken_as_its_number():
    """A spreadsheet keeps 15 significant digits: 3522011203850001 comes back as
    3522011203850000, a different person's number. The row says so; no supplier carries it."""
    process, notes = import_xlsx_with_npwp(3522011203850000)
    assert "hanya menyimpan 15 angka penting" in notes
    assert process.supplier.npwp is None
    assert process.supplier.name == "CV. CONTOH KARYA"
