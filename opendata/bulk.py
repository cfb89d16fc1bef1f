"""Bulk downloads: every published package of a fiscal year, or of all years, in nine files.

The files are built in one pass over the data, in chunks of 500 packages, into a temporary
folder, then stored (local media or object storage) and recorded in BulkFile rows. A download
is a plain read of a stored file, so neither its size nor the number of downloads touches the
database or the web workers' memory. `manage.py build_open_data` rebuilds what changed.
"""

import csv
import datetime
import json
import logging
import tempfile
from contextlib import ExitStack
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Count, Max, Prefetch
from django.utils import timezone
from openpyxl import Workbook

from contracts.models import Process, Release
from contracts.ocds import (
    compiled_release,
    red_flags_extension_url,
    related_lists,
    release_package,
    with_red_flags,
    with_related,
)
from contracts.releases import history
from dashboards.exports import safe
from integrity.models import PackageFlag
from opendata.models import BulkFile

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
        process.location_kecamatan,
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
        process.completion_date,
        process.get_stage_reached_display(),
        "ya" if process.all_complete else "tidak",
        len(lists["documents"]),
        ";".join(sorted(flag.flag for flag in process.flags.all())),
        process.published_at,
        process.updated_at,
        url,
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


def _bidder_rows(process, lists, url):
    for bidder in lists["bidders"]:
        yield [
            process.ocid,
            bidder.supplier.npwp,
            bidder.supplier.name,
            bidder.bid_amount,
            bidder.corrected_amount,
            "ya" if bidder.supplier_id == process.supplier_id else "tidak",
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
            process.completion_date,
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
        ["ocid", "npwp", "nama", "nilai_penawaran", "harga_terkoreksi", "pemenang"],
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
        ],
        _contract_rows,
    ),
}


def scopes():
    return [str(year) for year in Process.objects.published().fiscal_years()] + [SCOPE_ALL]


def published_in(scope):
    packages = Process.objects.published()
    if scope != SCOPE_ALL:
        packages = packages.filter(fiscal_year=int(scope))
    return packages


def data_stamp(scope):
    """Changes whenever a package of the scope is published, withdrawn, edited or released."""
    packages = published_in(scope)
    figures = packages.aggregate(n=Count("pk"), changed=Max("updated_at"))
    last_release = Release.objects.filter(process__in=packages).aggregate(last=Max("pk"))["last"]
    changed = figures["changed"].isoformat() if figures["changed"] else "-"
    return f"{figures['n']}|{changed}|{last_release or 0}"


def _packages(scope):
    return with_related(published_in(scope).order_by("pk")).prefetch_related(
        Prefetch("releases", queryset=Release.objects.order_by("sequence")),
        Prefetch("flags", queryset=PackageFlag.objects.select_related("threshold")),
    )


def write(scope, folder, *, base_url, uri):
    """Write every file of `scope` into `folder`; return the number of packages."""
    folder = Path(folder)
    with ExitStack() as stack:
        opened = {
            name: stack.enter_context(
                open(folder / name, "w", encoding=_encoding(name), newline="")
            )
            for name in FILES
            if not name.endswith(".xlsx")
        }
        writers = {table: csv.writer(opened[f"{table}.csv"]) for table in TABLES}
        workbook = Workbook(write_only=True)
        sheets = {table: workbook.create_sheet(table) for table in TABLES}
        for table, (columns, _) in TABLES.items():
            writers[table].writerow(columns)
            sheets[table].append(columns)
        head = json.dumps(release_package([], uri=f"{uri}/ocds.json"), ensure_ascii=False)
        opened["ocds.json"].write(head[: -len("[]}")] + "[")
        head = json.dumps(
            {
                **release_package([], uri=f"{uri}/ocds-rekaman.json"),
                "extensions": [red_flags_extension_url()],
                # The records embed their releases, which ocds.json publishes.
                "packages": [f"{uri}/ocds.json"],
                "records": [],
            },
            ensure_ascii=False,
        )
        head = head.replace('"releases": [], ', "")
        opened["ocds-rekaman.json"].write(head[: -len("[]}")] + "[")
        count = 0
        for process in _packages(scope).iterator(chunk_size=CHUNK):
            lists = related_lists(process)
            compiled = with_red_flags(compiled_release(process, **lists), process.flags.all())
            releases = history(process, lists)
            separator = "," if count else ""
            opened["ocds.json"].write(
                separator + ",".join(json.dumps(item, ensure_ascii=False) for item in releases)
            )
            rec = {"ocid": process.ocid, "releases": releases, "compiledRelease": compiled}
            opened["ocds-rekaman.json"].write(separator + json.dumps(rec, ensure_ascii=False))
            opened["ocds.jsonl"].write(json.dumps(compiled, ensure_ascii=False) + "\n")
            for table, (_, rows) in TABLES.items():
                for row in rows(process, lists, base_url):
                    writers[table].writerow([safe(_date(value)) for value in row])
                    sheets[table].append([_cell(value) for value in row])
            count += 1
        opened["ocds.json"].write("]}")
        opened["ocds-rekaman.json"].write("]}")
        workbook.save(folder / "paket.xlsx")
    return count


def _encoding(name):
    # A byte-order mark lets spreadsheet programs read the CSV files' Indonesian text as UTF-8.
    return "utf-8-sig" if name.endswith(".csv") else "utf-8"


def _cell(value):
    if isinstance(value, datetime.datetime):
        # Spreadsheets have no time zones: the local (Jakarta) wall time.
        return timezone.localtime(value).replace(tzinfo=None)
    return safe(value)


def build(*, base_url, force=False):
    """Rebuild the files of every scope whose data changed; return the scopes rebuilt."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext('opendata.bulk'))")
        if not cursor.fetchone()[0]:
            return []  # another builder is at work
    try:
        wanted = scopes()
        rebuilt = []
        for scope in wanted:
            stamp = data_stamp(scope)
            current = list(BulkFile.objects.filter(scope=scope))
            if (
                not force
                and {f.name for f in current} == set(FILES)
                and all(f.data_stamp == stamp for f in current)
            ):
                continue
            _build_scope(scope, stamp, base_url=base_url)
            rebuilt.append(scope)
        for gone in BulkFile.objects.exclude(scope__in=wanted):
            default_storage.delete(gone.storage_name)
            gone.delete()
        return rebuilt
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtext('opendata.bulk'))")


def _build_scope(scope, stamp, *, base_url):
    built_at = timezone.now()
    folder = f"data-terbuka/{scope}/{built_at:%Y%m%dT%H%M%S%f}"
    with tempfile.TemporaryDirectory(prefix="data-terbuka-") as workdir:
        count = write(scope, workdir, base_url=base_url, uri=f"{base_url}/data-terbuka/{scope}")
        stored = []
        try:
            for name in FILES:
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
