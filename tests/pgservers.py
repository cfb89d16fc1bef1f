"""Real servers beside the test database: a PostgreSQL 15 primary with a streaming hot standby
(Debian's binaries), and PgBouncer in transaction mode. Missing binaries fail the test with
what to install (CI installs them); nothing is skipped."""

import contextlib
import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
PGBOUNCER = Path("/usr/sbin/pgbouncer")
# The ports this suite may take on a machine shared with other checkouts.
PORTS = range(26300, 26500)


def free_port():
    """A port of PORTS nobody listens on now."""
    for port in random.sample(PORTS, len(PORTS)):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS}")


def closed_port():
    """A port in PORTS where no server answers: a host that is down."""
    return free_port()


def _need(path, package):
    if not path.exists():
        pytest.fail(f"{path} is missing: install Debian's {package} (apt-get install {package})")


def _as_server_user():
    # PostgreSQL refuses to run as root; as root, the servers run as Debian's postgres account.
    return {"user": "postgres"} if os.geteuid() == 0 else {}


def _run(*command, **options):
    result = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        **_as_server_user(),
        **options,
    )
    if result.returncode:
        raise RuntimeError(f"{command[0]} failed: {result.stderr or result.stdout}")
    return result.stdout


def _private_folder(prefix):
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    return folder


def _start(datadir, port, log):
    _run(POSTGRES_BIN / "pg_ctl", "-D", datadir, "-w", "-t", "60", "-l", log, "start",
         "-o", f"-p {port}")  # fmt: skip


def _stop(datadir):
    if (datadir / "postmaster.pid").exists():
        with contextlib.suppress(RuntimeError):
            _run(POSTGRES_BIN / "pg_ctl", "-D", datadir, "-w", "-m", "immediate", "stop")


class Pair:
    """A primary on `primary`, its hot standby (in recovery, streaming) on `standby`."""

    def __init__(self, folder, primary, standby):
        self.folder, self.primary, self.standby = folder, primary, standby

    def connect(self, port, **options):
        return psycopg.connect(
            host="127.0.0.1", port=port, user="postgres", dbname="postgres", **options
        )

    def stop_primary(self):
        _stop(self.folder / "primary")

    def promote_standby(self):
        _run(POSTGRES_BIN / "pg_ctl", "-D", self.folder / "standby", "-w", "promote")


@contextlib.contextmanager
def primary_and_standby():
    """Start a primary and a streaming hot standby of it, each on a free port of PORTS."""
    _need(POSTGRES_BIN / "postgres", "postgresql-15")
    folder = _private_folder("failover-")
    primary, standby = free_port(), free_port()
    while standby == primary:
        standby = free_port()
    try:
        _run(POSTGRES_BIN / "initdb", "-D", folder / "primary", "-U", "postgres",
             "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8")  # fmt: skip
        with open(folder / "primary" / "postgresql.conf", "a") as conf:
            conf.write(
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{folder}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            )
        if os.geteuid() == 0:
            shutil.chown(folder / "primary" / "postgresql.conf", "postgres", "postgres")
        _start(folder / "primary", primary, folder / "primary.log")
        _run(POSTGRES_BIN / "pg_basebackup", "-h", "127.0.0.1", "-p", primary, "-U", "postgres",
             "-D", folder / "standby", "-R", "-X", "stream", "-c", "fast")  # fmt: skip
        _start(folder / "standby", standby, folder / "standby.log")
        yield Pair(folder, primary, standby)
    finally:
        _stop(folder / "standby")
        _stop(folder / "primary")
        shutil.rmtree(folder, ignore_errors=True)


def _listening(port, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.05)
    return False


@contextlib.contextmanager
def pgbouncer(database, *, pool_size=4):
    """PgBouncer in transaction mode on a free port of PORTS, in front of the server of
    `database` (a Django settings dict: HOST a socket folder or a host name, PORT, USER).

    Round robin over `pool_size` server connections: each transaction of a client may land on
    another server connection, as it does on a busy production pooler."""
    _need(PGBOUNCER, "pgbouncer")
    folder = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    folder.chmod(0o755)
    port = free_port()
    (folder / "userlist.txt").write_text(f'"{database["USER"]}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={database['HOST']} port={database['PORT']}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {folder / 'userlist.txt'}\n"
        f"admin_users = {database['USER']}\n"
        "pool_mode = transaction\n"
        f"default_pool_size = {pool_size}\nmin_pool_size = {pool_size}\n"
        "server_round_robin = 1\nmax_client_conn = 200\n"
        "ignore_startup_parameters = extra_float_digits\n"
    )
    for name in ("userlist.txt", "pgbouncer.ini"):
        (folder / name).chmod(0o644)
    # PgBouncer refuses to run as root: it drops to the account that owns the server's socket
    # folder (which may open it), or, for a server on TCP, to one with no rights at all.
    host = database["HOST"]
    user = [] if os.geteuid() else ["-u", Path(host).owner() if host.startswith("/") else "nobody"]
    log = open(folder / "pgbouncer.log", "w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [str(PGBOUNCER), *user, str(folder / "pgbouncer.ini")], stdout=log, stderr=log
    )
    try:
        if not _listening(port):
            raise RuntimeError(f"pgbouncer did not start: {(folder / 'pgbouncer.log').read_text()}")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)
