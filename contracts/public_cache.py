"""Aggregates of the data (facet counts, totals, figures, matrices) cached until it changes.

Every write that can change what anyone sees goes through the completeness refresh, which
calls `changed()`: a new data version. Cached entries carry the version in their key, so one
change retires all of them at once, with no list of keys to chase. The cache is PostgreSQL
(an unlogged table), shared by every worker and, being in the same database, transactional:
a rolled-back change rolls its new version back too.

There are two versions. Public pages follow the public one, which only changes with what the
public can see; the supervisors' pages, which count drafts too, follow both it and a draft
version that changes when only drafts do. An operator working on a draft does not make every
citizen's next page a cold one.
"""

import hashlib
import uuid

from django.core.cache import cache

PUBLIC = "publik"
INTERNAL = "internal"  # the supervisors' pages: public and drafts' versions together
DRAFTS = "draf"
TIMEOUT = 6 * 3600


def _key(scope):
    return f"data:versi:{scope}"


def version(scope=PUBLIC):
    """The public data version; with INTERNAL, the public and the drafts' versions together."""
    names = [PUBLIC, DRAFTS] if scope == INTERNAL else [PUBLIC]
    found = cache.get_many([_key(name) for name in names])
    for name in names:
        if _key(name) not in found:
            cache.add(_key(name), uuid.uuid4().hex, None)
            found[_key(name)] = cache.get(_key(name))
    return "-".join(found[_key(name)] for name in names)


def changed(*, public=True):
    """A new data version: the public one, or only the drafts' when only drafts changed."""
    cache.set(_key(PUBLIC if public else DRAFTS), uuid.uuid4().hex, None)


def remember(name, parts, compute, *, scope=PUBLIC):
    """`compute()`'s value for `parts` at the current data version, computed once."""
    digest = hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()
    key = f"{name}:{version(scope)}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


def fragment_key(*parts, scope=PUBLIC):
    """A key for a `{% cache %}` fragment: the data version and a digest of what shapes it."""
    digest = hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()
    return f"{version(scope)}:{digest}"
