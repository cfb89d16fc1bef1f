"""Running an import: a preview that writes nothing, or a commit that writes all or nothing."""

import hashlib
import io

from django.db import connection, transaction

from imports import lpse, sirup
from imports.models import ImportKind, ImportRun
from imports.readers import read_rows

IMPORTERS = {
    ImportKind.SIRUP: (sirup.REQUIRED_COLUMNS, sirup.import_plans),
    ImportKind.LPSE_TENDER: (lpse.TENDER_COLUMNS, lpse.import_tenders),
    ImportKind.LPSE_BIDDER: (lpse.BIDDER_COLUMNS, lpse.import_bidders),
}


class _Preview(Exception):
    def __init__(self, report):
        self.report = report


def run_import(*, kind, content, filename, by=None, scope=None, commit):
    """Import `content` (bytes). With commit=False the same work runs and is rolled back.

    Raises imports.readers.ImportFileError when the file as a whole cannot be read.
    """
    columns, importer = IMPORTERS[ImportKind(kind)]
    rows = read_rows(io.BytesIO(content), filename, columns)
    try:
        with transaction.atomic():
            report = importer(rows, by=by, scope=scope, filename=filename)
            if not commit:
                raise _Preview(report)
            ImportRun.objects.create(
                kind=kind,
                filename=filename[:255],
                sha256=hashlib.sha256(content).hexdigest(),
                user=by if by is not None and by.is_authenticated else None,
                agency=scope,
                rows=report.total,
                counts=report.counts,
            )
    except _Preview as preview:
        return preview.report
    report.committed = True
    if report.counts.get("created", 0) + report.counts.get("updated", 0) >= BIG_IMPORT:
        # Thousands of new rows at once: refresh the planner's statistics now rather than
        # whenever autovacuum gets to it, so the public pages keep their fast plans.
        with connection.cursor() as cursor:
            for table in ANALYZED_TABLES:
                cursor.execute(f"ANALYZE {table}")
    return report


BIG_IMPORT = 1000
ANALYZED_TABLES = [
    "contracts_process",
    "contracts_stagecompleteness",
    "contracts_bidder",
    "contracts_supplier",
    "contracts_release",
    "integrity_packageflag",
]
