"""Fixed-window rate limits kept where every gunicorn worker (on every machine) counts the same
hits: PostgreSQL, or Redis when the cache is there (REDIS_URL).

One round trip per request. In PostgreSQL an upsert that returns the window's count; the table
is unlogged (counters need no crash safety) and old windows are swept now and then. In Redis an
INCR and an EXPIRE of the window's key in one transaction (MULTI/EXEC), so a key never outlives
its window; a Redis that cannot be reached lets the request through (logged): a rate limit that
fails closed would turn a cache outage into an outage of every form and of the API.
"""

import datetime
import ipaddress
import logging
import random
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.utils import timezone
from redis.exceptions import RedisError

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


def client_address(request):
    """The client's address as the nearest hop we do not trust saw it.

    Each trusted proxy appends the address it received the request from to X-Forwarded-For, so
    the header is read from the right, only as far as trusted proxies wrote it: whatever lies
    further left the client may have written itself. With no proxy trusted (the default) the
    header is ignored. settings.TRUSTED_PROXIES is a count (that many proxies in front, each
    appending one entry) or a tuple of networks (hops from these addresses are believed).
    """
    peer = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXIES
    if not trusted:
        return peer[:100]
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if isinstance(trusted, int):
        # Fewer entries than proxies: the request did not come the way configured, so nothing
        # in the header is known to be a proxy's.
        return (forwarded[-trusted] if len(forwarded) >= trusted else peer)[:100]
    chain = [*forwarded, peer]
    address = chain.pop()
    while chain and _within(address, trusted):
        if _parse(chain[-1]) is None:
            break  # not an address a proxy would write
        address = chain.pop()
    return address[:100]


def _parse(address):
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None


def _within(address, networks):
    parsed = _parse(address)
    return parsed is not None and any(parsed in network for network in networks)


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
