"""Parts failing under the portal: the file store unreachable or full during an upload, the
database gone for a moment, a worker's leftovers. The person affected is told what happened,
in Indonesian; nothing is half-saved. (A real database restart under load and workers killed
mid-upload are exercised against gunicorn by scripts/faults.py.)"""

import datetime
import errno
import io
import socket

import pytest
from botocore.config import Config
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from agencies.models import Agency
from contracts.models import Document, DocumentType, Process
from opendata_kontrak import orphans, storage
from participation.models import Report, ReportPhoto
from tests.admin_forms import form_data
from tests.contracts.test_admin import pdf_upload, planning_post
from tests.factories import make_operator, make_process, planning_fields


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens here once the probe is closed


@pytest.fixture
def unreachable_bucket(settings):
    """Object storage configured as in production, its endpoint down."""
    options = storage.s3_storage(
        bucket="dokumen",
        endpoint_url=f"http://127.0.0.1:{closed_port()}",
        access_key="kunci",
        secret_key="rahasia",
        region="us-east-1",
        url_expire_seconds=300,
    )
    options["OPTIONS"]["client_config"] = Config(retries={"max_attempts": 1}, connect_timeout=1)
    settings.STORAGES = {**settings.STORAGES, "default": options}


class FullDisk(FileSystemStorage):
    """A local disk with no space left: every write fails as the kernel says it (ENOSPC)."""

    def _save(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture
def full_disk(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "tests.test_faults.FullDisk",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    return tmp_path / "media"


def post_package_with_pdfs(client, title):
    health = Agency.objects.get(code="dinas-kesehatan")
    client.force_login(make_operator(health))
    add = reverse("admin:contracts_process_add")
    page = client.get(add)
    return client.post(
        add,
        form_data(
            page,
            **planning_post(health, title=title),
            upload_type_perencanaan=str(DocumentType.objects.get(code="dpa").pk),
            upload_files_perencanaan=[pdf_upload("DPA.pdf"), pdf_upload("DPA-P.pdf")],
        ),
    )


@pytest.mark.django_db
def test_an_upload_while_the_bucket_is_down_is_refused_whole_with_its_reason(
    client, unreachable_bucket
):
    response = post_package_with_pdfs(client, "Paket saat penyimpanan mati")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Penyimpanan berkas sedang tidak dapat dijangkau" in html
    assert "tidak ada yang tersimpan" in html
    assert 'value="Paket saat penyimpanan mati"' in html  # what was typed is still there
    assert not Process.objects.filter(title="Paket saat penyimpanan mati").exists()
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_an_upload_onto_a_full_disk_says_so_and_keeps_nothing(client, full_disk):
    response = post_package_with_pdfs(client, "Paket saat disk penuh")
    assert response.status_code == 200
    assert "Ruang penyimpanan berkas penuh" in response.content.decode()
    assert not Process.objects.filter(title="Paket saat disk penuh").exists()
    assert not Document.objects.exists()
    assert not full_disk.exists() or not any(full_disk.rglob("*.pdf"))


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 60)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.django_db
def test_a_citizens_report_while_the_bucket_is_down_is_kept_in_the_form(client, unreachable_bucket):
    health = Agency.objects.get(code="dinas-kesehatan")
    process = make_process(health, **planning_fields(title="Jalan Desa Kalitidu"))
    from contracts import services

    services.publish_process(process=process, by=make_operator(health))
    page = client.get(reverse("contracts:process-detail", args=[process.pk])).content.decode()
    key = page.split('name="key" value="')[1].split('"')[0]
    photo = io.BytesIO(png_bytes())
    photo.name = "jalan.png"
    response = client.post(
        reverse("participation:report", args=[process.pk]),
        {
            "topic": "kualitas_pekerjaan",
            "body": "Aspal sudah retak.",
            "place": "Depan balai desa",
            "key": key,
            "photos": [photo],
        },
    )
    assert response.status_code == 503
    html = response.content.decode()
    assert "Penyimpanan berkas sedang tidak dapat dijangkau" in html
    assert "Aspal sudah retak." in html
    assert not Report.objects.exists() and not ReportPhoto.objects.exists()


@pytest.mark.django_db
def test_an_import_while_the_bucket_is_down_says_so_and_keeps_nothing(client, unreachable_bucket):
    from imports.models import ImportRun
    from tests.factories import make_administrator
    from tests.imports.test_imports import csv_bytes, sirup_row

    client.force_login(make_administrator())
    response = client.post(
        "/admin/imports/importrun/impor/",
        {"kind": "sirup", "file": SimpleUploadedFile("rup.csv", csv_bytes([sirup_row()]))},
    )
    assert response.status_code == 200
    assert "Penyimpanan berkas sedang tidak dapat dijangkau" in response.content.decode()
    assert "token" not in response.context  # no preview offered to confirm
    assert not Process.objects.exists() and not ImportRun.objects.exists()


@pytest.mark.django_db(transaction=True)  # the connection is closed and opened again
def test_while_the_database_is_unreachable_pages_say_so_with_a_503(client):
    client.get("/paket/")  # a working connection first
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(closed_port())
    try:
        page = client.get("/paket/")
        api = client.get("/api/v1/paket/")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port
    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert "Basis data portal sedang tidak dapat dijangkau" in page.content.decode()
    assert api.status_code == 503 and "galat" in api.json()
    # And back: the next request opens a new connection by itself.
    assert client.get("/paket/").status_code == 200


@pytest.mark.django_db(transaction=True)  # the connection is closed and opened again
def test_a_signed_in_operator_gets_the_503_page_too(client):
    """Their session is read in a middleware (the two-step check asks for request.user), before
    any view: `make cluster`'s failover answered them 500 while citizens got the 503."""
    from tests.workers import load_migrated_data

    load_migrated_data()  # roles and the register, which a transactional test flushes away
    client.force_login(make_operator(Agency.objects.get(code="dinas-kesehatan")))
    client.raise_request_exception = False  # the answer the browser gets, not the exception
    assert client.get("/admin/contracts/process/add/").status_code == 200
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(closed_port())
    try:
        page = client.get("/admin/contracts/process/add/")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port
    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert "Basis data portal sedang tidak dapat dijangkau" in page.content.decode()
    assert client.get("/admin/contracts/process/add/").status_code == 200


@pytest.mark.django_db
def test_files_left_by_a_killed_worker_are_swept_after_an_hour(media_root, monkeypatch):
    from imports.models import ImportJob

    monkeypatch.setattr(orphans, "BATCH", 1)  # one name per batch: every batch boundary crossed
    health = Agency.objects.get(code="dinas-kesehatan")
    process = make_process(health, title="Paket dengan dokumen")
    kept = Document.objects.create(
        process=process,
        stage="perencanaan",
        document_type=DocumentType.objects.get(code="dpa"),
        file=ContentFile(b"%PDF-1.4 isi", name="x.pdf"),
        original_filename="DPA.pdf",
        size=12,
        sha256="0" * 64,
        page_count=1,
    )
    # What a worker killed between storing and committing leaves: a file no row names.
    orphan = default_storage.save("dokumen/yatim.pdf", ContentFile(b"%PDF-1.4 yatim"))
    # And an import uploaded for a preview, never confirmed; and one still waiting in the queue.
    pending = default_storage.save("impor/menunggu.bin", ContentFile(b"kode_rup\n"))
    queued = ImportJob.objects.create(
        filename="rup.csv",
        stored_name=default_storage.save("impor/antre.bin", ContentFile(b"kode_rup\n")),
        sha256="0" * 64,
        mode=ImportJob.Mode.COMMIT,
    )
    later = timezone.now() + datetime.timedelta(minutes=30)
    assert orphans.sweep(now=later) == []  # maybe an upload still in flight: left alone
    much_later = timezone.now() + datetime.timedelta(hours=2)
    assert orphans.sweep(now=much_later) == [orphan]  # the import may still be confirmed
    assert not default_storage.exists(orphan)
    assert default_storage.exists(kept.file.name)
    next_day = timezone.now() + datetime.timedelta(days=2)
    assert orphans.sweep(now=next_day) == [pending]
    assert default_storage.exists(queued.stored_name)
    assert default_storage.exists(kept.file.name)


@pytest.mark.django_db
def test_a_field_progress_photo_onto_a_full_disk_says_so_and_keeps_nothing(client, full_disk):
    from contracts.models import ProgressPhoto, ProgressReport

    health = Agency.objects.get(code="dinas-kesehatan")
    process = make_process(health, **planning_fields(title="Jalan Desa Kalitidu"))
    client.force_login(make_operator(health, username="operator-lapangan"))
    photo = io.BytesIO(png_bytes())
    photo.name = "jalan.png"
    response = client.post(
        reverse("dashboards:field-update", args=[process.pk]),
        {
            "jenis": "kemajuan",
            "kemajuan-date": "2024-07-02",
            "kemajuan-physical_percent": "45",
            "kemajuan-financial_percent": "30",
            "kemajuan-note": "Pengaspalan selesai",
            "kemajuan-photos": [photo],
        },
    )
    assert response.status_code == 503
    html = response.content.decode()
    assert "Ruang penyimpanan berkas penuh" in html and "Pengaspalan selesai" in html
    assert not ProgressReport.objects.exists() and not ProgressPhoto.objects.exists()
    assert not full_disk.exists() or not any(full_disk.rglob("*.png"))


@pytest.mark.django_db
def test_the_sweep_keeps_agency_documents_and_progress_photos(media_root):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from contracts import services
    from contracts.models import ProgressReport
    from opendata_kontrak import photos
    from tests.contracts.test_agency_documents import upload_agency_document

    health = Agency.objects.get(code="dinas-kesehatan")
    operator = make_operator(health, username="operator-sapu")
    agency_document = upload_agency_document(operator, year=2018)
    report = ProgressReport(
        process=make_process(health), date="2018-08-01", physical_percent=50, financial_percent=40
    )
    services.add_implementation_row(
        row=report, by=operator, photos=[photos.clean(SimpleUploadedFile("a.png", png_bytes()))]
    )
    photo = report.photos.get()
    orphan = default_storage.save("kemajuan/yatim.png", ContentFile(png_bytes()))
    much_later = timezone.now() + datetime.timedelta(hours=2)
    assert orphans.sweep(now=much_later) == [orphan]
    assert default_storage.exists(agency_document.file.name)
    assert default_storage.exists(photo.file.name)
