"""Bulk upload preview and confirm with real PDFs (contracts/bulk_uploads.py)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts.bulk_uploads import preview_bulk_upload, store_bulk_upload
from contracts.models import AuditEntry, Document, Process
from tests.factories import add_document, make_agency, make_operator, make_process
from tests.pdfs import good_pdf, javascript_pdf


@pytest.fixture
def setup(db):
    dinas = make_agency(name="Dinas Pekerjaan Umum")
    other = make_agency(name="Dinas Kesehatan")
    road = make_process(dinas, rup_code="17654321", tender_code="10034567", title="Jalan")
    clinic = make_process(other, rup_code="20111111", title="Puskesmas")
    return {"operator": make_operator(dinas), "road": road, "clinic": clinic}


def _file(name, data=None):
    return SimpleUploadedFile(name, data if data is not None else good_pdf(title=name))


def test_preview_places_each_file_and_stores_nothing(setup):
    rows = preview_bulk_upload(
        uploads=[
            _file("RUP_17654321_KAK Pelaksanaan.pdf"),
            _file("kode tender 10034567 Pengumuman Pemenang.pdf"),
        ],
        by=setup["operator"],
    )
    assert [r.ready for r in rows] == [True, True]
    assert all(r.process == setup["road"] for r in rows)
    # KAK Pelaksanaan belongs to stage 2 (Pemilihan Penyedia), whatever stage is open.
    assert rows[0].document_type.code == "kak-pelaksanaan"
    assert rows[0].stage == "pemilihan"
    assert rows[1].stage == "pemenang"
    assert not Document.objects.exists()


def test_bad_files_refused_by_name_while_others_proceed(setup):
    rows = preview_bulk_upload(
        uploads=[
            _file("RUP 17654321 KAK Pelaksanaan.pdf", javascript_pdf()),
            _file("RUP 17654321 SPMK.pdf", b"bukan pdf sama sekali"),
            _file("RUP 20111111 KAK Pelaksanaan.pdf"),
            _file("RUP 17654321 Pengumuman Pemenang.pdf"),
        ],
        by=setup["operator"],
    )
    active, not_pdf, foreign, fine = rows
    assert "konten aktif" in active.problem
    assert not_pdf.problem and not not_pdf.ready
    assert "perangkat daerah lain" in foreign.problem
    assert fine.ready
    stored = store_bulk_upload(rows=rows, by=setup["operator"])
    assert [d.original_filename for d in stored] == ["RUP 17654321 Pengumuman Pemenang.pdf"]
    assert not Document.objects.filter(process=setup["clinic"]).exists()


def test_duplicate_of_a_stored_document_by_hash(setup):
    data = good_pdf(title="Sama")
    add_document(setup["road"], setup["operator"], data, name="DPA.pdf")
    rows = preview_bulk_upload(uploads=[_file("RUP 17654321 SPMK.pdf", data)], by=setup["operator"])
    assert "sudah tersimpan" in rows[0].problem


def test_confirm_stores_through_the_upload_service(setup):
    rows = preview_bulk_upload(
        uploads=[_file("RUP 17654321 Kontrak.pdf"), _file("RUP 17654321 KAK Pelaksanaan.pdf")],
        by=setup["operator"],
    )
    stored = store_bulk_upload(rows=rows, by=setup["operator"])
    assert {(d.stage, d.document_type.code) for d in stored} == {
        ("kontrak", "kontrak"),
        ("pemilihan", "kak-pelaksanaan"),
    }
    assert (
        AuditEntry.objects.filter(process=setup["road"], action=AuditEntry.Action.UPLOAD).count()
        == 2
    )


def test_a_package_corrected_to_another_agencys_is_refused(setup):
    (row,) = preview_bulk_upload(uploads=[_file("RUP 17654321 SPMK.pdf")], by=setup["operator"])
    row.process = Process.objects.get(pk=setup["clinic"].pk)
    with pytest.raises(PermissionDenied):
        store_bulk_upload(rows=[row], by=setup["operator"])
    assert not Document.objects.exists()
