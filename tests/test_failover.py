"""Failover with a multi-host DATABASE_URL, on real servers: a PostgreSQL 15 primary and its
streaming hot standby (tests/pgservers.py), and a host that is down.

Each check starts the portal as a deployment would (a fresh `manage.py` with DATABASE_URL in
its environment), so the URL goes through the settings, Django and libpq as it would there."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pgservers import closed_port, primary_and_standby

ROOT = Path(__file__).resolve().parent.parent

WHERE = """
import json
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute(
        "SELECT pg_is_in_recovery(), inet_server_port(), current_setting('application_name')"
    )
    recovery, port, name = cursor.fetchone()
db = connection.settings_dict
print(json.dumps({"recovery": recovery, "port": port, "name": name,
                  "host": db["HOST"], "ports": db["PORT"]}))
"""


def manage(*args, url, **env):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def where(url):
    """Which server the portal's connection reached: {recovery, port, name, host, ports}."""
    out = manage("shell", "-c", WHERE, url=url)
    return json.loads(out.strip().splitlines()[-1])


def url_of(*ports, query="target_session_attrs=read-write&connect_timeout=2"):
    hosts = ",".join(f"127.0.0.1:{port}" for port in ports)
    return f"postgresql://postgres@{hosts}/postgres?{query}"


@pytest.fixture
def pair():
    with primary_and_standby() as servers:
        yield servers


def test_the_portal_skips_a_down_host_and_a_standby_and_writes_on_the_primary(pair):
    down = closed_port()
    reached = where(
        url_of(down, pair.standby, pair.primary, query=(
            "target_session_attrs=read-write&connect_timeout=2&application_name=portal-uji"
        ))
    )  # fmt: skip
    assert reached == {
        "recovery": False,
        "port": pair.primary,
        "name": "portal-uji",
        "host": "127.0.0.1,127.0.0.1,127.0.0.1",
        "ports": f"{down},{pair.standby},{pair.primary}",
    }
    # Without the attribute libpq takes the first server that answers: the standby. The
    # attribute is what keeps the portal off it.
    assert where(url_of(down, pair.standby, pair.primary, query="connect_timeout=2")) == {
        **reached,
        "recovery": True,
        "port": pair.standby,
        "name": "",
    }


def test_after_the_standby_is_promoted_the_same_url_reaches_it(pair):
    url = url_of(pair.primary, pair.standby)
    assert where(url)["port"] == pair.primary
    pair.stop_primary()
    pair.promote_standby()
    # No setting changed, no process restarted with new settings: the URL already named it.
    reached = where(url)
    assert (reached["port"], reached["recovery"]) == (pair.standby, False)


def sql(pair, port, statement):
    with pair.connect(port, autocommit=True) as connection:
        rows = connection.execute(statement)
        return rows.fetchall() if rows.description else None


AGENCY_NAME = "SELECT name FROM agencies_agency WHERE code = 'dinas-kesehatan'"


def test_backup_and_restore_take_a_multi_host_url_and_its_query_string_form(pair, tmp_path):
    down = closed_port()
    url = url_of(down, pair.standby, pair.primary)
    env = {"MEDIA_ROOT": str(tmp_path / "media")}
    manage("migrate", "--verbosity=0", url=url, **env)  # writes: only the primary takes them
    # The standby stops replaying: from now on only the primary has what is written, so the
    # archive can only hold it if pg_dump went to the primary, not the first server listed.
    sql(pair, pair.standby, "SELECT pg_wal_replay_pause()")
    sql(pair, pair.primary, "UPDATE agencies_agency SET name = 'Dari primer' "
        "WHERE code = 'dinas-kesehatan'")  # fmt: skip
    archive = tmp_path / "cadangan.tar"
    out = manage("backup", f"--output={archive}", url=url, **env)
    assert "Cadangan tersimpan" in out
    sql(pair, pair.primary, "UPDATE agencies_agency SET name = 'Dirusak'")

    # The same servers by their Unix sockets, in the query-string form (`?host=…&port=…`).
    sockets = (
        f"postgresql:///postgres?host={pair.folder},{pair.folder}"
        f"&port={pair.standby},{pair.primary}&user=postgres&target_session_attrs=read-write"
    )
    out = manage("restore", str(archive), "--yes", url=sockets, **env)
    assert "Dipulihkan" in out
    assert sql(pair, pair.primary, AGENCY_NAME) == [("Dari primer",)]
    # Not on the standby: it never took a write (it cannot) and still replays nothing.
    assert sql(pair, pair.standby, "SELECT pg_is_in_recovery()") == [(True,)]
