import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts.pdf import PdfRejected, display_filename, inspect_upload
from tests import pdfs


def upload(data, name="dokumen.pdf"):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_a_real_pdf_is_measured_and_its_text_read():
    data = pdfs.good_pdf("DPA Dinas Kesehatan", ["Belanja alat kesehatan puskesmas"], pages=2)
    info = inspect_upload(upload(data))
    assert info.page_count == 2
    assert info.size == len(data)
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.text_status == "ok"
    assert "Belanja alat kesehatan puskesmas" in info.text


def test_a_pdf_without_text_is_kept_and_marked():
    from io import BytesIO

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = BytesIO()
    writer.write(out)
    info = inspect_upload(upload(out.getvalue(), "pindaian.pdf"))
    assert info.page_count == 1
    assert info.text_status == "empty"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "berkas kosong"),
        (pdfs.truncated_pdf(), "terpotong"),
        (b"Ini surat biasa, bukan PDF.\n" * 20, "bukan berkas PDF"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "bukan berkas PDF"),
        (pdfs.encrypted_pdf(), "hanya bisa dibuka dengan kata sandi"),
        (pdfs.javascript_pdf(), "aksi JavaScript saat dokumen dibuka (OpenAction)"),
        (pdfs.launch_on_open_pdf(), "aksi menjalankan program (Launch) pada pemicu otomatis"),
        (pdfs.zero_page_pdf(), "tidak memiliki halaman"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage\n%%EOF\n", "rusak"),
    ],
    ids=[
        "empty",
        "truncated",
        "text",
        "png",
        "encrypted",
        "javascript",
        "launch",
        "no-pages",
        "garbage",
    ],
)
def test_each_bad_pdf_is_refused_with_its_own_reason(data, message):
    with pytest.raises(PdfRejected) as rejected:
        inspect_upload(upload(data, "Lampiran (1).pdf"))
    assert rejected.value.filename == "Lampiran (1).pdf"
    assert message in rejected.value.reason


def test_a_file_over_the_limit_is_refused(settings):
    settings.DOCUMENT_MAX_BYTES = 1000
    with pytest.raises(PdfRejected, match="melebihi batas 1000"):
        inspect_upload(upload(pdfs.good_pdf(lines=["x" * 80] * 40)))


def test_a_pdf_that_takes_too_long_is_refused(settings):
    settings.PDF_WORKER_TIMEOUT_SECONDS = 0.01
    with pytest.raises(PdfRejected, match="batas waktu"):
        inspect_upload(upload(pdfs.good_pdf()))


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\ops\\DPA 2018.pdf", "DPA 2018.pdf"),
        ("lap\x00oran\x1b.pdf", "laporan.pdf"),
        ("", "dokumen.pdf"),
    ],
)
def test_uploaded_names_are_labels_only(raw, shown):
    assert display_filename(raw) == shown


def test_several_files_are_checked_side_by_side_and_answered_in_order():
    from contracts.pdf import inspect_uploads

    files = [
        upload(pdfs.good_pdf(pages=3), "satu.pdf"),
        upload(b"bukan pdf", "dua.pdf"),
        upload(pdfs.good_pdf(pages=1), "tiga.pdf"),
        upload(pdfs.javascript_pdf(), "empat.pdf"),
    ]
    outcomes = inspect_uploads(files)
    assert [getattr(o, "page_count", None) for o in outcomes] == [3, None, 1, None]
    assert [getattr(o, "filename", None) for o in outcomes] == [None, "dua.pdf", None, "empat.pdf"]


def test_a_batch_past_its_time_budget_refuses_what_it_could_not_check(settings):
    from contracts.pdf import inspect_uploads

    settings.PDF_BATCH_SECONDS = 0.5
    outcomes = inspect_uploads([upload(pdfs.good_pdf(), "DPA.pdf"), upload(pdfs.good_pdf())])
    assert all(isinstance(o, PdfRejected) for o in outcomes)
    assert "belum sempat diperiksa" in outcomes[0].reason
    assert "beberapa kali simpan" in outcomes[0].reason


def test_a_file_cut_off_by_the_batch_budget_is_not_called_too_complex():
    with pytest.raises(PdfRejected) as rejected:
        inspect_upload(upload(pdfs.good_pdf()), timeout=0.01)
    assert "belum sempat diperiksa" in rejected.value.reason
