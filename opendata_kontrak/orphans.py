"""Stored files no row points at: what a worker killed between storing a file and committing
its row leaves behind (the rollback undoes the row, nothing is left to delete the file).

They are invisible (no page links to them) but take space and would be restored by a backup.
So do imports uploaded for a preview and never confirmed.
`sweep` deletes those older than an hour, so an upload still in flight is never touched; the
background worker runs it once a day.
"""

import datetime
from itertools import islice

from django.core.files.storage import default_storage
from django.utils import timezone

from opendata_kontrak.backup import stored_names

GRACE = datetime.timedelta(hours=1)
PREFIXES = ("dokumen/", "laporan/", "kemajuan/", "foto-sementara/", "data-terbuka/")
# An import whose preview waits for its confirmation for more than a day was never confirmed;
# one queued or running is kept however long the queue takes (imports.jobs).
PENDING_IMPORTS = "impor/"
PENDING_GRACE = datetime.timedelta(days=1)
BATCH = 1000


def referenced_among(names):
    """Which of `names` a document (a package's or an agency's), report or progress photo,
    staged field photo, or bulk file row points at."""
    from contracts.models import AgencyDocument, Document, ProgressPhoto, StagedPhoto
    from imports.models import ImportJob
    from opendata.models import BulkFile
    from participation.models import ReportPhoto

    return (
        set(Document.objects.filter(file__in=names).values_list("file", flat=True))
        # Agency documents share the dokumen/ folder: without them the sweep would delete
        # every DPA and Renja an hour after its upload.
        | set(AgencyDocument.objects.filter(file__in=names).values_list("file", flat=True))
        | set(ReportPhoto.objects.filter(file__in=names).values_list("file", flat=True))
        | set(ProgressPhoto.objects.filter(file__in=names).values_list("file", flat=True))
        # A staged photo waits for its operator's next submit; the hourly cleanup removes
        # the row and its file together once it expires (contracts.tasks).
        | set(StagedPhoto.objects.filter(file__in=names).values_list("file", flat=True))
        | set(
            BulkFile.objects.filter(storage_name__in=names).values_list("storage_name", flat=True)
        )
        | set(
            ImportJob.objects.filter(
                stored_name__in=names,
                state__in=[ImportJob.State.QUEUED, ImportJob.State.RUNNING],
            ).values_list("stored_name", flat=True)
        )
    )


def sweep(*, now=None, grace=GRACE):
    """Delete unreferenced files older than `grace`; return their names.

    Names are listed before their references are read, a thousand at a time: a file stored
    and committed in between is referenced by then. Only the few unreferenced files have
    their age asked (a request each on object storage).
    """
    now = now or timezone.now()
    names = (name for name in stored_names() if name.startswith((*PREFIXES, PENDING_IMPORTS)))
    swept = []
    while batch := list(islice(names, BATCH)):
        known = referenced_among(batch)
        for name in batch:
            wait = PENDING_GRACE if name.startswith(PENDING_IMPORTS) else grace
            if name in known or now - default_storage.get_modified_time(name) < wait:
                continue
            default_storage.delete(name)
            swept.append(name)
    return swept
