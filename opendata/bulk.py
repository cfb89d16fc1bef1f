"""Bulk downloads: every package in open data of a fiscal year, or of all years, in ten files:
the OCDS files hold published and withdrawn packages, the tables the published ones.

The files are built in one pass over the data, in chunks of 500 packages, into a temporary
folder, then stored (local media or object storage) and recorded in BulkFile rows. A download
is a plain read of a stored file, so neither its size nor the number of downloads touches the
database or the web workers' memory. `manage.py build_open_data` rebuilds what changed.
"""

import codecs
import csv
import json
import logging
import tempfile
from contextlib import ExitStack, contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Count, Max, Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext_noop
from openpyxl import Workbook

from contracts.models import Process, Release
from contracts.ocds import (
    compiled_release,
    record_package_head,
    related_lists,
    release_package,
    with_red_flags,
    with_related,
)
from contracts.releases import history
from dashboards.exports import text_cell
from integrity.models import PackageFlag
from opendata.columns import TABLES, as_cell, as_text
from opendata.models import BulkFile
from opendata_kontrak import chunked

logger = logging.getLogger(__name__)

SCOPE_ALL = "semua"
CHUNK = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# name: (what it holds, content type). What it holds is read on the open-data page only, in
# the page's language (`{% translate %}` there): marked, not translated here, so that nothing
# built into a file can depend on the language of whoever asked first.
FILES = {
    "ocds.json": (gettext_noop("Paket rilis OCDS: setiap rilis setiap paket"), "application/json"),
    "ocds-rekaman.json": (
        gettext_noop("Paket rekaman OCDS: riwayat rilis dan rilis terkompilasi per paket"),
        "application/json",
    ),
    "ocds.jsonl": (
        gettext_noop("JSON Lines: satu rilis terkompilasi per baris"),
        "application/x-ndjson",
    ),
    "paket.csv": (gettext_noop("CSV: satu baris per paket"), "text/csv"),
    "dokumen.csv": (gettext_noop("CSV: satu baris per dokumen"), "text/csv"),
    "peserta.csv": (gettext_noop("CSV: satu baris per peserta tender"), "text/csv"),
    "pemenang.csv": (gettext_noop("CSV: satu baris per penetapan pemenang"), "text/csv"),
    "kontrak.csv": (gettext_noop("CSV: satu baris per kontrak"), "text/csv"),
    "tanda.csv": (gettext_noop("CSV: satu baris per tanda untuk dicermati"), "text/csv"),
    "paket.xlsx": (
        gettext_noop("XLSX: lembar paket, dokumen, peserta, pemenang, tanda dan kontrak"),
        XLSX,
    ),
}


def files_for(scope):
    """The files of a scope. All years together have no workbook: beyond a regency's few
    years its sheets pass the million rows a spreadsheet holds, and it could only be made by
    a second pass over the data; the CSV files hold the same rows."""
    return [name for name in FILES if not (scope == SCOPE_ALL and name.endswith(".xlsx"))]


def scopes():
    return [str(year) for year in Process.objects.open_data().fiscal_years()] + [SCOPE_ALL]


def published_in(scope):
    """The packages of a scope in open data: published ones, and withdrawn ones (in the OCDS
    files, with their cancellation)."""
    packages = Process.objects.open_data()
    if scope != SCOPE_ALL:
        packages = packages.filter(fiscal_year=int(scope))
    return packages


# The files' format: raised whenever the same data would be written differently (a column
# added, a convention for times or links changed), so that the next build rewrites every file.
# 2: opendata.columns (links to each package's page, times in WIB with their offset, XLSX text
# cells and number formats). 3: the kecamatan column names every kecamatan of the location.
FORMAT_VERSION = 3


def data_stamp(scope):
    """Changes whenever a package of the scope is published, withdrawn, edited or released,
    whenever anything else the files hold changes (see `_content_fingerprint`), with the
    files' FORMAT_VERSION and with the public address their links are built on (a build run by
    hand with another PORTAL_BASE_URL is rewritten by the next one with the portal's)."""
    packages = published_in(scope)
    figures = packages.aggregate(n=Count("pk"), changed=Max("updated_at"))
    last_release = Release.objects.filter(process__in=packages).aggregate(last=Max("pk"))["last"]
    changed = figures["changed"].isoformat() if figures["changed"] else "-"
    return (
        f"v{FORMAT_VERSION}|{settings.PORTAL['BASE_URL']}|{figures['n']}|{changed}|"
        f"{last_release or 0}|{_content_fingerprint(packages)}"
    )


# What the files hold that a package's `updated_at` and its releases do not follow, each as
# the rows' text in a fixed order (of the scope's packages `scope`, a subquery of ids):
#   - its red flags (with their threshold's source): the flags recompute (a threshold edit,
#     the daily job, a requirements change) replaces them without touching the package;
#   - the stage reached and `all_complete`, written by the completeness refresh's UPDATE
#     (after a requirements change: no package save);
#   - the names and codes of its agencies, winners and bidders, its document types and its
#     agencies' documents, edited on their own rows (an agency renamed, a supplier's name
#     corrected).
# Content, not a time of change: the daily flags recompute deletes and re-inserts every flag,
# and a year whose flags came out the same must not be rebuilt. Cost: one scan of the scope's
# flags and packages per build (milliseconds for a year's thousands of rows).
FINGERPRINT_SQL = """
WITH scope (id) AS (SCOPE_SQL),
agency_documents AS (
    SELECT d.id FROM contracts_agencydocument d
    WHERE (d.agency_id, d.fiscal_year) IN (SELECT p.agency_id, p.fiscal_year
                                           FROM contracts_process p
                                           WHERE p.id IN (SELECT id FROM scope)))
SELECT md5(concat_ws('#',
    (SELECT string_agg(concat_ws('~', f.process_id, f.flag, f.reason, f.figures::text,
                                 t.source), '|' ORDER BY f.process_id, f.flag)
     FROM integrity_packageflag f LEFT JOIN integrity_threshold t ON t.id = f.threshold_id
     WHERE f.process_id IN (SELECT id FROM scope)),
    (SELECT string_agg(concat_ws('~', p.id, p.stage_reached, p.all_complete), '|'
                       ORDER BY p.id)
     FROM contracts_process p WHERE p.id IN (SELECT id FROM scope)),
    (SELECT string_agg(concat_ws('~', a.id, a.code, a.name, a.sirup_id), '|' ORDER BY a.id)
     FROM agencies_agency a
     WHERE a.id IN (SELECT p.agency_id FROM contracts_process p
                    WHERE p.id IN (SELECT id FROM scope))),
    (SELECT string_agg(concat_ws('~', s.id, s.npwp, s.name, s.address), '|' ORDER BY s.id)
     FROM contracts_supplier s
     WHERE s.id IN (SELECT p.supplier_id FROM contracts_process p
                    WHERE p.id IN (SELECT id FROM scope))
        OR s.id IN (SELECT b.supplier_id FROM contracts_bidder b
                    WHERE b.process_id IN (SELECT id FROM scope))),
    (SELECT string_agg(concat_ws('~', k.id, k.name, k.ocds_code), '|' ORDER BY k.id)
     FROM contracts_documenttype k
     WHERE k.id IN (SELECT d.document_type_id FROM contracts_document d
                    WHERE d.process_id IN (SELECT id FROM scope))
        OR k.id IN (SELECT d.document_type_id FROM contracts_agencydocument d
                    WHERE d.id IN (SELECT id FROM agency_documents))),
    (SELECT string_agg(concat_ws('~', d.id, d.fiscal_year, d.document_type_id, d.revision,
                                 d.program_code, d.activity_code, d.pages, d.title,
                                 d.original_filename, d.sha256), '|' ORDER BY d.id)
     FROM contracts_agencydocument d WHERE d.id IN (SELECT id FROM agency_documents))
))
"""


def _content_fingerprint(packages):
    """An md5 of what the files of these packages hold beyond the packages' own rows."""
    scope_sql, params = packages.order_by().values("pk").query.sql_with_params()
    with connections[packages.db].cursor() as cursor:
        cursor.execute(FINGERPRINT_SQL.replace("SCOPE_SQL", scope_sql), params)
        return cursor.fetchone()[0]


def _packages(scope):
    return with_related(published_in(scope).order_by("pk")).prefetch_related(
        Prefetch("releases", queryset=Release.objects.order_by("sequence")),
        Prefetch("flags", queryset=PackageFlag.objects.select_related("threshold")),
    )


# The most rows a spreadsheet sheet holds (Excel's limit); a table beyond it continues on a
# sheet named "dokumen (2)", "dokumen (3)" and so on.
SHEET_ROWS = 1_048_576


class Sheets:
    """The XLSX workbook of the tables, each table's rows spilling onto further sheets: the
    header row frozen, text as text cells, money as numbers with a thousands format
    (opendata.columns.as_cell)."""

    def __init__(self, tables=tuple(TABLES)):
        """`tables`: the names of the tables (of TABLES) to give sheets, in that order."""
        self.workbook = Workbook(write_only=True)
        self.current = {}
        for table in tables:
            self._start(table, 1)

    def _start(self, table, number):
        title = table if number == 1 else f"{table} ({number})"
        sheet = self.workbook.create_sheet(title)
        sheet.freeze_panes = "A2"  # before the first row: a write-only sheet writes its view first
        sheet.append([text_cell(sheet, name) for name in TABLES[table].names])
        self.current[table] = [sheet, number, 1]

    def append(self, table, values):
        """One row of `table`: domain values in its columns' order."""
        sheet, number, used = self.current[table]
        if used == SHEET_ROWS:
            self._start(table, number + 1)
            sheet, number, used = self.current[table]
        columns = TABLES[table].columns
        sheet.append(
            [
                as_cell(sheet, value, column.kind)
                for value, column in zip(values, columns, strict=True)
            ]
        )
        self.current[table][2] = used + 1

    def save(self, path):
        self.workbook.save(path)


def _package_heads(uri):
    """The text of ocds.json and ocds-rekaman.json before their first release or record."""
    head = json.dumps(release_package([], uri=f"{uri}/ocds.json"), ensure_ascii=False)
    releases = head[: -len("[]}")] + "["
    head = json.dumps(
        {
            # The records embed their releases, which ocds.json publishes.
            **record_package_head(uri=f"{uri}/ocds-rekaman.json", packages=[f"{uri}/ocds.json"]),
            "records": [],
        },
        ensure_ascii=False,
    )
    records = head[: -len("[]}")] + "["
    return {"ocds.json": releases, "ocds-rekaman.json": records}


PACKAGE_TAIL = "]}"


def _open_all(stack, folder):
    return {
        name: stack.enter_context(open(folder / name, "w", encoding=_encoding(name), newline=""))
        for name in FILES
        if not name.endswith(".xlsx")
    }


# The files carry no language: written in the portal's own, whatever the caller's (a build
# started under /en/ or from an operator's English workspace), so that their bytes are the same
# and their links the canonical (unprefixed) addresses; lazy labels come out Indonesian.
@translation.override(settings.LANGUAGE_CODE)
def write(scope, folder, *, uri):
    """Write every file of `scope` into `folder` from the database; return the packages.

    The tables' links are built on PORTAL_BASE_URL (opendata.columns), as the API's are."""
    folder = Path(folder)
    with ExitStack() as stack:
        opened = _open_all(stack, folder)
        writers = {table: csv.writer(opened[f"{table}.csv"]) for table in TABLES}
        sheets = Sheets()
        for table in TABLES.values():
            writers[table.name].writerow(table.names)
        heads = _package_heads(uri)
        for name, head in heads.items():
            opened[name].write(head)
        count = 0
        for process in chunked.by_pk(_packages(scope), CHUNK):
            lists = related_lists(process)
            releases = history(process, lists)
            compiled = with_red_flags(
                compiled_release(process, releases=releases, **lists), process.flags.all()
            )
            separator = "," if count else ""
            opened["ocds.json"].write(
                separator + ",".join(json.dumps(item, ensure_ascii=False) for item in releases)
            )
            rec = {"ocid": process.ocid, "releases": releases, "compiledRelease": compiled}
            opened["ocds-rekaman.json"].write(separator + json.dumps(rec, ensure_ascii=False))
            opened["ocds.jsonl"].write(json.dumps(compiled, ensure_ascii=False) + "\n")
            # The tables list what the site lists; a withdrawn package is in the OCDS files only.
            for table in TABLES.values() if process.is_published else ():
                for values in table.values(process, lists):
                    writers[table.name].writerow([as_text(value) for value in values])
                    sheets.append(table.name, values)
            count += 1
        for name in heads:
            opened[name].write(PACKAGE_TAIL)
        sheets.save(folder / "paket.xlsx")
    return count


@translation.override(settings.LANGUAGE_CODE)  # as write()
def assemble(years, folder, *, uri):
    """Write the all-years files into `folder` from the stored files of each year.

    Every year's files are current when this runs (they were rebuilt first, or unchanged), so
    joining them gives the same rows as a pass over the database, at the cost of copying bytes:
    JSON Lines and CSV are joined (one header), the OCDS packages get one head and each year's
    releases or records.
    """
    folder = Path(folder)
    stored = {
        (bulk.scope, bulk.name): bulk
        for bulk in BulkFile.objects.filter(scope__in=[str(year) for year in years])
    }
    heads = _package_heads(uri)
    count = 0
    with ExitStack() as stack:
        opened = _open_all(stack, folder)
        for name, head in heads.items():
            opened[name].write(head)
        for table in TABLES.values():
            csv.writer(opened[f"{table.name}.csv"]).writerow(table.names)
        written = dict.fromkeys(heads, False)
        for year in years:
            files = {name: stored[(str(year), name)] for name in opened}
            count += files["ocds.jsonl"].packages
            for name, target in opened.items():
                with default_storage.open(files[name].storage_name, "rb") as source:
                    if name in heads:
                        written[name] |= _copy_package_body(
                            source, target, name, files[name].size, separator=written[name]
                        )
                    elif name.endswith(".csv"):
                        source.readline()  # the byte-order mark and the header
                        _copy_text(source, target)
                    else:
                        _copy_text(source, target)
        for name in heads:
            opened[name].write(PACKAGE_TAIL)
    return count


# Where the releases (or records) of a stored OCDS package begin.
BODY_MARKERS = {"ocds.json": b'"releases": [', "ocds-rekaman.json": b'"records": ['}


def _copy_package_body(source, target, name, size, *, separator):
    """Copy the releases (or records) of one year's OCDS package; True if there were any."""
    head = source.read(1 << 16)
    start = head.index(BODY_MARKERS[name]) + len(BODY_MARKERS[name])
    remaining = size - start - len(PACKAGE_TAIL)
    if remaining <= 0:
        return False
    source.seek(start)
    if separator:
        target.write(",")
    decoder = codecs.getincrementaldecoder("utf-8")()
    while remaining > 0:
        chunk = source.read(min(remaining, 1 << 20))
        remaining -= len(chunk)
        target.write(decoder.decode(chunk, final=remaining <= 0))
    return True


def _copy_text(source, target):
    decoder = codecs.getincrementaldecoder("utf-8")()
    while chunk := source.read(1 << 20):
        target.write(decoder.decode(chunk))
    target.write(decoder.decode(b"", final=True))


def _encoding(name):
    # A byte-order mark lets spreadsheet programs read the CSV files' Indonesian text as UTF-8.
    return "utf-8-sig" if name.endswith(".csv") else "utf-8"


class BuildRunning(Exception):
    """Another build holds the lock: this one did nothing (it is not "nothing changed")."""


@contextmanager
def _build_lock():
    """Held for the whole build, by one builder at a time; raises BuildRunning if taken.

    A transaction-level advisory lock, taken in a transaction of its own on a connection of its
    own that stays open (idle in transaction) until the build ends and is then rolled back. A
    session-level lock (pg_try_advisory_lock … pg_advisory_unlock) is wrong behind a pooler in
    transaction mode: the unlock may reach another server connection, and the lock stays on the
    pooled one for ever (every later build there "changed nothing", every other one was locked
    out). An open transaction keeps its server connection for as long as it lasts, with any
    pooler, and ends, lock and all, when this process or its connection dies. The build's own
    work runs on the usual connection, committing per scope as before."""
    holder = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        holder.set_autocommit(False)
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext('opendata.bulk'))")
            if not cursor.fetchone()[0]:
                raise BuildRunning
        yield
    finally:
        try:
            holder.rollback()
        finally:
            holder.close()


def build(*, base_url, force=False):
    """Rebuild the files of every scope whose data changed; return the scopes rebuilt.

    Raises BuildRunning when another build is at work."""
    with _build_lock():
        wanted = scopes()
        # Stamps first: a change during the build leaves some scope stale for the next run,
        # never a file newer than its stamp says (the all-years files are joined from the
        # years' files, built just before them).
        stamps = {scope: data_stamp(scope) for scope in wanted}
        years = [int(scope) for scope in wanted if scope != SCOPE_ALL]
        rebuilt = []
        for scope in wanted:
            current = list(BulkFile.objects.filter(scope=scope))
            if (
                not force
                and {f.name for f in current} == set(files_for(scope))
                and all(f.data_stamp == stamps[scope] for f in current)
            ):
                continue
            _build_scope(scope, stamps[scope], base_url=base_url, years=years)
            rebuilt.append(scope)
        for gone in BulkFile.objects.exclude(scope__in=wanted):
            default_storage.delete(gone.storage_name)
            gone.delete()
        return rebuilt


def _build_scope(scope, stamp, *, base_url, years):
    built_at = timezone.now()
    folder = f"data-terbuka/{scope}/{built_at:%Y%m%dT%H%M%S%f}"
    uri = f"{base_url}/data-terbuka/{scope}"
    with tempfile.TemporaryDirectory(prefix="data-terbuka-") as workdir:
        if scope == SCOPE_ALL:
            count = assemble(years, workdir, uri=uri)
        else:
            count = write(scope, workdir, uri=uri)
        stored = []
        try:
            for name in files_for(scope):
                with open(Path(workdir) / name, "rb") as handle:
                    stored.append((name, default_storage.save(f"{folder}/{name}", File(handle))))
        except Exception:
            for _, storage_name in stored:
                default_storage.delete(storage_name)
            raise
    with transaction.atomic():
        replaced = [
            bulk.storage_name for bulk in BulkFile.objects.select_for_update().filter(scope=scope)
        ]
        for name, storage_name in stored:
            BulkFile.objects.update_or_create(
                scope=scope,
                name=name,
                defaults={
                    "storage_name": storage_name,
                    "size": default_storage.size(storage_name),
                    "packages": count,
                    "built_at": built_at,
                    "data_stamp": stamp,
                },
            )
        transaction.on_commit(lambda: [default_storage.delete(n) for n in replaced])
    logger.info("Data terbuka %s: %d paket", scope, count)
