"""The bulk upload pages (contracts/bulk_views.py) and their background task, with real PDFs,
the real intake and the real job queue (Procrastinate) on PostgreSQL."""

import datetime
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from contracts import bulk_uploads
from contracts.models import (
    AuditEntry,
    BulkUpload,
    BulkUploadFile,
    Document,
    DocumentType,
    StagedUpload,
)
from tests.factories import make_agency, make_operator, make_process
from tests.pdfs import good_pdf
from tests.workers import jobs_db, load_migrated_data, run_queued_jobs

URL = "/admin/unggah-massal/"
TASK = "contracts.tasks.store_bulk_upload_files"
STAGED_FOLDER = "sementara"  # contracts.models.staged_upload_to


def pdf(name, data=None):
    return SimpleUploadedFile(name, data if data is not None else good_pdf(title=name))


@pytest.fixture
def agencies():
    roads = make_agency(name="Dinas Pekerjaan Umum Bina Marga")
    health = make_agency(name="Dinas Kesehatan")
    return {
        "operator": make_operator(roads),
        "other_operator": make_operator(health),
        "road": make_process(roads, rup_code="12345678", title="Rehabilitasi Jalan Dander"),
        "bridge": make_process(
            roads, rup_code="34567890", tender_code="23456789", title="Jembatan Kalitidu"
        ),
        "clinic": make_process(health, rup_code="45678901", title="Puskesmas Baureno"),
    }


@pytest.fixture
def queue_world(media_root):
    load_migrated_data()
    return media_root


def upload(client, *files):
    """Send the files to the page and let the queue check them: the batch's address."""
    response = client.post(URL, {"files": list(files)})
    assert response.status_code == 302, response.content.decode()[:2000]
    run_queued_jobs()
    return response["Location"]


def row_of(html, filename):
    """The preview table's row of one file, as text without tags."""
    match = re.search(
        rf'<tr class="bulk-row[^"]*" data-file="{re.escape(filename)}">(.*?)</tr>', html, re.S
    )
    assert match, f"no row for {filename}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))


@jobs_db
def test_files_are_checked_in_the_background_while_the_page_counts_them(
    client, queue_world, agencies
):
    client.force_login(agencies["operator"])
    response = client.post(
        URL, {"files": [pdf("12345678 KAK Pelaksanaan.pdf"), pdf("Kontrak 23456789.pdf")]}
    )
    html = client.get(response["Location"]).content.decode()
    assert "Memeriksa berkas: <strong>0 dari 2 berkas</strong>" in html
    assert 'http-equiv="refresh"' in html
    assert not StagedUpload.objects.exists()  # received, not yet checked
    run_queued_jobs()
    html = client.get(response["Location"]).content.decode()
    assert "Pratinjau: 2 berkas, 2 siap disimpan" in html
    assert StagedUpload.objects.count() == 2
    # The files as received are gone once checked; the staged copies remain.
    kept = {p.name for p in (queue_world / STAGED_FOLDER).iterdir()}
    assert kept == {Path(s.file.name).name for s in StagedUpload.objects.all()}


@jobs_db
def test_the_preview_places_each_file_and_says_why_others_cannot_go(client, queue_world, agencies):
    client.force_login(agencies["operator"])
    same = good_pdf(title="Sama")
    batch_url = upload(
        client,
        pdf("12345678 KAK Pelaksanaan.pdf"),
        pdf("Kontrak 23456789.pdf"),
        pdf("Scan rapat 99887766.pdf"),
        pdf("45678901 SPMK.pdf"),
        pdf("12345678 SPK.pdf", b"<html>bukan pdf</html>"),
        pdf("12345678 Lampiran.pdf", same),
        pdf("12345678 Lampiran salinan.pdf", same),
    )
    html = client.get(batch_url).content.decode()

    # KAK Pelaksanaan is a document of the tender stage (Pemilihan Penyedia), whatever the
    # package has reached; a contract by its kode tender lands on the package holding it.
    assert "Rehabilitasi Jalan Dander" in row_of(html, "12345678 KAK Pelaksanaan.pdf")
    assert "Pemilihan Penyedia" in row_of(html, "12345678 KAK Pelaksanaan.pdf")
    kontrak = row_of(html, "Kontrak 23456789.pdf")
    assert "Jembatan Kalitidu" in kontrak and "Kontrak" in kontrak and "Siap disimpan" in kontrak
    assert "Tidak ada kode RUP atau kode tender paket perangkat daerah Anda" in row_of(
        html, "Scan rapat 99887766.pdf"
    )
    assert "perangkat daerah lain" in row_of(html, "45678901 SPMK.pdf")
    assert "Puskesmas Baureno" not in html
    assert "bukan berkas PDF" in row_of(html, "12345678 SPK.pdf")
    assert "Pilih jenis dokumennya" in row_of(html, "12345678 Lampiran.pdf")
    assert "sudah ada di unggahan ini" in row_of(html, "12345678 Lampiran salinan.pdf")
    assert "2 siap disimpan" in html

    # Nothing stored yet; only the files that may still go wait, as staged uploads.
    assert not Document.objects.exists()
    assert StagedUpload.objects.count() == 3
    assert {s.process for s in StagedUpload.objects.all()} == {
        agencies["road"],
        agencies["bridge"],
    }


@jobs_db
def test_the_preview_says_what_a_name_leaves_open_and_names_the_other_copy(
    client, queue_world, agencies
):
    from tests.factories import add_document

    client.force_login(agencies["operator"])
    kept = good_pdf(title="Sudah tersimpan")
    add_document(agencies["road"], agencies["operator"], kept, name="Lampiran lama.pdf")
    same = good_pdf(title="Dua kali")
    batch_url = upload(
        client,
        pdf("12345678 DPA.pdf"),
        pdf("12345678 KAK.pdf"),
        pdf("12345678 Gambar.pdf", same),
        pdf("34567890 Gambar kerja.pdf", same),
        pdf("12345678 Lampiran baru.pdf", kept),
    )
    html = client.get(batch_url).content.decode()

    # The DPA is the agency's yearly document: said so, with the way to its own upload.
    dpa = row_of(html, "12345678 DPA.pdf")
    assert "DPA (Dokumen Pelaksanaan Anggaran) adalah dokumen perangkat daerah" in dpa
    assert "Unggah DPA (Dokumen Pelaksanaan Anggaran) di Dokumen perangkat daerah" in dpa
    dpa_type = DocumentType.objects.get(code="dpa")
    link = f"/admin/contracts/agencydocument/add/?document_type={dpa_type.pk}"
    assert f'href="{link}"' in html
    # The link opens the agency-document form with the DPA chosen.
    form = client.get(link).content.decode()
    assert re.search(rf'<option value="{dpa_type.pk}" selected>', form)
    # "KAK" alone is one of the two KAKs: both are named.
    assert "Pilih jenis dokumennya: KAK Perencanaan atau KAK Pelaksanaan." in row_of(
        html, "12345678 KAK.pdf"
    )
    # A copy names the other file of the batch; a stored one its package and document, and
    # the Paket column shows that package.
    assert "sudah ada di unggahan ini sebagai “12345678 Gambar.pdf”" in row_of(
        html, "34567890 Gambar kerja.pdf"
    )
    stored = row_of(html, "12345678 Lampiran baru.pdf")
    assert "sudah tersimpan di paket “Rehabilitasi Jalan Dander”" in stored
    assert "sebagai “Lampiran lama.pdf” (DPA (Dokumen Pelaksanaan Anggaran))" in stored
    assert stored.count("Rehabilitasi Jalan Dander") == 2
    # None of these goes to a package: the DPA's row is refused, not waiting for a type.
    assert not BulkUploadFile.objects.filter(
        original_filename="12345678 DPA.pdf", problem=""
    ).exists()


@jobs_db
def test_a_type_outside_the_list_is_not_taken_and_confirming_asks_for_one(
    client, queue_world, agencies
):
    client.force_login(agencies["operator"])
    batch_url = upload(client, pdf("12345678 Lampiran.pdf"))
    row = BulkUploadFile.objects.get()
    dpa = DocumentType.objects.get(code="dpa")  # once per agency-year, never per package
    response = client.post(batch_url, {"aksi": "konfirmasi", f"jenis_{row.pk}": str(dpa.pk)})
    assert response.status_code == 400
    assert "Pilih jenis dokumen untuk 12345678 Lampiran.pdf" in response.content.decode()
    row.refresh_from_db()
    assert row.document_type is None
    assert BulkUpload.objects.get().state == BulkUpload.State.PREVIEW
    assert not ProcrastinateJob.objects.filter(status="todo").exists()


@jobs_db
def test_confirm_queues_one_task_and_a_second_confirm_queues_nothing(client, queue_world, agencies):
    client.force_login(agencies["operator"])
    batch_url = upload(client, pdf("12345678 KAK Pelaksanaan.pdf"))
    first = client.post(batch_url, {"aksi": "konfirmasi"}, follow=True)
    assert "Menunggu giliran" in first.content.decode()
    assert "0 dari 1 berkas" in first.content.decode()
    again = client.post(batch_url, {"aksi": "konfirmasi"}, follow=True)
    assert "sudah dikonfirmasi" in again.content.decode()
    waiting = ProcrastinateJob.objects.filter(status="todo")
    assert list(waiting.values_list("task_name", flat=True)) == [TASK]
    assert not Document.objects.exists()  # not in the request


@jobs_db
def test_another_agencys_operator_gets_no_batch(client, queue_world, agencies):
    client.force_login(agencies["operator"])
    batch_url = upload(client, pdf("12345678 KAK Pelaksanaan.pdf"))
    client.force_login(agencies["other_operator"])
    assert client.get(batch_url).status_code == 404
    assert client.post(batch_url, {"aksi": "konfirmasi"}).status_code == 404
    assert BulkUpload.objects.get().state == BulkUpload.State.PREVIEW
    assert not ProcrastinateJob.objects.filter(status="todo").exists()


@jobs_db
def test_the_task_stores_each_file_on_its_package_and_reports_progress(
    client, queue_world, agencies, monkeypatch
):
    operator = agencies["operator"]
    client.force_login(operator)
    batch_url = upload(
        client,
        pdf("12345678 KAK Pelaksanaan.pdf"),
        pdf("Kontrak 23456789.pdf"),
        pdf("12345678 Lampiran.pdf"),
        pdf("Scan rapat 99887766.pdf"),
        pdf("23456789 BAST.pdf"),
    )
    rows = {f.original_filename: f for f in BulkUploadFile.objects.all()}
    bast = DocumentType.objects.get(code="laporan-fisik")
    client.post(
        batch_url,
        {
            "aksi": "konfirmasi",
            f"jenis_{rows['12345678 Lampiran.pdf'].pk}": str(bast.pk),
            "kecualikan": [str(rows["23456789 BAST.pdf"].pk)],
        },
    )
    batch = BulkUpload.objects.get()
    seen = []
    store = bulk_uploads.store_bulk_upload

    def watching(**kwargs):
        seen.append(bulk_uploads.bulk_progress(batch))
        return store(**kwargs)

    monkeypatch.setattr(bulk_uploads, "store_bulk_upload", watching)
    run_queued_jobs()

    # Before each file the page could read how many were done: 0, 1, 2 of the 3 sent.
    assert seen == [(0, 3), (1, 3), (2, 3)]
    html = client.get(batch_url).content.decode()
    assert "Selesai: 3 berkas tersimpan, 2 tidak disimpan" in html
    assert 'http-equiv="refresh"' not in html
    assert "Dikecualikan oleh operator" in html
    assert "Tidak ada kode RUP atau kode tender" in html
    stored = {
        (d.process.title, d.stage, d.document_type.code, d.original_filename)
        for d in Document.objects.select_related("process", "document_type")
    }
    assert stored == {
        (
            "Rehabilitasi Jalan Dander",
            "pemilihan",
            "kak-pelaksanaan",
            "12345678 KAK Pelaksanaan.pdf",
        ),
        ("Jembatan Kalitidu", "kontrak", "kontrak", "Kontrak 23456789.pdf"),
        ("Rehabilitasi Jalan Dander", "implementasi", "laporan-fisik", "12345678 Lampiran.pdf"),
    }
    assert all(d.uploaded_by == operator for d in Document.objects.all())
    assert AuditEntry.objects.filter(action=AuditEntry.Action.UPLOAD).count() == 3
    # The staged copies went with the rows, files included; the documents' files are there.
    assert not StagedUpload.objects.exists()
    assert not [p for p in (queue_world / STAGED_FOLDER).rglob("*") if p.is_file()]
    for document in Document.objects.all():
        assert document.file.storage.exists(document.file.name)


@jobs_db
def test_the_same_file_confirmed_in_two_tabs_is_stored_once(client, queue_world, agencies):
    client.force_login(agencies["operator"])
    same = good_pdf(title="KAK yang sama")
    first = upload(client, pdf("12345678 KAK Pelaksanaan.pdf", same))
    second = upload(client, pdf("12345678 KAK Pelaksanaan (1).pdf", same))
    client.post(first, {"aksi": "konfirmasi"})
    client.post(second, {"aksi": "konfirmasi"})
    client.post(first, {"aksi": "konfirmasi"})
    run_queued_jobs()
    assert Document.objects.count() == 1
    html = client.get(second).content.decode()
    assert "Selesai: 0 berkas tersimpan, 1 tidak disimpan" in html
    assert (
        "sudah tersimpan di paket “Rehabilitasi Jalan Dander” sebagai "
        "“12345678 KAK Pelaksanaan.pdf” (KAK Pelaksanaan)"
    ) in html


@jobs_db
def test_a_rerun_of_the_task_stores_nothing_twice(client, queue_world, agencies):
    client.force_login(agencies["operator"])
    batch_url = upload(client, pdf("12345678 KAK Pelaksanaan.pdf"), pdf("Kontrak 23456789.pdf"))
    client.post(batch_url, {"aksi": "konfirmasi"})
    run_queued_jobs()
    batch = BulkUpload.objects.get()
    # A retry after the worker stopped mid-way finds the batch still running.
    BulkUpload.objects.filter(pk=batch.pk).update(state=BulkUpload.State.RUNNING)
    bulk_uploads.store_bulk_files(batch_id=batch.pk)
    assert Document.objects.count() == 2
    assert set(BulkUploadFile.objects.values_list("outcome", flat=True)) == {"stored"}


@jobs_db
def test_a_package_moved_to_another_agency_before_storing_is_refused(client, queue_world, agencies):
    client.force_login(agencies["operator"])
    batch_url = upload(client, pdf("12345678 KAK Pelaksanaan.pdf"))
    client.post(batch_url, {"aksi": "konfirmasi"})
    road = agencies["road"]
    road.agency = agencies["clinic"].agency
    road.save(update_fields=["agency"])
    run_queued_jobs()
    assert not Document.objects.exists()
    assert "Paket ini bukan milik perangkat daerah Anda" in client.get(batch_url).content.decode()


@jobs_db
def test_a_batch_never_confirmed_goes_with_its_files_after_a_day(
    client, queue_world, agencies, settings
):
    client.force_login(agencies["operator"])
    kept_url = upload(client, pdf("Kontrak 23456789.pdf"))
    client.post(kept_url, {"aksi": "konfirmasi"})
    run_queued_jobs()
    upload(client, pdf("12345678 KAK Pelaksanaan.pdf"))
    later = timezone.now() + datetime.timedelta(hours=settings.STAGED_UPLOAD_HOURS, minutes=1)
    assert bulk_uploads.discard_expired_bulk_uploads(now=later) == 1
    # The confirmed batch stays as the operator's record; the other went, files and all.
    assert list(BulkUpload.objects.values_list("state", flat=True)) == ["done"]
    assert not StagedUpload.objects.exists()
    assert not [p for p in (queue_world / STAGED_FOLDER).rglob("*") if p.is_file()]
    assert Document.objects.count() == 1


@jobs_db
def test_files_past_the_count_of_one_request_are_listed_not_lost(
    client, queue_world, agencies, settings
):
    settings.UPLOAD_MAX_FILES = 2
    client.force_login(agencies["operator"])
    batch_url = upload(
        client,
        pdf("12345678 KAK Pelaksanaan.pdf"),
        pdf("Kontrak 23456789.pdf"),
        pdf("23456789 SPMK.pdf"),
    )
    html = client.get(batch_url).content.decode()
    assert "Pratinjau: 3 berkas, 2 siap disimpan" in html
    assert "lebih dari 2 berkas dalam satu kiriman" in row_of(html, "23456789 SPMK.pdf")
    # Added again through the same batch, it joins the preview.
    response = client.post(batch_url, {"aksi": "tambah", "files": [pdf("23456789 SPMK.pdf")]})
    assert response.status_code == 302
    run_queued_jobs()
    assert "Pratinjau: 4 berkas, 3 siap disimpan" in client.get(batch_url).content.decode()


@pytest.mark.django_db
def test_sending_no_file_says_so(client, media_root, agencies):
    client.force_login(agencies["operator"])
    response = client.post(URL, {})
    assert response.status_code == 400
    assert "Pilih setidaknya satu berkas PDF." in response.content.decode()
    assert not BulkUpload.objects.exists()


@jobs_db
def test_a_package_deleted_after_the_preview_is_named_as_the_reason(client, queue_world, agencies):
    client.force_login(agencies["operator"])
    batch_url = upload(client, pdf("12345678 KAK Pelaksanaan.pdf"), pdf("Kontrak 23456789.pdf"))
    agencies["road"].delete()
    client.post(batch_url, {"aksi": "konfirmasi"})
    run_queued_jobs()
    html = client.get(batch_url).content.decode()
    assert "Selesai: 1 berkas tersimpan, 1 tidak disimpan" in html
    assert "12345678 KAK Pelaksanaan.pdf: Paketnya sudah dihapus." in html


@jobs_db
def test_a_job_whose_worker_stopped_is_resumed_by_the_status_page(client, queue_world, agencies):
    client.force_login(agencies["operator"])
    batch_url = upload(client, pdf("12345678 KAK Pelaksanaan.pdf"))
    client.post(batch_url, {"aksi": "konfirmasi"})
    # A worker took the job and died before its end (a restart): "doing", no worker alive.
    job = ProcrastinateJob.objects.get(status="todo", task_name=TASK)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procrastinate_jobs SET status = 'doing', worker_id = NULL WHERE id = %s",
            [job.id],
        )
    run_queued_jobs()
    assert not Document.objects.exists()  # nothing takes a job that is "doing"
    client.get(batch_url)
    assert ProcrastinateJob.objects.get(id=job.id).status == "todo"
    run_queued_jobs()
    assert "Selesai: 1 berkas tersimpan" in client.get(batch_url).content.decode()
    assert Document.objects.count() == 1
