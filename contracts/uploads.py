"""An upload handler that enforces the document size limit while the request streams in.

A file past the limit is not stored anywhere: its remaining chunks are dropped as they arrive,
and the form receives a small marker that says so. The other fields of the form still arrive,
so the operator keeps what they typed and learns which file was too large.
"""

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class OversizedUpload(SimpleUploadedFile):
    oversized = True

    def __init__(self, name, size_seen):
        super().__init__(name, b"", content_type="application/octet-stream")
        self.size = size_seen


class DocumentSizeLimitHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.over_limit = False
        # Import files (spreadsheets of a whole regency) have their own, larger limit;
        # citizens' photos a smaller one.
        path = self.request.path if self.request is not None else ""
        if path.startswith("/admin/imports/"):
            self.limit = settings.IMPORT_MAX_BYTES
        elif path.endswith("/lapor/"):
            self.limit = settings.REPORT_PHOTO_MAX_BYTES
        else:
            self.limit = settings.DOCUMENT_MAX_BYTES

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.over_limit = True
        # Returning None keeps the chunk from the handlers after this one.
        return None if self.over_limit else raw_data

    def file_complete(self, file_size):
        if self.over_limit:
            return OversizedUpload(self.file_name, self.received)
        return None
