"""The read/write split against a real streaming replication pair: Debian's PostgreSQL 15 as a
primary and a hot standby cloned from it with `pg_basebackup -R`, the portal in a process of
its own pointed at both (portal_on_standby.py), as an operator of a two-machine install runs it.

Before the router, a portal pointed at a standby answered 500 on every page (the UNLOGGED cache
table), on the API (the rate counter's upsert) and on sign-in. Here: public pages answer 200 and
their data queries run on the standby; the standby really is behind while its replay is
paused (a citizen sees the old name), yet an administrator who signed in and a citizen who just
posted see the new one; a standby further behind than the bound is skipped; a stopped standby
leaves every page answering from the primary.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("PG15_BIN", "/usr/lib/postgresql/15/bin"))
PORTS = range(26100, 26200)  # this suite's PostgreSQL servers


def free_ports(count):
    found = []
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        found.append(port)
        if len(found) == count:
            return found
    pytest.fail(f"no {count} free ports in {PORTS}")


def as_postgres(*command):
    """Run a PostgreSQL program as the postgres user: initdb and the server refuse root."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    done = subprocess.run([*prefix, *map(str, command)], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        pytest.fail(f"{command[0]} failed: {done.stderr or done.stdout}")
    return done


@pytest.fixture(scope="module")
def streaming_pair():
    """(primary port, standby port, standby data dir): PostgreSQL 15, streaming, on loopback.
    In a directory of its own under /tmp, owned by postgres: pytest's are root's alone."""
    missing = [
        name for name in ("initdb", "pg_ctl", "pg_basebackup") if not (PG_BIN / name).exists()
    ]
    if missing:
        pytest.fail(
            f"PostgreSQL 15 is needed for the replica tests and {', '.join(missing)} is missing "
            f"from {PG_BIN}: apt-get install postgresql-15 (or set PG15_BIN)"
        )
    base = Path(tempfile.mkdtemp(prefix="odk-replikasi-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    primary, standby = base / "utama", base / "siaga"
    primary_port, standby_port = free_ports(2)
    fast = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    as_postgres(PG_BIN / "initdb", "-D", primary, "--auth=trust", "-U", "postgres", "-E", "UTF8")
    started = []
    try:
        as_postgres(
            PG_BIN / "pg_ctl", "-D", primary, "-l", base / "utama.log", "-w", "-o",
            f"-h 127.0.0.1 -p {primary_port} -k {base} -c wal_level=replica {fast}", "start",
        )  # fmt: skip
        started.append(primary)
        as_postgres(
            PG_BIN / "pg_basebackup", "-h", "127.0.0.1", "-p", primary_port, "-U", "postgres",
            "-D", standby, "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        as_postgres(
            PG_BIN / "pg_ctl", "-D", standby, "-l", base / "siaga.log", "-w", "-o",
            f"-h 127.0.0.1 -p {standby_port} -k {base} -c hot_standby=on {fast}", "start",
        )  # fmt: skip
        started.append(standby)
        as_postgres(
            PG_BIN / "psql", "-h", "127.0.0.1", "-p", primary_port, "-U", "postgres", "-c",
            "CREATE DATABASE kontrak",
        )  # fmt: skip
        yield primary_port, standby_port, standby
    finally:
        for data in reversed(started):
            prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
            subprocess.run(
                [*prefix, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def run(streaming_pair, collected_static, tmp_path_factory):
    """The script's steps: a list of dicts, one per line it printed."""
    primary_port, standby_port, standby_data = streaming_pair
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "DJANGO_", "REDIS_"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="opendata_kontrak.settings",
        DATABASE_URL=f"postgresql://postgres@127.0.0.1:{primary_port}/kontrak",
        DATABASE_REPLICA_URLS=(
            f"postgresql://postgres@127.0.0.1:{standby_port}/kontrak"
            "?application_name=portal-replika"
        ),
        DATABASE_REPLICA_MAX_LAG_SECONDS="3600",
        DATABASE_REPLICA_CHECK_SECONDS="60",
        STATIC_ROOT=str(collected_static),
        PORTAL_VAR_DIR=str(tmp_path_factory.mktemp("var")),
        SECRET_KEY="rahasia-uji-replika-" + "x" * 40,
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.replicas.portal_on_standby",
            str(standby_data),
            str(PG_BIN / "pg_ctl"),
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def steps(run, name):
    return [step for step in run if step["step"] == name]


def test_public_pages_and_the_api_read_from_the_standby(run):
    pages = steps(run, "citizen")
    assert [page["path"] for page in pages][1:] == [
        "/paket/",
        f"/paket/{steps(run, 'setup')[0]['package']}/",
        "/perangkat-daerah/",
        "/api/v1/paket/",
    ]
    for page in pages:
        assert page["status"] == 200, page
        assert page["standby"] > 0, page  # the data's queries ran on the standby
        assert not page["pinned"], page  # a visitor's cache fills and rate counts are no write
    # The agencies page has one query (tests/test_pages.py): the standby ran it.
    agencies = next(page for page in pages if page["path"] == "/perangkat-daerah/")
    assert (agencies["primary"], agencies["standby"]) == (0, 1)
    # A package published on the primary reached the standby and its pages.
    assert all(page["shows_package"] for page in pages if page["path"] != "/perangkat-daerah/")
    # The standby's own view of who is connected: the portal, by its application_name.
    assert steps(run, "standby-sessions")[0]["portal"] >= 1


def test_a_paused_standby_is_behind_and_citizens_read_it(run):
    # The proof the standby answers citizens: it shows the name from before the rename.
    assert steps(run, "paused-citizen")[0] == {
        "step": "paused-citizen",
        "status": 200,
        "new_name": False,
    }
    assert steps(run, "other-citizen")[0]["new_name"] is False


def test_a_signed_in_administrator_reads_the_primary(run):
    signin = steps(run, "signin")[0]
    assert signin["status"] == 302  # signed in: to the admin's index
    assert signin["pinned"]
    reads = steps(run, "staff-reads")[0]
    assert reads["status"] == 200
    assert reads["new_name"] is True
    assert reads["standby"] == 0


def test_a_citizen_who_just_posted_reads_the_primary(run):
    post = steps(run, "citizen-post")[0]
    assert post["pinned"]
    reads = steps(run, "writer-reads")[0]
    assert (reads["status"], reads["new_name"], reads["standby"]) == (200, True, 0)


def test_a_standby_behind_the_bound_is_skipped(run):
    skipped = steps(run, "lagging-skipped")[0]
    assert (skipped["status"], skipped["new_name"], skipped["standby"]) == (200, True, 0)
    assert skipped["verdict"].startswith("tertinggal")


def test_a_stopped_standby_leaves_every_page_answering_from_the_primary(run):
    # Replay resumed: the standby caught up and serves the new name again.
    assert steps(run, "resumed")[0] == {
        "step": "resumed",
        "status": 200,
        "new_name": True,
        "standby": 1,
    }
    down = steps(run, "standby-down")
    assert len(down) == 5
    assert all(page["status"] == 200 for page in down), down
    # The first page met the dead standby mid-request: it was answered again from the
    # primary, and the standby is skipped from then on, without waiting for its next check.
    finished = steps(run, "standby-down-seconds")[0]
    assert finished["verdict"].startswith("gagal di tengah permintaan")
    assert finished["seconds"] < 10
