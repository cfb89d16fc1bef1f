"""An upload handler that enforces the document size and count limits while the request
streams in.

A file past the size limit, or past the number of files one request may carry, is not stored
anywhere: its remaining chunks are dropped as they arrive, and the form receives a small
marker that says so. The other fields of the form still arrive, so the operator keeps what
they typed and learns which file was refused and why.
"""

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from opendata_kontrak.request_guard import FIELD_PAGES


class OversizedUpload(SimpleUploadedFile):
    oversized = True

    def __init__(self, name, size_seen):
        super().__init__(name, b"", content_type="application/octet-stream")
        self.size = size_seen


class ExcessUpload(OversizedUpload):
    """A file beyond UPLOAD_MAX_FILES in one request: refused by every intake as oversized,
    and named as one too many by the package form."""

    excess = True


class DocumentSizeLimitHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.over_limit = False
        self.files_seen = getattr(self, "files_seen", 0) + 1
        self.excess = self.files_seen > settings.UPLOAD_MAX_FILES
        # Import files (spreadsheets of a whole regency) have their own, larger limit;
        # citizens' photos a smaller one.
        path = self.request.path if self.request is not None else ""
        if path.startswith("/admin/imports/"):
            self.limit = settings.IMPORT_MAX_BYTES
        elif path.endswith("/lapor/") or path.startswith(FIELD_PAGES):
            self.limit = settings.REPORT_PHOTO_MAX_BYTES
        else:
            self.limit = settings.DOCUMENT_MAX_BYTES

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit or self.excess:
            self.over_limit = True
        # Returning None keeps the chunk from the handlers after this one.
        return None if self.over_limit else raw_data

    def file_complete(self, file_size):
        if self.excess:
            return ExcessUpload(self.file_name, self.received)
        if self.over_limit:
            return OversizedUpload(self.file_name, self.received)
        return None
