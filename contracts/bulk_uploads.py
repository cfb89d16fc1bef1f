"""Many PDFs at once, each placed on its package by the kode in its name (issue #19).

Two steps, as the operator sees them: `preview_bulk_upload` checks every file through the
same intake as a single upload (contracts.pdf.inspect_upload) and says where it would go or
why it cannot; `store_bulk_upload` stores the rows the operator confirmed through
contracts.services.add_documents, so completeness, audit entries and OCDS follow as for any
upload. Nothing is stored by the preview.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from contracts.bulk_names import Outcome, match_name
from contracts.forms import guess_document_type
from contracts.models import Document, DocumentType, Process
from contracts.pdf import PdfRejected, display_filename, inspect_upload


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


def bulk_document_types():
    """The types a package's file may take: every type but the agency's yearly ones (DPA,
    Renja SKPD, jadwal kegiatan), which are uploaded once per agency-year instead."""
    return list(DocumentType.objects.exclude(per_agency=True).order_by("stage", "name"))


def preview_bulk_upload(*, uploads, by):
    """One BulkRow per uploaded file, in the order given. Reasons a row cannot be stored: not
    a PDF or refused by the intake (active content, encrypted, …), no package named by its
    kode, several packages, another agency's package, a type not recognised from the name,
    or the same file (SHA-256) already held by the package or earlier in the batch."""
    editable = Process.objects.editable_by(by)
    everyone = Process.objects.all()
    types = bulk_document_types()
    rows, seen = [], set()
    for uploaded in uploads:
        row = BulkRow(upload=uploaded, filename=display_filename(uploaded.name))
        rows.append(row)
        try:
            row.info = inspect_upload(uploaded)
        except PdfRejected as rejection:
            row.problem = rejection.reason
            continue
        row.match = match_name(uploaded.name, editable=editable, everyone=everyone)
        row.process = row.match.process
        row.document_type = guess_document_type(_without_code(uploaded.name), types)
        if row.match.outcome != Outcome.MATCHED:
            row.problem = row.match.reason
        elif row.info.sha256 in seen or _held(row.process, row.info.sha256):
            row.problem = "Berkas yang sama persis sudah tersimpan di paket ini."
        elif row.document_type is None:
            row.problem = "Jenis dokumen tidak dikenali dari nama berkas; pilih jenisnya."
        seen.add(row.info.sha256)
    return rows


# "RUP 17654321 Kontrak.pdf": the word before the number says which code it is, not that
# the file is the RUP document (a type of Perencanaan), so it is not read for the type.
_CODE_PREFIX = re.compile(
    r"(?i)\b(?:kode|no|nomor)?[\s_.-]*(?:rup|tender|lelang|spse)[\s_.:-]*(?=\d)"
)


def _without_code(filename):
    return _CODE_PREFIX.sub(" ", filename)


def _held(process, sha256):
    return Document.objects.filter(process=process, sha256=sha256).exists()


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
            raise PermissionDenied("Paket ini bukan milik perangkat daerah Anda.")
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
