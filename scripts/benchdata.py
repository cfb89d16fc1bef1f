"""A regency's worth of packages (or a province's), written with COPY for the benchmark.

Deterministic for a given scale (seeded random), spread over ten fiscal years and the 74
agencies of the register, with every stage's fields, suppliers, bidders, document metadata with
extracted text, and stored completeness — then the derived data the portal keeps (search text,
red flags, statistics). Called by scripts/bench.py inside a configured Django process.
"""

import datetime
import random
import threading
import time

from django.conf import settings
from django.db import connection
from django.utils import timezone

YEARS = list(range(2016, 2026))
METHODS = [
    ("pengadaan_langsung", 50),
    ("tender", 15),
    ("e_purchasing", 14),
    ("swakelola", 15),
    ("tender_cepat", 3),
    ("seleksi", 3),
]
CATEGORIES = ["barang", "pekerjaan_konstruksi", "jasa_konsultansi", "jasa_lainnya"]
FUNDS = ["APBD", "APBD", "APBD", "DAK", "DBH", "APBN", "APBDP"]
STAGES = ["perencanaan", "pemilihan", "pemenang", "kontrak", "implementasi"]
WORKS = [
    "Pembangunan Jalan Desa",
    "Rehabilitasi Jembatan",
    "Pengadaan Obat dan Bahan Medis",
    "Peningkatan Saluran Irigasi",
    "Pengadaan Komputer Sekolah",
    "Pemeliharaan Gedung Puskesmas",
    "Belanja Alat Tulis Kantor",
    "Pembangunan Talud",
    "Jasa Konsultansi Perencanaan",
    "Pengadaan Mebel Kelas",
    "Rehabilitasi Rumah Tidak Layak Huni",
    "Pengaspalan Jalan Poros",
    "Pengadaan Kendaraan Operasional",
    "Pembangunan Gorong-gorong",
    "Pengawasan Pembangunan Pasar",
]
PLACES = [
    "Dander",
    "Kalitidu",
    "Ngasem",
    "Kapas",
    "Baureno",
    "Sumberrejo",
    "Padangan",
    "Kedungadem",
    "Temayang",
    "Sugihwaras",
    "Balen",
    "Trucuk",
    "Malo",
    "Tambakrejo",
    "Gondang",
]
COMPANY = ["CV", "PT", "CV", "CV", "PT", "UD"]
WORDS = [
    "Karya",
    "Mandiri",
    "Jaya",
    "Abadi",
    "Sejahtera",
    "Bangun",
    "Persada",
    "Nusantara",
    "Makmur",
    "Sentosa",
    "Utama",
    "Cipta",
    "Lestari",
    "Perkasa",
]


def generate(scale, *, seed=2018, log=print):
    """Write `scale` packages and everything around them; return timings in seconds."""
    rng = random.Random(seed)  # noqa: S311 (made-up data, repeatable)
    timings = {}
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE contracts_process, contracts_supplier, integrity_packageflag, "
            "contracts_release, opendata_bulkfile RESTART IDENTITY CASCADE"
        )
        cursor.execute("SELECT id FROM agencies_agency ORDER BY id")
        agencies = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT id, stage FROM contracts_documenttype ORDER BY position")
        document_types = {}
        for type_id, stage in cursor.fetchall():
            document_types.setdefault(stage, []).append(type_id)
    # A bulk load: indexes built once at the end rather than row by row, and the foreign keys
    # (which the generator keeps by construction) not checked per row.
    indexes = _drop_indexes()
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    suppliers = max(scale // 10, 50)
    _copy_suppliers(rng, suppliers)
    timings["pemasok"] = time.monotonic() - started

    started = time.monotonic()
    packages = _copy_processes(rng, scale, agencies, suppliers)
    timings["paket"] = time.monotonic() - started
    log(f"  {scale:,} paket ditulis ({timings['paket']:.0f} dtk)")

    started = time.monotonic()
    _copy_related(rng, packages, suppliers, document_types)
    timings["baris terkait"] = time.monotonic() - started
    log(f"  peserta, dokumen, kelengkapan ditulis ({timings['baris terkait']:.0f} dtk)")
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = origin")
        cursor.execute("SELECT setval('contracts_process_id_seq', %s)", [scale])
    # The search text and the flags read the related rows by package: their indexes first.
    # The packages' own indexes wait until their search text is written.
    started = time.monotonic()
    package_tables = {"contracts_process", "integrity_packageflag"}
    _create_indexes(indexes, set(BULK_TABLES) - package_tables)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["indeks"] = time.monotonic() - started

    # The search text (PostgreSQL's work) and the red flags (Python's) use a core each.
    started = time.monotonic()
    search = threading.Thread(target=_search_text, args=(scale, timings, log))
    search.start()
    from integrity import flags

    flags.refresh_all()
    timings["tanda"] = time.monotonic() - started
    log(f"  tanda untuk dicermati ({timings['tanda']:.0f} dtk)")
    search.join()
    if "galat teks pencarian" in timings:
        raise RuntimeError(timings["galat teks pencarian"])

    started = time.monotonic()
    _create_indexes(indexes, package_tables)
    timings["indeks"] += time.monotonic() - started
    log(f"  {len(indexes)} indeks dibuat ({timings['indeks']:.0f} dtk)")

    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    timings["VACUUM ANALYZE"] = time.monotonic() - started
    return timings


BULK_TABLES = [
    "contracts_process",
    "contracts_supplier",
    "contracts_bidder",
    "contracts_document",
    "contracts_stagecompleteness",
    "integrity_packageflag",
]


def _drop_indexes():
    """Drop the secondary indexes of the bulk tables; return their definitions."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, t.relname, pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
            WHERE t.relname = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """,
            [BULK_TABLES],
        )
        indexes = cursor.fetchall()
        for name, _, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    return [(table, definition) for _, table, definition in indexes]


def _create_indexes(indexes, tables):
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET max_parallel_maintenance_workers = 2")
        for table, definition in indexes:
            if table in tables:
                cursor.execute(definition)


def _search_text(scale, timings, log):
    """The portal's own search-text statement over every package, in its own connection."""
    from django.db import connections

    from contracts.completeness import SEARCH_SQL

    started = time.monotonic()
    try:
        with connections["default"].cursor() as cursor:
            for start in range(1, scale + 1, 20_000):
                cursor.execute(SEARCH_SQL, [list(range(start, min(start + 20_000, scale + 1)))])
        timings["teks pencarian"] = time.monotonic() - started
        log(f"  teks pencarian ({timings['teks pencarian']:.0f} dtk)")
    except Exception as error:  # reported by the main thread
        timings["galat teks pencarian"] = repr(error)
    finally:
        connections.close_all()


def _copy(table, columns, rows):
    with connection.cursor() as cursor:
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)


def _copy_suppliers(rng, count):
    now = timezone.now()

    def rows():
        for number in range(1, count + 1):
            name = f"{rng.choice(COMPANY)} {rng.choice(WORDS)} {rng.choice(WORDS)} {number}"
            address = f"Jl. {rng.choice(WORDS)} {number}"
            yield (number, f"{number:015d}0", name, address, "resmi", now, now)

    # name_source has a default in Django only, not in the table: COPY must give it.
    columns = ["id", "npwp", "name", "address", "name_source", "created_at", "updated_at"]
    _copy("contracts_supplier", columns, rows())
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval('contracts_supplier_id_seq', %s)", [count])


PROCESS_COLUMNS = [
    "id", "ocid", "fiscal_year", "title", "description", "is_sample", "program_code",
    "program_name", "activity_code", "activity_name", "sub_activity_code", "sub_activity_name",
    "account_code", "rup_code", "budget_amount", "funding_sources", "category", "method",
    "method_original", "location_kecamatan", "location_desa", "location_detail",
    "planned_start", "planned_end", "pa_kpa_name", "pa_kpa_nip", "ppk_name", "ppk_nip",
    "pptk_name", "pptk_nip", "tender_code", "hps_amount", "tender_announced", "bid_deadline",
    "number_of_tenderers", "procuring_entity", "lpse_url", "supplier_id", "award_amount",
    "award_date", "contract_number", "contract_amount", "contract_signed", "contract_start",
    "contract_end", "pho_date", "stage_reached", "all_complete", "status",
    "published_at", "withdrawn_at", "withdrawn_reason", "created_at", "updated_at", "agency_id",
    "source_values",
]  # fmt: skip


def _copy_processes(rng, scale, agencies, suppliers):
    prefix = settings.PORTAL["OCID_PREFIX"]
    now = timezone.now()
    methods = [m for m, weight in METHODS for _ in range(weight)]
    packages = []

    def rows():
        for pk in range(1, scale + 1):
            year = YEARS[pk % len(YEARS)]
            method = rng.choice(methods)
            category = rng.choice(CATEGORIES)
            place = rng.choice(PLACES)
            budget = int(rng.lognormvariate(18.5, 1.3)) // 1000 * 1000 + 5_000_000
            start = datetime.date(year, rng.randint(1, 9), rng.randint(1, 28))
            end = start + datetime.timedelta(days=rng.randint(30, 150))
            stage = rng.choices(range(5), weights=[20, 10, 15, 20, 35])[0]
            if method == "swakelola" and stage in (1, 2):
                stage = 0  # no supplier selection, no award: planning, then contract
            tendered = stage >= 1 and method != "swakelola"
            hps = int(budget * rng.uniform(0.85, 1.0)) if tendered else None
            announced = start - datetime.timedelta(days=rng.randint(20, 60)) if tendered else None
            deadline = (
                announced + datetime.timedelta(days=rng.randint(3, 21)) if announced else None
            )
            awarded = stage >= 2 and method != "swakelola"
            supplier = rng.randint(1, suppliers) if awarded else None
            award = int(hps * rng.uniform(0.8, 1.0)) if awarded and hps else None
            contracted = stage >= 3
            contract_amount = award if contracted and award else (budget if contracted else None)
            status = rng.choices(["published", "draft", "withdrawn"], weights=[95, 3, 2])[0]
            published_at = (
                timezone.make_aware(datetime.datetime(year, 1, 15)) if status != "draft" else None
            )
            packages.append((pk, stage, method, status))
            yield (
                pk, f"{prefix}-{pk}", year,
                f"{rng.choice(WORKS)} {place} {pk}",
                f"Kegiatan {rng.choice(WORKS).lower()} di Kecamatan {place}.",
                False, f"1.03.{pk % 90:02d}", f"Program {rng.choice(WORKS)}",
                f"1.03.{pk % 90:02d}.2.01", f"Kegiatan {rng.choice(WORKS)}",
                f"1.03.{pk % 90:02d}.2.01.0{pk % 9}", f"Sub kegiatan {place}",
                "5.2.2.01.01", str(30_000_000 + pk), budget,
                [rng.choice(FUNDS)], category, method, "", place, f"Desa {rng.choice(WORDS)}", "",
                start, end, f"Kepala {rng.choice(WORDS)}", "", f"PPK {rng.choice(WORDS)}", "",
                f"PPTK {rng.choice(WORDS)}", "",
                str(10_000_000 + pk) if tendered else "", hps, announced, deadline,
                rng.randint(1, 12) if tendered else None,
                f"Pokja {pk % 7 + 1}" if tendered else "",
                "", supplier, award,
                deadline + datetime.timedelta(days=rng.randint(3, 14)) if awarded else None,
                f"{pk}/SPK/{year}" if contracted else "", contract_amount,
                start if contracted else None, start if contracted else None,
                end if contracted else None, end if stage >= 4 else None,
                STAGES[stage], rng.random() < 0.35, status, published_at,
                published_at if status == "withdrawn" else None,
                "Salah input" if status == "withdrawn" else "",
                now, now, rng.choice(agencies), "{}",
            )  # fmt: skip

    _copy("contracts_process", PROCESS_COLUMNS, rows())
    return packages


def _copy_related(rng, packages, suppliers, document_types):
    now = timezone.now()

    def bidder_rows():
        for pk, stage, method, _ in packages:
            if stage >= 1 and method in ("tender", "tender_cepat", "seleksi"):
                for supplier in rng.sample(range(1, suppliers + 1), rng.randint(2, 6)):
                    amount = rng.randint(50_000_000, 2_000_000_000)
                    yield (pk, supplier, amount, amount)

    _copy(
        "contracts_bidder",
        ["process_id", "supplier_id", "bid_amount", "corrected_amount"],
        bidder_rows(),
    )

    def document_rows():
        for pk, stage, _, _ in packages:
            for reached in STAGES[: stage + 1]:
                types = document_types.get(reached, [])
                if not types or rng.random() < 0.4:
                    continue
                type_id = rng.choice(types)
                text = " ".join(rng.choice(WORDS + WORKS) for _ in range(40))
                yield (
                    pk, reached, type_id, f"Dokumen {reached} {pk}", "dokumen/bench.pdf",
                    f"dokumen-{pk}.pdf", 120_000, "0" * 64, 3, text, "ok", now,
                )  # fmt: skip

    _copy(
        "contracts_document",
        ["process_id", "stage", "document_type_id", "title", "file", "original_filename",
         "size", "sha256", "page_count", "text", "text_status", "uploaded_at"],
        document_rows(),
    )  # fmt: skip

    def completeness_rows():
        for pk, stage, method, _ in packages:
            for index, name in enumerate(STAGES):
                exempt = method == "swakelola" and name in ("pemilihan", "pemenang")
                complete = exempt or (index <= stage and rng.random() < 0.55)
                missing = (
                    "[]" if complete else '[{"kind": "document", "code": "dpa", "label": "DPA"}]'
                )
                yield (pk, name, not exempt, complete, missing, now if complete else None, now)

    _copy(
        "contracts_stagecompleteness",
        ["process_id", "stage", "is_required", "is_complete", "missing", "completed_at",
         "updated_at"],
        completeness_rows(),
    )  # fmt: skip
