"""Running an import: a preview that writes nothing, or a commit that writes all or nothing."""

import hashlib
import io
import re
from collections import Counter
from pathlib import Path

from django.db import connection, transaction

from imports import lpse, sirup, values
from imports.models import ImportKind, ImportRun
from imports.progress import Progress
from opendata_kontrak.readers import ImportFileError, check_columns, read_table

IMPORTERS = {
    ImportKind.SIRUP: (sirup.REQUIRED_COLUMNS, sirup.import_plans),
    ImportKind.LPSE_TENDER: (lpse.TENDER_COLUMNS, lpse.import_tenders),
    ImportKind.LPSE_BIDDER: (lpse.BIDDER_COLUMNS, lpse.import_bidders),
    ImportKind.LPSE_NON_TENDER: (lpse.NON_TENDER_COLUMNS, lpse.import_non_tenders),
}


class _Preview(Exception):
    def __init__(self, report):
        self.report = report


# The column that holds each row's fiscal year, where an export has one.
YEAR_COLUMNS = {
    ImportKind.SIRUP: "tahun",
    ImportKind.LPSE_TENDER: "tahun_ang",
    ImportKind.LPSE_NON_TENDER: "tahun_ang",
}


def detect_kind(header, filename):
    """The kind of export whose required columns the header holds (the one that needs the
    most, if several fit); ImportFileError when none does."""
    fitting = [
        (len(columns), kind)
        for kind, (columns, _) in IMPORTERS.items()
        if set(columns) <= set(header)
    ]
    if not fitting:
        raise ImportFileError(
            f"{filename}: jenis ekspor tidak dikenali dari nama kolomnya. Yang dapat diimpor: "
            + "; ".join(
                f"{ImportKind(kind).label} (kolom {', '.join(columns[:4])}, …)"
                for kind, (columns, _) in IMPORTERS.items()
            )
        )
    return max(fitting)[1]


def named_years(name):
    """The years a file name names: `RUP 2018.xlsx` {2018}; a range `tender_2018-2020.csv`
    every year from its first to its last."""
    years = set()
    for first, last in re.findall(r"(?<!\d)(20\d\d)(?:\s*[-\u2013_]\s*(20\d\d))?(?!\d)", name):
        ends = sorted({int(first), int(last or first)})
        years.update(range(ends[0], ends[-1] + 1))
    return years


def year_warnings(kind, filename, rows):
    """A file named for one year that holds rows of others: said once, for the whole file."""
    column = YEAR_COLUMNS.get(kind)
    named = named_years(Path(filename).name)
    if not column or not named:
        return []
    years = Counter(_year(row.get(column)) for _, row in rows)
    years.pop(None, None)
    others = {year: number for year, number in years.items() if year not in named}
    if not years or not others:
        return []
    listed = ", ".join(f"{number} baris tahun {year}" for year, number in sorted(others.items()))
    return [
        f"nama berkas menyebut tahun {', '.join(map(str, sorted(named)))}, tetapi berkas ini "
        f"memuat {listed}. Pastikan ini berkas yang dimaksud."
    ]


def _year(value):
    try:
        return values.count(value)
    except values.Unreadable:
        return None


def run_import(
    *,
    kind=None,
    content,
    filename,
    by=None,
    scope=None,
    commit,
    take_source=frozenset(),
    progress=None,
):
    """Import `content` (bytes) as an export of `kind` (None: recognised from its columns).
    With commit=False the same work runs and is rolled back. `take_source`: conflicts the
    administrator settled for the source, as "<row key>/<field name>" strings; every other
    field an operator corrected keeps the operator's value. `progress`: called as
    progress(rows_done, total, counts so far) once the file is read, every few hundred rows, and
    when every row has its outcome (the commit itself comes after).

    Raises opendata_kontrak.readers.ImportFileError when the file as a whole cannot be read.
    """
    header, rows = read_table(io.BytesIO(content), filename)
    kind = ImportKind(kind) if kind else detect_kind(header, filename)
    columns, importer = IMPORTERS[kind]
    check_columns(header, columns, filename)
    tracker = Progress(progress, total=len(rows))
    if progress:
        progress(0, len(rows), {})
    try:
        with transaction.atomic():
            report = importer(
                rows,
                by=by,
                scope=scope,
                filename=filename,
                take_source=frozenset(take_source),
                progress=tracker,
            )
            tracker.tell(report)
            report.warnings = year_warnings(kind, filename, rows)
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
