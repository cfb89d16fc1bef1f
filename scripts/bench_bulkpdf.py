"""Time a bulk PDF upload: N real small PDFs (default 100), each named by the kode RUP of one
of N packages, through the bulk upload page and its background task.

Makes an agency with N packages and an operator in the local database (migrated first), then
through Django's test client (the views, the upload handler, the PDF intake's worker
processes; no HTTP server) sends the files UPLOAD_MAX_FILES at a time to the preview, confirms,
and runs the Procrastinate task in a worker in this process while the main thread prints the
progress the status page shows. Prints the seconds for the preview and for storing, and per
file. Files go to a temporary MEDIA_ROOT; the rows it made are deleted at the end.
Usage: python scripts/bench_bulkpdf.py [FILES]
"""

import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opendata_kontrak.settings")
_media = tempfile.TemporaryDirectory(prefix="bench-bulkpdf-")
os.environ["MEDIA_ROOT"] = _media.name

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from procrastinate.contrib.django import app  # noqa: E402

from agencies import roles  # noqa: E402
from agencies.models import Agency, AgencyKind, User  # noqa: E402
from contracts import bulk_uploads, completeness  # noqa: E402
from contracts.models import AuditEntry, BulkUpload, Document, Process  # noqa: E402
from contracts.samples import make_pdf  # noqa: E402

CODE = "bench-unggah-massal"
# Document types a name says clearly, one per file in turn (contracts.recognition).
KINDS = ["KAK Pelaksanaan", "Kontrak", "SPMK", "BAST", "Pengumuman Pemenang"]


def build(count):
    Agency.objects.filter(code=CODE).delete()
    agency = Agency.objects.create(code=CODE, name="Dinas Uji Unggah Massal", kind=AgencyKind.DINAS)
    processes = [
        Process.objects.create(
            agency=agency,
            fiscal_year=2024,
            title=f"Peningkatan Jalan Desa {number}",
            method="tender",
            rup_code=str(81_000_000 + number),
        )
        for number in range(count)
    ]
    completeness.refresh([p.pk for p in processes], releases=False, flags=False)
    operator = User.objects.create_user(
        username="bench-unggah", password="x" * 20, agency=agency, is_staff=True
    )
    operator.groups.add(Group.objects.get(name=roles.OPERATOR))
    return agency, operator, processes


def files(processes):
    made = []
    for number, process in enumerate(processes):
        kind = KINDS[number % len(KINDS)]
        name = f"{process.rup_code} {kind}.pdf"
        made.append((name, make_pdf(name, [f"{kind} paket {process.title}."])))
    return made


def run_worker():
    for alias in connections:
        connections.settings[alias]["CONN_MAX_AGE"] = 0
    with app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(
            queues=["default"], wait=False, install_signal_handlers=False, listen_notify=False
        )


def follow(label, progress):
    """Run the queued jobs in a worker thread, printing `progress()` (done, total) as the
    status page would show it; the seconds the worker took."""
    started = time.perf_counter()
    worker = threading.Thread(target=run_worker)
    worker.start()
    shown = None
    while worker.is_alive():
        done, total = progress()
        if done != shown:
            print(f"  {label} {time.perf_counter() - started:5.1f} s  {done} dari {total} berkas")
            shown = done
        time.sleep(1)
    worker.join()
    return time.perf_counter() - started


def main(count):
    call_command("migrate", verbosity=0)
    agency, operator, processes = build(count)
    try:
        pdfs = files(processes)
        client = Client(SERVER_NAME="localhost")
        client.force_login(operator)
        per_request = settings.UPLOAD_MAX_FILES

        started = time.perf_counter()
        first = [SimpleUploadedFile(n, d) for n, d in pdfs[:per_request]]
        response = client.post("/admin/unggah-massal/", {"files": first})
        assert response.status_code == 302, response.status_code
        batch_url = response["Location"]
        for offset in range(per_request, len(pdfs), per_request):
            chunk = [SimpleUploadedFile(n, d) for n, d in pdfs[offset : offset + per_request]]
            response = client.post(batch_url, {"aksi": "tambah", "files": chunk})
            assert response.status_code == 302, response.status_code
        received = time.perf_counter() - started
        batch = BulkUpload.objects.get(user=operator)
        print(f"upload   {count} files in {-(-count // per_request)} requests: {received:6.1f} s")

        def checked():
            return batch.files.filter(checked=True).count(), batch.files.count()

        checking = follow("checking", checked)
        page = client.get(batch_url)
        ready = sum(f.ready for f in batch.files.all())
        preview = received + checking
        print(
            f"preview  {preview:6.1f} s ({preview / count * 1000:5.0f} ms per file): "
            f"upload {received:.1f} s + checks in the task {checking:.1f} s; {ready} ready, "
            f"page {len(page.content) / 1024:.0f} KiB"
        )

        client.post(batch_url, {"aksi": "konfirmasi"})

        def stored_so_far():
            batch.refresh_from_db()
            return bulk_uploads.bulk_progress(batch)

        storing = follow("storing", stored_so_far)
        batch.refresh_from_db()
        stored = Document.objects.filter(process__agency=agency).count()
        print(
            f"storing  {stored} of {batch.files_to_store} files in the task: "
            f"{storing:6.1f} s ({storing / max(stored, 1) * 1000:5.0f} ms per file), "
            f"batch {batch.get_state_display()}"
        )
        for row in batch.files.filter(outcome="skipped")[:5]:
            print(f"  skipped {row.original_filename}: {row.reason}")
    finally:
        AuditEntry.objects.filter(agency=agency).delete()
        BulkUpload.objects.filter(agency=agency).delete()
        Document.objects.filter(process__agency=agency).delete()
        Process.objects.filter(agency=agency).delete()
        operator.delete()
        agency.delete()
        _media.cleanup()


if __name__ == "__main__":
    # Pages name their static files unhashed: no collectstatic manifest is needed to render them.
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": static}):
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
