"""Backup and restore round-trip a portal: its rows, and every stored file byte for byte."""

import hashlib
import io
import tarfile

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from agencies.models import Agency
from agencies.places import load_places
from agencies.register import load_register
from agencies.roles import sync_roles
from contracts import services
from contracts.models import Document, DocumentType, Process
from contracts.pdf import inspect_upload
from contracts.rules import seed_rules
from integrity.thresholds import seed_thresholds
from opendata_kontrak.backup import stored_names
from participation.models import Report, ReportPhoto
from tests import pdfs
from tests.factories import make_operator, make_process


@pytest.fixture
def portal_data(transactional_db, media_root, settings):
    """Committed data (pg_dump reads from its own connection) with PDFs and a photo."""
    load_register(path=settings.PORTAL["AGENCY_REGISTER"])
    load_places()
    sync_roles(apps)
    seed_rules(apps)
    seed_thresholds(apps)
    operator = make_operator(Agency.objects.get(code="dinas-kesehatan"))
    document_type = DocumentType.objects.get(code="kak-pelaksanaan")
    processes = []
    for number in range(3):
        process = make_process(operator.agency, title=f"Paket cadangan {number}")
        uploads = []
        for page in range(2):
            name = f"KAK-{number}-{page}.pdf"
            uploaded = SimpleUploadedFile(name, pdfs.good_pdf(name, [f"isi {number} {page}"]))
            uploads.append((uploaded, inspect_upload(uploaded)))
        services.add_documents(
            process=process,
            stage=document_type.stage,
            document_type=document_type,
            uploads=uploads,
            by=operator,
        )
        processes.append(process)
    services.publish_process(process=processes[0], by=operator)
    report = Report.objects.create(process=processes[0], topic="lainnya", body="Foto jalan.")
    ReportPhoto.objects.create(
        report=report,
        file=ContentFile(b"\x89PNG bukan sungguhan", name="foto.png"),
        content_type="image/png",
        width=1,
        height=1,
        size=20,
    )
    return {"operator": operator, "processes": processes}


def fingerprint():
    """What must come back: the rows that matter and every stored file's SHA-256."""
    files = {}
    for name in stored_names():
        with default_storage.open(name, "rb") as handle:
            files[name] = hashlib.sha256(handle.read()).hexdigest()
    return {
        "processes": list(Process.objects.order_by("pk").values_list("pk", "title", "status")),
        "documents": list(Document.objects.order_by("pk").values_list("pk", "file", "sha256")),
        "photos": list(ReportPhoto.objects.order_by("pk").values_list("pk", "file")),
        "files": files,
    }


@pytest.mark.django_db(transaction=True)
def test_a_restore_brings_back_every_row_and_every_file_exactly(portal_data, tmp_path):
    before = fingerprint()
    assert len(before["documents"]) == 6 and len(before["files"]) == 7
    archive = tmp_path / "cadangan.tar"
    call_command("backup", output=str(archive))

    # Then things go wrong: a title overwritten, a document and its file gone, a stray package.
    first, second = portal_data["processes"][:2]
    Process.objects.filter(pk=first.pk).update(title="Dirusak")
    lost = Document.objects.filter(process=second).first()
    default_storage.delete(lost.file.name)
    lost.delete()
    with default_storage.open(before["documents"][0][1], "wb") as handle:
        handle.write(b"bukan PDF lagi")  # a file corrupted on disk
    make_process(first.agency, title="Paket setelah cadangan")

    call_command("restore", str(archive), yes=True)
    after = fingerprint()
    assert after == before
    # Each document's file matches the SHA-256 recorded when it was uploaded.
    for _, name, digest in after["documents"]:
        assert after["files"][name] == digest


@pytest.mark.django_db(transaction=True)
def test_a_damaged_archive_is_refused_before_anything_changes(portal_data, tmp_path):
    archive = tmp_path / "cadangan.tar"
    call_command("backup", output=str(archive))
    Process.objects.filter(pk=portal_data["processes"][0].pk).update(title="Sesudah cadangan")

    # One byte of one document flipped inside the archive.
    damaged = tmp_path / "rusak.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        flipped = False
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.endswith(".pdf") and not flipped:
                data = data[:100] + bytes([data[100] ^ 1]) + data[101:]
                flipped = True
            target.addfile(member, io.BytesIO(data))
    with pytest.raises(CommandError, match="rusak"):
        call_command("restore", str(damaged), yes=True)
    assert Process.objects.filter(title="Sesudah cadangan").exists()  # untouched

    (tmp_path / "bukan.tar").write_bytes(b"bukan arsip")
    with pytest.raises(CommandError, match="tidak terbaca"):
        call_command("restore", str(tmp_path / "bukan.tar"), yes=True)


@pytest.mark.django_db(transaction=True)
def test_a_backup_is_whole_or_absent(portal_data, tmp_path, monkeypatch):
    from opendata_kontrak import backup

    # A file that vanishes from storage while the backup runs: the backup fails whole.
    names = [*stored_names(), "dokumen/hilang-saat-dicadangkan.pdf"]
    monkeypatch.setattr(backup, "stored_names", lambda: iter(names))
    with pytest.raises(FileNotFoundError):
        backup.create(tmp_path / "cadangan.tar")
    assert list(tmp_path.glob("cadangan.tar*")) == []  # no half-written archive left behind
