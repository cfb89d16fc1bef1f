"""The pieces of `make cluster` (scripts/cluster.py) that stand on their own: the configuration
it writes for PgBouncer, nginx and the portal's processes, and the report's verdict. The real
run, with every server and failure, is the make target itself (CI runs its short version)."""

import configparser
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from opendata_kontrak import nginx

ROOT = Path(__file__).resolve().parent.parent


def load_cluster():
    sys.path.insert(0, str(ROOT / "scripts"))
    spec = importlib.util.spec_from_file_location("cluster", ROOT / "scripts" / "cluster.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cluster = load_cluster()
PORTS = cluster.Ports(27000)


def test_ports_are_distinct_and_consecutive():
    names = ["primary", "standby", "bouncer", "redis", "s3", "nginx", "nginx_http", "app_a"]
    ports = [getattr(PORTS, name) for name in [*names, "app_b"]]
    assert ports == list(range(27000, 27009))


def test_pgbouncer_points_the_portal_database_at_the_primary_in_transaction_mode(tmp_path):
    ini = configparser.ConfigParser()
    ini.read_string(
        cluster.pgbouncer_ini(directory=tmp_path, listen_port=27002, primary_port=27000)
    )
    assert ini["pgbouncer"]["pool_mode"] == "transaction"
    assert ini["pgbouncer"]["listen_port"] == "27002"
    assert ini["pgbouncer"]["admin_users"] == "postgres"  # RELOAD on the admin console
    target = dict(item.split("=") for item in ini["databases"]["portal"].split())
    assert target == {"host": "127.0.0.1", "port": "27000", "dbname": "portal"}


def test_the_repointed_ini_names_the_new_primary_and_nothing_else_changes(tmp_path):
    before = cluster.pgbouncer_ini(directory=tmp_path, listen_port=27002, primary_port=27000)
    after = cluster.pgbouncer_ini(directory=tmp_path, listen_port=27002, primary_port=27001)
    changed = [
        (a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b
    ]
    assert changed == [
        (
            "portal = host=127.0.0.1 port=27000 dbname=portal",
            "portal = host=127.0.0.1 port=27001 dbname=portal",
        )
    ]


def test_web_servers_go_through_the_pooler_and_read_from_the_standby(tmp_path):
    env = cluster.portal_environment(PORTS, tmp_path, role="web")
    assert env["DATABASE_URL"] == "postgresql://postgres@127.0.0.1:27002/portal"
    assert env["DISABLE_SERVER_SIDE_CURSORS"] == "true"
    assert env["DATABASE_REPLICA_URLS"] == "postgresql://postgres@127.0.0.1:27001/portal"
    assert env["REDIS_URL"] == "redis://127.0.0.1:27003/0"
    assert env["S3_ENDPOINT_URL"] == "http://127.0.0.1:27004"
    assert env["DJANGO_ENV"] == "production"
    assert env["CSRF_TRUSTED_ORIGINS"] == env["PORTAL_BASE_URL"] == "https://127.0.0.1:27005"
    assert "DATABASE_REPLICA_URLS" not in cluster.portal_environment(
        PORTS, tmp_path, role="web", replica=False
    )


def test_workers_connect_directly_to_whichever_server_is_the_primary(tmp_path):
    env = cluster.portal_environment(PORTS, tmp_path, role="worker")
    assert "DISABLE_SERVER_SIDE_CURSORS" not in env  # they LISTEN: never through the pooler
    assert "DATABASE_REPLICA_URLS" not in env
    # libpq itself reads the URL as two hosts, tried in order, the writable one kept.
    params = psycopg.conninfo.conninfo_to_dict(env["DATABASE_URL"])
    assert params["host"] == "127.0.0.1,127.0.0.1"
    assert params["port"] == "27000,27001"
    assert params["target_session_attrs"] == "read-write"
    single = cluster.portal_environment(PORTS, tmp_path, role="worker", single_host=True)
    assert single["DATABASE_URL"] == "postgresql://postgres@127.0.0.1:27000/portal"
    with pytest.raises(ValueError, match="role"):
        cluster.portal_environment(PORTS, tmp_path, role="cron")


def test_the_web_environment_is_all_production_settings_ask_for(tmp_path):
    env = {**os.environ, **cluster.portal_environment(PORTS, tmp_path, role="web")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # Set in this process by the browser tests (Playwright beside Django), never by a deployment.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "ERROR"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_nginx_balances_both_app_servers(tmp_path):
    site = nginx.render_site(
        server_name="127.0.0.1 localhost",
        certificate=tmp_path / "c.crt",
        certificate_key=tmp_path / "c.key",
        upstream=["127.0.0.1:27007", "127.0.0.1:27008"],
    )
    block = site.split("upstream opendata_kontrak {", 1)[1].split("}", 1)[0]
    assert block.split() == ["server", "127.0.0.1:27007;", "server", "127.0.0.1:27008;"]
    with pytest.raises(ValueError, match="upstream"):
        nginx.render_site(
            server_name="localhost",
            certificate="c",
            certificate_key="k",
            upstream=["127.0.0.1:1", "127.0.0.1:2; include /etc/passwd"],
        )


# --- the verdict ------------------------------------------------------------------------------


def request(status, started, ended, who="warga", path="/paket/"):
    return cluster.Request(who, status, started, ended, path)


def events(**kwargs):
    return cluster.Events(
        **{"app_killed": [10.0], "primary_stopped": 50.0, "repointed": 52.0} | kwargs
    )


def test_the_failover_window_ends_at_the_first_success_begun_after_the_repoint():
    requests = [
        request(200, 51.0, 53.0),  # began before the repoint: does not close the window
        request(503, 52.5, 53.5),
        request(200, 53.0, 54.0),
        request(200, 53.5, 53.8),
    ]
    assert cluster.failover_window(requests, events()) == (50.0, 53.8)
    assert cluster.failover_window(requests[:2], events()) == (50.0, None)
    assert cluster.failover_window(requests, events(primary_stopped=None)) is None


def test_5xx_are_split_into_window_cut_by_the_kill_and_the_rest():
    requests = [
        request(503, 49.0, 50.5),  # in flight when the primary stopped: inside
        request(200, 53.0, 54.0),  # window ends at 54.0
        request(503, 53.0, 55.0),  # inside: began before the window closed, ended later
        request(503, 54.5, 55.0),  # began after the window closed: the rest
        request(502, 9.0, 10.5, who="operator", path="unggah"),  # in flight at the kill: cut
        request(502, 10.5, 10.6),  # began after the kill: nginx should have gone elsewhere
        request(500, 70.0, 70.1),  # after the window
    ]
    inside, cut, outside = cluster.classify_errors(requests, events())
    assert [r.started for r in inside] == [49.0, 53.0]
    assert [r.started for r in cut] == [9.0]
    assert [r.started for r in outside] == [54.5, 10.5, 70.0]


UPLOAD = request(302, 1.0, 2.0, who="operator", path="unggah")


def clean_run(**overrides):
    arguments = {
        "requests": [UPLOAD, request(200, 53, 54)],
        "events": events(),
        "lost": [],
        "mismatched": [],
        "cut_uploads_half": [],
        "probes": {"deferred": 20, "lost": [], "twice": []},
    }
    return cluster.verdict(**(arguments | overrides))


def failing_rows(rows):
    return [name for name, _, ok in rows if not ok]


def test_a_clean_run_passes():
    rows, passed = clean_run()
    assert passed and not failing_rows(rows)


@pytest.mark.parametrize(
    ("overrides", "failing"),
    [
        ({"lost": ["Uji beban 0-3"]}, ["unggahan hilang"]),
        ({"mismatched": ["Uji beban 1-2: DPA.pdf"]}, ["SHA-256 tidak cocok"]),
        ({"cut_uploads_half": ["Uji 2-1: half"]}, ["unggahan terputus yang tersimpan setengah"]),
        ({"probes": {"deferred": 5, "lost": ["tick-3"], "twice": []}}, ["tugas uji hilang"]),
        ({"probes": {"deferred": 5, "lost": [], "twice": ["x"]}}, ["tugas uji berjalan dua kali"]),
        ({"probes": {"deferred": 0, "lost": [], "twice": []}}, ["tugas uji ditunda"]),
        ({"requests": [request(200, 53, 54)]}, ["unggahan diterima"]),
        (
            {"requests": [UPLOAD, request(502, 9.5, 10.2)]},
            [
                "  di antaranya GET dijawab 5xx (nginx harus mengulang)",
                "jendela failover tidak selesai",
            ],
        ),
        (
            {"requests": [UPLOAD, request(200, 53, 54), request(500, 80, 81)]},
            ["5xx di luar jendela failover"],
        ),
    ],
)  # fmt: skip
def test_each_failure_fails_the_run_on_its_own_row(overrides, failing):
    rows, passed = clean_run(**overrides)
    assert not passed
    assert failing_rows(rows) == failing


def test_a_citizen_whose_answer_breaks_off_counts_a_failure_and_browses_on():
    """A server killed while nginx relays its answer cuts the body short: the citizen thread
    must record that request as failed (it is a GET nginx could not retry) and go on, not die
    and leave the report one failure short."""
    import socket
    import threading

    import loadtest

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    served = []

    def serve():
        while len(served) < 3:
            connection, _ = listener.accept()
            connection.recv(65536)
            # Promises 100 bytes, sends 10, hangs up.
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
            connection.close()
            served.append(True)

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    stop = threading.Event()
    tally = loadtest.Tally()
    citizen = threading.Thread(
        target=loadtest.citizen,
        args=(f"http://127.0.0.1:{port}", stop, ["/"], tally, __import__("random").Random(1)),
    )
    citizen.start()
    server.join(timeout=20)
    stop.set()
    # Closed before the join: a request the citizen began meanwhile is reset, not left waiting.
    listener.close()
    citizen.join(timeout=20)
    assert not citizen.is_alive()
    statuses = [status for status, _ in tally.rows["warga"]]
    assert len(statuses) >= 3
    assert set(statuses[:3]) == {loadtest.CUT}
    assert len(tally.server_errors) >= 3


def test_a_get_broken_off_mid_answer_at_the_kill_is_counted_not_failed():
    """nginx had relayed the answer's start when the server died: no proxy can retry it. A GET
    nginx answered 502 at the same moment fails the run (see above)."""
    broken = request(cluster.loadtest.CUT, 9.5, 10.2)
    rows, passed = clean_run(requests=[UPLOAD, request(200, 53, 54), broken])
    assert passed, failing_rows(rows)
    counts = {name: count for name, count, _ in rows}
    assert counts["  di antaranya GET putus di tengah jawaban"] == 1
    assert counts["  di antaranya GET dijawab 5xx (nginx harus mengulang)"] == 0
