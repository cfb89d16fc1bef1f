"""Aggregates of the data (facet counts, totals, figures, matrices) cached until it changes.

Every write that can change what anyone sees goes through the completeness refresh, which
calls `changed()`: a new data version. Cached entries carry the version in their key, so one
change retires all of them at once, with no list of keys to chase. The cache is PostgreSQL
(an unlogged table), shared by every worker and, being in the same database, transactional:
a rolled-back change rolls its new version back too.
"""

import hashlib
import uuid

from django.core.cache import cache

VERSION_KEY = "data:versi"
TIMEOUT = 6 * 3600


def version():
    current = cache.get(VERSION_KEY)
    if current is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        current = cache.get(VERSION_KEY)
    return current


def changed():
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def remember(name, parts, compute):
    """`compute()`'s value for `parts` at the current data version, computed once."""
    digest = hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()
    key = f"{name}:{version()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


def fragment_key(*parts):
    """A key for a `{% cache %}` fragment: the data version and a digest of what shapes it."""
    digest = hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()
    return f"{version()}:{digest}"
