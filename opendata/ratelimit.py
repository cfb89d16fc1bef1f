"""Fixed-window rate limits kept in PostgreSQL, so every gunicorn worker counts the same hits.

One statement per request: an upsert that returns the window's count. The table is unlogged
(counters need no crash safety) and old windows are swept now and then.
"""

import datetime
import random
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

# Whose hits a request counts as (moved below the apps: agencies' sign-in needs it too).
from opendata_kontrak.addresses import client_address as client_address

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
