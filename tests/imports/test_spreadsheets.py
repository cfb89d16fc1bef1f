"""Exports as spreadsheets really write them: the shared cases, separators, encodings, numbers,
dates, long multi-place cells, unknown methods and control characters."""

import datetime
import hashlib
from pathlib import Path

import pytest

from contracts.models import Bidder, Method, Process
from imports import values
from imports.models import ImportKind
from imports.services import run_import
from tests.imports.test_imports import HEADER, csv_bytes, import_plans, sirup_row

CASES = Path(__file__).parent / "cases"


def rows_accounted(report):
    return sum(report.counts.values())


def outcomes(report):
    return {outcome: number for outcome, number in report.counts.items() if number}


@pytest.mark.django_db
def test_an_xlsx_that_declares_a_smaller_sheet_gives_every_row():
    content = (CASES / "xlsx-stale-dimension.xlsx").read_bytes()
    report = import_plans(content, filename="rup.xlsx")
    assert report.counts["created"] == 5
    assert Process.objects.filter(rup_code__startswith="910001").count() == 5


@pytest.mark.django_db
def test_an_xlsx_without_its_extension_is_read_as_xlsx():
    content = (CASES / "xlsx-stale-dimension.xlsx").read_bytes()
    assert import_plans(content, filename="ekspor-rup").counts["created"] == 5


@pytest.mark.django_db
def test_a_semicolon_csv_with_indonesian_amounts_imports_like_the_comma_file():
    report = import_plans((CASES / "csv-semicolon.csv").read_bytes(), filename="rup.csv")
    assert report.counts["created"] == rows_accounted(report) == 2
    second = Process.objects.get(rup_code="91000302")
    assert second.title == "Peningkatan Jalan Lingkungan Contoh, Tahap II"
    assert second.budget_amount == 175_500_000
    assert Process.objects.get(rup_code="91000301").budget_amount == 250_000_000


@pytest.mark.django_db
def test_codes_years_and_dates_written_as_floats_are_whole_numbers():
    report = import_plans((CASES / "csv-integers-as-floats.csv").read_bytes(), filename="rup.csv")
    assert report.counts["created"] == 2, report.rows
    process = Process.objects.get(rup_code="91000201")
    assert process.fiscal_year == 2022
    assert process.budget_amount == 480_000_000
    assert process.agency.code == "dinas-pu-bina-marga-penataan-ruang"
    assert process.planned_start == datetime.date(2022, 3, 1)
    assert process.planned_end == datetime.date(2022, 6, 30)


@pytest.mark.django_db
def test_a_pagu_with_a_decimal_comma_is_read_in_rupiah():
    import_plans((CASES / "csv-rupiah-decimal-comma.csv").read_bytes(), filename="rup.csv")
    assert Process.objects.get(rup_code="91000501").budget_amount == 1_250_000_000


@pytest.mark.django_db
def test_control_characters_are_removed_at_the_door_and_every_output_works(client):
    report = import_plans((CASES / "csv-control-characters.csv").read_bytes(), filename="rup.csv")
    assert report.counts["created"] == 3
    titles = set(Process.objects.values_list("title", flat=True))
    assert titles == {
        "Rehabilitasi Jembatan Desa Contoh",
        "Pengadaan Seragam Linmas Contoh",
        "Normalisasi Saluran 400 000 m Contoh",
    }
    assert client.get("/feed/paket/").status_code == 200


def test_control_characters_never_reach_a_feed_or_a_spreadsheet():
    from dashboards.exports import safe
    from opendata_kontrak.text import printable

    assert printable("a\x02b\x07c\x16d\x85e\tf\ng") == "a b c d e\tf\ng"
    assert safe("=Judul\x02") == "'=Judul "
    assert safe(12) == 12


@pytest.mark.django_db
def test_an_unreadable_pagu_is_an_error_on_its_row_never_a_package_without_it():
    report = import_plans(csv_bytes([sirup_row(pagu_rup="satu miliar")]))
    assert outcomes(report) == {"skipped": 1}
    assert "bukan jumlah rupiah" in " ".join(report.rows[0].messages)
    assert not Process.objects.exists()


@pytest.mark.django_db
def test_a_cell_that_lists_several_schools_gives_its_kecamatan_and_keeps_every_place():
    schools = " ".join(f"SDN Ngumpak {n} Kec. Dander" for n in range(1, 16))
    report = import_plans(csv_bytes([sirup_row(detail_lokasi=schools)]))
    assert report.counts["created"] == 1, report.rows
    process = Process.objects.get()
    assert process.location_kecamatan == "Dander"
    assert process.location_detail == schools
    assert len(schools) > 300


@pytest.mark.django_db
def test_a_text_longer_than_its_column_is_noted_and_never_cut():
    report = import_plans(csv_bytes([sirup_row(nama_paket="Jalan " * 100)]))
    assert outcomes(report) == {"skipped": 1}
    assert "lebih dari batas 500" in " ".join(report.rows[0].messages)
    report = import_plans(
        csv_bytes([sirup_row(kode_rup="17000002", nama_kpa="Drs. " + "Nama Panjang " * 20)])
    )
    assert outcomes(report) == {"created": 1}
    assert Process.objects.get(rup_code="17000002").pa_kpa_name == ""
    assert "lebih dari batas 200" in " ".join(report.rows[0].messages)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("term", "method", "kept"),
    [
        ("Dikecualikan", Method.EXCLUDED, ""),
        ("Darurat", Method.EMERGENCY, "Darurat"),
        ("Kerja Sama Operasi", "", "Kerja Sama Operasi"),
    ],
)
def test_methods_outside_the_usual_five_are_kept(term, method, kept):
    report = import_plans(csv_bytes([sirup_row(metode_pemilihan=term)]))
    assert outcomes(report) == {"created": 1}
    process = Process.objects.get()
    assert (process.method, process.method_original) == (method, kept)


@pytest.mark.django_db
def test_a_cp1252_csv_from_excel_is_read():
    content = csv_bytes(
        [sirup_row(nama_paket="Pengadaan Alat Ukur 25 °C dan 3 m²")], encoding="cp1252"
    )
    import_plans(content)
    assert Process.objects.get().title == "Pengadaan Alat Ukur 25 °C dan 3 m²"


@pytest.mark.django_db
def test_a_bidder_row_with_an_empty_tender_code_matches_nothing():
    import_plans(csv_bytes([sirup_row()]))
    Process.objects.update(tender_code="")
    content = b"kd_lelang,peserta,npwp,penawaran,harga_terkoreksi\n,CV Contoh,,100000000,\n"
    report = run_import(
        kind=ImportKind.LPSE_BIDDER, content=content, filename="peserta.csv", commit=True
    )
    assert outcomes(report) == {"skipped": 1}
    assert not Bidder.objects.exists()


@pytest.mark.parametrize(
    ("raw", "rupiah"),
    [
        ("1.250.000.000", 1_250_000_000),
        ("1.250.000.000,00", 1_250_000_000),
        ("Rp 150.000.000,-", 150_000_000),
        ("Rp. 1.250.000", 1_250_000),
        ("1,250,000,000", 1_250_000_000),
        ("1250000000", 1_250_000_000),
        ("1250000000.00", 1_250_000_000),
        ("212506221.4", 212_506_221),
        ("212506221,5", 212_506_222),
        (212506221.4, 212_506_221),
        ("", None),
        ("0", None),
        ("Rp 0,-", None),
        ("Rp", None),
    ],
)
def test_amounts_in_every_form_exports_use(raw, rupiah):
    assert values.amount(raw) == rupiah


@pytest.mark.parametrize("raw", ["satu juta", "1.25.000", "-5000", "12e6", "1,2,3"])
def test_amounts_that_cannot_be_read_say_so(raw):
    with pytest.raises(values.Unreadable):
        values.amount(raw)


@pytest.mark.parametrize(
    ("raw", "day"),
    [
        ("2022-03-01", datetime.date(2022, 3, 1)),
        ("2022.0-03-01", datetime.date(2022, 3, 1)),
        ("01/03/2022", datetime.date(2022, 3, 1)),
        ("44621", datetime.date(2022, 3, 1)),
        ("44621.0", datetime.date(2022, 3, 1)),
        ("1 Maret 2022", datetime.date(2022, 3, 1)),
        ("Selasa, 01 Mar 2022", datetime.date(2022, 3, 1)),
        ("17-Agu-2022", datetime.date(2022, 8, 17)),
        ("30 Nopember 2022 14:00", datetime.date(2022, 11, 30)),
    ],
)
def test_dates_in_every_form_exports_use(raw, day):
    assert values.date(raw) == day


def test_codes_written_as_floats():
    assert values.code("91000201.0") == "91000201"
    assert values.code(91000201.0) == "91000201"
    assert values.code("2022.0") == "2022"
    assert values.count("2022.0") == 2022
    assert values.code("9100.5") == "9100.5"


def test_the_header_of_the_shared_cases_is_the_sirup_header():
    # The cases exercise the plan importer; their header must hold its required columns.
    header = (CASES / "csv-semicolon.csv").read_text().splitlines()[0].split(";")
    assert set(HEADER[:9]) <= set(header)


def test_what_a_citizen_pastes_comes_in_without_control_characters():
    import uuid

    from participation.forms import ReportForm

    form = ReportForm(
        data={
            "topic": "lainnya",
            "body": "Jalan\x02 rusak\x07 di\tdesa\nSumberarum",
            "place": "Desa\x16 Ngumpak",
            "key": str(uuid.uuid4()),
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["body"] == "Jalan  rusak  di\tdesa\nSumberarum"
    assert form.cleaned_data["place"] == "Desa  Ngumpak"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Pekerjaan Konstruksi;Pekerjaan Konstr", ("pekerjaan_konstruksi", False)),
        ("Barang;Jasa Lainnya;Pekerjaan Kon", ("barang", True)),
        ("Barang;Ja", ("barang", False)),
    ],
)
def test_a_category_cell_cut_off_by_the_export_keeps_its_categories(cell, expected):
    category, mixed = values.category(cell)
    assert (str(category), mixed) == expected


def data_rows(path):
    """Rows below the header with anything in them, counted without the importer's reader:
    the number of outcomes an import of the file must give."""
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True).active
        sheet.reset_dimensions()
        rows = list(sheet.iter_rows(values_only=True))
        return sum(1 for row in rows[1:] if any(cell not in (None, "") for cell in row))
    import csv
    import io

    text = path.read_text(encoding="utf-8-sig")
    header = text.splitlines()[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return sum(1 for row in rows[1:] if any(cell.strip() for cell in row))


SHARED_CASES = Path(__file__).resolve().parents[3] / "shared" / "cases" / "imports"
FIXTURES = sorted(CASES.iterdir()) + sorted(
    (Path(__file__).resolve().parents[2] / "imports" / "data" / "bojonegoro").glob("*.csv")
)


@pytest.mark.django_db
@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.name)
def test_every_fixture_accounts_for_every_row(path):
    report = run_import(content=path.read_bytes(), filename=path.name, commit=False)
    assert report.total == sum(report.counts.values()) == data_rows(path)


def test_the_case_files_are_the_shared_ones():
    """The cases under tests/ are the files of ../shared/cases/imports/ byte for byte: their
    SHA-256 sums were taken from the shared folder (tests/imports/cases.sha256), and where that
    folder is beside the clone it is compared as well."""
    sums = dict(
        reversed(line.split()) for line in (CASES.parent / "cases.sha256").read_text().splitlines()
    )
    for name, digest in sums.items():
        assert hashlib.sha256((CASES / name).read_bytes()).hexdigest() == digest, name
    if SHARED_CASES.is_dir():
        for shared in SHARED_CASES.iterdir():
            assert shared.name in sums, shared.name
            assert (CASES / shared.name).read_bytes() == shared.read_bytes(), shared.name


@pytest.mark.django_db
def test_rows_are_numbered_as_the_spreadsheet_shows_them_despite_line_breaks_in_cells():
    rows = [
        sirup_row(kode_rup="17000001", nama_paket="Paket dengan\nbaris baru\ndi namanya"),
        sirup_row(kode_rup=""),
    ]
    report = import_plans(csv_bytes(rows), commit=False)
    skipped = [row for row in report.rows if row.outcome == "skipped"]
    assert [row.line for row in skipped] == [3]  # row 3 in Excel, line 5 of the file


def test_a_file_named_xlsx_that_is_not_one_says_so():
    with pytest.raises(values_error()) as raised:
        run_import(content=b"\x00\x01sampah", filename="RUP 2019.xlsx", commit=False)
    assert "bukan berkas XLSX yang utuh" in str(raised.value)


def values_error():
    from opendata_kontrak.readers import ImportFileError

    return ImportFileError


@pytest.mark.parametrize(
    ("name", "years"),
    [
        ("lpse_tender_2018-2020.csv", {2018, 2019, 2020}),
        ("RUP 2018.xlsx", {2018}),
        ("rup 2019_2020.csv", {2019, 2020}),
        ("ekspor.csv", set()),
    ],
)
def test_file_names_name_years_and_ranges(name, years):
    from imports.services import named_years

    assert named_years(name) == years


@pytest.mark.django_db
def test_excels_escaped_line_breaks_leave_the_title():
    """The LPSE export of 2018-2020 carries "Gedung PMI … Bojonegoro _x000D_" over several
    lines: Excel's escape of a carriage return, kept as text by the copy. A title reads
    without it; a real underscore elsewhere stays."""
    assert values.text("Gedung PMI Bojonegoro _x000D_\n   _x000D_\n") == "Gedung PMI Bojonegoro"
    assert values.text("Jalan Kalitidu _x000d_ _X000D_") == "Jalan Kalitidu _X000D_"
    assert values.text("Kode_RUP_2018") == "Kode_RUP_2018"
    rows = [sirup_row(nama_paket="Peningkatan Jalan Kalitidu - Ngasem _x000D_ _x000D_")]
    import_plans(csv_bytes(rows))
    assert Process.objects.get().title == "Peningkatan Jalan Kalitidu - Ngasem"
