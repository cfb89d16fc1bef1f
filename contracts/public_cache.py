"""Aggregates of the data (facet counts, totals, figures, matrices) cached until it changes.

Every write that can change what anyone sees goes through the completeness refresh, which
calls `changed()`: a new data version. Cached values are stored with the versions they were
computed at, so one change retires all of them at once, with no list of keys to chase.

Versions per fiscal year. A change names the fiscal years it touched (`changed(years={2019})`)
and retires only what covers them: a value or fragment names the years it covers (`years=` of
`remember()` and `fragment_key()`) and reads only their versions. What covers every year (a
page with no year filter, an agency's figures over the years) reads the "every year" version,
which every public change moves; a change that does not know its years (`years=None`) moves the
general version, which every value reads: it retires everything, as before.

Two scopes. Public pages follow the public versions, which only change with what the public can
see; the supervisors' pages, which count drafts too, follow them and a draft version that changes
when only drafts do. An operator working on a draft does not make every citizen's next page a
cold one.

Stale while revalidating. A value whose versions moved is still served, at once, to every
visitor, while one process computes the new one: the first to take the recompute lock
(`cache.add`, atomic on both backends) defers a job (contracts.tasks.recompute_cached) when the
computation is registered by name (`@computation`: parts as JSON can re-create it in a worker),
or computes it in its own request when it is a closure; the others get the stale value. Only a
value never computed (or evicted) is computed in the visitor's request. PUBLIC_CACHE_SERVE_STALE
= False computes every retired value in the request that finds it (what a test of "the page shows
the change at once" wants).

Nothing stale is kept as fresh. A request that was served a stale value counts it (a ContextVar,
reset when each request starts: `served_stale()`), and what it builds from it is not stored under
the new versions, where it would outlive the recompute by hours: a template fragment
(`{% cache_data %}`, contracts/templatetags/data_cache.py, keyed by `fragment_key`) whose
request was served anything stale is rendered but not stored, and a value whose computation was
served a stale one is stored as retired (served stale to the next visitor, recomputed again).
The fragments' rows are rendered anew in the request: they are one page of rows, not aggregates.

The cache is PostgreSQL (an unlogged table, in the same database and so transactional: a
rolled-back change rolls its new version back too) or, with REDIS_URL, Redis, which is not:
there a version moves only when the change's transaction commits (`transaction.on_commit`).
"""

import hashlib
import importlib
import json
import logging
import time
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.signals import request_started
from django.db import transaction

from opendata_kontrak import replicas

logger = logging.getLogger(__name__)

PUBLIC = "publik"
INTERNAL = "internal"  # the supervisors' pages: public and drafts' versions together
DRAFTS = "draf"
EVERY_YEAR = "semua"  # moved by every public change: what covers every fiscal year reads it
# When the public data last changed (a Unix time), written once the change has committed, and
# only where there are read replicas: for DATABASE_REPLICA_MAX_LAG_SECONDS after it, a request
# that reads the versions reads the primary (a standby may not have the change yet, and what
# the request computes is cached under the new version).
CHANGED_AT = "data:diubah-pada"
TIMEOUT = 6 * 3600
# How long one process holds the right to recompute a retired value (seconds). A job that never
# runs (no worker) frees it after this long; the next visitor then computes in its request.
LOCK_SECONDS = 120

# How many stale values this request (this context) was served; reset as each request starts.
_stale_served = ContextVar("public_cache_stale_served", default=0)
# The versions of a value whose computation was served a stale one: never current.
RETIRED = "usang"

# name -> function(parts) for values a worker can recompute from their JSON-able parts, and
# name -> the module that registers it (which a worker imports first).
COMPUTATIONS = {}
MODULES = {}


def computation(name):
    """Register `function(parts)` as the computation of the values cached under `name`.

    `parts` arrive as JSON gives them back (lists for tuples), so the function must accept that.
    """

    def register(function):
        COMPUTATIONS[name] = function
        MODULES[name] = function.__module__
        return function

    return register


def served_stale():
    """How many stale values the current request has been served so far (0: none)."""
    return _stale_served.get()


def _serve_stale(value):
    _stale_served.set(_stale_served.get() + 1)
    return value


def _new_request(**kwargs):
    _stale_served.set(0)


# A thread of the app server serves one request after another in the same context.
request_started.connect(_new_request, dispatch_uid="public_cache_stale_served")


def _key(name, year=None):
    return f"data:versi:{name}" if year is None else f"data:versi:{name}:{year}"


def _years(years):
    """`years` as a sorted list of ints (None stays None: every year; a None inside, a page of
    no year, covers none)."""
    return None if years is None else sorted({int(year) for year in years if year is not None})


def _names(scope, years):
    names = [CHANGED_AT] if replicas.replica_aliases() else []
    names.append(_key(PUBLIC))
    if years is None:
        names.append(_key(PUBLIC, EVERY_YEAR))
    else:
        names.extend(_key(PUBLIC, year) for year in _years(years))
    if scope == INTERNAL:
        names.append(_key(DRAFTS))
    return names


def version(scope=PUBLIC, *, years=None, found=None):
    """The versions a value covering `years` (None: every year) depends on, as one string.

    `found`: what a caller's own `get_many` already read of them. A cache that cannot be
    reached gives a fresh random version: nothing cached matches it, so every value is computed
    (the page is slower, not broken).
    """
    names = _names(scope, years)
    found = cache.get_many(names) if found is None else found
    if names[0] == CHANGED_AT:
        replicas.read_primary_if_changed_since(found.get(CHANGED_AT))
        names = names[1:]
    for name in names:
        if name not in found:
            cache.add(name, uuid.uuid4().hex, None)
            found[name] = cache.get(name) or uuid.uuid4().hex
    return "-".join(found[name] for name in names)


def changed(*, public=True, years=None):
    """A new data version: the public one of `years` (None: unknown, so all), or only the
    drafts' when only drafts changed. With Redis, once the current transaction commits."""
    if not public:
        names = [_key(DRAFTS)]
    elif years is None:
        names = [_key(PUBLIC)]
    else:
        names = [_key(PUBLIC, EVERY_YEAR), *(_key(PUBLIC, year) for year in _years(years))]

    def move():
        cache.set_many({name: uuid.uuid4().hex for name in names}, None)

    if _transactional():
        move()  # rolled back with the change itself
    else:
        transaction.on_commit(move, robust=True)
    if public and replicas.replica_aliases():
        # When it commits (a long import commits minutes after its first change).
        transaction.on_commit(lambda: cache.set(CHANGED_AT, time.time(), None), robust=True)


def _transactional():
    """Whether the cache is the database's own table (written in the change's transaction)."""
    return isinstance(caches["default"], DatabaseCache)


def _entry_key(name, parts, years, scope):
    shape = json.dumps(
        [parts, _years(years), scope],
        default=repr,
        sort_keys=True,
    )
    digest = hashlib.sha1(shape.encode(), usedforsecurity=False).hexdigest()
    return f"{name}:{digest}"


def remember(name, parts, compute=None, *, scope=PUBLIC, years=None, stale=True):
    """The value for `parts` at the current versions of `years` (None: every year).

    `compute()` computes it; without `compute`, the computation registered under `name`, given
    `parts`. The value is stored as (versions, value); a retired one is served stale while one
    process recomputes it (see the module's docstring). `stale=False`: a retired value is
    computed in this request (when the caller sees the stale one contradict what it shows).

    One value serves every language (its key has none; a worker recomputes it in none): it
    holds numbers, codes, names from the data and lazy labels (`gettext_lazy`, translated when
    a page shows them), never text translated already; such text goes in a `{% cache_data %}`
    fragment, whose key carries the language.
    """
    if compute is None:
        registered = COMPUTATIONS[name]

        def compute():
            return registered(parts)

    key = _entry_key(name, parts, years, scope)
    found = cache.get_many([*_names(scope, years), key])  # the versions and the value: one read
    current = version(scope, years=years, found=found)
    entry = found.get(key)
    if entry is not None and entry[0] == current:
        return entry[1]
    if entry is None or not settings.PUBLIC_CACHE_SERVE_STALE or not stale:
        return _store(key, current, compute)
    lock = lock_key(name, parts, years=years, scope=scope)
    if not cache.add(lock, current, LOCK_SECONDS):
        return _serve_stale(entry[1])  # another process is recomputing it: stale meanwhile
    if name in COMPUTATIONS and _defer(name, parts, years, scope, key):
        return _serve_stale(entry[1])
    try:  # a closure (or a queue that is not keeping up): computed here, the others wait stale
        return _store(key, current, compute)
    finally:
        cache.delete(lock)


def lock_key(name, parts, *, years=None, scope=PUBLIC):
    """The cache key whose holder recomputes the value of `name` and `parts` (`cache.add`)."""
    return f"kunci:{_entry_key(name, parts, years, scope)}"


def _store(key, current, compute):
    """`compute()` stored under the versions `current`; under none current when computing it
    was served a stale value (an API answer with a stale count in it): kept for the visitors
    meanwhile, and computed again by the next one to take the lock."""
    before = served_stale()
    value = compute()
    cache.set(key, (current if served_stale() == before else RETIRED, value), TIMEOUT)
    return value


def _defer(name, parts, years, scope, key):
    """Queue the recompute; False when one is already waiting in the queue since an earlier
    lock expired (the queue is not keeping up: the caller computes it itself)."""
    from procrastinate import exceptions

    from contracts.tasks import recompute_cached

    try:
        recompute_cached.configure(queueing_lock=f"cache:{key}").defer(
            name=name,
            module=MODULES[name],
            parts=parts,
            years=_years(years),
            scope=scope,
        )
    except exceptions.AlreadyEnqueued:
        return False
    return True


def recompute(*, name, module, parts, years, scope):
    """A worker's recompute of a registered value (contracts.tasks.recompute_cached): stored
    with the versions read before computing, so a change meanwhile retires it again."""
    importlib.import_module(module)  # registers the computation
    key = _entry_key(name, parts, years, scope)
    current = version(scope, years=years)
    try:
        _store(key, current, lambda: COMPUTATIONS[name](parts))
    finally:
        cache.delete(lock_key(name, parts, years=years, scope=scope))


def fragment_key(*parts, scope=PUBLIC, years=None):
    """A key for a `{% cache_data %}` fragment: the versions of `years` (None: every year) and a
    digest of what shapes it."""
    digest = hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()
    return f"{version(scope, years=years)}:{digest}"
