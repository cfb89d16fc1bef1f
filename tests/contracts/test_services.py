import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from agencies.models import Agency
from contracts import services
from contracts.models import AuditEntry, Document, DocumentType, Status
from contracts.pdf import inspect_upload
from tests import pdfs
from tests.factories import make_operator, make_process, make_supervisor


def checked(name, data=None):
    uploaded = SimpleUploadedFile(name, data or pdfs.good_pdf(name))
    return uploaded, inspect_upload(uploaded)


def stored_files(media_root):
    return sorted(p.name for p in (media_root / "dokumen").glob("*")) if media_root.exists() else []


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
def dpa():
    return DocumentType.objects.get(code="dpa")


@pytest.mark.django_db
def test_documents_are_stored_under_generated_names_with_their_facts(
    agency, operator, dpa, media_root
):
    data = pdfs.good_pdf("DPA 2018", ["Belanja modal"], pages=3)
    documents = services.add_documents(
        process=make_process(agency),
        stage="perencanaan",
        document_type=dpa,
        uploads=[checked("../DPA Dinkes 2018.pdf", data), checked("Renja.pdf")],
        by=operator,
    )
    first = documents[0]
    assert first.original_filename == "DPA Dinkes 2018.pdf"
    assert "DPA" not in first.file.name and first.file.name.startswith("dokumen/")
    assert (first.page_count, first.size) == (3, len(data))
    assert first.sha256 == hashlib.sha256(data).hexdigest()
    assert (media_root / first.file.name).read_bytes() == data
    assert "Belanja modal" in first.text
    assert len(stored_files(media_root)) == 2


@pytest.mark.django_db
def test_a_failed_save_leaves_no_file_and_no_row(agency, operator, dpa, media_root, monkeypatch):
    process = make_process(agency)
    original_save = Document.save
    calls = {"n": 0}

    def second_save_fails(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("basis data putus")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Document, "save", second_save_fails)
    with pytest.raises(RuntimeError):
        services.add_documents(
            process=process,
            stage="perencanaan",
            document_type=dpa,
            uploads=[checked("a.pdf"), checked("b.pdf")],
            by=operator,
        )
    assert not Document.objects.filter(process=process).exists()
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_a_storage_failure_leaves_no_row(agency, operator, dpa, media_root, monkeypatch):
    process = make_process(agency)
    storage_class = FileSystemStorage
    calls = {"n": 0}
    real_save = storage_class.save

    def full_disk_on_second(self, name, content, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        return real_save(self, name, content, **kwargs)

    monkeypatch.setattr(storage_class, "save", full_disk_on_second)
    with pytest.raises(OSError):
        services.add_documents(
            process=process,
            stage="perencanaan",
            document_type=dpa,
            uploads=[checked("a.pdf"), checked("b.pdf")],
            by=operator,
        )
    assert not Document.objects.filter(process=process).exists()
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_an_outer_rollback_removes_the_files_of_its_uploads(agency, operator, dpa, media_root):
    process = make_process(agency)
    with pytest.raises(RuntimeError), services.files_follow_transaction(), transaction.atomic():
        services.add_documents(
            process=process,
            stage="perencanaan",
            document_type=dpa,
            uploads=[checked("a.pdf")],
            by=operator,
        )
        raise RuntimeError("langkah berikutnya gagal")
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_deleting_a_document_removes_its_file_only_after_commit(
    agency, operator, dpa, media_root, django_capture_on_commit_callbacks
):
    process = make_process(agency)
    (document,) = services.add_documents(
        process=process,
        stage="perencanaan",
        document_type=dpa,
        uploads=[checked("a.pdf")],
        by=operator,
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.delete_document(document=document, by=operator)
    # Deleted in the database, but the file waits for the commit.
    assert not Document.objects.filter(pk=document.pk).exists()
    assert len(stored_files(media_root)) == 1
    for callback in callbacks:
        callback()
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_changes_are_recorded_with_their_author(agency, operator):
    process = make_process(agency, title="Pengadaan alat kesehatan")
    process.budget_amount = 500_000_000
    process.title = "Pengadaan alat kesehatan puskesmas"
    services.save_process(process=process, by=operator)
    entry = AuditEntry.objects.get(process=process, action="change")
    assert entry.user == operator
    assert entry.agency == agency
    assert entry.changes["pagu (Rp)"] == [None, 500_000_000]
    assert entry.changes["nama paket"] == [
        "Pengadaan alat kesehatan",
        "Pengadaan alat kesehatan puskesmas",
    ]
    # Saving without a change records nothing.
    services.save_process(process=process, by=operator)
    assert AuditEntry.objects.filter(process=process, action="change").count() == 1


@pytest.mark.django_db
def test_operators_cannot_write_for_another_agency(agency, other_agency, operator, dpa):
    foreign = make_process(other_agency)
    with pytest.raises(PermissionDenied):
        services.save_process(process=foreign, by=operator)
    mine = make_process(agency)
    mine.agency = other_agency
    with pytest.raises(PermissionDenied):
        services.save_process(process=mine, by=operator)
    with pytest.raises(PermissionDenied):
        services.publish_process(process=foreign, by=operator)
    with pytest.raises(PermissionDenied):
        services.add_documents(
            process=foreign, stage="perencanaan", document_type=dpa, uploads=[], by=operator
        )
    with pytest.raises(PermissionDenied):
        services.publish_process(process=mine, by=make_supervisor())


@pytest.mark.django_db
def test_publication_and_withdrawal(agency, operator):
    process = make_process(agency)
    services.publish_process(process=process, by=operator)
    process.refresh_from_db()
    assert process.status == Status.PUBLISHED
    assert process.published_by == operator and process.published_at is not None

    with pytest.raises(ValidationError, match="Alasan penarikan wajib"):
        services.withdraw_process(process=process, by=operator, reason="  ")
    services.withdraw_process(process=process, by=operator, reason="Paket dibatalkan (refocusing)")
    process.refresh_from_db()
    assert process.status == Status.WITHDRAWN
    assert process.withdrawn_reason == "Paket dibatalkan (refocusing)"
    actions = list(
        AuditEntry.objects.filter(process=process).order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["publish", "withdraw"]


@pytest.mark.django_db
def test_field_rows_are_added_with_audit_and_only_by_the_own_agency(agency, other_agency, operator):
    import datetime

    from contracts.models import Payment, ProgressReport

    process = make_process(agency)
    payment = Payment(
        process=process,
        label="Termin I",
        sp2d_number="0123/SP2D/2024",
        amount=250_000_000,
        date=datetime.date(2024, 7, 1),
    )
    services.add_implementation_row(row=payment, by=operator)
    entry = AuditEntry.objects.filter(process=process, action=AuditEntry.Action.CHANGE).get()
    assert entry.changes == {"pembayaran": {"ditambah": ["Termin I"]}}

    stranger = make_operator(other_agency, username="operator-dindik")
    report = ProgressReport(
        process=process,
        date=datetime.date(2024, 7, 2),
        physical_percent=40,
        financial_percent=20,
    )
    with pytest.raises(PermissionDenied):
        services.add_implementation_row(row=report, by=stranger)
    with pytest.raises(PermissionDenied):
        services.add_implementation_row(row=report, by=make_supervisor(username="pengawas"))
    report.physical_percent = 140
    with pytest.raises(ValidationError) as refused:
        services.add_implementation_row(row=report, by=operator)
    assert "physical_percent" in refused.value.message_dict
    assert not ProgressReport.objects.exists()


@pytest.mark.django_db
def test_a_save_begun_before_a_publication_does_not_undo_it(agency, operator):
    from contracts.models import Process

    process = make_process(agency)
    # The edit form loads the package (a draft) and the operator starts a slow save...
    stale = Process.objects.get(pk=process.pk)
    stale.title = "Judul diperbaiki"
    # ...while, in another tab, the package is published.
    services.publish_process(process=Process.objects.get(pk=process.pk), by=operator)
    published_at = Process.objects.get(pk=process.pk).published_at
    services.save_process(process=stale, by=operator)
    stored = Process.objects.get(pk=process.pk)
    assert stored.status == Status.PUBLISHED
    assert stored.published_at == published_at and stored.published_by == operator
    assert stored.title == "Judul diperbaiki"  # the save's own change is kept

    # The same for a withdrawal: the slower save leaves it withdrawn, with its reason.
    stale = Process.objects.get(pk=process.pk)
    services.withdraw_process(
        process=Process.objects.get(pk=process.pk), by=operator, reason="Batal"
    )
    stale.title = "Judul lagi"
    services.save_process(process=stale, by=operator)
    stored = Process.objects.get(pk=process.pk)
    assert (stored.status, stored.withdrawn_reason) == (Status.WITHDRAWN, "Batal")
    assert stored.withdrawn_at is not None and stored.published_at == published_at


@pytest.mark.django_db
def test_a_merge_keeps_a_publication_made_after_the_packages_were_read(agency, operator):
    from contracts.models import Process

    keep = make_process(agency, rup_code="17650001")
    double = make_process(agency, tender_code="9911")  # the tender imported before its plan
    stale_keep = Process.objects.get(pk=keep.pk)
    services.publish_process(process=Process.objects.get(pk=keep.pk), by=operator)
    services.merge_processes(keep=stale_keep, absorbed=double, by=operator)
    stored = Process.objects.get(pk=keep.pk)
    assert stored.status == Status.PUBLISHED and stored.published_at is not None
    assert stored.tender_code == "9911"
