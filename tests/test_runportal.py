"""`make run`'s command from an empty data folder: it serves, and Ctrl-C stops everything."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from opendata_kontrak import embedded_db

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url, process, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "runportal exited early"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                return response.status, response.read().decode()
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {seconds} s")


@pytest.mark.once
def test_runportal_sets_up_serves_and_stops_cleanly(tmp_path):
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_ENV", "PORTAL_BASE_URL", "EMAIL_URL", "EMAIL_HOST"}
    }
    env["PORTAL_VAR_DIR"] = str(tmp_path / "var")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runportal", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # Its own process group, as a terminal gives `make run`: Ctrl-C reaches the whole group.
        start_new_session=True,
    )
    pgdata = tmp_path / "var" / "pgdata"
    try:
        status, html = wait_for(f"http://127.0.0.1:{port}/perangkat-daerah/", process)
        assert status == 200
        assert html.count('class="agency-list__item"') == 74
        assert embedded_db.is_running(pgdata)
        # The links written into the data name the address served (`make run PORT=…`).
        status, body = wait_for(f"http://127.0.0.1:{port}/api/v1/paket/?per_halaman=1", process)
        ocid = json.loads(body)["results"][0]["ocid"]
        status, body = wait_for(f"http://127.0.0.1:{port}/ocds/{ocid}/", process)
        policy = json.loads(body)["publicationPolicy"]
        assert policy.startswith(f"http://127.0.0.1:{port}/"), policy

        os.killpg(process.pid, signal.SIGINT)
        # Workers finish their job first (up to 10 s each), gunicorn its requests, then the
        # database stops.
        output, _ = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        embedded_db.stop(pgdata)

    assert "demo-operator-pu" in output
    # Without a mail server, where the alerts and receipts are written instead.
    assert f"ditulis sebagai berkas di {tmp_path / 'var' / 'mail'}/" in output
    assert "Shutting down: Master" in output
    # The job queue's worker is named at start, and its exit on Ctrl-C is no death to mend.
    assert "1 proses antrean, dijalankan lagi bila berhenti" in output
    assert "dijalankan lagi." not in output
    assert not embedded_db.is_running(pgdata)
