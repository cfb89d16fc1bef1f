"""The embedded PostgreSQL: started on first use, found running by the next process, stopped."""

import subprocess
import sys

import psycopg

from opendata_kontrak import embedded_db


def connect(params):
    return psycopg.connect(
        host=params["HOST"], port=params["PORT"], user=params["USER"], dbname=params["NAME"]
    )


def test_started_shared_and_stopped(tmp_path):
    pgdata = tmp_path / "pgdata"
    try:
        params = embedded_db.ensure_running(pgdata)
        assert embedded_db.is_running(pgdata)
        with connect(params) as conn:
            assert conn.execute("SELECT current_database()").fetchone()[0] == "opendata_kontrak"
            # Extensions the search of later issues relies on ship with these binaries.
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            conn.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
            conn.execute("CREATE TABLE marker (note text)")
            conn.execute("INSERT INTO marker VALUES ('dari proses pertama')")
            conn.commit()
        pid = (pgdata / "postmaster.pid").read_text().split()[0]

        # Another process finds the same server running instead of starting its own.
        other = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys, pathlib; from opendata_kontrak import embedded_db; "
                "p = embedded_db.ensure_running(pathlib.Path(sys.argv[1])); print(p['HOST'])",
                str(pgdata),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert other.returncode == 0, other.stderr
        assert other.stdout.strip() == params["HOST"]
        assert (pgdata / "postmaster.pid").read_text().split()[0] == pid
        # Only a Unix socket: no TCP address to reach from the network.
        assert params["HOST"].startswith("/")

        assert embedded_db.stop(pgdata) is True
        assert not embedded_db.is_running(pgdata)
        assert embedded_db.stop(pgdata) is False

        # Started again, the data is still there.
        with connect(embedded_db.ensure_running(pgdata)) as conn:
            assert conn.execute("SELECT note FROM marker").fetchone()[0] == "dari proses pertama"
    finally:
        embedded_db.stop(pgdata)
