"""Stored files no row points at: what a worker killed between storing a file and committing
its row leaves behind (the rollback undoes the row, nothing is left to delete the file).

They are invisible (no page links to them) but take space and would be restored by a backup.
`sweep` deletes those older than an hour, so an upload still in flight is never touched; the
background worker runs it with its other rounds.
"""

import datetime

from django.core.files.storage import default_storage
from django.utils import timezone

from opendata_kontrak.backup import stored_names

GRACE = datetime.timedelta(hours=1)


def referenced():
    from contracts.models import Document
    from opendata.models import BulkFile
    from participation.models import ReportPhoto

    names = set(Document.objects.values_list("file", flat=True))
    names |= set(ReportPhoto.objects.values_list("file", flat=True))
    names |= set(BulkFile.objects.values_list("storage_name", flat=True))
    return names


def sweep(*, now=None, grace=GRACE):
    """Delete unreferenced files older than `grace`; return their names."""
    now = now or timezone.now()
    # Listed before the references are read: a file stored and committed in between is
    # referenced by then, one stored after is not listed.
    candidates = [
        name
        for name in stored_names()
        if name.startswith(("dokumen/", "laporan/", "data-terbuka/"))
    ]
    keep = referenced()
    swept = []
    for name in candidates:
        if name in keep:
            continue
        if now - default_storage.get_modified_time(name) < grace:
            continue
        default_storage.delete(name)
        swept.append(name)
    return swept
