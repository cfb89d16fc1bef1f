"""Load: citizens browsing while operators upload, against gunicorn on loopback.

    python scripts/loadtest.py [--citizens 50] [--operators 5] [--seconds 120]

A throwaway portal (scripts/live_portal.py) with the regency's real data; CITIZENS threads
walk the public pages (home, list, filters, search, package pages, agency pages, API, open
data) while OPERATORS threads each sign in and submit new packages with two freshly made PDFs,
again and again, for SECONDS. Then it checks what the issue asks: no answer in the 5xx range,
no upload lost (every package the workspace accepted is there with each of its documents),
and every stored file matching the SHA-256 recorded for it and the one sent. Exit status 1
if any of these fails. Prints one table.
"""

import argparse
import collections
import hashlib
import http.client
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from live_portal import Browser, LivePortal


def citizen(base, stop, paths, tally, rng):
    browser = Browser(base, timeout=120)
    while not stop.is_set():
        path = rng.choice(paths)
        started = time.monotonic()
        try:
            status, _, _ = browser.get(path)
        except (http.client.HTTPException, OSError):
            # The answer broke off (a server killed while nginx relayed it) or never came:
            # counted as a failed request, and the citizen goes on browsing.
            status = CUT
        tally.record("warga", status, time.monotonic() - started, path)


def operator(base, stop, username, agency_id, tally, sent, number):
    from contracts.samples import make_pdf

    browser = Browser(base, timeout=120)
    browser.sign_in(username)
    round_ = 0
    while not stop.is_set():
        round_ += 1
        title = f"Uji beban {number}-{round_}"
        pdfs = [
            (f"DPA-{number}-{round_}-{page}.pdf", make_pdf(f"{title} DPA {page}", [title] * 40))
            for page in (1, 2)
        ]
        started = time.monotonic()
        status = browser.add_package(agency_id, title, pdfs)
        tally.record("operator", status, time.monotonic() - started, "unggah")
        if status == 302:
            sent.append((title, {hashlib.sha256(c).hexdigest(): n for n, c in pdfs}))


# The status recorded for a request whose answer broke off or never came: counted with the 5xx.
CUT = 599


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.rows = collections.defaultdict(list)
        self.server_errors = []

    def record(self, who, status, seconds, path):
        with self.lock:
            self.rows[who].append((status, seconds))
            if status >= 500:
                self.server_errors.append((who, status, path))


def public_paths():
    from contracts.models import Process

    published = list(
        Process.objects.published().order_by("?").values_list("pk", "ocid", "agency__code")[:200]
    )
    paths = [
        "/",
        "/paket/",
        "/paket/?tahun=2018",
        "/paket/?metode=tender",
        "/paket/?q=jalan",
        "/paket/?q=puskesmas&tahun=2018",
        "/paket/?halaman=20",
        "/perangkat-daerah/",
        "/tanda/",
        "/data-terbuka/",
        "/api/v1/paket/",
        "/api/v1/paket/?q=jalan",
        "/keterbukaan/",
    ]
    for pk, ocid, code in published:
        paths += [f"/paket/{pk}/", f"/api/v1/paket/{ocid}/", f"/perangkat-daerah/{code}/"]
    return paths


def verify(sent):
    """Every accepted upload is stored whole: rows, recorded SHA-256, file bytes."""
    from django.core.files.storage import default_storage

    from contracts.models import Document, Process

    lost, mismatched = [], []
    for title, digests in sent:
        process = Process.objects.filter(title=title).first()
        if process is None:
            lost.append(title)
            continue
        stored = {d.sha256: d for d in Document.objects.filter(process=process)}
        for digest, name in digests.items():
            document = stored.get(digest)
            if document is None:
                lost.append(f"{title}: {name}")
                continue
            with default_storage.open(document.file.name, "rb") as handle:
                if hashlib.sha256(handle.read()).hexdigest() != digest:
                    mismatched.append(document.file.name)
    return lost, mismatched


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=50)
    parser.add_argument("--operators", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=120)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="uji-beban-") as var:
        portal = LivePortal(Path(var) / "var", operators=args.operators)
        print("Menyiapkan portal sekali pakai (data 2018) ...", flush=True)
        accounts = portal.setup()
        paths = public_paths()
        portal.start()
        try:
            stop = threading.Event()
            tally, sent = Tally(), []
            threads = [
                threading.Thread(
                    target=citizen,
                    args=(portal.base, stop, paths, tally, random.Random(n)),  # noqa: S311
                )
                for n in range(args.citizens)
            ] + [
                threading.Thread(
                    target=operator,
                    args=(portal.base, stop, username, agency, tally, sent, n),
                )
                for n, (username, agency) in enumerate(accounts)
            ]
            print(
                f"{args.citizens} warga dan {len(accounts)} operator selama {args.seconds} dtk ...",
                flush=True,
            )
            for thread in threads:
                thread.start()
            time.sleep(args.seconds)
            stop.set()
            for thread in threads:
                thread.join(timeout=180)
        finally:
            portal.stop()
        lost, mismatched = verify(sent)

    print()
    print(f"{'siapa':<10}{'permintaan':>11}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'5xx':>6}")
    for who, rows in tally.rows.items():
        seconds = [s * 1000 for _, s in rows]
        errors = sum(1 for status, _ in rows if status >= 500)
        print(
            f"{who:<10}{len(rows):>11}{len(rows) / args.seconds:>8.1f}"
            f"{percentile(seconds, 0.5):>9.0f}{percentile(seconds, 0.95):>9.0f}{errors:>6}"
        )
    statuses = collections.Counter(status for rows in tally.rows.values() for status, _ in rows)
    print(f"status: {dict(sorted(statuses.items()))}")
    print(
        f"unggahan diterima: {len(sent)} paket, {sum(len(d) for _, d in sent)} PDF; "
        f"hilang: {len(lost)}; SHA-256 tidak cocok: {len(mismatched)}"
    )
    failed = tally.server_errors or lost or mismatched or not sent
    for problem in (tally.server_errors[:10], lost[:10], mismatched[:10]):
        for item in problem:
            print("  GAGAL:", item)
    if not sent:
        print("  GAGAL: tidak ada unggahan yang diterima")
    print("HASIL:", "GAGAL" if failed else "LULUS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
