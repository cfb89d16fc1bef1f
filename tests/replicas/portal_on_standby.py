"""The portal against a real primary and a real hot standby, run in a process of its own.

tests/replicas/test_streaming.py starts PostgreSQL 15 twice (a primary and a standby made with
pg_basebackup -R) and runs this script with DATABASE_URL = the primary and
DATABASE_REPLICA_URLS = the standby, so the settings build the aliases as a deployment's would
(the test process's own settings are fixed at start). Each step prints one JSON line; the test
asserts on them. Arguments: the standby's data directory and the pg_ctl to stop it with.

Why a script: the test suite's connections are to the embedded test database, wrapped in a
transaction; here the portal must commit on the primary and read what streamed to the standby.
"""

import json
import os
import subprocess
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opendata_kontrak.settings")
django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from agencies.models import Agency  # noqa: E402
from contracts import public_cache, services  # noqa: E402
from opendata_kontrak import replicas  # noqa: E402
from tests.factories import make_administrator, make_operator, make_process  # noqa: E402

STANDBY_DATA, PG_CTL = sys.argv[1], sys.argv[2]


def say(step, **facts):
    print(json.dumps({"step": step, **facts}), flush=True)


def standby_sql(sql, params=()):
    with connections["replica_1"].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def wait_for_standby(check, params=()):
    """Until the standby shows what `check` (SQL returning one boolean) looks for."""
    for _ in range(300):
        if standby_sql(check, params)[0]:
            return
        time.sleep(0.1)
    raise SystemExit(f"the standby never showed: {check}")


def fetch(client, path):
    """GET `path`: its status, its body, and how many queries each alias ran for it."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica_1"]) as standby,
    ):
        response = client.get(path, HTTP_HOST="localhost")
    body = response.content.decode(errors="replace")
    return response, body, len(primary.captured_queries), len(standby.captured_queries)


call_command("migrate", verbosity=0)
health = Agency.objects.get(code="dinas-kesehatan")
operator = make_operator(health, username="operator-dinkes")
admin = make_administrator(username="admin-portal")
package = make_process(health, title="Rehabilitasi Puskesmas Dander", fiscal_year=2018)
services.publish_process(process=package, by=operator)
say("setup", package=package.pk, ocid=package.ocid)
# Everything written so far (the package, its publication, its release) replayed there.
with connections["default"].cursor() as cursor:
    cursor.execute("SELECT pg_current_wal_lsn()::text")
    published_at = cursor.fetchone()[0]
wait_for_standby("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [published_at])
# Within DATABASE_REPLICA_MAX_LAG_SECONDS of a public change the pages read the primary
# (contracts.public_cache); here the publication is taken to be older than that.
cache.set(public_cache.CHANGED_AT, time.time() - 7200, None)

citizen = Client()
for path in ["/", "/paket/", f"/paket/{package.pk}/", "/perangkat-daerah/", "/api/v1/paket/"]:
    response, body, on_primary, on_standby = fetch(citizen, path)
    say(
        "citizen",
        path=path,
        status=response.status_code,
        primary=on_primary,
        standby=on_standby,
        shows_package=package.title in body,
        pinned=replicas.PIN_COOKIE in response.cookies,
    )
say(
    "standby-sessions",
    portal=standby_sql(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'portal-replika'"
    )[0],
)

# The standby stops replaying: from now on it shows the world as it was (lag grows).
standby_sql("SELECT pg_wal_replay_pause()")
Agency.objects.filter(pk=health.pk).update(name="Dinas Kesehatan Baru")
with connections["default"].cursor() as cursor:
    cursor.execute("SELECT pg_current_wal_lsn()::text")
    renamed_at = cursor.fetchone()[0]
# The rename's WAL reaches the standby and waits there, unreplayed.
wait_for_standby("SELECT pg_last_wal_receive_lsn() >= %s::pg_lsn", [renamed_at])
replicas.forget()
response, body, *_ = fetch(Client(), "/perangkat-daerah/")
say("paused-citizen", status=response.status_code, new_name="Dinas Kesehatan Baru" in body)

# An administrator signs in (a POST: the primary) and renames the agency in the admin.
staff = Client()
response = staff.post(
    "/admin/login/",
    {"username": "admin-portal", "password": "kata-sandi-uji-123"},
    HTTP_HOST="localhost",
)
say("signin", status=response.status_code, pinned=replicas.PIN_COOKIE in response.cookies)
response, body, on_primary, on_standby = fetch(staff, "/perangkat-daerah/")
say(
    "staff-reads",
    status=response.status_code,
    new_name="Dinas Kesehatan Baru" in body,
    standby=on_standby,
)

# A citizen's own write (any POST) pins that citizen to the primary for a while.
writer = Client()
response = writer.post("/langganan/ikuti/", {}, HTTP_HOST="localhost")
say("citizen-post", status=response.status_code, pinned=replicas.PIN_COOKIE in response.cookies)
response, body, on_primary, on_standby = fetch(writer, "/perangkat-daerah/")
say(
    "writer-reads",
    status=response.status_code,
    new_name="Dinas Kesehatan Baru" in body,
    standby=on_standby,
)
response, body, *_ = fetch(Client(), "/perangkat-daerah/")
say("other-citizen", status=response.status_code, new_name="Dinas Kesehatan Baru" in body)

# A tighter bound on lag: the paused standby is now too far behind and is skipped.
from django.conf import settings  # noqa: E402

settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 1
wait_for_standby("SELECT now() - pg_last_xact_replay_timestamp() > interval '1.5 seconds'")
replicas.forget()
response, body, on_primary, on_standby = fetch(Client(), "/perangkat-daerah/")
say(
    "lagging-skipped",
    status=response.status_code,
    new_name="Dinas Kesehatan Baru" in body,
    standby=on_standby,
    verdict=replicas._verdicts["replica_1"][2],
)

# The standby stops altogether, while this process still holds it for healthy and has a
# connection open to it: pages still answer, from the primary.
standby_sql("SELECT pg_wal_replay_resume()")
wait_for_standby("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [renamed_at])
settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 10
replicas.forget()
response, body, on_primary, on_standby = fetch(Client(), "/perangkat-daerah/")
say(
    "resumed",
    status=response.status_code,
    new_name="Dinas Kesehatan Baru" in body,
    standby=on_standby,
)
subprocess.run(
    ["runuser", "-u", "postgres", "--", PG_CTL, "-D", STANDBY_DATA, "-m", "immediate", "stop"],
    check=True,
    capture_output=True,
)
started = time.monotonic()
for path in ["/perangkat-daerah/", "/", "/paket/", f"/paket/{package.pk}/", "/api/v1/paket/"]:
    response = Client().get(path, HTTP_HOST="localhost")
    say("standby-down", path=path, status=response.status_code)
say(
    "standby-down-seconds",
    seconds=round(time.monotonic() - started, 2),
    verdict=replicas._verdicts["replica_1"][2],
)
