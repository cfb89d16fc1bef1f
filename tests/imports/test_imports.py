import io

import pytest
from openpyxl import Workbook

from agencies.models import Agency
from contracts.models import AuditEntry, Process
from imports import sirup, values
from imports.models import ImportKind, ImportRun
from imports.services import run_import
from opendata_kontrak.readers import ImportFileError
from tests.factories import make_operator

HEADER = [
    *sirup.REQUIRED_COLUMNS,
    "status_aktif",
    "status_umumkan",
    "tanggal_terakhir_update",
    "nip_kpa",
    "nama_kpa",
    "awal_pekerjaan",
    "akhir_pekerjaan",
    "detail_lokasi",
    "mak",
]


def sirup_row(**overrides):
    row = {
        "kode_rup": "17000001",
        "nama_paket": "Rehabilitasi Puskesmas Dander",
        "pagu_rup": "1.250.000.000",
        "metode_pemilihan": "Lelang Umum",
        "jenis_pengadaan": "Pekerjaan Konstruksi;Pekerjaan Konstruksi",
        "sumber_dana": "APBD, APBDP",
        "nama_satker": "DINAS KESEHATAN",
        "id_satker": "74472",
        "tahun": "2018",
        "status_aktif": "ya",
        "status_umumkan": "sudah",
        "tanggal_terakhir_update": "2018-02-01 10:00:00",
        "nip_kpa": "1,97408E+17",
        "nama_kpa": "dr. Kepala Dinas",
        "awal_pekerjaan": "43160",
        "akhir_pekerjaan": "2018-11-30",
        "detail_lokasi": "Kecamatan Dander;Kecamatan Dander",
        "mak": "5.2.3.01;5.2.3.01",
    }
    row.update(overrides)
    return row


def csv_bytes(rows, header=HEADER, encoding="utf-8"):
    lines = [",".join(header)]
    for row in rows:
        lines.append(",".join(f'"{row.get(column, "")}"' for column in header))
    return ("\n".join(lines) + "\n").encode(encoding)


def import_plans(content, filename="rup.csv", commit=True, **kwargs):
    return run_import(
        kind=ImportKind.SIRUP, content=content, filename=filename, commit=commit, **kwargs
    )


@pytest.mark.django_db
def test_a_plan_row_becomes_a_planning_stage():
    report = import_plans(csv_bytes([sirup_row()]))
    assert report.counts["created"] == 1
    process = Process.objects.get(rup_code="17000001")
    assert process.agency.code == "dinas-kesehatan"
    assert process.budget_amount == 1_250_000_000
    assert (process.method, process.method_original) == ("tender", "Lelang Umum")
    assert process.category == "pekerjaan_konstruksi"
    assert process.funding_sources == ["APBD", "APBDP"]
    assert process.planned_start.isoformat() == "2018-03-01"  # spreadsheet serial 43160
    assert process.location_kecamatan == "Dander"
    assert process.account_code == "5.2.3.01"
    assert process.pa_kpa_nip == ""
    assert process.status == "published"
    assert any("notasi ilmiah" in note for note in report.rows[0].messages)
    assert AuditEntry.objects.filter(process=process, action="create").exists()
    assert process.completeness.count() == 5


@pytest.mark.django_db
def test_cancelled_plans_are_kept_as_withdrawn():
    import_plans(csv_bytes([sirup_row(status_aktif="tidak")]))
    process = Process.objects.get()
    assert process.status == "withdrawn"
    assert "SiRUP" in process.withdrawn_reason


@pytest.mark.django_db
def test_the_preview_writes_nothing():
    report = import_plans(csv_bytes([sirup_row()]), commit=False)
    assert report.counts["created"] == 1 and not report.committed
    assert not Process.objects.exists() and not ImportRun.objects.exists()


@pytest.mark.django_db
def test_an_operator_imports_only_their_agencys_rows():
    health = Agency.objects.get(code="dinas-kesehatan")
    operator = make_operator(Agency.objects.get(code="dinas-pendidikan"))
    rows = [
        sirup_row(),
        sirup_row(kode_rup="17000002", nama_satker="DINAS PENDIDIKAN", id_satker="85880"),
    ]
    report = import_plans(csv_bytes(rows), by=operator, scope=operator.agency)
    assert report.counts == {"created": 1, "updated": 0, "unchanged": 0, "skipped": 1}
    assert "bukan perangkat daerah Anda" in report.rows[0].messages[0]
    assert not Process.objects.filter(agency=health).exists()
    assert Process.objects.get().agency == operator.agency


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (
            csv_bytes([sirup_row()], header=[c for c in HEADER if c != "pagu_rup"]),
            "rup.csv",
            "kolom wajib tidak ada: pagu_rup",
        ),
        (b"\x00\x01\x02garbage" * 50, "rup.csv", "karakter NUL"),
        (b"\xff\xfe\x00garbage" * 50, "rup.csv", "bukan teks UTF-8"),
        (b"", "rup.csv", "berkas kosong"),
        (b"PK\x03\x04 not really a workbook", "rup.xlsx", "bukan berkas XLSX"),
        (b"kode_rup\n1\n", "rup.pdf", "hanya berkas CSV atau XLSX"),
    ],
)
def test_a_file_that_cannot_be_read_writes_nothing(content, filename, message):
    with pytest.raises(ImportFileError, match=message):
        import_plans(content, filename=filename)
    assert not Process.objects.exists() and not ImportRun.objects.exists()


@pytest.mark.django_db
def test_garbage_rows_are_reported_and_the_good_ones_kept():
    rows = [
        sirup_row(),
        sirup_row(kode_rup="abc"),
        sirup_row(kode_rup="17000003", nama_satker="KANTOR ENTAH", id_satker="1"),
        sirup_row(kode_rup="17000004", tahun="20x8"),
        sirup_row(kode_rup="17000005", nama_paket=""),
        sirup_row(kode_rup="17000006", pagu_rup="satu miliar", metode_pemilihan="Arisan"),
    ]
    report = import_plans(csv_bytes(rows))
    assert report.total == 6
    # An unreadable pagu stops its row: never a published package without its pagu.
    assert report.counts["created"] == 1 and report.counts["skipped"] == 5
    assert not Process.objects.filter(rup_code="17000006").exists()
    notes = " ".join(report.rows[5].messages)
    assert "bukan jumlah rupiah" in notes and "perbaiki pagunya" in notes


@pytest.mark.django_db
def test_duplicate_codes_keep_the_latest_row():
    rows = [
        sirup_row(nama_paket="Versi lama", tanggal_terakhir_update="2018-01-01 08:00:00"),
        sirup_row(nama_paket="Versi baru", tanggal_terakhir_update="2018-03-01 08:00:00"),
    ]
    report = import_plans(csv_bytes(rows))
    assert Process.objects.get().title == "Versi baru"
    assert report.rows[0].outcome == "skipped" and "baris 3" in report.rows[0].messages[0]


@pytest.mark.django_db
def test_xlsx_exports_import_like_csv():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    row = sirup_row(pagu_rup=845000000)
    sheet.append([row.get(column, "") for column in HEADER])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = import_plans(buffer.getvalue(), filename="rup.xlsx")
    assert report.counts["created"] == 1
    assert Process.objects.get().budget_amount == 845_000_000


def xlsx_bomb(megabytes):
    """A workbook whose one sheet unpacks to `megabytes` MB of rows from a few hundred KB."""
    import zipfile

    buffer = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    bomb = io.BytesIO()
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                head, tail = data.split(b"</sheetData>")
                with target.open(item.filename, "w", force_zip64=True) as member:
                    member.write(head)
                    for _ in range(megabytes * 2**20 // (len(row) * 1000)):
                        member.write(row * 1000)
                    member.write(b"</sheetData>" + tail)
            else:
                target.writestr(item, data)
    return bomb.getvalue()


@pytest.mark.django_db
def test_an_xlsx_that_unpacks_to_too_much_is_refused_before_it_is_read(settings):
    settings.IMPORT_XLSX_MAX_UNPACKED_BYTES = 20 * 2**20
    content = xlsx_bomb(60)
    assert len(content) < 2 * 2**20  # small on the wire, 60 MB inside
    with pytest.raises(ImportFileError, match="setelah dibuka, lebih dari batas 20 MB"):
        import_plans(content, filename="rup.xlsx")
    assert not Process.objects.exists() and not ImportRun.objects.exists()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.250.000.000", 1_250_000_000),
        ("0", None),
        ("", None),
        ("202412000.0", 202_412_000),
        (150000000.0, 150_000_000),
    ],
)
def test_amounts(raw, expected):
    assert values.amount(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("43814", "2019-12-15"), ("2018-01-05 21:39:05", "2018-01-05"), ("05/01/2018", "2018-01-05")],
)
def test_dates(raw, expected):
    assert values.date(raw).isoformat() == expected


def test_mangled_nips_are_refused_not_invented():
    assert values.nip("19740812 199903 1 005") == "197408121999031005"
    with pytest.raises(values.Unreadable, match="notasi ilmiah"):
        values.nip("1,97408E+17")
