"""Faults against a running portal: the database restarting under load, workers killed in the
middle of uploads.

    python scripts/faults.py

A throwaway portal (scripts/live_portal.py) served by gunicorn. Checks, each printed with its
verdict (exit status 1 if any fails):

1. While 8 clients read pages and the API, the database server stops for 5 s and starts
   again. During the outage the portal answers 503 (never 500); afterwards every answer is
   a 200 again, with the same gunicorn master: nothing needed restarting.
2. A worker is killed (SIGKILL) while a package with two PDFs is being sent, and again at
   several moments after the whole form was sent (during the PDF checks, the storing, the
   commit). Each time the package is either wholly there (row, both documents, files whose
   SHA-256 match) or not at all; files a killed worker stored but never committed are
   removed by the orphan sweep, and the next upload works.
"""

import datetime
import hashlib
import http.client
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from live_portal import Browser, LivePortal, multipart

RESULTS = []


def check(name, ok, detail=""):
    RESULTS.append((name, ok, detail))
    print(f"  {'LULUS' if ok else 'GAGAL'}  {name}{': ' + detail if detail else ''}", flush=True)


def database_restart(portal):
    from opendata_kontrak import embedded_db

    pgdata = portal.var / "pgdata"
    stop = threading.Event()
    seen = []  # (moment, status)
    lock = threading.Lock()
    paths = ["/paket/", "/paket/?tahun=2018", "/api/v1/paket/", "/", "/tanda/"]

    def reader(number):
        browser = Browser(portal.base, timeout=30)
        index = number
        while not stop.is_set():
            status, _, _ = browser.get(paths[index % len(paths)])
            with lock:
                seen.append((time.monotonic(), status))
            index += 1

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    master = portal.server.pid
    time.sleep(3)
    down_at = time.monotonic()
    embedded_db.stop(pgdata)
    time.sleep(5)
    embedded_db.ensure_running(pgdata)
    up_at = time.monotonic()
    time.sleep(10)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    during = [status for moment, status in seen if down_at <= moment <= up_at]
    after = [status for moment, status in seen if moment > up_at + 3]
    statuses = sorted({status for _, status in seen})
    check("tidak ada 500 selama basis data mati", 500 not in statuses, f"status {statuses}")
    check(
        "selama mati: 503 dengan Retry-After",
        503 in during,
        f"{during.count(503)} dari {len(during)} permintaan",
    )
    check(
        "sesudah hidup lagi: semua 200 tanpa memulai ulang portal",
        bool(after) and set(after) == {200} and portal.server.pid == master,
        f"{len(after)} permintaan",
    )


def kill_workers(portal):
    for pid in portal.workers():
        os.kill(pid, signal.SIGKILL)


def wait_for_workers(portal, count=2):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if len(portal.workers()) >= count:
            time.sleep(1)  # booted, importing
            return
        time.sleep(0.2)


def stored_files():
    from opendata_kontrak.backup import stored_names

    return {name for name in stored_names() if name.startswith("dokumen/")}


def upload_request(portal, browser, agency_id, title):
    """The raw bytes of the package form with two PDFs, as the browser would send them."""
    from contracts.samples import make_pdf

    fields = browser.package_form(agency_id, title)
    pdfs = [
        (
            f"{title}-{n}.pdf",
            make_pdf(f"{title} {n}", [f"baris {i}" for i in range(4000)], pages=40),
        )
        for n in (1, 2)
    ]
    body, content_type = multipart(fields, [("upload_files_perencanaan", n, c) for n, c in pdfs])
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
    headers = {
        "Content-Type": content_type,
        "Content-Length": str(len(body)),
        "Cookie": cookie,
        "Referer": portal.base + "/admin/contracts/process/add/",
    }
    return body, headers, {hashlib.sha256(c).hexdigest() for _, c in pdfs}


def whole_or_nothing(title, digests):
    """('nothing' | 'whole' | 'half: ...') for the package `title`."""
    from django.core.files.storage import default_storage

    from contracts.models import Document, Process

    process = Process.objects.filter(title=title).first()
    if process is None:
        return "nothing"
    documents = list(Document.objects.filter(process=process))
    if {d.sha256 for d in documents} != digests:
        return f"half: {len(documents)} dokumen"
    for document in documents:
        with default_storage.open(document.file.name, "rb") as handle:
            if hashlib.sha256(handle.read()).hexdigest() != document.sha256:
                return f"half: {document.file.name} rusak"
    return "whole"


def killed_uploads(portal, username, agency_id):
    from django.db import connections

    from opendata_kontrak import orphans

    browser = Browser(portal.base)
    browser.sign_in(username)
    before = stored_files()
    outcomes = []
    # None: killed while the body is still arriving; a number: seconds after it arrived.
    for number, delay in enumerate([None, 0.05, 0.3, 0.45, 0.6, 0.75, 0.9, 1.5, 3.0]):
        title = f"Unggahan terputus {number}"
        body, headers, digests = upload_request(portal, browser, agency_id, title)
        connection = http.client.HTTPConnection("127.0.0.1", portal.port, timeout=30)
        connection.putrequest("POST", "/admin/contracts/process/add/")
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        if delay is None:
            connection.send(body[: len(body) // 2])
            time.sleep(0.3)
            kill_workers(portal)
        else:
            connection.send(body)
            time.sleep(delay)
            kill_workers(portal)
        connection.close()
        wait_for_workers(portal)
        connections.close_all()
        outcomes.append((delay, whole_or_nothing(title, digests)))
    detail = ", ".join(f"{'saat dikirim' if d is None else f'+{d}s'}: {o}" for d, o in outcomes)
    check(
        "pekerja dibunuh saat unggah: paket utuh atau tidak ada sama sekali",
        all(outcome in ("whole", "nothing") for _, outcome in outcomes),
        detail,
    )
    from contracts.models import Document

    referenced = set(Document.objects.values_list("file", flat=True))
    leftovers = stored_files() - before - referenced
    swept = set(orphans.sweep(grace=datetime.timedelta(0)))
    check(
        "berkas tanpa baris (ditinggal pekerja yang dibunuh) dihapus penyapu",
        leftovers <= swept and not (stored_files() - before - referenced),
        f"{len(leftovers)} tertinggal, {len(swept)} disapu",
    )
    title = "Unggahan sesudah gangguan"
    body, headers, digests = upload_request(portal, browser, agency_id, title)
    connection = http.client.HTTPConnection("127.0.0.1", portal.port, timeout=60)
    connection.request("POST", "/admin/contracts/process/add/", body=body, headers=headers)
    status = connection.getresponse().status
    connection.close()
    check(
        "unggahan berikutnya tersimpan utuh",
        status == 302 and whole_or_nothing(title, digests) == "whole",
        f"status {status}",
    )


def main():
    with tempfile.TemporaryDirectory(prefix="uji-gangguan-") as var:
        portal = LivePortal(Path(var) / "var", operators=1)
        print("Menyiapkan portal sekali pakai ...", flush=True)
        accounts = portal.setup(data=False)
        # The outage is logged once per refused request; the checks below say what matters.
        portal.start(log_level="CRITICAL")
        try:
            print("1. Basis data dimulai ulang di bawah beban", flush=True)
            database_restart(portal)
            print("2. Pekerja dibunuh di tengah unggahan", flush=True)
            killed_uploads(portal, *accounts[0])
        finally:
            portal.stop()
            from opendata_kontrak import embedded_db

            embedded_db.stop(portal.var / "pgdata")
    failed = [name for name, ok, _ in RESULTS if not ok]
    print("HASIL:", "GAGAL" if failed else "LULUS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
