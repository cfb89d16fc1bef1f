"""Public reads to a read replica, everything else to the primary (settings.DATABASE_ROUTERS).

A read goes to a replica only when all of these hold (opendata_kontrak/replicas.py keeps the
request's state and the replicas' health):
- it happens inside a web request (jobs, commands and shells read the primary);
- the request has not written, is not pinned to the primary (an unsafe method, a signed-in
  user, the pin cookie of a recent write) and no transaction is open on default (a read inside
  `atomic()`, `select_for_update()` included, must see the transaction's own rows);
- the model is public data: not the cache table (UNLOGGED: a standby refuses to read it), not
  sessions, accounts, permissions, sign-in lockouts, second-step devices, the admin's log or
  the job queue, which decide who may do what and must never be behind;
- some replica answers and is not lagging beyond DATABASE_REPLICA_MAX_LAG_SECONDS.
Every write goes to the primary, and marks the request as having written; only the primary is
migrated. Raw SQL through `django.db.connection` is the primary's already (the rate counters).
"""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from opendata_kontrak import replicas

# Apps whose tables are read from the primary only.
PRIMARY_APPS = frozenset(
    {
        "django_cache",  # DatabaseCache's CacheEntry: an UNLOGGED table
        "sessions",
        "auth",
        "contenttypes",
        "admin",
        "axes",
        "otp_totp",
        "otp_static",
        "django_otp",
        "procrastinate",
    }
)
# Writes that do not make a request "one that wrote": bookkeeping every visitor may cause
# (a cache fill, a session touched, a rate counter), not data anyone will look for next.
BOOKKEEPING_APPS = frozenset({"django_cache", "sessions"})
BOOKKEEPING_MODELS = frozenset({"opendata.ratecounter"})


def _label(model):
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _primary_only(model):
    return model._meta.app_label in PRIMARY_APPS or _label(model) in {
        settings.AUTH_USER_MODEL.lower(),
        "opendata.ratecounter",
    }


def _primary(hints):
    """The primary's alias for this query: the one a row came from when it came from a primary
    alias (`progress` is the primary too, on a connection of its own), else `default`."""
    instance = hints.get("instance")
    db = getattr(getattr(instance, "_state", None), "db", None)
    if db and not db.startswith(replicas.PREFIX):
        return db
    return DEFAULT_DB_ALIAS


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        state = replicas.current()
        if state is None:
            return None  # not a request: Django's own choice, exactly as without replicas
        if (
            state.primary
            or state.wrote
            or _primary_only(model)
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return _primary(hints)
        instance = hints.get("instance")
        if instance is not None and instance._state.db:
            return instance._state.db  # related rows from where their row came from
        if state.replica is None:
            state.replica = replicas.choose() or DEFAULT_DB_ALIAS
        return state.replica

    def db_for_write(self, model, **hints):
        state = replicas.current()
        if state is not None and not (
            model._meta.app_label in BOOKKEEPING_APPS or _label(model) in BOOKKEEPING_MODELS
        ):
            state.wrote = True
        return _primary(hints)  # a row read from a replica is written to the primary

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, several copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db.startswith(replicas.PREFIX):
            return False  # a standby follows its primary; it is never migrated itself
        return None
