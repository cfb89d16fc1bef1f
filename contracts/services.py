"""Every write to a package goes through here: permission, audit trail, completeness, files.

Views and the admin call these functions; none of them writes a Process or a Document itself.
"""

import contextvars
import datetime
from contextlib import contextmanager
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from contracts import completeness, public_cache
from contracts.models import (
    AgencyDocument,
    AuditEntry,
    BulkUploadFile,
    Document,
    Process,
    ProgressPhoto,
    ProgressReport,
    StagedPhoto,
    StagedUpload,
    Status,
    progress_photo_upload_to,
    staged_photo_upload_to,
    stored_text,
)

# Publication has its own trail entries; the rest is derived by contracts.completeness.
AUDITED_EXCLUDE = {
    "id",
    "ocid",
    "created_at",
    "updated_at",
    "status",
    "published_at",
    "published_by",
    "withdrawn_at",
    "withdrawn_reason",
    "stage_reached",
    "all_complete",
    "search_vector",
    "source_values",
    "location_kecamatan_all",  # read from the kecamatan and location text, audited themselves
}


def can_edit(user, process):
    return Process.objects.editable_by(user).filter(pk=process.pk).exists()


def ensure_can_edit(user, process):
    if not can_edit(user, process):
        raise PermissionDenied(gettext("Anda tidak berhak mengubah paket ini."))


def ensure_agency_allowed(user, agency_id):
    if user.is_administrator:
        return
    if not (user.is_operator and user.agency_id == agency_id):
        raise PermissionDenied(
            gettext("Operator hanya dapat mengelola paket perangkat daerahnya sendiri.")
        )


# --- audit ---------------------------------------------------------------------------------


def plain(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return str(value)


def snapshot(instance):
    values = {}
    for field in instance._meta.concrete_fields:
        if field.name in AUDITED_EXCLUDE:
            continue
        if field.is_relation:
            related = getattr(instance, field.name)
            values[field.name] = str(related) if related is not None else None
        else:
            values[field.name] = plain(getattr(instance, field.attname))
    return values


def diff(before, after, model):
    changes = {}
    for name, new in after.items():
        old = before.get(name)
        if old != new:
            label = stored_text(model._meta.get_field(name).verbose_name)
            changes[label] = [old, new]
    return changes


def record(*, process, by, action, changes=None):
    return AuditEntry.objects.create(
        process=process,
        process_label=str(process)[:500],
        agency_id=process.agency_id,
        user=by if by is not None and by.is_authenticated else None,
        action=action,
        changes=changes or {},
    )


# --- files follow the transaction ----------------------------------------------------------

_journal = contextvars.ContextVar("stored_files", default=None)


@contextmanager
def files_follow_transaction():
    """Files stored inside this block are deleted again unless a row that names them commits.

    Nested blocks share the outermost one's journal; that one reconciles once the outermost
    transaction has ended, so an admin save that fails after the upload leaves no orphan.
    """
    journal = _journal.get()
    if journal is not None:
        try:
            yield journal
        except BaseException:
            _delete_uncommitted(journal, everything=True)
            raise
        return
    journal = []
    token = _journal.set(journal)
    try:
        yield journal
    except BaseException:
        _delete_uncommitted(journal, everything=True)
        raise
    else:
        if not connection.in_atomic_block:
            _delete_uncommitted(journal)
    finally:
        _journal.reset(token)


def _delete_uncommitted(journal, everything=False):
    if not journal:
        return
    kept = (
        set()
        if everything
        else set(Document.objects.filter(file__in=journal).values_list("file", flat=True))
        | set(AgencyDocument.objects.filter(file__in=journal).values_list("file", flat=True))
        | set(StagedUpload.objects.filter(file__in=journal).values_list("file", flat=True))
        | set(ProgressPhoto.objects.filter(file__in=journal).values_list("file", flat=True))
        | set(StagedPhoto.objects.filter(file__in=journal).values_list("file", flat=True))
        | set(
            BulkUploadFile.objects.filter(received__in=journal).values_list("received", flat=True)
        )
    )
    for name in journal:
        if name not in kept:
            default_storage.delete(name)
    journal.clear()


def _store_content(name, content):
    """Store `content` (bytes) under a name the portal made; journalled like _store."""
    journal = _journal.get()
    name = default_storage.save(name, ContentFile(content))
    if journal is not None:
        journal.append(name)
    return name


def _store(uploaded):
    journal = _journal.get()
    name = default_storage.save(
        Document.file.field.generate_filename(None, uploaded.name), uploaded
    )
    if journal is not None:
        journal.append(name)
    return name


# --- processes ----------------------------------------------------------------------------

# The publication state: written by publish_process and withdraw_process alone (and by the
# imports' own plan withdrawal). A save of the package's other fields keeps what is stored
# for these, never the values its instance was read with: a form loaded before a publication
# and saved after it (a slow upload in another tab) would otherwise make the package a draft
# again, silently, after the operator was told it was published.
PUBLICATION_FIELDS = ("status", "published_at", "published_by", "withdrawn_at", "withdrawn_reason")


def _keep_stored_publication(process, stored):
    """Set `process`'s publication fields to those of `stored`, its row read under a lock."""
    for name in PUBLICATION_FIELDS:
        attname = Process._meta.get_field(name).attname
        setattr(process, attname, getattr(stored, attname))


@transaction.atomic
def save_process(*, process, by):
    """Create or update a package as `by`; record what changed; refresh its completeness."""
    creating = process.pk is None
    if creating:
        before = None
    else:
        previous = Process.objects.select_for_update().get(pk=process.pk)
        ensure_can_edit(by, previous)
        before = snapshot(previous)
        _keep_stored_publication(process, previous)
    ensure_agency_allowed(by, process.agency_id)
    process.full_clean()
    _name_kecamatan(process, previous=None if creating else previous)
    process.save()
    if creating:
        record(process=process, by=by, action=AuditEntry.Action.CREATE)
    else:
        changes = diff(before, snapshot(process), Process)
        if changes:
            record(process=process, by=by, action=AuditEntry.Action.CHANGE, changes=changes)
    completeness.refresh([process.pk])
    if not creating and previous.fiscal_year != process.fiscal_year:
        # The refresh retires the new year's pages; the package also left the old year's.
        public_cache.changed(public=previous.status != Status.DRAFT, years={previous.fiscal_year})
    return process


def _name_kecamatan(process, *, previous):
    """Every kecamatan the package's location names (`Process.location_kecamatan_all`), read
    again when its kecamatan or location text is new or changed: the place register is read
    (three queries) only then."""
    place = (process.location_kecamatan, process.location_desa, process.location_detail)
    if previous is not None and place == (
        previous.location_kecamatan,
        previous.location_desa,
        previous.location_detail,
    ):
        return
    if not process.location_kecamatan.strip() and not process.location_detail.strip():
        process.location_kecamatan_all = []
        return
    from agencies.places import PlaceResolver
    from contracts.locations import kecamatan_named

    process.location_kecamatan_all = kecamatan_named(place, PlaceResolver())


@transaction.atomic
def record_rows_changed(*, process, by, label, added=(), changed=(), deleted=()):
    """After bidders, amendments, progress reports or payments were saved by a formset."""
    ensure_can_edit(by, process)
    changes = {}
    if added:
        changes["ditambah"] = [str(row) for row in added]
    if changed:
        changes["diubah"] = [str(row) for row in changed]
    if deleted:
        changes["dihapus"] = [str(row) for row in deleted]
    if changes:
        record(process=process, by=by, action=AuditEntry.Action.CHANGE, changes={label: changes})
    completeness.refresh([process.pk])


def add_implementation_row(*, row, by, photos=(), staged_photos=()):
    """Add one ProgressReport or Payment to its package from the field page, as `by`, with
    `photos` (opendata_kontrak.photos.CleanPhoto, already re-encoded) and `staged_photos`
    (StagedPhoto rows of `by` for this package, kept from a refused submit) for a progress
    report.

    Same permission, audit entry and completeness refresh as the admin's inline rows; the
    report, its photos and their files are kept together or not at all; the staged rows go in
    the same transaction, their files once it commits. Raises PermissionDenied when `by` may
    not edit the package or a staged photo is not theirs for it, ValidationError (Indonesian
    messages, per field) when the row breaks a model rule.
    """
    if (photos or staged_photos) and not isinstance(row, ProgressReport):
        raise ValueError("Only a progress report carries photos.")
    with files_follow_transaction():
        return _add_implementation_row(row=row, by=by, photos=photos, staged=staged_photos)


@transaction.atomic
def _add_implementation_row(*, row, by, photos, staged):
    ensure_can_edit(by, row.process)
    staged = _own_staged_photos(staged=staged, by=by, process=row.process)
    row.full_clean()
    row.save()
    contents = []
    for kept in staged:
        with default_storage.open(kept.file.name, "rb") as handle:
            contents.append((kept.content_type, kept.width, kept.height, handle.read()))
    contents += [(p.content_type, p.width, p.height, p.content) for p in photos]
    stored = []
    for content_type, width, height, content in contents:
        stored_photo = ProgressPhoto(
            report=row, content_type=content_type, width=width, height=height, size=len(content)
        )
        stored_photo.file.name = _store_content(progress_photo_upload_to(stored_photo, ""), content)
        stored_photo.full_clean()
        stored_photo.save()
        stored.append(stored_photo)
    discard_staged_photos(staged=staged)
    changes = {stored_text(row._meta.verbose_name_plural): {"ditambah": [str(row)]}}
    if stored:
        changes[stored_text(ProgressPhoto._meta.verbose_name_plural)] = {
            "ditambah": [str(photo) for photo in stored]
        }
    record(process=row.process, by=by, action=AuditEntry.Action.CHANGE, changes=changes)
    completeness.refresh([row.process.pk])
    return row


def _own_staged_photos(*, staged, by, process):
    """`staged` locked and checked again: each still current, of `by`, for `process`."""
    if not staged:
        return []
    pks = [photo.pk for photo in staged]
    rows = list(
        StagedPhoto.objects.visible_to(by)
        .current()
        .filter(process=process, pk__in=pks)
        .select_for_update()
        .order_by("created", "pk")
    )
    if len(rows) != len(set(pks)):
        raise PermissionDenied(gettext("Foto sementara ini bukan milik Anda untuk paket ini."))
    return rows


def stage_photos(*, by, process, photos):
    """Keep photos that passed opendata_kontrak.photos.clean on a refused progress report, for
    the next submit of the field page. `photos` is [(original file name, CleanPhoto)]. A photo
    identical (same SHA-256 of the cleaned content) to one `by` already has staged for
    `process` is not kept twice. Returns the new StagedPhoto rows. Raises PermissionDenied
    when `by` may not edit `process`."""
    import hashlib
    from pathlib import PurePath

    ensure_can_edit(by, process)
    rows = []
    with files_follow_transaction(), transaction.atomic():
        held = set(
            StagedPhoto.objects.visible_to(by)
            .current()
            .filter(process=process)
            .values_list("sha256", flat=True)
        )
        for name, photo in photos:
            digest = hashlib.sha256(photo.content).hexdigest()
            if digest in held:
                continue
            staged = StagedPhoto(
                user=by,
                agency_id=process.agency_id,
                process=process,
                original_filename=PurePath(name.replace("\\", "/")).name[:255] or "foto",
                content_type=photo.content_type,
                width=photo.width,
                height=photo.height,
                size=len(photo.content),
                sha256=digest,
            )
            staged.file.name = _store_content(staged_photo_upload_to(staged, ""), photo.content)
            staged.full_clean()
            staged.save()
            held.add(digest)
            rows.append(staged)
    return rows


def discard_staged_photos(*, staged):
    """Delete staged photo rows, and their files once the deletion has committed."""
    names = [row.file.name for row in staged]
    StagedPhoto.objects.filter(pk__in=[row.pk for row in staged]).delete()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


def delete_row(row):
    """Delete a bidder, amendment, progress report or payment (the admin's inline rows); a
    progress report's photo files go once the deletion is committed (a rollback keeps both).
    The caller records the change (record_rows_changed)."""
    names = []
    if isinstance(row, ProgressReport):
        names = [photo.file.name for photo in row.photos.all()]
    row.delete()
    for name in names:
        transaction.on_commit(lambda name=name: default_storage.delete(name))


@transaction.atomic
def publish_process(*, process, by):
    ensure_can_edit(by, process)
    if process.status == Status.PUBLISHED:
        return process
    process.status = Status.PUBLISHED
    process.published_at = timezone.now()
    process.published_by = by
    process.withdrawn_at = None
    process.withdrawn_reason = ""
    process.save(
        update_fields=[
            "status",
            "published_at",
            "published_by",
            "withdrawn_at",
            "withdrawn_reason",
            "updated_at",
        ]
    )
    record(process=process, by=by, action=AuditEntry.Action.PUBLISH)
    # Its first release, and the flags of its agency's year, which it now joins.
    completeness.refresh([process.pk])
    return process


@transaction.atomic
def withdraw_process(*, process, by, reason):
    ensure_can_edit(by, process)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(gettext("Alasan penarikan wajib diisi: masyarakat akan membacanya."))
    if process.status != Status.PUBLISHED:
        raise ValidationError(gettext("Hanya paket yang sudah dipublikasikan yang dapat ditarik."))
    process.status = Status.WITHDRAWN
    process.withdrawn_at = timezone.now()
    process.withdrawn_reason = reason
    process.save(update_fields=["status", "withdrawn_at", "withdrawn_reason", "updated_at"])
    record(process=process, by=by, action=AuditEntry.Action.WITHDRAW, changes={"alasan": reason})
    completeness.refresh([process.pk])
    return process


# --- documents -----------------------------------------------------------------------------


def add_documents(*, process, stage, document_type, uploads, by):
    """Store checked PDFs of one stage: `uploads` is [(UploadedFile, PdfInfo)].

    All or nothing: if any file fails to store or any row fails to save, no file and no row
    remains. A file identical (same SHA-256) to one the stage already holds, or to another
    of the same batch, is not stored again: a form sent twice (a double click without
    JavaScript) stores its documents once. Returns the documents stored.
    """
    if document_type.stage != stage:
        raise ValidationError(
            gettext("%(type)s bukan dokumen tahap ini.") % {"type": document_type}
        )
    with files_follow_transaction(), transaction.atomic():
        ensure_can_edit(by, process)
        # The package's row is locked first, so a second copy of the same form waits for the
        # first to commit and then sees its documents.
        Process.objects.select_for_update().filter(pk=process.pk).first()
        held = set(
            Document.objects.filter(process=process, stage=stage).values_list("sha256", flat=True)
        )
        documents = []
        for uploaded, info in uploads:
            from contracts.pdf import document_filename

            if info.sha256 in held:
                continue
            held.add(info.sha256)

            original = document_filename(uploaded.name)
            document = Document(
                process=process,
                stage=stage,
                document_type=document_type,
                title=original.removesuffix(".pdf").removesuffix(".PDF")[:255],
                original_filename=original,
                size=info.size,
                sha256=info.sha256,
                page_count=info.page_count,
                text=info.text,
                text_status=info.text_status,
                uploaded_by=by,
            )
            document.file.name = _store(uploaded)
            document.save()
            documents.append(document)
        if not documents:
            return documents
        record(
            process=process,
            by=by,
            action=AuditEntry.Action.UPLOAD,
            changes={
                "tahap": document_type.get_stage_display(),
                "jenis": document_type.name,
                "berkas": [d.original_filename for d in documents],
            },
        )
        completeness.refresh([process.pk])
    return documents


# --- staged uploads ------------------------------------------------------------------------


def stage_uploads(*, by, agency, process, stage, checked):
    """Keep PDFs that passed the checks on a refused save, for the next submit of the form.

    `checked` is [(DocumentType or None, UploadedFile, PdfInfo)]; `process` is None on the
    add page. A file identical (same SHA-256) to one this user already has staged for the same
    package and stage is not kept twice: the operator who chooses the files again after a
    refusal finds each listed once. Returns the StagedUpload rows, old and new, in order.
    """
    ensure_agency_allowed(by, agency.pk)
    if process is not None:
        ensure_can_edit(by, process)
    from contracts.pdf import document_filename

    with files_follow_transaction(), transaction.atomic():
        held = {
            staged.sha256: staged
            for staged in StagedUpload.objects.visible_to(by)
            .current()
            .filter(process=process, stage=stage)
        }
        rows = []
        for document_type, uploaded, info in checked:
            staged = held.get(info.sha256)
            if staged is None:
                staged = StagedUpload(
                    user=by,
                    agency=agency,
                    process=process,
                    stage=stage,
                    document_type=document_type,
                    original_filename=document_filename(uploaded.name),
                    size=info.size,
                    sha256=info.sha256,
                    page_count=info.page_count,
                    text=info.text,
                    text_status=info.text_status,
                )
                name = default_storage.save(
                    StagedUpload.file.field.generate_filename(staged, uploaded.name), uploaded
                )
                if (journal := _journal.get()) is not None:
                    journal.append(name)
                staged.file.name = name
                staged.save()
                held[info.sha256] = staged
            if staged not in rows:
                rows.append(staged)
        return rows


def keep_received_file(*, name, uploaded):
    """Store an upload as received under `name` (a name the portal made), before any check:
    a bulk upload's files wait so for the background task that checks them. Journalled like
    every stored file, so a transaction that fails leaves no file behind. Returns the name."""
    with files_follow_transaction():
        stored = default_storage.save(name, uploaded)
        if (journal := _journal.get()) is not None:
            journal.append(stored)
    return stored


def stage_bulk_upload(*, by, process, document_type, uploaded, info):
    """Keep one checked PDF of a bulk upload (contracts.bulk_uploads) until its preview is
    confirmed: a StagedUpload of `process` for `by`, apart from the package form's own staged
    files. `document_type` may be None (the operator chooses it on the preview); the stage
    follows the type, the first stage until there is one. Returns the StagedUpload."""
    ensure_can_edit(by, process)
    from contracts.models import Stage
    from contracts.pdf import document_filename

    staged = StagedUpload(
        user=by,
        agency_id=process.agency_id,
        process=process,
        stage=document_type.stage if document_type else Stage.PLANNING,
        document_type=document_type,
        original_filename=document_filename(uploaded.name),
        size=info.size,
        sha256=info.sha256,
        page_count=info.page_count,
        text=info.text,
        text_status=info.text_status,
    )
    with files_follow_transaction(), transaction.atomic():
        name = default_storage.save(
            StagedUpload.file.field.generate_filename(staged, uploaded.name), uploaded
        )
        if (journal := _journal.get()) is not None:
            journal.append(name)
        staged.file.name = name
        staged.save()
    return staged


def commit_staged_uploads(*, process, stage, staged, by):
    """Turn staged files into documents of `process` (through add_documents, so the same
    duplicate and permission rules hold) and drop the staged rows and their files once that
    commits. Every row must carry a document type of `stage`. Returns the documents stored."""
    from django.core.files import File

    from contracts.pdf import PdfInfo

    by_type = {}
    for row in staged:
        if row.document_type is None or row.document_type.stage != stage:
            raise ValidationError(
                gettext("%(file)s: pilih jenis dokumennya.") % {"file": row.original_filename}
            )
        by_type.setdefault(row.document_type, []).append(row)
    saved = []
    with files_follow_transaction(), transaction.atomic():
        for document_type, rows in by_type.items():
            handles = [default_storage.open(row.file.name, "rb") for row in rows]
            try:
                uploads = [
                    (
                        File(handle, name=row.original_filename),
                        PdfInfo(
                            size=row.size,
                            sha256=row.sha256,
                            page_count=row.page_count,
                            text=row.text,
                            text_status=row.text_status,
                        ),
                    )
                    for handle, row in zip(handles, rows, strict=True)
                ]
                saved += add_documents(
                    process=process,
                    stage=stage,
                    document_type=document_type,
                    uploads=uploads,
                    by=by,
                )
            finally:
                for handle in handles:
                    handle.close()
        discard_staged_uploads(staged=staged)
    return saved


def retype_staged_uploads(*, staged, by):
    """Remember the document type chosen beside each staged file on a refused submit."""
    for row in staged:
        if row.user_id != by.pk:
            raise PermissionDenied(gettext("Berkas sementara ini bukan milik Anda."))
        StagedUpload.objects.filter(pk=row.pk).update(document_type=row.document_type)


def discard_staged_uploads(*, staged):
    """Delete staged rows, and their files once the deletion has committed."""
    names = [row.file.name for row in staged]
    StagedUpload.objects.filter(pk__in=[row.pk for row in staged]).delete()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


def discard_expired_staged_uploads(*, now=None):
    """Remove what waited longer than STAGED_UPLOAD_HOURS, staged PDFs and staged field
    photos, with their files; returns how many rows went."""
    with transaction.atomic():
        expired = list(StagedUpload.objects.expired(now).select_for_update(skip_locked=True))
        discard_staged_uploads(staged=expired)
        photos = list(StagedPhoto.objects.expired(now).select_for_update(skip_locked=True))
        discard_staged_photos(staged=photos)
    return len(expired) + len(photos)


@transaction.atomic
def update_document(*, document, by):
    previous = Document.objects.select_related("process").get(pk=document.pk)
    ensure_can_edit(by, previous.process)
    if document.process_id != previous.process_id or document.file.name != previous.file.name:
        raise PermissionDenied(gettext("Berkas dan paket sebuah dokumen tidak dapat dipindahkan."))
    if document.document_type.stage != document.stage:
        raise ValidationError(
            gettext("%(type)s bukan dokumen tahap ini.") % {"type": document.document_type}
        )
    changes = {}
    for field in ["document_type", "title"]:
        old, new = getattr(previous, field), getattr(document, field)
        if old != new:
            changes[stored_text(Document._meta.get_field(field).verbose_name)] = [
                str(old),
                str(new),
            ]
    document.save(update_fields=["document_type", "title"])
    if changes:
        changes["berkas"] = document.original_filename
        record(
            process=document.process,
            by=by,
            action=AuditEntry.Action.DOCUMENT_CHANGE,
            changes=changes,
        )
        completeness.refresh([document.process_id])
    return document


@transaction.atomic
def delete_document(*, document, by):
    process = document.process
    ensure_can_edit(by, process)
    name = document.file.name
    document.delete()
    # The file goes only once the row's deletion is committed: a rollback keeps both.
    transaction.on_commit(lambda: default_storage.delete(name))
    record(
        process=process,
        by=by,
        action=AuditEntry.Action.DOCUMENT_DELETE,
        changes={"berkas": document.original_filename, "jenis": str(document.document_type)},
    )
    completeness.refresh([process.pk])


# --- agency documents ----------------------------------------------------------------------


def covered_packages(*, agency_id, fiscal_year, program_code="", activity_code=""):
    """The packages an agency document with these keys belongs to (AgencyDocument.covers)."""
    packages = Process.objects.filter(agency_id=agency_id, fiscal_year=fiscal_year)
    if program_code:
        packages = packages.filter(program_code=program_code)
    if activity_code:
        packages = packages.filter(activity_code=activity_code)
    return packages


def add_agency_documents(
    *,
    agency,
    fiscal_year,
    document_type,
    uploads,
    by,
    revision=0,
    program_code="",
    activity_code="",
    pages="",
    title="",
):
    """Store checked PDFs as documents of one agency and fiscal year: `uploads` is
    [(UploadedFile, PdfInfo)], checked by contracts.pdf like a package's documents.

    Stored once, whatever the number of packages they cover; then the completeness, search
    text and OCDS releases of every covered package are refreshed in one set-based pass. A
    file identical (same SHA-256) to one this agency-year already holds as this type is not
    stored again: the caller says so (sent minus returned; the admin warns). All or nothing,
    like add_documents. Returns the documents stored.
    Raises PermissionDenied for anyone but an operator of that agency or an administrator,
    ValidationError for a type that is not an agency document type.
    """
    from contracts.pdf import document_filename

    ensure_agency_allowed(by, agency.pk)
    if not document_type.per_agency:
        raise ValidationError(
            gettext("%(type)s bukan dokumen perangkat daerah per tahun.") % {"type": document_type}
        )
    with files_follow_transaction(), transaction.atomic():
        # The agency's row is locked, so a form sent twice stores its files once.
        type(agency).objects.select_for_update().filter(pk=agency.pk).first()
        held = set(
            AgencyDocument.objects.filter(
                agency=agency, fiscal_year=fiscal_year, document_type=document_type
            ).values_list("sha256", flat=True)
        )
        documents = []
        for uploaded, info in uploads:
            if info.sha256 in held:
                continue
            held.add(info.sha256)
            original = document_filename(uploaded.name)
            document = AgencyDocument(
                agency=agency,
                fiscal_year=fiscal_year,
                document_type=document_type,
                revision=revision,
                program_code=program_code,
                activity_code=activity_code,
                pages=pages,
                title=(title or original.removesuffix(".pdf").removesuffix(".PDF"))[:255],
                original_filename=original,
                size=info.size,
                sha256=info.sha256,
                page_count=info.page_count,
                text=info.text,
                text_status=info.text_status,
                uploaded_by=by,
            )
            document.full_clean(exclude=["file"])
            document.file.name = _store(uploaded)
            document.save()
            documents.append(document)
        if documents:
            _index_agency_documents([d.pk for d in documents])
            _refresh_covered(documents)
    return documents


def _refresh_covered(documents):
    ids = set()
    for document in documents:
        ids.update(
            covered_packages(
                agency_id=document.agency_id,
                fiscal_year=document.fiscal_year,
                program_code=document.program_code,
                activity_code=document.activity_code,
            ).values_list("pk", flat=True)
        )
    completeness.refresh(sorted(ids))


@transaction.atomic
def update_agency_document(*, document, by):
    """Save a new title or page reference; both are published in the covered packages' OCDS."""
    ensure_agency_allowed(by, document.agency_id)
    document.full_clean(exclude=["file"])
    document.save(update_fields=["title", "pages"])
    _index_agency_documents([document.pk])
    _refresh_covered([document])
    return document


@transaction.atomic
def delete_agency_document(*, document, by):
    ensure_agency_allowed(by, document.agency_id)
    name = document.file.name
    document.delete()
    transaction.on_commit(lambda: default_storage.delete(name))
    _refresh_covered([document])


# The agency document's own search text: its title, type and agency weigh most, its text least
# (bounded like a package's: a tsvector holds at most 1 MB). Never part of a package's text.
AGENCY_DOCUMENT_SEARCH_SQL = """
UPDATE contracts_agencydocument AS ad SET search_vector =
    setweight(to_tsvector('indonesian_unaccent', concat_ws(' ', ad.title, t.name)), 'A')
    || setweight(to_tsvector('indonesian_unaccent', concat_ws(' ', a.name, a.short_name)), 'B')
    || setweight(to_tsvector('indonesian_unaccent', left(ad.text, 300000)), 'D')
FROM agencies_agency AS a, contracts_documenttype AS t
WHERE a.id = ad.agency_id AND t.id = ad.document_type_id AND ad.id = ANY(%s)
"""


def _index_agency_documents(ids):
    with connection.cursor() as cursor:
        cursor.execute(AGENCY_DOCUMENT_SEARCH_SQL, [list(ids)])


# --- doubles -------------------------------------------------------------------------------

# What a merge never takes from the double: identity and its own bookkeeping.
MERGE_KEEPS = {
    "id",
    "ocid",
    "agency",
    "fiscal_year",
    "rup_code",
    "created_at",
    "updated_at",
    "source_values",
}
# What belongs to the double alone and is computed anew for the package kept.
MERGE_RECOMPUTED = {"contracts.StageCompleteness", "contracts.Release", "integrity.PackageFlag"}


@transaction.atomic
def merge_processes(*, keep, absorbed, by=None):
    """Fold `absorbed`, a double of the same contracting process (same kode RUP and year, as
    earlier imports made when a tender came before its plan), into `keep`; return `keep`.

    Every field `keep` has empty is taken from `absorbed` (the tender's code, HPS, winner...);
    a draft `keep` takes the double's publication. The double's documents, amendments, progress
    reports, payments, citizens' reports and audit trail move to `keep`, its bidders too unless
    the same supplier already bid on `keep`; its completeness, flags and stored releases go
    with it, and `keep`'s are computed anew. One audit entry on `keep` names what was merged.
    """
    from contracts.models import Bidder

    if keep.pk == absorbed.pk:
        raise ValidationError(gettext("Paket tidak dapat digabung dengan dirinya sendiri."))
    # Both rows locked, their publication as stored now (keep is saved whole below).
    stored = Process.objects.select_for_update().in_bulk([keep.pk, absorbed.pk])
    _keep_stored_publication(keep, stored[keep.pk])
    _keep_stored_publication(absorbed, stored[absorbed.pk])
    taken = {}
    for field in Process._meta.concrete_fields:
        if field.name in MERGE_KEEPS or field.name.startswith(("status", "published", "withdrawn")):
            continue
        mine, theirs = getattr(keep, field.attname), getattr(absorbed, field.attname)
        if mine in (None, "", []) and theirs not in (None, "", []):
            setattr(keep, field.attname, theirs)
            taken[stored_text(field.verbose_name)] = plain(theirs)
    # What each source last said stays known for both: the plan's fields and the tender's.
    keep.source_values = {**absorbed.source_values, **keep.source_values}
    if keep.status == Status.DRAFT and absorbed.status == Status.PUBLISHED:
        keep.status, keep.published_at = absorbed.status, absorbed.published_at
    for relation in Process._meta.related_objects:
        model = relation.related_model
        if model._meta.label in MERGE_RECOMPUTED:
            continue
        rows = model.objects.filter(**{relation.field.name: absorbed})
        if model is Bidder:
            already = Bidder.objects.filter(process=keep).values("supplier_id")
            rows = rows.exclude(supplier_id__in=already)
        rows.update(**{relation.field.name: keep})
    label = f"{absorbed.ocid} · {absorbed}"
    absorbed.delete()
    keep.save()
    record(
        process=keep,
        by=by,
        action=AuditEntry.Action.CHANGE,
        changes={"digabung dari paket ganda": label, **taken},
    )
    completeness.refresh([keep.pk])
    return keep


# --- suppliers -----------------------------------------------------------------------------


@transaction.atomic
def save_supplier(*, supplier, by):
    """Save a supplier typed in the workspace; return (the supplier kept, whether it existed).

    One name per NPWP: an NPWP already registered keeps its name (the official source's or an
    administrator's, or the first operator's until one of those decides). An operator's typed
    name is then not used; the registered supplier becomes choosable for their agency, which
    is how an operator reaches a supplier by its exact NPWP. An administrator's save decides
    the name.
    """
    from contracts.models import NameSource, Supplier

    if by.is_administrator:
        supplier.name_source = NameSource.ADMINISTRATOR
        supplier.save()
        return supplier, False
    if supplier.pk is not None:
        raise PermissionDenied(gettext("Hanya administrator yang dapat mengubah data penyedia."))
    existing = (
        Supplier.objects.select_for_update().filter(npwp=supplier.npwp).first()
        if supplier.npwp
        else None
    )
    if existing is None:
        supplier.name_source = NameSource.OPERATOR
        supplier.save()
        existing, found = supplier, False
    else:
        found = True
    if by.agency_id:
        existing.known_to.add(by.agency_id)
    return existing, found
