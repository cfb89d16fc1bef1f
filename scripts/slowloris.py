"""Slow clients against the portal: nginx in front (as in production), then gunicorn alone.

    python scripts/slowloris.py [--slow 50] [--seconds 60] [--interval 2]

A throwaway portal (scripts/live_portal.py) on gunicorn as `make run` serves it, and nginx in
front of it with the repository's own site file (deploy/nginx/, rendered by
opendata_kontrak.nginx into a temporary folder, on a free loopback port, as the current user).
For SECONDS, SLOW connections are held open the way an attacker holds them: half send a
request header one line every INTERVAL seconds and never finish it, half send a POST's header
and then its body ten bytes every INTERVAL seconds. Whenever a server closes one, another is
opened, so SLOW are open all along. Meanwhile one ordinary visitor loads pages one after
another (home, package list, agencies, about, the API) and each load is timed.

The same is then done against gunicorn directly, without nginx, for comparison.

Exit status 1 unless, behind nginx, every page loaded and their p95 stayed under 1 s. Without
nginx nothing is required: the figures show why production runs behind it.
"""

import argparse
import asyncio
import http.client
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from live_portal import LivePortal, free_port

PAGES = ["/", "/paket/", "/perangkat-daerah/", "/tentang/", "/api/v1/paket/"]
PAGE_TIMEOUT = 10  # seconds a visitor waits for a page before counting it as not served
P95_LIMIT = 1.0


def tls_context():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the throwaway certificate of this run
    return context


class SlowClients:
    """SLOW connections held open from an event loop of their own, in a thread."""

    def __init__(self, port, *, tls, count, interval, csrf_cookie):
        self.port, self.tls, self.count, self.interval = port, tls, count, interval
        self.csrf_cookie = csrf_cookie
        self.open = 0
        self.opened = 0
        self.ended_by_server = 0
        self.held = []  # how many were open, once a second
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.running = True

    def start(self):
        self.thread.start()
        for number in range(self.count):
            kind = "header" if number % 2 == 0 else "body"
            asyncio.run_coroutine_threadsafe(self.client(kind), self.loop)
        asyncio.run_coroutine_threadsafe(self.sample(), self.loop)

    def stop(self):
        self.running = False

        def cancel():
            for task in asyncio.all_tasks(self.loop):
                task.cancel()

        self.loop.call_soon_threadsafe(cancel)
        time.sleep(0.5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)

    async def sample(self):
        while self.running:
            self.held.append(self.open)
            await asyncio.sleep(1)

    def request_head(self, kind):
        if kind == "header":
            # Never finished: the blank line that ends a header never comes.
            return b"GET /paket/ HTTP/1.1\r\nHost: localhost\r\n"
        # The cookie makes Django's CSRF check read the body, as for a real sign-in.
        return (
            b"POST /admin/login/ HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Cookie: csrftoken=" + self.csrf_cookie.encode() + b"\r\n"
            b"Content-Length: 1000000\r\n\r\n"
        )

    async def client(self, kind):
        while self.running:
            try:
                reader, writer = await asyncio.open_connection(
                    "127.0.0.1",
                    self.port,
                    ssl=tls_context() if self.tls else None,
                    server_hostname="localhost" if self.tls else None,
                )
            except OSError:
                await asyncio.sleep(self.interval)
                continue
            self.opened += 1
            self.open += 1
            try:
                writer.write(self.request_head(kind))
                line = 0
                while self.running:
                    await writer.drain()
                    try:
                        # Anything read (an error page) or the end: the server let go of it.
                        await asyncio.wait_for(reader.read(65536), self.interval)
                        self.ended_by_server += 1
                        break
                    except TimeoutError:
                        pass
                    line += 1
                    writer.write(
                        f"X-Langkah-{line}: {line}\r\n".encode() if kind == "header" else b"u" * 10
                    )
            except (OSError, ssl.SSLError):
                self.ended_by_server += 1
            finally:
                self.open -= 1
                writer.close()


def visit(port, *, tls, seconds):
    """One visitor loading pages one after another: (seconds per load, loads not served)."""
    timings, failures = [], 0
    deadline = time.monotonic() + seconds
    number = 0
    while time.monotonic() < deadline:
        path = PAGES[number % len(PAGES)]
        number += 1
        if tls:
            connection = http.client.HTTPSConnection(
                "127.0.0.1", port, timeout=PAGE_TIMEOUT, context=tls_context()
            )
        else:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=PAGE_TIMEOUT)
        started = time.monotonic()
        try:
            connection.request("GET", path, headers={"Host": "localhost"})
            response = connection.getresponse()
            response.read()
            served = response.status == 200
        except OSError:
            served = False
        finally:
            connection.close()
        timings.append(time.monotonic() - started)
        failures += not served
    return timings, failures


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0


def csrf_cookie(port):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/admin/login/", headers={"Host": "localhost"})
    response = connection.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie", "")
    connection.close()
    return cookie.split("csrftoken=", 1)[1].split(";", 1)[0]


def server_header(port, *, tls):
    cls = http.client.HTTPSConnection if tls else http.client.HTTPConnection
    extra = {"context": tls_context()} if tls else {}
    connection = cls("127.0.0.1", port, timeout=30, **extra)
    connection.request("GET", "/tentang/", headers={"Host": "localhost"})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.getheader("Server")


def attack(name, port, *, tls, args, cookie):
    server = server_header(port, tls=tls)
    slow = SlowClients(port, tls=tls, count=args.slow, interval=args.interval, csrf_cookie=cookie)
    slow.start()
    time.sleep(min(3, args.interval * 1.5))  # every slow client connected and under way
    timings, failures = visit(port, tls=tls, seconds=args.seconds)
    slow.stop()
    held = slow.held[3:] or slow.held
    row = {
        "name": name,
        "loads": len(timings),
        "failures": failures,
        "p50": percentile(timings, 0.5),
        "p95": percentile(timings, 0.95),
        "max": max(timings, default=0),
        "held": f"{min(held, default=0)}/{sum(held) / max(len(held), 1):.0f}",
        "opened": slow.opened,
        "ended": slow.ended_by_server,
        "server": server,
    }
    print(
        f"  {name}: {row['loads']} halaman, {failures} tidak terlayani, "
        f"p95 {row['p95'] * 1000:.0f} ms",
        flush=True,
    )
    return row


def start_nginx(directory, upstream_port):
    from opendata_kontrak import nginx

    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        sys.exit("nginx is needed: sudo apt-get install -y nginx")
    port = free_port()
    certificate, key = nginx.self_signed_certificate(directory)
    site = nginx.render_site(
        server_name="localhost",
        certificate=certificate,
        certificate_key=key,
        upstream=f"127.0.0.1:{upstream_port}",
        http_listen=f"127.0.0.1:{free_port()}",
        https_listen=f"127.0.0.1:{port}",
    )
    main = nginx.standalone(directory, site)
    process = subprocess.Popen([binary, "-p", str(directory), "-c", str(main)])  # noqa: S603
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            server_header(port, tls=True)
            return process, port
        except OSError:
            time.sleep(0.2)
    process.terminate()
    sys.exit("nginx did not answer within 10 s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--interval", type=float, default=2)
    args = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory(prefix="uji-lambat-") as var:
        portal = LivePortal(Path(var) / "var", operators=0)
        print("Menyiapkan portal sekali pakai ...", flush=True)
        portal.setup(data=False)
        portal.start(log_level="CRITICAL")
        front_dir = Path(var) / "nginx"
        front_dir.mkdir()
        front, front_port = start_nginx(front_dir, portal.port)
        try:
            cookie = csrf_cookie(portal.port)
            print(
                f"{args.slow} koneksi lambat (satu baris tiap {args.interval:g} dtk) selama "
                f"{args.seconds} dtk, sementara satu pengunjung memuat halaman:",
                flush=True,
            )
            rows.append(attack("nginx + gunicorn", front_port, tls=True, args=args, cookie=cookie))
            # Let gunicorn's threads finish with whatever nginx passed on.
            time.sleep(1)
            rows.append(attack("gunicorn saja", portal.port, tls=False, args=args, cookie=cookie))
        finally:
            front.terminate()
            front.wait(timeout=10)
            portal.stop()
            from opendata_kontrak import embedded_db

            embedded_db.stop(portal.var / "pgdata")

    print()
    print(
        f"{'':<18}{'halaman':>8}{'gagal':>7}{'p50 ms':>8}{'p95 ms':>8}{'maks ms':>9}"
        f"{'lambat':>9}{'dibuka':>8}{'diputus':>9}  Server"
    )
    for row in rows:
        print(
            f"{row['name']:<18}{row['loads']:>8}{row['failures']:>7}{row['p50'] * 1000:>8.0f}"
            f"{row['p95'] * 1000:>8.0f}{row['max'] * 1000:>9.0f}{row['held']:>9}"
            f"{row['opened']:>8}{row['ended']:>9}  {row['server']}"
        )
    print(
        "(lambat: koneksi lambat yang terbuka, paling sedikit/rata-rata; dibuka: semuanya; "
        f"diputus: yang ditutup server; gagal: tidak terjawab 200 dalam {PAGE_TIMEOUT} dtk)"
    )
    behind = rows[0]
    ok = behind["loads"] > 0 and behind["failures"] == 0 and behind["p95"] < P95_LIMIT
    print(
        f"  {'LULUS' if ok else 'GAGAL'}  di balik nginx setiap halaman terlayani, "
        f"p95 di bawah {P95_LIMIT:g} dtk"
    )
    print("HASIL:", "LULUS" if ok else "GAGAL")
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opendata_kontrak.settings")
    sys.exit(main())
