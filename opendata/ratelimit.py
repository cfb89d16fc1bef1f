"""Fixed-window rate limits kept where every gunicorn worker (on every machine) counts the same
hits: PostgreSQL, or Redis when the cache is there (REDIS_URL).

One round trip per request. In PostgreSQL an upsert that returns the window's count; the table
is unlogged (counters need no crash safety) and old windows are swept now and then. In Redis an
INCR and an EXPIRE of the window's key in one transaction (MULTI/EXEC), so a key never outlives
its window; a Redis that cannot be reached lets the request through (logged): a rate limit that
fails closed would turn a cache outage into an outage of every form and of the API.
"""

import datetime
import logging
import random
from dataclasses import dataclass

from django.core.cache import caches
from django.db import connection
from django.utils import timezone
from redis.exceptions import RedisError

# Whose hits a request counts as (moved below the apps: agencies' sign-in needs it too).
from opendata_kontrak.addresses import client_address as client_address

logger = logging.getLogger(__name__)

UPSERT = """
INSERT INTO opendata_ratecounter (key, window_start, hits) VALUES (%s, %s, 1)
ON CONFLICT (key, window_start) DO UPDATE SET hits = opendata_ratecounter.hits + 1
RETURNING hits
"""
SWEEP = "DELETE FROM opendata_ratecounter WHERE window_start < %s"


@dataclass
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int


def hit(scope, key, *, limit, window):
    """Count one request of `key` in `scope`; allowed while at most `limit` per `window` s."""
    now = timezone.now()
    start = int(now.timestamp()) // window * window
    backend = caches["default"]
    if hasattr(backend, "client"):  # Redis (opendata_kontrak.redis_cache)
        hits = _redis_hits(backend, f"laju:{scope}:{key}:{start}", window)
    else:
        window_start = datetime.datetime.fromtimestamp(start, tz=datetime.UTC)
        with connection.cursor() as cursor:
            cursor.execute(UPSERT, [f"{scope}:{key}", window_start])
            hits = cursor.fetchone()[0]
            if hits == 1 and random.random() < 0.01:  # noqa: S311 (not security: housekeeping)
                cursor.execute(SWEEP, [now - datetime.timedelta(days=1)])
    return Verdict(
        allowed=hits <= limit,
        limit=limit,
        remaining=max(limit - hits, 0),
        retry_after=start + window - int(now.timestamp()),
    )


def _redis_hits(backend, name, window):
    """The window's count after this hit (1 when Redis cannot be reached: let through)."""
    key = backend.make_and_validate_key(name)
    try:
        pipeline = backend.client(key).pipeline(transaction=True)
        pipeline.incr(key)
        pipeline.expire(key, window + 1)  # +1: the window's last second is still counted
        hits, _ = pipeline.execute()
    except RedisError as error:
        logger.warning("Penghitung laju di Redis tidak dapat dijangkau: %r", error)
        return 1
    return hits
