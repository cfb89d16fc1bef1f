"""Many PDFs at once, each placed on its package by the kode in its name (issue #19).

Two steps, as the operator sees them: `preview_bulk_upload` checks every file through the
same intake as a single upload (contracts.pdf.inspect_upload) and says where it would go or
why it cannot; `store_bulk_upload` stores the rows the operator confirmed through
contracts.services.add_documents, so completeness, audit entries and OCDS follow as for any
upload. Nothing is stored by the preview.
"""

import contextlib
import logging
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from contracts.bulk_names import Outcome, match_name
from contracts.forms import guess_document_type
from contracts.models import (
    STAGE_ORDER,
    BulkUpload,
    BulkUploadFile,
    Document,
    DocumentType,
    Process,
    Stage,
    StagedUpload,
)
from contracts.pdf import PdfInfo, PdfRejected, display_filename, inspect_uploads
from contracts.recognition import candidate_document_types
from opendata_kontrak import storage

logger = logging.getLogger(__name__)


@dataclass
class BulkRow:
    """One file of a bulk upload. `problem` (Indonesian) is empty when the row can be stored
    as it stands; `process`/`document_type` may be set by matching or chosen by the operator."""

    upload: object
    filename: str
    match: object = None
    process: object = None
    document_type: object = None
    info: object = None
    problem: str = ""

    @property
    def stage(self):
        return self.document_type.stage if self.document_type else None

    @property
    def ready(self):
        return not self.problem and self.process is not None and self.document_type is not None


# The reasons are stored with the file's row in Indonesian, as everything stored is (the checks
# run under the portal's language); the pages translate those that are whole sentences
# (gettext_noop here) as they show them (contracts.bulk_views).
TYPE_UNKNOWN = gettext_noop("Jenis dokumen tidak dikenali dari nama berkas; pilih jenisnya.")
DUPLICATE = gettext_noop("Berkas yang sama persis sudah tersimpan di paket ini.")
DUPLICATE_STORED = (
    "Berkas yang sama persis sudah tersimpan di paket “{process}” sebagai “{document}” "
    "({document_type})."
)
DUPLICATE_IN_BATCH = "Berkas yang sama persis sudah ada di unggahan ini sebagai “{other}”."
AGENCY_DOCUMENT = (
    "{name} adalah dokumen perangkat daerah: diunggah sekali per perangkat daerah dan tahun "
    "anggaran di “Dokumen perangkat daerah”, bukan pada paket."
)


def bulk_document_types():
    """The types a package's file may take: every type but the agency's yearly ones (DPA,
    Renja SKPD, jadwal kegiatan), which are uploaded once per agency-year instead."""
    return list(DocumentType.objects.exclude(per_agency=True).order_by("stage", "name"))


def agency_document_named(filename):
    """The agency's yearly type (DocumentType with per_agency) that `filename` names, or None:
    "14664723 DPA.pdf" names the DPA, which no package holds."""
    named = guess_document_type(_without_code(filename), DocumentType.objects.all())
    return named if named is not None and named.per_agency else None


def type_candidates(filename, types=None):
    """The package types (bulk_document_types, or `types`) `filename` may mean when it names
    none alone: [KAK Perencanaan, KAK Pelaksanaan] for "14672509 KAK.pdf"; a list of
    DocumentType in stage order, empty when the name says nothing of a type."""
    types = bulk_document_types() if types is None else types
    found = candidate_document_types(_without_code(filename), types)
    # In the order of the stages (Perencanaan first), then of each stage's list.
    return sorted(found, key=lambda t: (STAGE_ORDER.index(t.stage), t.position, t.name))


def preview_bulk_upload(*, uploads, by, seen=(), deadline=None):
    """One BulkRow per uploaded file, in the order given. Reasons a row cannot be stored: not
    a PDF or refused by the intake (active content, encrypted, …), no package named by its
    kode, several packages, another agency's package, a type not recognised from the name,
    a name naming an agency document (DPA, Renja SKPD, jadwal kegiatan: agency_document_named),
    or the same file (SHA-256) already held by the package, earlier in the batch or in `seen`
    ({SHA-256: file name} of files already in the operator's batch); each duplicate reason
    names the other file, and the package and document already holding it.

    The files are checked PDF_CHECKS_AT_ONCE at a time within `deadline` (time.monotonic();
    PDF_BATCH_SECONDS from now by default), as the package form checks its files.
    """
    editable = Process.objects.editable_by(by)
    everyone = Process.objects.all()
    types = bulk_document_types()
    rows, seen = [], dict(seen)
    outcomes = inspect_uploads(uploads, deadline=deadline)
    for uploaded, outcome in zip(uploads, outcomes, strict=True):
        row = BulkRow(upload=uploaded, filename=display_filename(uploaded.name))
        rows.append(row)
        if isinstance(outcome, PdfRejected):
            row.problem = outcome.reason
            continue
        row.info = outcome
        agency_type = agency_document_named(uploaded.name)
        if agency_type is not None:
            row.problem = AGENCY_DOCUMENT.format(name=agency_type.name)
            continue
        row.match = match_name(uploaded.name, editable=editable, everyone=everyone)
        row.process = row.match.process
        row.document_type = guess_document_type(_without_code(uploaded.name), types)
        held = _held(row.process, row.info.sha256) if row.process else None
        if row.match.outcome != Outcome.MATCHED:
            row.problem = row.match.reason
        elif row.info.sha256 in seen:
            row.problem = DUPLICATE_IN_BATCH.format(other=seen[row.info.sha256])
        elif held is not None:
            row.problem = DUPLICATE_STORED.format(
                process=row.process.title,
                document=held.original_filename,
                document_type=held.document_type.name,
            )
        elif row.document_type is None:
            row.problem = TYPE_UNKNOWN
        seen.setdefault(row.info.sha256, row.filename)
    return rows


# "RUP 17654321 Kontrak.pdf": the word before the number says which code it is, not that
# the file is the RUP document (a type of Perencanaan), so it is not read for the type.
_CODE_PREFIX = re.compile(
    r"(?i)\b(?:kode|no|nomor)?[\s_.-]*(?:rup|tender|lelang|spse)[\s_.:-]*(?=\d)"
)


def _without_code(filename):
    return _CODE_PREFIX.sub(" ", filename)


def _held(process, sha256):
    """The document of `process` with this SHA-256, or None."""
    return (
        Document.objects.filter(process=process, sha256=sha256)
        .select_related("document_type")
        .order_by("pk")
        .first()
    )


def store_bulk_upload(*, rows, by):
    """Store the ready rows, one add_documents call per package, stage and type, each all or
    nothing. Raises PermissionDenied if a row's package is not the operator's (a choice
    corrected after the preview is checked again here). Returns the documents stored."""
    editable = set(Process.objects.editable_by(by).values_list("pk", flat=True))
    groups = {}
    for row in rows:
        if not row.ready:
            continue
        if row.process.pk not in editable:
            raise PermissionDenied(gettext("Paket ini bukan milik perangkat daerah Anda."))
        key = (row.process.pk, row.document_type.pk)
        groups.setdefault(key, (row.process, row.document_type, []))[2].append(
            (row.upload, row.info)
        )
    from contracts.services import add_documents

    stored = []
    for process, document_type, uploads in groups.values():
        stored += add_documents(
            process=process,
            stage=document_type.stage,
            document_type=document_type,
            uploads=uploads,
            by=by,
        )
    return stored


# --- the operator's batch: staged files, a preview, a confirmation, a background task -------

EXCLUDED = gettext_noop("Dikecualikan oleh operator pada pratinjau.")
UNEXPECTED_CHECK = gettext_noop(
    "Terjadi kesalahan tak terduga saat memeriksa berkas ini. Unggah ulang; jika gagal lagi, "
    "hubungi pengelola portal."
)
NO_TYPE = gettext_noop("Jenis dokumen belum dipilih.")
STILL_CHECKING = gettext_noop(
    "Sebagian berkas masih diperiksa; tunggu sampai pratinjaunya lengkap."
)
STAGED_GONE = (
    "Berkas sementaranya sudah dihapus (pratinjau yang tidak dikonfirmasi disimpan "
    f"{settings.STAGED_UPLOAD_HOURS} jam); unggah ulang berkas ini."
)
PACKAGE_GONE = gettext_noop("Paketnya sudah dihapus.")
NOT_YOURS = gettext_noop("Paket ini bukan milik perangkat daerah Anda.")
STORAGE_DOWN = gettext_noop(
    "Penyimpanan berkas tidak dapat dijangkau atau penuh saat berkas ini disimpan; berkas ini "
    "tidak tersimpan. Unggah ulang nanti; jika terulang, beri tahu administrator portal."
)
UNEXPECTED = gettext_noop(
    "Terjadi kesalahan tak terduga saat menyimpan berkas ini; berkas ini tidak tersimpan. "
    "Unggah ulang; jika gagal lagi, hubungi pengelola portal."
)


def start_bulk_upload(*, by):
    """A new, empty batch for an operator's agency. Raises PermissionDenied for anyone who is
    not an operator: the page places files among one agency's packages."""
    if not by.is_operator:
        raise PermissionDenied(gettext("Unggah massal ada untuk operator perangkat daerah."))
    return BulkUpload.objects.create(user=by, agency_id=by.agency_id)


def add_bulk_files(*, batch, uploads, by):
    """Receive `uploads` (UploadedFiles) into `batch`, in order, and queue the task that checks
    them (check_bulk_files): one BulkUploadFile each, its file kept as received. A file past
    the size or count limit is refused here, with its reason. Nothing becomes a document.
    Returns the new rows.

    Raises PermissionDenied when `batch` is not the operator's or already confirmed; what the
    storage raises when it is unavailable (nothing of this call is then kept).
    """
    from contracts.models import staged_upload_to
    from contracts.pdf import inspect_upload
    from contracts.services import files_follow_transaction, keep_received_file

    batch = _own_batch(batch, by)
    with files_follow_transaction(), transaction.atomic():
        locked = BulkUpload.objects.select_for_update().get(pk=batch.pk)
        if locked.state not in (BulkUpload.State.CHECKING, BulkUpload.State.PREVIEW):
            raise PermissionDenied(gettext("Unggahan ini sudah dikonfirmasi."))
        position = batch.files.count()
        rows = []
        for uploaded in uploads:
            position += 1
            row = BulkUploadFile(
                batch=batch, position=position, original_filename=display_filename(uploaded.name)
            )
            # What is stored is Indonesian, whatever language the operator reads.
            with translation.override(settings.LANGUAGE_CODE):
                _refuse_at_receipt(row, uploaded, inspect_upload)
            if row.problem:
                row.checked = True
            else:
                row.received.name = keep_received_file(
                    name=staged_upload_to(None, uploaded.name), uploaded=uploaded
                )
            row.save()
            rows.append(row)
        BulkUpload.objects.filter(pk=batch.pk).update(state=BulkUpload.State.CHECKING)
        _queue_check(batch)
    return rows


def _refuse_at_receipt(row, uploaded, inspect_upload):
    """Set row.problem for a file refused as it arrives (past the count or size limit)."""
    if getattr(uploaded, "excess", False):
        # Dropped as it streamed in (contracts.uploads): nothing of it was received.
        row.problem = (
            f"lebih dari {settings.UPLOAD_MAX_FILES} berkas dalam satu kiriman, jadi "
            "berkas ini tidak diterima; tambahkan lagi lewat “Tambah berkas”"
        )
    elif getattr(uploaded, "oversized", False) or uploaded.size == 0:
        try:
            inspect_upload(uploaded)  # refuses these before reading anything
        except PdfRejected as rejection:
            row.problem = rejection.reason


def _queue_check(batch):
    from procrastinate.exceptions import AlreadyEnqueued

    from contracts.tasks import check_bulk_upload_files

    # One waiting check per batch: it reads every file not checked yet, these included. The
    # lock, shared with the storing task, keeps two runs on one batch apart. In a savepoint:
    # the refused INSERT of a second waiting check must not end the caller's transaction.
    with contextlib.suppress(AlreadyEnqueued), transaction.atomic():
        check_bulk_upload_files.configure(
            queueing_lock=f"bulk-check-{batch.pk}", lock=f"bulk-upload-{batch.pk}"
        ).defer(batch_id=batch.pk)


@translation.override(settings.LANGUAGE_CODE)
def check_bulk_files(*, batch_id):
    """Check the files of a batch not checked yet, PDF_CHECKS_AT_ONCE at a time, in the worker
    (contracts.tasks): each is read by the PDF intake and matched to a package by its name
    (preview_bulk_upload); one that may go is kept as a StagedUpload, the rest keep their
    reason. The file as received is deleted once its row is settled. When none is left the
    batch becomes a preview."""
    batch = BulkUpload.objects.select_related("user").filter(pk=batch_id).first()
    if batch is None:
        return  # discarded unconfirmed meanwhile
    while True:
        rows = list(
            batch.files.filter(checked=False).order_by("position")[: settings.PDF_CHECKS_AT_ONCE]
        )
        if not rows:
            break
        try:
            _check_rows(batch, rows)
        except Exception:
            logger.exception("bulk upload %s: checking files", batch_id)
            for row in rows:
                _settle_unchecked(row, UNEXPECTED_CHECK)
    unchecked = BulkUploadFile.objects.filter(batch=OuterRef("pk"), checked=False)
    BulkUpload.objects.filter(pk=batch_id, state=BulkUpload.State.CHECKING).exclude(
        Exists(unchecked)
    ).update(state=BulkUpload.State.PREVIEW)


def _check_rows(batch, rows):
    from contracts.services import files_follow_transaction, stage_bulk_upload

    handles = [default_storage.open(row.received.name, "rb") for row in rows]
    try:
        uploads = [
            File(handle, name=row.original_filename)
            for handle, row in zip(handles, rows, strict=True)
        ]
        held = dict(
            StagedUpload.objects.filter(
                pk__in=batch.files.exclude(staged=None).values("staged")
            ).values_list("sha256", "original_filename")
        )
        # A check that outlasts the worker's own limit says the PDF is too complex.
        deadline = time.monotonic() + settings.PDF_WORKER_TIMEOUT_SECONDS + 5
        previews = preview_bulk_upload(uploads=uploads, by=batch.user, seen=held, deadline=deadline)
        with files_follow_transaction(), transaction.atomic():
            for row, preview in zip(rows, previews, strict=True):
                if not BulkUploadFile.objects.filter(pk=row.pk, checked=False).exists():
                    continue
                row.problem = "" if preview.problem == TYPE_UNKNOWN else preview.problem
                row.process = preview.process
                row.code = preview.match.code if preview.match else ""
                row.document_type = preview.document_type
                if not row.problem:
                    row.staged = stage_bulk_upload(
                        by=batch.user,
                        process=preview.process,
                        document_type=preview.document_type,
                        uploaded=preview.upload,
                        info=preview.info,
                    )
                _settle_checked(row)
    finally:
        for handle in handles:
            handle.close()


def _settle_checked(row):
    received = row.received.name
    row.checked, row.received = True, ""
    row.save()
    if received:
        transaction.on_commit(lambda: default_storage.delete(received))


def _settle_unchecked(row, problem):
    with transaction.atomic():
        if BulkUploadFile.objects.filter(pk=row.pk, checked=False).exists():
            row.problem, row.process, row.document_type, row.staged = problem, None, None, None
            _settle_checked(row)


def choose_bulk_files(*, batch, types, excluded, by):
    """Keep the operator's choices on the preview: `types` {row pk: DocumentType pk or ""},
    `excluded` the row pks ticked away. A type must be one of bulk_document_types(). Returns
    False, changing nothing, once the batch is no longer a preview (confirmed meanwhile in
    another tab). Raises PermissionDenied when the batch is not the operator's."""
    batch = _own_batch(batch, by)
    allowed = {str(t.pk): t for t in bulk_document_types()}
    excluded = {str(pk) for pk in excluded}
    with transaction.atomic():
        locked = BulkUpload.objects.select_for_update().get(pk=batch.pk)
        if locked.state != BulkUpload.State.PREVIEW:
            return False
        for row in batch.files.select_related("staged").select_for_update(of=("self",)):
            row.excluded = str(row.pk) in excluded
            chosen = types.get(str(row.pk))
            if chosen is not None and not row.problem:
                row.document_type = allowed.get(str(chosen))
                if row.staged is not None:
                    row.staged.document_type = row.document_type
                    row.staged.stage = row.stage or Stage.PLANNING
                    row.staged.save(update_fields=["document_type", "stage"])
            row.save(update_fields=["excluded", "document_type"])
    return True


def confirm_bulk_upload(*, batch, by):
    """Send the batch's ready files to the background task that stores them. The files that
    cannot go are settled at once as skipped, each with its reason.

    Returns False when the batch was confirmed already (a second click, another tab): the
    batch's row is locked and its state read once, so it is stored once. Raises
    ValidationError while files are still being checked or when some still need a type
    (nothing changes then), PermissionDenied when the batch is not the operator's.
    """
    batch = _own_batch(batch, by)
    with transaction.atomic():
        locked = BulkUpload.objects.select_for_update().get(pk=batch.pk)
        if locked.state == BulkUpload.State.CHECKING:
            raise ValidationError(gettext(STILL_CHECKING))
        if locked.state != BulkUpload.State.PREVIEW:
            return False
        files = list(batch.files.select_related("staged"))
        if not all(f.checked for f in files):
            raise ValidationError(gettext(STILL_CHECKING))
        untyped = [
            f.original_filename
            for f in files
            if not f.problem and not f.excluded and f.staged_id and f.document_type_id is None
        ]
        if untyped:
            raise ValidationError(
                gettext("Pilih jenis dokumen untuk %(files)s, atau kecualikan berkasnya.")
                % {"files": ", ".join(untyped)}
            )
        ready = [f for f in files if f.ready]
        BulkUpload.objects.filter(pk=batch.pk).update(
            state=BulkUpload.State.QUEUED, files_to_store=len(ready), confirmed_at=timezone.now()
        )
        for row in files:
            if row.ready:
                continue
            reason = row.problem or (EXCLUDED if row.excluded else None)
            if reason is None:
                reason = PACKAGE_GONE if row.process_id is None else STAGED_GONE
            BulkUploadFile.objects.filter(pk=row.pk).update(
                outcome=BulkUploadFile.Outcome.SKIPPED, reason=reason
            )
        gone = [f.staged for f in files if not f.ready and f.staged_id]
        if gone:
            from contracts.services import discard_staged_uploads

            discard_staged_uploads(staged=gone)
        from contracts.tasks import store_bulk_upload_files

        # The queueing lock refuses a second waiting run of the same batch, whatever path led
        # to it; the lock keeps it apart from a check still running.
        queue_job_id = store_bulk_upload_files.configure(
            queueing_lock=f"bulk-store-{batch.pk}", lock=f"bulk-upload-{batch.pk}"
        ).defer(batch_id=batch.pk)
        BulkUpload.objects.filter(pk=batch.pk).update(queue_job_id=queue_job_id)
    return True


def discard_expired_bulk_uploads(*, now=None):
    """Batches never confirmed within STAGED_UPLOAD_HOURS go, with their staged and received
    files; confirmed ones stay as the operator's record. Returns how many went."""
    from contracts.services import discard_staged_uploads

    now = now or timezone.now()
    cutoff = now - timezone.timedelta(hours=settings.STAGED_UPLOAD_HOURS)
    with transaction.atomic():
        expired = list(
            BulkUpload.objects.filter(
                created__lt=cutoff,
                state__in=[BulkUpload.State.CHECKING, BulkUpload.State.PREVIEW],
            ).select_for_update(skip_locked=True)
        )
        files = BulkUploadFile.objects.filter(batch__in=expired)
        discard_staged_uploads(
            staged=list(StagedUpload.objects.filter(pk__in=files.values("staged")))
        )
        received = [name for name in files.values_list("received", flat=True) if name]
        BulkUpload.objects.filter(pk__in=[b.pk for b in expired]).delete()
        transaction.on_commit(lambda: [default_storage.delete(name) for name in received])
    return len(expired)


@translation.override(settings.LANGUAGE_CODE)
def store_bulk_files(*, batch_id):
    """Store a confirmed batch's files one by one, in the worker (contracts.tasks); each file
    in a transaction of its own, so the page sees the count grow and a run cut short resumes
    where it stopped: a file stored is never stored twice (its row is settled in the same
    transaction, and add_documents skips a file whose SHA-256 the stage already holds)."""
    started = BulkUpload.objects.filter(
        pk=batch_id, state__in=[BulkUpload.State.QUEUED, BulkUpload.State.RUNNING]
    ).update(state=BulkUpload.State.RUNNING)
    if not started:
        return
    batch = BulkUpload.objects.select_related("user").get(pk=batch_id)
    pending = batch.files.filter(outcome=BulkUploadFile.Outcome.PENDING).values_list(
        "pk", flat=True
    )
    for pk in list(pending):
        try:
            _store_one(pk, batch.user)
        except Exception:
            logger.exception("bulk upload %s: file %s", batch_id, pk)
            BulkUploadFile.objects.filter(pk=pk, outcome=BulkUploadFile.Outcome.PENDING).update(
                outcome=BulkUploadFile.Outcome.SKIPPED, reason=UNEXPECTED
            )
    BulkUpload.objects.filter(pk=batch_id).update(
        state=BulkUpload.State.DONE, finished_at=timezone.now()
    )


def _store_one(pk, by):
    from contracts.services import discard_staged_uploads, files_follow_transaction

    with files_follow_transaction(), transaction.atomic():
        row = (
            BulkUploadFile.objects.select_for_update(of=("self",))
            .select_related("staged", "process", "document_type")
            .filter(pk=pk, outcome=BulkUploadFile.Outcome.PENDING)
            .first()
        )
        if row is None:
            return  # settled by an earlier run
        # A package deleted takes its staged files with it: say the cause, not the effect.
        reason = (
            PACKAGE_GONE
            if row.process is None
            else STAGED_GONE
            if row.staged is None
            else NO_TYPE
            if row.document_type is None
            else ""
        )
        stored = []
        if not reason:
            staged = row.staged
            try:
                with default_storage.open(staged.file.name, "rb") as handle:
                    stored = store_bulk_upload(
                        rows=[
                            BulkRow(
                                upload=File(handle, name=staged.original_filename),
                                filename=staged.original_filename,
                                process=row.process,
                                document_type=row.document_type,
                                info=PdfInfo(
                                    size=staged.size,
                                    sha256=staged.sha256,
                                    page_count=staged.page_count,
                                    text=staged.text,
                                    text_status=staged.text_status,
                                ),
                            )
                        ],
                        by=by,
                    )
            except FileNotFoundError:
                reason = STAGED_GONE
            except PermissionDenied:
                reason = NOT_YOURS
            except ValidationError as error:
                reason = " ".join(error.messages)
            except storage.unavailable_errors():
                reason = STORAGE_DOWN
            else:
                # add_documents stores a file the stage already holds (same SHA-256) once.
                held = None if stored else _held(row.process, staged.sha256)
                reason = (
                    ""
                    if stored
                    else DUPLICATE_STORED.format(
                        process=row.process.title,
                        document=held.original_filename,
                        document_type=held.document_type.name,
                    )
                    if held is not None
                    else DUPLICATE
                )
        if stored:
            row.outcome, row.document = BulkUploadFile.Outcome.STORED, stored[0]
        else:
            row.outcome, row.reason = BulkUploadFile.Outcome.SKIPPED, reason
        row.save(update_fields=["outcome", "reason", "document"])
        if row.staged is not None:
            discard_staged_uploads(staged=[row.staged])


def resume_stalled(*, batch):
    """Put the job working on `batch` back in the queue when its worker stopped mid-run (a
    restart: no heartbeat for JOB_STALLED_SECONDS, or the worker gone). Both tasks resume
    where they stopped, so nothing is checked or stored twice. Called by the status page, as
    the import page settles its stalled jobs. Returns how many jobs were put back."""
    from procrastinate.contrib.django import app
    from procrastinate.contrib.django.models import ProcrastinateJob, ProcrastinateWorker

    if batch.finished or batch.state == BulkUpload.State.PREVIEW:
        return 0
    cutoff = timezone.now() - timezone.timedelta(seconds=settings.JOB_STALLED_SECONDS)
    live = ProcrastinateWorker.objects.filter(last_heartbeat__gte=cutoff)
    stalled = ProcrastinateJob.objects.filter(
        lock=f"bulk-upload-{batch.pk}", status="doing"
    ).filter(Q(worker_id=None) | ~Q(worker_id__in=live.values("id")))
    resumed = 0
    for job in stalled:
        app.job_manager.retry_job_by_id(job.id, retry_at=timezone.now())
        resumed += 1
    return resumed


def bulk_progress(batch):
    """(files the task has settled, files the confirmation gave it) for the status page."""
    pending = batch.files.filter(outcome=BulkUploadFile.Outcome.PENDING).count()
    return batch.files_to_store - min(pending, batch.files_to_store), batch.files_to_store


def _own_batch(batch, by):
    if not BulkUpload.objects.visible_to(by).filter(pk=batch.pk).exists():
        raise PermissionDenied(gettext("Unggahan ini bukan milik Anda."))
    return batch
