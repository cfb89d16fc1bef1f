"""Shared state on a real Redis when REDIS_URL is set, on PostgreSQL when not: the cache, the rate
counters and the recompute locks; what a Redis outage does (pages still answer, /readyz names the
cache and stays 200)."""

import datetime
import json
import time

import pytest
from django.core.cache import cache
from django.db import connection

import contracts.views  # noqa: F401 (registers the pages' computations)
from agencies.models import Agency
from contracts import public_cache
from contracts.models import Status
from opendata import ratelimit
from opendata.models import RateCounter
from tests.conftest import redis_caches
from tests.factories import make_process
from tests.test_faults import closed_port
from tests.test_settings import SOME_SERVER, run_python

pytestmark = pytest.mark.django_db


def published(year, title):
    agency = Agency.objects.get(code="dinas-kesehatan")
    return make_process(
        agency,
        fiscal_year=year,
        title=title,
        status=Status.PUBLISHED,
        published_at=datetime.datetime(2020, 3, 2, tzinfo=datetime.UTC),
    )


def cache_table_keys():
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM portal_cache")
        return [row[0] for row in cursor.fetchall()]


def test_with_redis_the_pages_cache_lives_in_redis_not_in_the_table(client, redis_cache):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM portal_cache")  # undone with the test's transaction
    published(2019, "Pengadaan obat puskesmas 2019")
    response = client.get("/paket/?tahun=2019")
    assert response.status_code == 200
    assert b'data-count="1"' in response.content
    keys = {key.decode() for key in redis_cache.keys("*")}
    assert any(key.startswith("portal:1:daftar:") for key in keys)  # the summary
    assert "portal:1:data:versi:publik:2019" in keys  # the year's version
    assert any("template.cache.daftar_kartu" in key for key in keys)  # the rendered cards
    assert cache_table_keys() == []


def test_without_redis_the_pages_cache_lives_in_the_table(client, redis_server):
    import redis

    watcher = redis.Redis.from_url(redis_server)
    watcher.flushdb()
    published(2019, "Pengadaan obat puskesmas 2019")
    assert client.get("/paket/?tahun=2019").status_code == 200
    assert any(":daftar:" in key for key in cache_table_keys())
    assert watcher.keys("*") == []


def verdicts(scope, key, hits):
    return [
        (verdict.allowed, verdict.limit, verdict.remaining)
        for verdict in (ratelimit.hit(scope, key, limit=3, window=60) for _ in range(hits))
    ]


# Three allowed per window, the fourth and fifth refused; another key counts apart.
EXPECTED = [(True, 3, 2), (True, 3, 1), (True, 3, 0), (False, 3, 0), (False, 3, 0)]


@pytest.mark.parametrize("backend", ["postgresql", "redis"])
def test_the_rate_limit_gives_the_same_verdicts_on_both_backends(backend, request):
    if backend == "redis":
        request.getfixturevalue("redis_cache")
    assert verdicts("uji", "192.0.2.1", 5) == EXPECTED
    assert verdicts("uji", "192.0.2.2", 1) == EXPECTED[:1]
    assert verdicts("lain", "192.0.2.1", 1) == EXPECTED[:1]
    retry = ratelimit.hit("uji", "192.0.2.1", limit=3, window=60).retry_after
    assert 0 < retry <= 60


def test_with_redis_the_counters_live_in_redis_with_their_window(
    redis_cache, one_rate_limit_window
):
    verdicts("uji", "192.0.2.1", 2)
    start = int(one_rate_limit_window.timestamp()) // 60 * 60
    key = f"portal:1:laju:uji:192.0.2.1:{start}"
    assert int(redis_cache.get(key)) == 2
    assert 0 < redis_cache.ttl(key) <= 61  # gone with its window: nothing to sweep
    assert not RateCounter.objects.exists()


def test_the_api_refuses_past_its_limit_counted_in_redis(client, redis_cache, settings):
    settings.API_RATE_LIMIT = (2, 60)
    answers = [client.get("/api/v1/").status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    assert redis_cache.keys("portal:1:laju:api:*")


def test_with_redis_the_recompute_lock_is_a_redis_key(
    redis_cache, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_CACHE_SERVE_STALE = True
    computed = []

    def compute():
        computed.append(1)
        return len(computed)

    assert public_cache.remember("uji-kunci", [1], compute, years={2019}) == 1
    with django_capture_on_commit_callbacks(execute=True):
        public_cache.changed(years={2019})
    # Another process (another server) holds the lock: this one is served the stale value.
    assert cache.add(public_cache.lock_key("uji-kunci", [1], years={2019}), "lain", 60)
    assert redis_cache.keys("portal:1:kunci:uji-kunci:*")
    assert public_cache.remember("uji-kunci", [1], compute, years={2019}) == 1
    assert computed == [1]
    cache.delete(public_cache.lock_key("uji-kunci", [1], years={2019}))
    # The lock free, a closure is recomputed in the request that takes it.
    assert public_cache.remember("uji-kunci", [1], compute, years={2019}) == 2
    assert not redis_cache.keys("portal:1:kunci:*")


def test_with_redis_stopped_pages_answer_and_readyz_reports_the_cache_but_stays_ready(
    client, settings
):
    published(2019, "Pengadaan obat puskesmas 2019")
    settings.CACHES = redis_caches(f"redis://127.0.0.1:{closed_port()}/0")
    started = time.monotonic()
    response = client.get("/paket/?tahun=2019")
    assert response.status_code == 200  # computed, not read: slower, not broken
    assert b'data-count="1"' in response.content
    assert client.get("/?tahun=2019").status_code == 200
    ready = client.get("/readyz")
    # Pages answer, so the server stays in rotation: a 503 here would take every app server
    # out at once. The cache is named, with a value that is not "ok".
    assert ready.status_code == 200
    assert ready.json() == {
        "basis_data": "ok",
        "cache": "Cache tidak dapat dijangkau; halaman dilayani tanpa cache.",
        "penyimpanan": "ok",
    }
    assert time.monotonic() - started < 20
    # The rate limit lets requests through rather than refusing every one.
    assert ratelimit.hit("uji", "192.0.2.9", limit=1, window=60).allowed


def test_with_redis_hung_a_page_fails_over_to_computing_within_the_socket_timeout(client, settings):
    """A Redis that accepts connections and never answers costs each lookup its 1 s timeout."""
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    try:
        settings.CACHES = redis_caches(f"redis://127.0.0.1:{server.getsockname()[1]}/0")
        started = time.monotonic()
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["cache"] == "Cache tidak dapat dijangkau; halaman dilayani tanpa cache."
        assert time.monotonic() - started < 5
    finally:
        server.close()


def test_redis_url_puts_the_cache_on_redis_with_short_timeouts(tmp_path):
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.CACHES['default']))"
    )
    base = {"DATABASE_URL": SOME_SERVER, "PORTAL_VAR_DIR": str(tmp_path)}
    with_redis = run_python(code, {**base, "REDIS_URL": "redis://cache.internal:6379/2"})
    assert with_redis.returncode == 0, with_redis.stderr
    configured = json.loads(with_redis.stdout)
    assert configured["BACKEND"] == "opendata_kontrak.redis_cache.ForgivingRedisCache"
    assert configured["LOCATION"] == "redis://cache.internal:6379/2"
    assert configured["OPTIONS"]["socket_timeout"] <= 2
    assert configured["OPTIONS"]["socket_connect_timeout"] <= 2
    without = json.loads(run_python(code, base).stdout)
    assert without["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
