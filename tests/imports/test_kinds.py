"""Which export a file is, told by its columns; a file whose name says another year."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from contracts.models import Process
from imports.services import run_import
from opendata_kontrak.readers import ImportFileError
from tests.factories import make_administrator
from tests.imports.test_imports import csv_bytes, sirup_row
from tests.imports.test_order import TENDER_HEADER, tender_row
from tests.workers import jobs_db, load_migrated_data, run_queued_jobs

BIDDER_CSV = b"kd_lelang,peserta,npwp,penawaran,harga_terkoreksi\n5009244,CV. A,,100000000,\n"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (csv_bytes([sirup_row()]), "sirup"),
        (csv_bytes([tender_row()], header=TENDER_HEADER), "lpse_tender"),
        (BIDDER_CSV, "lpse_bidder"),
    ],
)
def test_the_kind_of_export_is_told_by_its_columns(content, kind):
    report = run_import(content=content, filename="ekspor.csv", commit=False)
    assert report.kind == kind
    assert sum(report.counts.values()) == 1


def test_a_file_of_no_known_kind_says_what_can_be_imported():
    with pytest.raises(ImportFileError, match="jenis ekspor tidak dikenali") as error:
        run_import(content=b"nama,alamat\nA,B\n", filename="lain.csv", commit=False)
    assert "Rencana pengadaan SiRUP" in str(error.value)


@pytest.mark.django_db
def test_import_data_needs_no_kind(tmp_path):
    path = tmp_path / "rup.csv"
    path.write_bytes(csv_bytes([sirup_row()]))
    out = io.StringIO()
    call_command("import_data", str(path), "--commit", stdout=out)
    assert "Rencana pengadaan SiRUP" in out.getvalue()
    assert Process.objects.count() == 1
    call_command("import_data", "sirup", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("import_data", "sirup", stdout=io.StringIO())


@pytest.mark.django_db
def test_a_file_named_for_one_year_that_holds_another_is_pointed_out(tmp_path):
    rows = [sirup_row(tahun="2020"), sirup_row(kode_rup="17000002", tahun="2020")]
    report = run_import(content=csv_bytes(rows), filename="RUP Penyedia 2018.csv", commit=False)
    assert report.warnings == [
        "nama berkas menyebut tahun 2018, tetapi berkas ini memuat 2 baris tahun 2020. "
        "Pastikan ini berkas yang dimaksud."
    ]
    assert "Perhatian" in report.summary()
    same = run_import(content=csv_bytes(rows), filename="rup_2020.csv", commit=False)
    assert same.warnings == []


@jobs_db
def test_the_admin_recognises_the_kind_and_speaks_indonesian(client, media_root):
    load_migrated_data()
    client.force_login(make_administrator())
    content = csv_bytes([sirup_row(), sirup_row(kode_rup="x")])
    job_url = client.post(
        "/admin/imports/importrun/impor/",
        {"kind": "", "file": SimpleUploadedFile("ekspor-tanpa-akhiran", content)},
    )["Location"]
    run_queued_jobs()
    html = client.get(job_url).content.decode()
    assert "Rencana pengadaan SiRUP" in html
    assert ">baru<" in html and ">dilewati<" in html
    assert ">created<" not in html and ">skipped<" not in html


@jobs_db
def test_the_preview_lists_every_skipped_row(client, media_root):
    load_migrated_data()
    client.force_login(make_administrator())
    rows = [sirup_row()] + [sirup_row(kode_rup=f"bukan-{n}") for n in range(400)]
    job_url = client.post(
        "/admin/imports/importrun/impor/",
        {"kind": "", "file": SimpleUploadedFile("rup.csv", csv_bytes(rows))},
    )["Location"]
    run_queued_jobs()
    html = client.get(job_url).content.decode()
    assert "Baris yang dilewati (400)" in html and "bukan-0" in html
    last = client.get(job_url + "?halaman=4").content.decode()
    assert "bukan-399" in last and "Halaman 4 dari 4" in last
