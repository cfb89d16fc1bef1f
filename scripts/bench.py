"""The benchmark: `make bench SCALE=100000`.

1. Builds (once per scale) a data set of SCALE packages in its own embedded PostgreSQL under
   var/bench-SCALE/, with COPY (scripts/benchdata.py), and the bulk files.
2. Starts the portal in production mode: gunicorn, 2 workers, loopback only.
3. Drives each page with wrk (16 connections, warm) and records p50/p95/p99, throughput, errors.
4. Measures two floors in the same run: a minimal Django view rendering a template without the
   database (the framework on this machine), and the SQL behind the list page, timed by
   PostgreSQL itself (EXPLAIN ANALYZE).
5. Downloads the biggest bulk file once, watching the workers' peak memory.
6. Prints one table, the EXPLAIN ANALYZE of the slowest queries, and saves it all as JSON.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from live_portal import free_port  # noqa: E402 (scripts/ is on the path from here)

SECRET_KEY = "benchmark-only-key-" + "k" * 40
TARGETS_MS = {"list": 150, "place": 150, "package": 100, "matrix": 300, "api": 100}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rebuild", action="store_true", help="regenerate the data set")
    parser.add_argument(
        "--only-cold",
        action="store_true",
        help="only the cold column: each page once to fill the cache, then the cold requests",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")

    var = ROOT / "var" / f"bench-{args.scale}"
    os.environ["PORTAL_VAR_DIR"] = str(var)
    from opendata_kontrak import embedded_db

    database = embedded_db.ensure_running(var / "pgdata")
    os.environ["DATABASE_URL"] = (
        f"postgresql://postgres@{quote(database['HOST'], safe='')}:{database['PORT']}/"
        f"{database['NAME']}"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opendata_kontrak.settings")
    # The same key as the server's, so the supervisor's session made here is valid there.
    os.environ["SECRET_KEY"] = SECRET_KEY
    os.environ["API_RATE_LIMIT"] = "1000000000"
    import django

    django.setup()
    report = {"scale": args.scale, "date": datetime.datetime.now().isoformat(timespec="minutes")}
    report["machine"] = machine()
    prepare(args, report)
    pages = choose_pages()
    server, port = start_portal(var)
    try:
        base = f"http://127.0.0.1:{port}"
        cookie = supervisor_cookie()
        wait_until_up(base)
        if args.only_cold:
            only_cold(base, pages, cookie)
            return
        results = {}
        floor = load(base, "/_lantai/", args, cookie=None, warmups=50)
        results["framework floor"] = floor
        for name, kind, path in pages:
            results[name] = {
                **load(base, path, args, cookie=cookie if kind == "matrix" else None),
                "kind": kind,
                "path": path,
            }
            print(f"  {name:<28} p95 {results[name]['p95_ms']:7.1f} ms", flush=True)
        report["pages"] = results
        report["cold"] = cold_requests(base, pages, cookie)
        report["sql_floor_ms"] = sql_floor("/paket/")
        report["bulk"] = bulk_download(base, server)
        report["slowest"] = slowest_queries(pages)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print_table(report)
    out = var / f"result-{report['date'].replace(':', '')}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"\nHasil lengkap: {out.relative_to(ROOT)}")


def only_cold(base, pages, cookie):
    """The cold column alone (`--only-cold`): every page requested twice first, so what it
    caches is cached (as the warm run leaves it), then one request each after a change."""
    import urllib.request

    for _ in range(2):
        for _name, kind, path in pages:
            headers = {"Cookie": cookie} if kind == "matrix" else {}
            request = urllib.request.Request(base + path, headers=headers)  # noqa: S310 (loopback)
            with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310 (loopback)
                response.read()
        run_recomputes()  # what a retired value served stale in the first pass queued
    cold = cold_requests(base, pages, cookie)
    print(f"{'Halaman':<28} {'dingin (ms)':>11}")
    for name, _kind, _path in pages:
        print(f"{name:<28} {cold[name]:>11.0f}")


def machine():
    cpus = os.cpu_count()
    memory = 0
    with open("/proc/meminfo") as handle:
        for line in handle:
            if line.startswith("MemTotal"):
                memory = int(line.split()[1]) // 1024 // 1024
    model = ""
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{cpus} cores ({model}), {memory} GiB, {platform.python_implementation()} "
        f"{platform.python_version()}"
    )


ALL_BULK_UP_TO = 200_000  # beyond this, the bulk files of the latest year only


def prepare(args, report):
    from django.core.management import call_command

    from contracts.models import Process

    call_command("migrate", interactive=False, verbosity=0)
    started = time.monotonic()
    if args.rebuild or Process.objects.count() != args.scale:
        import benchdata

        print(f"Membangun {args.scale:,} paket ...", flush=True)
        report["build"] = benchdata.generate(args.scale)
        report["build_seconds"] = round(time.monotonic() - started, 1)
        print(f"  selesai dalam {report['build_seconds']:.0f} dtk", flush=True)
    from django.conf import settings

    from opendata.bulk import build
    from opendata.models import BulkFile

    if args.scale > ALL_BULK_UP_TO:
        # A million packages' files would need some 25 GB; the latest year shows the build's
        # pace and serves the download (a file read, whatever its size).
        from opendata.bulk import _build_scope, data_stamp

        year = str(Process.objects.published().fiscal_years()[0])
        if not BulkFile.objects.filter(scope=year).exists():
            started = time.monotonic()
            _build_scope(year, data_stamp(year), base_url=settings.PORTAL["BASE_URL"], years=[])
            report["bulk_build_seconds"] = round(time.monotonic() - started, 1)
            report["bulk_build_scope"] = year
            print(f"  berkas data terbuka {year}: {report['bulk_build_seconds']:.0f} dtk")
    elif not BulkFile.objects.filter(scope="semua").exists():
        started = time.monotonic()
        build(base_url=settings.PORTAL["BASE_URL"])
        report["bulk_build_seconds"] = round(time.monotonic() - started, 1)
        report["bulk_build_scope"] = "semua"
        print(f"  berkas data terbuka: {report['bulk_build_seconds']:.0f} dtk", flush=True)
    call_command("collectstatic", interactive=False, verbosity=0)


def choose_pages():
    from django.db.models import Count

    from agencies.models import Agency
    from contracts.models import Process, Supplier

    published = Process.objects.published()
    package = published.filter(stage_reached="implementasi").order_by("pk").first()
    agency = (
        Agency.objects.annotate(n=Count("processes")).order_by("-n").values_list("code", flat=True)
    )[0]
    supplier = (
        Supplier.objects.annotate(n=Count("awarded_processes"))
        .order_by("-n")
        .values_list("pk", flat=True)
    )[0]
    year = published.order_by("-fiscal_year").values_list("fiscal_year", flat=True)[0]
    return [
        ("Beranda", "home", "/"),
        ("Daftar paket", "list", "/paket/"),
        ("Saring tahun", "list", f"/paket/?tahun={year}"),
        ("Saring perangkat daerah", "list", f"/paket/?pd={agency}"),
        ("Saring metode", "list", "/paket/?metode=tender"),
        ("Saring tahap", "list", "/paket/?tahap=kontrak"),
        ("Saring kecamatan", "list", "/paket/?kecamatan=Dander"),
        ("Peta kecamatan", "place", f"/kecamatan/?tahun={year}"),
        ("Kecamatan", "place", f"/kecamatan/dander/?tahun={year}"),
        ("Saring tanda", "list", "/paket/?tanda=pemenang_berulang"),
        ("Saring pagu", "list", "/paket/?nilai_min=1000000000"),
        ("Cari", "list", "/paket/?q=jembatan"),
        ("Cari + saring", "list", f"/paket/?q=obat&tahun={year}"),
        ("Halaman 200", "list", "/paket/?halaman=200"),
        ("Paket", "package", f"/paket/{package.pk}/"),
        ("Perangkat daerah", "agency", f"/perangkat-daerah/{agency}/"),
        ("Penyedia", "supplier", f"/penyedia/{supplier}/"),
        ("Matriks pengawas", "matrix", f"/pengawasan/?tahun={year}"),
        ("API daftar", "api", f"/api/v1/paket/?tahun={year}"),
        ("API paket", "api", f"/api/v1/paket/{package.ocid}/"),
        ("Tanda per PD", "summary", "/tanda/"),
    ]


def start_portal(var):
    port = free_port()
    environment = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        # Production needs a mail server named; the benchmark's requests send no mail.
        "EMAIL_URL": os.environ.get("EMAIL_URL", "smtp://127.0.0.1:25"),
        "PORTAL_BENCH_FLOOR": "true",
        "API_RATE_LIMIT": "1000000000",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(  # noqa: S603 (fixed argv)
        [
            sys.executable, "-m", "gunicorn", "opendata_kontrak.wsgi",
            "--workers", "2", "--bind", f"127.0.0.1:{port}", "--no-control-socket",
        ],
        cwd=ROOT,
        env=environment,
    )  # fmt: skip
    return server, port


def wait_until_up(base):
    import urllib.request

    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/_lantai/", timeout=2)  # noqa: S310 (loopback)
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("gunicorn did not answer")


def supervisor_cookie():
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore

    from agencies import roles
    from agencies.models import User

    user, _ = User.objects.get_or_create(username="pengawas-bench", defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name=roles.SUPERVISOR))
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    # The backend the workspace's sign-in uses: a session naming another is not accepted.
    session[BACKEND_SESSION_KEY] = "agencies.signin.PasswordAndCodeBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}"


def load(base, path, args, *, cookie, warmups=20):
    import urllib.request

    headers = {"Cookie": cookie} if cookie else {}
    request = urllib.request.Request(base + path, headers=headers)  # noqa: S310 (loopback)
    for _ in range(warmups):
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
            response.read()
    command = [
        "wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "10s",
        "-s", str(ROOT / "scripts" / "wrk_report.lua"), base + path,
    ]  # fmt: skip
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    line = next(text for text in output.splitlines() if text.startswith("{"))
    raw = json.loads(line)
    seconds = raw["duration_us"] / 1e6
    return {
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "rps": raw["requests"] / seconds,
        "requests": raw["requests"],
        "errors": raw["socket_errors"] + raw["http_errors"],
    }


def captured_queries(path, *, supervisor=False):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    if supervisor:
        from agencies.models import User

        client.force_login(User.objects.get(username="pengawas-bench"))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return [query["sql"] for query in captured.captured_queries]


def explain(sql):
    from django.db import connection

    if not sql.lstrip().upper().startswith("SELECT"):
        return None
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0][0]
        cursor.execute("EXPLAIN (ANALYZE) " + sql)
        text = "\n".join(row[0] for row in cursor.fetchall())
    return plan["Planning Time"] + plan["Execution Time"], text


def run_recomputes():
    """Run here the recomputes the requests so far queued (contracts.tasks.recompute_cached),
    as a deployment's worker would have while they were served stale, and remove them.

    The benchmark runs no worker: without this, a value retired before the run stays queued,
    its job's queueing lock held, and once the visitor's recompute lock expires (two minutes)
    the next visitor who finds it retired computes it in the request (the queue "not keeping
    up", contracts.public_cache): the cold column would time that, not a first visitor's wait.
    """
    from django.db import connection

    from contracts import public_cache

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, args FROM procrastinate_jobs WHERE task_name = %s AND status = 'todo'"
            " ORDER BY id",
            ["contracts.tasks.recompute_cached"],
        )
        jobs = cursor.fetchall()
    for job_id, args in jobs:
        public_cache.recompute(**(json.loads(args) if isinstance(args, str) else args))
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM procrastinate_jobs WHERE id = %s", [job_id])
    return len(jobs)


def cold_requests(base, pages, cookie):
    """One request per page, the first after a public change: one published package of the
    latest fiscal year edited as an operator's save would be (its title, then the completeness
    refresh, which announces the change for that year). The cached values it retires are served
    stale while the worker recomputes them (contracts.public_cache), so this is what the first
    visitor after a change waits; the recompute itself is the SQL floor's and slowest queries'."""
    import urllib.request

    from django.db import connection

    from contracts import completeness
    from contracts.models import Process

    run_recomputes()  # the worker's part during the warm run: each value current, none queued
    package = Process.objects.published().order_by("-fiscal_year", "pk").first()
    timings = {}
    for number, (name, kind, path) in enumerate(pages):
        Process.objects.filter(pk=package.pk).update(title=f"{package.title} (ubah {number})")
        completeness.refresh([package.pk], releases=False, flags=False)
        headers = {"Cookie": cookie} if kind == "matrix" else {}
        request = urllib.request.Request(base + path, headers=headers)  # noqa: S310 (loopback)
        started = time.monotonic()
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (loopback)
            response.read()
        timings[name] = round((time.monotonic() - started) * 1000, 1)
    Process.objects.filter(pk=package.pk).update(title=package.title)
    completeness.refresh([package.pk], releases=False, flags=False)
    # No worker runs here: the recomputes these requests queued are dropped, or their
    # queueing locks would hold the next run's (which would then compute in the request).
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM procrastinate_jobs WHERE task_name = %s AND status = 'todo'",
            ["contracts.tasks.recompute_cached"],
        )
    return timings


def sql_floor(path):
    """The database's own time for the list page's queries (planning + execution), computed
    afresh: the cache is emptied (no stale value to serve), so this is all the SQL the page
    needs."""
    from django.core.cache import cache

    cache.clear()
    total = 0.0
    for sql in captured_queries(path):
        if "portal_cache" in sql:
            continue
        timed = explain(sql)
        if timed:
            total += timed[0]
    return round(total, 2)


def slowest_queries(pages, top=3):
    """The slowest queries any page runs when its cached parts must be computed anew (the
    cache emptied: the work the recompute jobs do after a change)."""
    from django.core.cache import cache

    seen = []
    for name, kind, path in pages:
        cache.clear()
        for sql in captured_queries(path, supervisor=kind == "matrix"):
            timed = explain(sql)
            if timed:
                seen.append({"page": name, "ms": round(timed[0], 2), "sql": sql, "plan": timed[1]})
    seen.sort(key=lambda item: -item["ms"])
    return seen[:top]


def worker_peaks(server):
    """Peak resident memory (VmHWM) of each gunicorn worker, in MB."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    peaks = {}
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        if match:
            peaks[pid] = int(match.group(1)) / 1024
    return peaks


def bulk_download(base, server):
    import urllib.request

    from opendata.models import BulkFile

    bulk = BulkFile.objects.filter(name="ocds.jsonl").order_by("-packages").first()
    before = worker_peaks(server)
    started = time.monotonic()
    size = 0
    url = f"{base}/data-terbuka/{bulk.scope}/ocds.jsonl"
    with urllib.request.urlopen(url, timeout=600) as response:  # noqa: S310
        while chunk := response.read(1 << 20):
            size += len(chunk)
    seconds = time.monotonic() - started
    after = worker_peaks(server)
    return {
        "scope": bulk.scope,
        "bytes": size,
        "packages": bulk.packages,
        "seconds": round(seconds, 3),
        "packages_per_s": round(bulk.packages / seconds),
        "peak_rss_mb_before": round(max(before.values()), 1),
        "peak_rss_mb": round(max(after.values()), 1),
    }


def print_table(report):
    pages = report["pages"]
    framework = pages["framework floor"]["p50_ms"]
    sql = report["sql_floor_ms"]
    print()
    print(f"Open Data Kontrak benchmark — {report['scale']:,} paket — {report['date']}")
    print(f"Mesin: {report['machine']}")
    print(
        f"Lantai: kerangka (view tanpa basis data) p50 {framework:.1f} ms; "
        f"SQL daftar paket {sql:.1f} ms"
    )
    print("(p50-p99 hangat: 16 koneksi terus-menerus; dingin: permintaan pertama setelah satu")
    print(" paket tahun terakhir berubah; nilai lama disajikan selagi job menghitung ulang)")
    print()
    header = (
        f"{'halaman':<26}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'req/s':>9}{'galat':>7}"
        f"{'x kerangka':>11}{'x SQL':>8}{'target':>9}{'dingin ms':>11}"
    )
    print(header)
    print("-" * len(header))
    for name, row in pages.items():
        target = TARGETS_MS.get(row.get("kind"))
        verdict = ""
        if target:
            verdict = (
                f"{'ok' if row['p95_ms'] <= target and not row['errors'] else 'GAGAL'} {target}"
            )
        print(
            f"{name:<26}{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}{row['p99_ms']:>9.1f}"
            f"{row['rps']:>9.0f}{row['errors']:>7}{row['p50_ms'] / framework:>11.1f}"
            f"{row['p50_ms'] / sql if sql else 0:>8.2f}{verdict:>9}"
            f"{report['cold'].get(name, 0):>11.0f}"
        )
    bulk = report["bulk"]
    print()
    print(
        f"Unduhan massal {bulk['scope']}/ocds.jsonl: {bulk['packages']:,} paket, "
        f"{bulk['bytes'] / 1e6:.1f} MB "
        f"dalam {bulk['seconds']:.2f} dtk = {bulk['packages_per_s']:,} paket/dtk; RSS puncak "
        f"pekerja {bulk['peak_rss_mb']:.0f} MB "
        f"(sebelum unduhan {bulk['peak_rss_mb_before']:.0f} MB)"
    )
    print("\nKueri paling lambat (EXPLAIN ANALYZE):")
    for item in report["slowest"]:
        print(f"\n-- {item['page']}: {item['ms']:.1f} ms\n{item['sql'][:400]}")
        print("\n".join(item["plan"].splitlines()[:20]))


if __name__ == "__main__":
    main()
