"""Bulk downloads: every package in open data of a fiscal year, or of all years, in ten files:
the OCDS files hold published and withdrawn packages, the tables the published ones.

The files are built in one pass over the data, in chunks of 500 packages, into a temporary
folder, then stored (local media or object storage) and recorded in BulkFile rows. A download
is a plain read of a stored file, so neither its size nor the number of downloads touches the
database or the web workers' memory. `manage.py build_open_data` rebuilds what changed.
"""

import codecs
import csv
import datetime
import json
import logging
import tempfile
from contextlib import ExitStack, contextmanager
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Count, Max, Prefetch
from django.utils import timezone
from openpyxl import Workbook

from contracts.models import Process, Release, Stage
from contracts.ocds import (
    compiled_release,
    record_package_head,
    related_lists,
    release_package,
    with_red_flags,
    with_related,
)
from contracts.releases import history
from dashboards.exports import safe
from integrity.models import PackageFlag
from opendata.models import BulkFile
from opendata_kontrak import chunked

logger = logging.getLogger(__name__)

SCOPE_ALL = "semua"
CHUNK = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# name: (what it holds, content type)
FILES = {
    "ocds.json": ("Paket rilis OCDS: setiap rilis setiap paket", "application/json"),
    "ocds-rekaman.json": (
        "Paket rekaman OCDS: riwayat rilis dan rilis terkompilasi per paket",
        "application/json",
    ),
    "ocds.jsonl": ("JSON Lines: satu rilis terkompilasi per baris", "application/x-ndjson"),
    "paket.csv": ("CSV: satu baris per paket", "text/csv"),
    "dokumen.csv": ("CSV: satu baris per dokumen", "text/csv"),
    "peserta.csv": ("CSV: satu baris per peserta tender", "text/csv"),
    "pemenang.csv": ("CSV: satu baris per penetapan pemenang", "text/csv"),
    "kontrak.csv": ("CSV: satu baris per kontrak", "text/csv"),
    "tanda.csv": ("CSV: satu baris per tanda untuk dicermati", "text/csv"),
    "paket.xlsx": ("XLSX: lembar paket, dokumen, peserta, pemenang, tanda dan kontrak", XLSX),
}


def _date(value):
    return value.isoformat() if isinstance(value, (datetime.date, datetime.datetime)) else value


def _passes(supplier):
    """Whether a supplier's NPWP passes its check digit: "ya", "tidak", or "" without one."""
    verdict = supplier.npwp_passes_check if supplier else None
    return "" if verdict is None else ("ya" if verdict else "tidak")


def _package_row(process, lists, url):
    supplier = process.supplier
    return [
        process.ocid,
        process.rup_code,
        process.fiscal_year,
        process.agency.code,
        process.agency.name,
        process.title,
        process.program_name,
        process.activity_name,
        process.sub_activity_name,
        process.account_code,
        ";".join(process.funding_sources or []),
        process.get_category_display() if process.category else "",
        process.get_method_display() if process.method else "",
        # Several kecamatan when the location names several (as the kecamatan pages count).
        process.location_kecamatan or ";".join(process.location_kecamatan_all or []),
        process.location_desa,
        process.budget_amount,
        process.hps_amount,
        process.tender_code,
        process.number_of_tenderers,
        supplier.npwp if supplier else "",
        supplier.name if supplier else "",
        process.award_amount,
        process.contract_number,
        process.contract_amount,
        process.contract_signed,
        process.pho_date,
        process.get_stage_reached_display(),
        "ya" if process.all_complete else "tidak",
        len(lists["documents"]),
        ";".join(sorted(flag.flag for flag in process.flags.all())),
        process.published_at,
        process.updated_at,
        url,
        _passes(supplier),
    ]


def _document_rows(process, lists, url):
    for document in lists["documents"]:
        yield [
            process.ocid,
            document.pk,
            document.get_stage_display(),
            document.document_type.name,
            document.document_type.ocds_code,
            document.title,
            document.original_filename,
            document.page_count,
            document.size,
            document.sha256,
            document.uploaded_at,
            f"{url}/dokumen/{document.pk}/",
        ]
    # Progress photos are documents of the implementation in the OCDS too (same id there).
    for report in lists["progress"]:
        for photo in report.photos.all():
            yield [
                process.ocid,
                f"foto-kemajuan-{photo.pk}",
                Stage.IMPLEMENTATION.label,
                "Foto kemajuan pekerjaan",
                "physicalProgressReport",
                f"Foto kemajuan pekerjaan {report.date.isoformat()}",
                "",  # the camera's file name is not kept
                None,
                photo.size,
                "",
                photo.created_at,
                f"{url}/foto-kemajuan/{photo.pk}/",
            ]


def _bidder_rows(process, lists, url):
    for bidder in lists["bidders"]:
        yield [
            process.ocid,
            bidder.supplier.npwp,
            bidder.supplier.name,
            bidder.bid_amount,
            bidder.corrected_amount,
            "ya" if bidder.supplier_id == process.supplier_id else "tidak",
            _passes(bidder.supplier),
        ]


def _award_rows(process, lists, url):
    if process.supplier_id or process.award_amount:
        yield [
            process.ocid,
            process.award_date,
            process.award_amount,
            process.hps_amount,
            process.budget_amount,
            process.supplier.npwp if process.supplier else "",
            process.supplier.name if process.supplier else "",
            _passes(process.supplier),
        ]


def _contract_rows(process, lists, url):
    if process.contract_number or process.contract_amount or process.contract_signed:
        yield [
            process.ocid,
            process.contract_number,
            process.contract_signed,
            process.contract_start,
            process.contract_end,
            process.contract_amount,
            process.supplier.npwp if process.supplier else "",
            process.supplier.name if process.supplier else "",
            len(lists["amendments"]),
            sum(payment.amount for payment in lists["payments"]),
            process.pho_date,
            _passes(process.supplier),
        ]


def _flag_rows(process, lists, url):
    for flag in sorted(process.flags.all(), key=lambda f: f.flag):
        yield [
            process.ocid,
            flag.flag,
            flag.get_flag_display(),
            flag.reason,
            flag.threshold.source if flag.threshold else "",
        ]


# table: (columns, rows of one package)
TABLES = {
    "paket": (
        [
            "ocid",
            "kode_rup",
            "tahun_anggaran",
            "kode_pd",
            "perangkat_daerah",
            "nama_paket",
            "program",
            "kegiatan",
            "sub_kegiatan",
            "kode_rekening",
            "sumber_dana",
            "jenis_pengadaan",
            "metode_pemilihan",
            "kecamatan",
            "desa",
            "pagu",
            "hps",
            "kode_tender",
            "jumlah_peserta",
            "npwp_pemenang",
            "pemenang",
            "nilai_penetapan",
            "nomor_kontrak",
            "nilai_kontrak",
            "tanggal_kontrak",
            "tanggal_serah_terima",
            "tahap_tercapai",
            "semua_tahap_lengkap",
            "jumlah_dokumen",
            "tanda",
            "dipublikasikan",
            "diperbarui",
            "url",
            # New columns go last, so that readers of the older files by position keep working.
            "npwp_pemenang_lolos_uji",
        ],
        lambda process, lists, url: [_package_row(process, lists, url)],
    ),
    "dokumen": (
        [
            "ocid",
            "id_dokumen",
            "tahap",
            "jenis",
            "document_type",
            "judul",
            "nama_berkas",
            "halaman",
            "ukuran_bita",
            "sha256",
            "diunggah",
            "url",
        ],
        _document_rows,
    ),
    "peserta": (
        [
            "ocid",
            "npwp",
            "nama",
            "nilai_penawaran",
            "harga_terkoreksi",
            "pemenang",
            "npwp_lolos_uji",
        ],
        _bidder_rows,
    ),
    "pemenang": (
        [
            "ocid",
            "tanggal_penetapan",
            "nilai_penetapan",
            "hps",
            "pagu",
            "npwp_pemenang",
            "pemenang",
            "npwp_pemenang_lolos_uji",
        ],
        _award_rows,
    ),
    "tanda": (["ocid", "tanda", "nama_tanda", "alasan", "dasar"], _flag_rows),
    "kontrak": (
        [
            "ocid",
            "nomor_kontrak",
            "tanggal_tanda_tangan",
            "mulai",
            "akhir",
            "nilai_kontrak",
            "npwp_penyedia",
            "penyedia",
            "jumlah_adendum",
            "total_pembayaran",
            "tanggal_serah_terima",
            "npwp_penyedia_lolos_uji",
        ],
        _contract_rows,
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


def data_stamp(scope):
    """Changes whenever a package of the scope is published, withdrawn, edited or released,
    and whenever anything else the files hold changes (see `_content_fingerprint`)."""
    packages = published_in(scope)
    figures = packages.aggregate(n=Count("pk"), changed=Max("updated_at"))
    last_release = Release.objects.filter(process__in=packages).aggregate(last=Max("pk"))["last"]
    changed = figures["changed"].isoformat() if figures["changed"] else "-"
    return f"{figures['n']}|{changed}|{last_release or 0}|{_content_fingerprint(packages)}"


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
    """The XLSX workbook of the tables, each table's rows spilling onto further sheets."""

    def __init__(self, tables=tuple(TABLES)):
        """`tables`: the names of the tables (of TABLES) to give sheets, in that order."""
        self.workbook = Workbook(write_only=True)
        self.current = {}
        for table in tables:
            self._start(table, 1, TABLES[table][0])

    def _start(self, table, number, columns):
        title = table if number == 1 else f"{table} ({number})"
        sheet = self.workbook.create_sheet(title)
        sheet.append(columns)
        self.current[table] = [sheet, number, 1]

    def append(self, table, row):
        sheet, number, used = self.current[table]
        if used == SHEET_ROWS:
            self._start(table, number + 1, TABLES[table][0])
            sheet, number, used = self.current[table]
        sheet.append(row)
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


def write(scope, folder, *, base_url, uri):
    """Write every file of `scope` into `folder` from the database; return the packages."""
    folder = Path(folder)
    with ExitStack() as stack:
        opened = _open_all(stack, folder)
        writers = {table: csv.writer(opened[f"{table}.csv"]) for table in TABLES}
        sheets = Sheets()
        for table, (columns, _) in TABLES.items():
            writers[table].writerow(columns)
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
            for table, (_, rows) in TABLES.items() if process.is_published else ():
                for row in rows(process, lists, base_url):
                    writers[table].writerow([safe(_date(value)) for value in row])
                    sheets.append(table, [_cell(value) for value in row])
            count += 1
        for name in heads:
            opened[name].write(PACKAGE_TAIL)
        sheets.save(folder / "paket.xlsx")
    return count


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
        for table, (columns, _) in TABLES.items():
            csv.writer(opened[f"{table}.csv"]).writerow(columns)
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


def _cell(value):
    if isinstance(value, datetime.datetime):
        # Spreadsheets have no time zones: the local (Jakarta) wall time.
        return timezone.localtime(value).replace(tzinfo=None)
    return safe(value)


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
            count = write(scope, workdir, base_url=base_url, uri=uri)
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
