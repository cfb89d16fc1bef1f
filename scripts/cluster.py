"""The whole multi-machine topology on loopback, under load and failures: `make cluster`.

    python scripts/cluster.py [--seconds 180] [--citizens 12] [--operators 3]
                              [--no-replica] [--single-host] [--pool-mode session]
                              [--no-stalled-retry] [--no-data]

Everything runs from one temporary folder, on ports from --base-port (27000) on, and is stopped
at the end, also on failure or Ctrl-C:

    PostgreSQL 15 primary ──streaming──> PostgreSQL 15 hot standby   (Debian's binaries)
        ^        ^                               ^
        |        └── PgBouncer (transaction mode) <── gunicorn A, gunicorn B <── nginx (TLS)
        |                                              (reads: DATABASE_REPLICA_URLS = standby)
        └── queue worker 1, queue worker 2 (direct, multi-host URL: they LISTEN)
    Redis (no persistence) ── REDIS_URL          moto_server (S3) ── S3_*

Load: scripts/loadtest.py's citizens (public pages) and operators (package form with two fresh
PDFs) through nginx for SECONDS. Meanwhile, at fixed shares of the run:
  20%  app server A is SIGKILLed (its whole process group); restarted 5 s later, as systemd would;
  40%  probe jobs (opendata_kontrak/cluster_probe.py) are deferred and a worker is SIGKILLed
       while one of them runs; restarted at once, as runportal / systemd would;
  60%  failover: the primary is stopped, the standby promoted (`pg_ctl promote`), PgBouncer's
       ini rewritten to the new primary and RELOADed on its admin console (app servers keep
       their DATABASE_URL); workers reach the new primary through their multi-host URL.
Probe jobs are also deferred once a second all along.

Report: requests, 5xx outside the failover window (from stopping the primary to the first
success of a request begun after the repoint), 5xx of requests in flight on the app server
at the moment it was killed (nginx cannot retry a POST a dead server may have half done; each
such upload must be whole or absent), lost uploads (every upload answered 302 must be in the
database and on S3), SHA-256 mismatches (each upload downloaded back through nginx), and probe
jobs lost or run twice. Exit status 1 if any of these is not zero.

Flags for a branch that lacks a feature (each one printed in the report): --no-replica (no
DATABASE_REPLICA_URLS), --single-host (workers get the primary alone; after the promotion the
harness restarts them on the new one), --pool-mode session (PgBouncer in session mode, for code
that still uses server-side cursors), --no-stalled-retry (the portal has no job that retries
the jobs of a dead worker: the harness does it, with Procrastinate's own calls).
"""

import argparse
import collections
import contextlib
import hashlib
import os
import random
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import loadtest

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
DB_NAME = "portal"
DB_USER = "postgres"
PROBE_TASK = "opendata_kontrak.cluster_probe.cluster_probe"
PROBE_TABLES = """
CREATE TABLE IF NOT EXISTS cluster_probe_start (
    token text NOT NULL, pid integer NOT NULL, job_id bigint NOT NULL,
    at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS cluster_probe_run (token text PRIMARY KEY, runs integer NOT NULL);
"""
# When, as a share of the run, each failure is made.
KILL_APP_AT, KILL_WORKER_AT, FAILOVER_AT = 0.2, 0.4, 0.6
APP_RESTART_SECONDS = 5


# --- what the harness writes: pure functions, tested in tests/test_cluster.py ----------------


@dataclass
class Ports:
    """Every port of the topology, consecutive from `base`."""

    base: int

    def __post_init__(self):
        names = ["primary", "standby", "bouncer", "redis", "s3", "nginx", "nginx_http", "app_a"]
        for offset, name in enumerate([*names, "app_b"]):
            setattr(self, name, self.base + offset)


def database_url(*hosts, database=DB_NAME, user=DB_USER, read_write=False):
    """A libpq URL over one or more (host, port): `postgresql://u@h1:p1,h2:p2/db?...`."""
    netloc = ",".join(f"{host}:{port}" for host, port in hosts)
    query = "?target_session_attrs=read-write" if read_write else ""
    return f"postgresql://{user}@{netloc}/{database}{query}"


def pgbouncer_ini(*, directory, listen_port, primary_port, pool_mode="transaction"):
    """PgBouncer's configuration: the database `portal` on the primary; trust on loopback.

    Failover rewrites this file with the new primary's port and sends RELOAD: PgBouncer then
    closes its server connections to the old address and opens new ones to the new one,
    while the app servers' client connections stay where they are.
    """
    return f"""[databases]
{DB_NAME} = host=127.0.0.1 port={primary_port} dbname={DB_NAME}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen_port}
unix_socket_dir =
auth_type = trust
auth_file = {directory}/userlist.txt
admin_users = {DB_USER}
pool_mode = {pool_mode}
max_client_conn = 1000
default_pool_size = 20
server_connect_timeout = 3
server_login_retry = 1
query_wait_timeout = 20
ignore_startup_parameters = extra_float_digits,options
logfile = {directory}/pgbouncer.log
pidfile = {directory}/pgbouncer.pid
"""


def portal_environment(ports, directory, *, role, replica=True, single_host=False):
    """The environment of an app server (`role="web"`) or a queue worker (`role="worker"`).

    Web servers reach the primary through PgBouncer (transaction mode, hence no server-side
    cursors) and read from the standby; workers LISTEN, which a transaction pooler cannot
    carry, so they connect to PostgreSQL directly, with both servers in their URL and
    target_session_attrs=read-write: whichever is the primary now.
    """
    base = f"https://127.0.0.1:{ports.nginx}"
    environment = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": "cluster-" + hashlib.sha256(str(directory).encode()).hexdigest(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": base,
        "PORTAL_BASE_URL": base,
        "SECURE_PROXY_SSL_HEADER": "true",
        "PORTAL_TRUSTED_PROXIES": "1",
        "PORTAL_VAR_DIR": str(directory / "var"),
        "STATIC_ROOT": str(directory / "static"),
        "EMAIL_URL": "file://",
        "EMAIL_FILE_PATH": str(directory / "mail"),
        "REDIS_URL": f"redis://127.0.0.1:{ports.redis}/0",
        "S3_BUCKET": "cluster-dokumen",
        "S3_ENDPOINT_URL": f"http://127.0.0.1:{ports.s3}",
        "S3_ACCESS_KEY_ID": "cluster",
        "S3_SECRET_ACCESS_KEY": "cluster-rahasia",
        "S3_REGION": "us-east-1",
        # Every citizen of the load comes from 127.0.0.1: one address, no API limit for it.
        "API_RATE_LIMIT": "1000000000",
        "LOG_LEVEL": "ERROR",
        # A dead worker's jobs are seen as stalled after 6 s rather than 30 s: the run is short.
        "JOB_STALLED_SECONDS": "6",
    }
    if role == "web":
        environment["DATABASE_URL"] = database_url(("127.0.0.1", ports.bouncer))
        environment["DISABLE_SERVER_SIDE_CURSORS"] = "true"
        if replica:
            environment["DATABASE_REPLICA_URLS"] = database_url(("127.0.0.1", ports.standby))
    elif role == "worker":
        if single_host:
            environment["DATABASE_URL"] = database_url(("127.0.0.1", ports.primary))
        else:
            environment["DATABASE_URL"] = database_url(
                ("127.0.0.1", ports.primary), ("127.0.0.1", ports.standby), read_write=True
            )
    else:
        raise ValueError(f"role must be 'web' or 'worker', not {role!r}")
    return environment


@dataclass
class Request:
    who: str
    status: int
    started: float
    ended: float
    path: str


@dataclass
class Events:
    """Moments (time.monotonic()) of the failures the harness made."""

    app_killed: list = field(default_factory=list)
    primary_stopped: float | None = None
    repointed: float | None = None


def failover_window(requests, events):
    """(start, end): from stopping the primary to the first success (status < 500) of a
    request begun after the repoint; end is None if no such request succeeded."""
    if events.primary_stopped is None:
        return None
    end = min(
        (
            r.ended
            for r in requests
            if events.repointed is not None and r.started >= events.repointed and r.status < 500
        ),
        default=None,
    )
    return events.primary_stopped, end


def classify_errors(requests, events):
    """The 5xx answers, split: inside the failover window, in flight on the killed app server,
    and the rest (which fail the run). A request is inside the window when it overlaps it
    (ended after the primary stopped, began before the window closed: an upload sent just
    before the stop may be refused long after it). A request is in flight at a kill when it
    began before it and ended after; a 5xx of a request begun later is not excused by the kill
    (nginx must route around the dead server)."""
    window = failover_window(requests, events)
    inside, cut, outside = [], [], []
    for request in requests:
        if request.status < 500:
            continue
        if (
            window
            and request.ended >= window[0]
            and (window[1] is None or request.started <= window[1])
        ):
            inside.append(request)
        elif any(request.started < moment <= request.ended for moment in events.app_killed):
            cut.append(request)
        else:
            outside.append(request)
    return inside, cut, outside


def verdict(*, requests, events, lost, mismatched, cut_uploads_half, probes):
    """The report's rows (name, count, passes) and whether the whole run passes.

    `probes`: {"deferred": n, "lost": [...], "twice": [...]}. A run in which nothing was
    uploaded or no probe ran proves nothing, and fails.
    """
    inside, cut, outside = classify_errors(requests, events)
    window = failover_window(requests, events)
    uploads = sum(1 for r in requests if r.who == "operator" and r.status == 302)
    # A GET in flight at the kill that nginx answered with a 5xx is one it should have sent to
    # the other server (proxy_next_upstream: nothing had reached the client yet). One whose
    # answer broke off (loadtest.CUT) had its headers and part of its body relayed already: no
    # proxy can retry that, so it is counted, not failed — as a browser's reload would mend it.
    cut_gets = [r for r in cut if r.path != "unggah" and r.status != loadtest.CUT]
    broken_off = [r for r in cut if r.path != "unggah" and r.status == loadtest.CUT]
    unfinished = window is not None and window[1] is None
    rows = [
        ("permintaan", len(requests), True),
        ("unggahan diterima", uploads, uploads > 0),
        ("5xx di luar jendela failover", len(outside), not outside),
        ("5xx di dalam jendela failover", len(inside), True),
        ("5xx terputus saat server aplikasi dibunuh", len(cut), True),
        ("  di antaranya GET dijawab 5xx (nginx harus mengulang)", len(cut_gets), not cut_gets),
        ("  di antaranya GET putus di tengah jawaban", len(broken_off), True),
        ("unggahan terputus yang tersimpan setengah", len(cut_uploads_half), not cut_uploads_half),
        ("unggahan hilang", len(lost), not lost),
        ("SHA-256 tidak cocok", len(mismatched), not mismatched),
        ("tugas uji ditunda", probes["deferred"], probes["deferred"] > 0),
        ("tugas uji hilang", len(probes["lost"]), not probes["lost"]),
        ("tugas uji berjalan dua kali", len(probes["twice"]), not probes["twice"]),
        ("jendela failover tidak selesai", int(unfinished), not unfinished),
    ]  # fmt: skip
    return rows, all(ok for _, _, ok in rows)


# --- processes -------------------------------------------------------------------------------


def as_postgres(argv):
    """Run PostgreSQL's and PgBouncer's binaries as `postgres` when we are root (they refuse
    root), as ourselves otherwise."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else list(argv)


def wait_for_port(port, seconds=60, what="server"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not listen on {port} within {seconds} s")


class Cluster:
    def __init__(self, directory, ports, args):
        self.dir = Path(directory)
        self.ports = ports
        self.args = args
        self.processes = {}  # name -> Popen (each in its own process group)
        self.supervised = {}  # name -> argv/env to restart with
        self.restarts = collections.Counter()
        self.hold = {}  # name -> monotonic moment before which it is not restarted
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.pg_data = {"primary": self.dir / "pg-primary", "standby": self.dir / "pg-standby"}
        self.primary = "primary"
        self.log_dir = self.dir / "logs"
        self.log_dir.mkdir(parents=True)

    # --- generic ---

    def spawn(self, name, argv, env=None, supervise=False):
        log = (self.log_dir / f"{name}.log").open("ab")
        process = subprocess.Popen(  # noqa: S603 (argv built here)
            argv,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        with self.lock:
            self.processes[name] = process
            if supervise:
                self.supervised[name] = (argv, env)
        return process

    def kill(self, name, sig=signal.SIGKILL):
        process = self.processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)

    def supervise(self):
        """Restart supervised processes that exit, as systemd (Restart=always) would."""
        while not self.stopping.wait(0.5):
            for name, (argv, env) in list(self.supervised.items()):
                process = self.processes[name]
                if process.poll() is None or time.monotonic() < self.hold.get(name, 0):
                    continue
                if self.stopping.is_set():
                    return
                self.restarts[name] += 1
                self.spawn(name, argv, env, supervise=True)

    def stop_all(self):
        self.stopping.set()
        for process in reversed(list(self.processes.values())):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        for data in self.pg_data.values():
            if (data / "postmaster.pid").exists():
                subprocess.run(  # noqa: S603
                    as_postgres(
                        [str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
                    ),
                    capture_output=True,
                    check=False,
                )  # fmt: skip

    # --- PostgreSQL ---

    def pg_ctl(self, data, *args, check=True):
        return subprocess.run(  # noqa: S603
            as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), *args]),
            capture_output=True,
            text=True,
            check=check,
        )

    def start_postgres(self):
        primary, standby = self.pg_data["primary"], self.pg_data["standby"]
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            shutil.chown(self.log_dir, "postgres", "postgres")
        subprocess.run(  # noqa: S603
            as_postgres(
                [str(PG_BIN / "initdb"), "-D", str(primary), "--auth=trust", "--encoding=UTF8", f"--username={DB_USER}"]  # noqa: E501
            ),
            capture_output=True,
            check=True,
        )  # fmt: skip
        settings = (
            "listen_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{self.dir}'\n"
            "wal_level = replica\nmax_wal_senders = 5\nhot_standby = on\n"
            "max_connections = 200\nfsync = off\nsynchronous_commit = on\n"
        )
        with (primary / "postgresql.conf").open("a") as handle:
            handle.write(settings + f"port = {self.ports.primary}\n")
        self.pg_ctl(primary, "-l", str(self.log_dir / "pg-primary.log"), "-w", "start")
        self.psql(self.ports.primary, f"CREATE DATABASE {DB_NAME}", database="postgres")
        subprocess.run(  # noqa: S603
            as_postgres(
                [str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.ports.primary), "-U", DB_USER, "-D", str(standby), "-R", "-X", "stream", "--checkpoint=fast"]  # noqa: E501
            ),
            capture_output=True,
            check=True,
        )  # fmt: skip
        with (standby / "postgresql.conf").open("a") as handle:
            handle.write(f"port = {self.ports.standby}\n")
        self.pg_ctl(standby, "-l", str(self.log_dir / "pg-standby.log"), "-w", "start")

    def psql(self, port, sql, database=DB_NAME):
        return subprocess.run(  # noqa: S603
            as_postgres(
                [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", DB_USER, "-d", database, "-v", "ON_ERROR_STOP=1", "-qAtc", sql]  # noqa: E501
            ),
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()  # fmt: skip

    def standby_streaming(self):
        return (
            self.psql(self.ports.standby, "SELECT status FROM pg_stat_wal_receiver") == "streaming"
        )

    # --- PgBouncer, Redis, moto, nginx ---

    def write_bouncer_ini(self, primary_port):
        directory = self.dir / "pgbouncer"
        directory.mkdir(exist_ok=True)
        (directory / "userlist.txt").write_text(f'"{DB_USER}" ""\n')
        ini = directory / "pgbouncer.ini"
        ini.write_text(
            pgbouncer_ini(
                directory=directory,
                listen_port=self.ports.bouncer,
                primary_port=primary_port,
                pool_mode=self.args.pool_mode,
            )
        )
        if os.geteuid() == 0:
            for path in (directory, ini, directory / "userlist.txt"):
                shutil.chown(path, "postgres", "postgres")
        return ini

    def start_services(self):
        ini = self.write_bouncer_ini(self.ports.primary)
        self.spawn("pgbouncer", as_postgres(["/usr/sbin/pgbouncer", str(ini)]))
        self.spawn(
            "redis",
            ["/usr/bin/redis-server", "--bind", "127.0.0.1", "--port", str(self.ports.redis),
             "--save", "", "--appendonly", "no", "--dir", str(self.dir)],
        )  # fmt: skip
        moto = Path(sys.executable).with_name("moto_server")
        self.spawn("moto", [str(moto), "-H", "127.0.0.1", "-p", str(self.ports.s3)])
        for name, port in (
            ("pgbouncer", self.ports.bouncer),
            ("redis", self.ports.redis),
            ("moto", self.ports.s3),
        ):
            wait_for_port(port, what=name)
        import boto3

        boto3.client(
            "s3", endpoint_url=f"http://127.0.0.1:{self.ports.s3}", region_name="us-east-1",
            aws_access_key_id="cluster", aws_secret_access_key="cluster-rahasia",  # noqa: S106
        ).create_bucket(Bucket="cluster-dokumen")  # fmt: skip

    def reload_bouncer(self, primary_port):
        """The documented repoint: rewrite the ini with the new primary, RELOAD on the admin
        console. The app servers keep their connections to PgBouncer."""
        self.write_bouncer_ini(primary_port)
        self.psql(self.ports.bouncer, "RELOAD", database="pgbouncer")

    def start_nginx(self):
        from opendata_kontrak import nginx

        directory = self.dir / "nginx"
        directory.mkdir()
        certificate, key = nginx.self_signed_certificate(directory)
        site = nginx.render_site(
            server_name="127.0.0.1 localhost",
            certificate=certificate,
            certificate_key=key,
            upstream=[f"127.0.0.1:{self.ports.app_a}", f"127.0.0.1:{self.ports.app_b}"],
            http_listen=f"127.0.0.1:{self.ports.nginx_http}",
            https_listen=f"127.0.0.1:{self.ports.nginx}",
        )
        main = nginx.standalone(directory, site)
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.spawn("nginx", [binary, "-p", str(directory), "-c", str(main)])
        wait_for_port(self.ports.nginx, what="nginx")

    # --- the portal ---

    def manage(self, *args, env):
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603

    def start_app(self, name, port):
        env = {
            **os.environ,
            **portal_environment(
                self.ports, self.dir, role="web", replica=not self.args.no_replica
            ),
        }
        argv = [
            sys.executable, "-m", "gunicorn", "opendata_kontrak.wsgi",
            "--config", str(ROOT / "deploy" / "gunicorn.conf.py"), "--workers", "2",
            "--bind", f"127.0.0.1:{port}", "--no-control-socket",
            "--timeout", "60", "--graceful-timeout", "5",
        ]  # fmt: skip
        self.spawn(name, argv, env, supervise=True)

    def worker_env(self):
        env = {
            **os.environ,
            **portal_environment(
                self.ports, self.dir, role="worker", single_host=self.args.single_host
            ),
        }
        if self.args.single_host and self.primary == "standby":
            env["DATABASE_URL"] = database_url(("127.0.0.1", self.ports.standby))
        return env

    def start_worker(self, name):
        argv = [sys.executable, "-m", "django", "procrastinate", "worker", "--concurrency", "1"]
        env = {**self.worker_env(), "DJANGO_SETTINGS_MODULE": "opendata_kontrak.settings"}
        self.spawn(name, argv, env, supervise=True)

    def failover(self):
        """Stop the primary, promote the standby, repoint PgBouncer; (stopped, repointed)."""
        stopped = time.monotonic()
        self.pg_ctl(self.pg_data["primary"], "-m", "fast", "-w", "stop")
        self.pg_ctl(self.pg_data["standby"], "-w", "promote")
        self.primary = "standby"
        self.reload_bouncer(self.ports.standby)
        if self.args.single_host:
            # Their URL names the old primary alone: restarted with the new one.
            for name in ("worker-1", "worker-2"):
                self.supervised[name] = (
                    self.supervised[name][0],
                    {**self.worker_env(), "DJANGO_SETTINGS_MODULE": "opendata_kontrak.settings"},
                )
                self.kill(name, signal.SIGTERM)
        return stopped, time.monotonic()


# --- the harness's own view of the database (through PgBouncer, which follows the primary) ---


def setup_django(cluster):
    env = portal_environment(cluster.ports, cluster.dir, role="web", replica=False)
    env.pop("DISABLE_SERVER_SIDE_CURSORS")
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "opendata_kontrak.settings"
    import django

    django.setup()


def probe_sql(sql, params=()):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def defer_probe(token, seconds):
    from procrastinate.contrib.django import app

    app.configure_task(PROBE_TASK, queue="cluster_probe").defer(token=token, seconds=seconds)


class Prober:
    """Defers a short probe job every second; remembers which deferrals were acknowledged."""

    def __init__(self):
        self.deferred = []
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def defer(self, token, seconds):
        try:
            defer_probe(token, seconds)
        except Exception:
            from django.db import connection

            connection.close()
            return False
        with self.lock:
            self.deferred.append(token)
        return True

    def run(self):
        number = 0
        while not self.stop.wait(1):
            number += 1
            self.defer(f"tick-{number}", 0.2)


def kill_worker_mid_job(cluster, prober):
    """Defer longer probes, wait until one has started and not finished, SIGKILL its worker."""
    pids = {cluster.processes[n].pid: n for n in ("worker-1", "worker-2")}
    for number in range(6):
        prober.defer(f"lang-{number}", 3)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        rows = probe_sql(
            "SELECT s.pid FROM cluster_probe_start s LEFT JOIN cluster_probe_run r USING (token) "
            "WHERE r.token IS NULL AND s.token LIKE 'lang-%%'"
        )
        for (pid,) in rows:
            # The worker's own process: `python -m django ...` is the group's leader.
            if pid in pids:
                cluster.kill(pids[pid])
                return pids[pid]
        time.sleep(0.1)
    return None


def retry_stalled_jobs(stalled_seconds):
    """What the portal's periodic job does once the jobs branch is merged; here for a branch
    without it (--no-stalled-retry): the jobs of workers without a recent heartbeat go back to
    the queue, with Procrastinate's own calls."""
    from asgiref.sync import async_to_sync
    from procrastinate.contrib.django import app

    stalled = async_to_sync(app.job_manager.get_stalled_jobs)(
        seconds_since_heartbeat=stalled_seconds
    )
    for job in stalled:
        app.job_manager.retry_job_by_id(job.id, retry_at=None)
    return len(stalled)


def probe_outcome(deferred, wait_seconds, harness_retries):
    """Wait for every deferred probe to finish (or the time to run out): lost and twice."""
    deadline = time.monotonic() + wait_seconds
    while True:
        if harness_retries:
            with contextlib.suppress(Exception):
                retry_stalled_jobs(6)
        runs = dict(probe_sql("SELECT token, runs FROM cluster_probe_run"))
        lost = [t for t in deferred if t not in runs]
        if not lost or time.monotonic() > deadline:
            break
        time.sleep(1)
    twice = [t for t, n in runs.items() if n > 1]
    return {"deferred": len(deferred), "lost": lost, "twice": twice}


# --- uploads ---------------------------------------------------------------------------------


def download_check(base, sent, accounts):
    """Download each accepted upload through nginx, as its operator, and compare SHA-256."""
    from contracts.models import Document

    mismatched = []
    browsers = {}
    for title, digests in sent:
        number = int(title.split()[-1].split("-")[0])
        username = accounts[number][0]
        if username not in browsers:
            browsers[username] = loadtest.Browser(base, timeout=60)
            browsers[username].sign_in(username)
        browser = browsers[username]
        for document in Document.objects.filter(process__title=title, sha256__in=digests):
            status, body, headers = browser.get(f"/dokumen/{document.pk}/")
            if status == 302:
                with urllib.request.urlopen(headers["Location"], timeout=60) as response:  # noqa: S310
                    body = response.read()
            elif status != 200:
                mismatched.append(f"{title}: unduhan {status}")
                continue
            if hashlib.sha256(body).hexdigest() != document.sha256:
                mismatched.append(f"{title}: {document.original_filename}")
    return mismatched


def half_stored(unanswered):
    """Of the uploads that got no 302 (cut by a kill, refused during the failover), those
    stored in part: each must be whole or absent."""
    from faults import whole_or_nothing

    half = []
    for title, digests in unanswered:
        outcome = whole_or_nothing(title, set(digests))
        if outcome not in ("whole", "nothing"):
            half.append(f"{title}: {outcome}")
    return half


class TimedTally(loadtest.Tally):
    """loadtest's tally, with when each request began and ended (for the windows)."""

    def __init__(self):
        super().__init__()
        self.requests = []

    def record(self, who, status, seconds, path):
        ended = time.monotonic()
        super().record(who, status, seconds, path)
        with self.lock:
            self.requests.append(Request(who, status, ended - seconds, ended, path))


def record_attempts(attempted):
    """Remember the SHA-256 of every PDF the operators make, by package title, so that the
    uploads which got no 302 can be checked whole or absent. loadtest.operator looks make_pdf
    up in contracts.samples at each call: wrapped once, before the threads start."""
    from contracts import samples

    real = samples.make_pdf

    def make_pdf(title, lines, *args, **kwargs):
        content = real(title, lines, *args, **kwargs)
        attempted[title.rsplit(" DPA", 1)[0]].append(hashlib.sha256(content).hexdigest())
        return content

    samples.make_pdf = make_pdf


# --- the run ---------------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=180)
    parser.add_argument("--citizens", type=int, default=12)
    parser.add_argument("--operators", type=int, default=3)
    parser.add_argument("--base-port", type=int, default=27000)
    parser.add_argument("--no-replica", action="store_true")
    parser.add_argument("--single-host", action="store_true")
    parser.add_argument("--pool-mode", choices=["transaction", "session"], default="transaction")
    parser.add_argument("--no-stalled-retry", action="store_true")
    parser.add_argument("--no-data", action="store_true", help="without the 2018 data (faster)")
    parser.add_argument("--keep", action="store_true", help="keep the folder (logs) afterwards")
    args = parser.parse_args(argv)

    ports = Ports(args.base_port)
    directory = Path(tempfile.mkdtemp(prefix="uji-klaster-"))
    cluster = Cluster(directory, ports, args)
    # A harness on loopback with its own throwaway certificate: not verified.
    ssl._create_default_https_context = ssl._create_unverified_context
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        return run(cluster, args)
    finally:
        cluster.stop_all()
        if args.keep:
            print(f"folder: {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)


def run(cluster, args):
    ports = cluster.ports
    print(f"Klaster di {cluster.dir}, porta {ports.base}-{ports.app_b}", flush=True)
    cluster.start_postgres()
    cluster.start_services()
    setup_env = {**os.environ, **portal_environment(ports, cluster.dir, role="worker")}
    setup_env["DATABASE_URL"] = database_url(("127.0.0.1", ports.primary))
    print("Migrasi, berkas statis, data ...", flush=True)
    cluster.manage("migrate", "--verbosity", "0", env=setup_env)
    cluster.manage("collectstatic", "--no-input", "--verbosity", "0", env=setup_env)
    if not args.no_data:
        cluster.manage("import_bojonegoro", "--verbosity", "0", env=setup_env)
    setup_django(cluster)
    probe_sql(PROBE_TABLES)
    from live_portal import LivePortal

    accounts = LivePortal(cluster.dir / "var", operators=args.operators).make_operators()
    paths = loadtest.public_paths()
    base = f"https://127.0.0.1:{ports.nginx}"

    cluster.start_app("app-a", ports.app_a)
    cluster.start_app("app-b", ports.app_b)
    cluster.start_worker("worker-1")
    cluster.start_worker("worker-2")
    cluster.start_nginx()
    for port in (ports.app_a, ports.app_b):
        wait_for_port(port, what="gunicorn")
    for _ in range(100):
        status, _, _ = loadtest.Browser(base, timeout=10).get("/tentang/")
        if status == 200:
            break
        time.sleep(0.3)
    else:
        raise RuntimeError(f"the portal did not answer 200 through nginx (last: {status})")
    if not cluster.standby_streaming():
        raise RuntimeError("the standby is not streaming from the primary")
    threading.Thread(target=cluster.supervise, daemon=True).start()

    events = Events()
    tally, sent = TimedTally(), []
    attempted = collections.defaultdict(list)
    record_attempts(attempted)
    stop = threading.Event()
    prober = Prober()
    threads = [
        threading.Thread(target=loadtest.citizen, args=(base, stop, paths, tally, random.Random(n)))  # noqa: S311
        for n in range(args.citizens)
    ] + [
        threading.Thread(target=loadtest.operator, args=(base, stop, user, agency, tally, sent, n))
        for n, (user, agency) in enumerate(accounts)
    ] + [threading.Thread(target=prober.run)]  # fmt: skip
    print(
        f"{args.citizens} warga dan {len(accounts)} operator lewat nginx selama "
        f"{args.seconds} dtk ...",
        flush=True,
    )
    started = time.monotonic()
    for thread in threads:
        thread.start()

    def at(share):
        time.sleep(max(0, started + share * args.seconds - time.monotonic()))
        return f"{time.monotonic() - started:5.1f} dtk"

    killed_worker = None
    try:
        print(f"  {at(KILL_APP_AT)}: server aplikasi A dibunuh (SIGKILL)", flush=True)
        cluster.hold["app-a"] = time.monotonic() + APP_RESTART_SECONDS
        events.app_killed.append(time.monotonic())
        cluster.kill("app-a")
        print(
            f"  {at(KILL_WORKER_AT)}: tugas uji ditunda, pekerja antrean dibunuh di tengah tugas",
            flush=True,
        )
        killed_worker = kill_worker_mid_job(cluster, prober)
        print(
            f"           dibunuh: {killed_worker or 'TIDAK ADA (tidak ada tugas berjalan)'}",
            flush=True,
        )
        print(
            f"  {at(FAILOVER_AT)}: primer dihentikan, standby dipromosikan, PgBouncer dialihkan",
            flush=True,
        )
        events.primary_stopped, events.repointed = cluster.failover()
        print(
            f"           selesai dalam {events.repointed - events.primary_stopped:.1f} dtk",
            flush=True,
        )
        at(1.0)
    finally:
        stop.set()
        prober.stop.set()
        for thread in threads:
            thread.join(timeout=180)

    print("Memeriksa unggahan dan tugas ...", flush=True)
    from django.db import connections

    # The harness's own connection went down with the old primary's server connection.
    connections.close_all()
    lost, stored_mismatch = loadtest.verify(sent)
    accepted = {title for title, _ in sent}
    unanswered = [(t, d) for t, d in attempted.items() if t not in accepted]
    half = half_stored(unanswered)
    mismatched = stored_mismatch + download_check(base, sent, accounts)
    probes = probe_outcome(prober.deferred, 90, args.no_stalled_retry)
    if killed_worker is None:
        probes["lost"].append("(tidak ada pekerja yang terbunuh di tengah tugas)")
    rows, passed = verdict(
        requests=tally.requests, events=events, lost=lost, mismatched=mismatched,
        cut_uploads_half=half, probes=probes,
    )  # fmt: skip
    report(
        tally,
        events,
        rows,
        passed,
        cluster,
        args,
        problems=[lost, mismatched, half, probes["lost"], probes["twice"]],
    )
    return 0 if passed else 1


def report(tally, events, rows, passed, cluster, args, problems):
    _, _, outside = classify_errors(tally.requests, events)
    window = failover_window(tally.requests, events)
    print()
    print(f"{'siapa':<10}{'permintaan':>11}{'p50 ms':>9}{'p95 ms':>9}{'5xx':>6}")
    for who, rows_ in tally.rows.items():
        ms = [s * 1000 for _, s in rows_]
        print(
            f"{who:<10}{len(rows_):>11}{loadtest.percentile(ms, 0.5):>9.0f}"
            f"{loadtest.percentile(ms, 0.95):>9.0f}{sum(s >= 500 for s, _ in rows_):>6}"
        )
    statuses = collections.Counter(r.status for r in tally.requests)
    print(f"status: {dict(sorted(statuses.items()))}")
    if window:
        length = f"{window[1] - window[0]:.1f} dtk" if window[1] else "tidak selesai"
        print(f"jendela failover: {length} (primer dihentikan -> sukses pertama sesudah promosi)")
    print(f"dimulai ulang oleh penyelia: {dict(cluster.restarts)}")
    flags = [f for f in ("no_replica", "single_host", "no_stalled_retry") if getattr(args, f)]
    if args.pool_mode != "transaction":
        flags.append(f"pool_mode={args.pool_mode}")
    print(f"bendera: {', '.join(flags) or 'tidak ada (topologi penuh)'}")
    print()
    for name, count, ok in rows:
        print(f"  {'LULUS' if ok else 'GAGAL'}  {name:<46}{count:>7}")
    for request in outside[:10]:
        print(f"  5xx: {request.who} {request.status} {request.path}")
    for problem in problems:
        for item in problem[:10]:
            print("  GAGAL:", item)
    print("HASIL:", "LULUS" if passed else "GAGAL")


if __name__ == "__main__":
    sys.exit(main())
