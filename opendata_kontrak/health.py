"""What a load balancer probes: `/healthz` (this process answers) and `/readyz` (it can serve:
database and file storage reachable; the cache reported, never deciding).

Both answer without the session, a template or the rate counters, are never cached, and are
outside the sitemap. `/readyz` catches each dependency's failure itself, so the outage
middleware's page never stands in for its JSON.
"""

import logging
import os
from pathlib import Path

from django.core.cache import cache, caches
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from opendata_kontrak import storage

logger = logging.getLogger(__name__)

# A query that takes longer than this is a database that cannot serve (milliseconds).
DATABASE_STATEMENT_TIMEOUT_MS = 2000
OK = "ok"
DOWN = {
    "basis_data": "Basis data tidak dapat dijangkau.",
    "cache": "Cache tidak dapat dijangkau; halaman dilayani tanpa cache.",
    "penyimpanan": "Penyimpanan berkas tidak dapat dijangkau.",
}
# Checks whose failure is reported but leaves the server ready. The cache is one: its backend
# forgives errors (redis_cache.py), so every page still answers, computed instead of read; a
# 503 for it would take every app server out of the load balancer's rotation at once for an
# outage that costs only speed.
REPORTED_ONLY = {"cache"}


@never_cache
@require_safe
def healthz(request):
    """200 "ok" (text/plain) while the process can answer; touches nothing else."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@never_cache
@require_safe
def readyz(request):
    """200 `{"basis_data": "ok", "cache": "ok", "penyimpanan": "ok"}` when every dependency
    answers; 503 with the same keys when the database or the file store fails, each failing
    one holding its Indonesian message instead of "ok". A failing cache holds its message too
    but the answer stays 200 (REPORTED_ONLY). Each check is bounded: the database by a statement
    timeout (and the connection's own connect timeout), the object store by its client's
    timeouts (opendata_kontrak.storage).
    """
    checks = {"basis_data": _database, "cache": _cache, "penyimpanan": _storage}
    answer = {}
    for name, check in checks.items():
        try:
            check()
        except Exception as error:  # any failure of a dependency is reported
            logger.error("Kesiapan: %s gagal: %r", name, error)
            answer[name] = DOWN[name]
        else:
            answer[name] = OK
    ready = all(value == OK for name, value in answer.items() if name not in REPORTED_ONLY)
    return JsonResponse(answer, status=200 if ready else 503)


def _database():
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL statement_timeout = {DATABASE_STATEMENT_TIMEOUT_MS}")
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache():
    check = getattr(caches["default"], "check", None)
    if check is not None:
        check()  # Redis: a PING, past the backend's forgiveness of errors (redis_cache.py)
        return
    # A key nobody writes: reading it costs one lookup and changes nothing.
    cache.get("kesiapan-portal")


def _storage():
    """Raise unless the file store can take a file.

    Object storage: one HEAD of the bucket itself through the storage's own client, so the
    client's timeouts and attempts bound it (opendata_kontrak.storage). A missing bucket (a
    typo in S3_BUCKET) is a 404 here, where the existence of a key would answer "no such
    file" and pass. Local storage: the media directory is a directory this process may write
    to; a missing one is made first, as the first upload would make it.
    """
    if not storage.is_local(default_storage):
        default_storage.connection.meta.client.head_bucket(Bucket=default_storage.bucket_name)
        return
    location = Path(default_storage.location)
    location.mkdir(parents=True, exist_ok=True)
    if not os.access(location, os.W_OK | os.X_OK):
        raise PermissionError(f"{location} tidak dapat ditulisi")
