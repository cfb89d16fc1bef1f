"""Read replicas: which are usable now, and which requests must read the primary.

Settings (opendata_kontrak/settings.py): `DATABASE_REPLICA_URLS` adds the aliases `replica_1`,
`replica_2`, …; the router (opendata_kontrak/db_router.py) asks this module two things:

- `usable_replicas()`: the replica aliases that answer and are at most
  `DATABASE_REPLICA_MAX_LAG_SECONDS` behind. Each is checked on a connection of its own with a
  short connect timeout, and the verdict kept in this process for
  `DATABASE_REPLICA_CHECK_SECONDS`, so a page costs no extra query and a dead standby costs one
  timeout per process every few seconds, not one per request.
- `current()`: the state of the web request this thread serves (`RequestState`), or None outside
  a request. Only requests read from replicas: a job, a management command or a shell reads the
  primary, since what they read they usually write back.

`PrimaryPinMiddleware` opens that state. A request reads the primary when it is not a GET/HEAD
(`unsafe` methods write), when its user is signed in (operators must see what they just saved),
when it carries the pin cookie of a recent write, or once it has written through the ORM. A
request that wrote leaves the pin cookie, signed, for `DATABASE_REPLICA_PIN_SECONDS`: the writer's
next pages read the primary even while the standby has not replayed the write yet.

The state lives in a ContextVar: each gunicorn gthread thread (and each asyncio task) sees its
own, so two requests served at once by one process never share a pin.
"""

import contextlib
import logging
import random
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass

import psycopg
from django.conf import settings
from django.core import signing
from django.db import InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

PREFIX = "replica_"
PIN_COOKIE = "odk_primary"
PIN_SALT = "opendata_kontrak.replicas.pin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# libpq rounds any connect_timeout below 2 up to 2 seconds.
CHECK_CONNECT_TIMEOUT_SECONDS = 2
CHECK_STATEMENT_TIMEOUT_MS = 2000

# One row: whether the server is a standby, whether it has replayed all it received, and the
# seconds since the last transaction it replayed was committed on the primary.
LAG_SQL = """
SELECT pg_is_in_recovery(),
       COALESCE(pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn(), false),
       EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8
"""


@dataclass
class RequestState:
    """What one request decided about reading: `primary` once it must read the primary, `wrote`
    once it wrote through the ORM (the response then sets the pin cookie), `replica` the alias
    it reads from, chosen at its first read and kept so one page never mixes two standbys."""

    primary: bool = False
    wrote: bool = False
    replica: str | None = None


_state: ContextVar[RequestState | None] = ContextVar("odk_replica_request", default=None)


def current():
    return _state.get()


@contextlib.contextmanager
def request_scope(*, primary=False):
    """The state of one request, for its duration; the middleware's, and tests' to act as one."""
    state = RequestState(primary=primary)
    token = _state.set(state)
    try:
        yield state
    finally:
        _state.reset(token)


def replica_aliases():
    """The configured replica aliases, in order. While Django's test runner runs, a replica is
    a test mirror of default (settings: TEST MIRROR): its own connection would not see the
    test's uncommitted rows, so there it is not a replica at all and reads stay on default."""
    aliases = sorted(alias for alias in settings.DATABASES if alias.startswith(PREFIX))
    if _testing():
        aliases = [a for a in aliases if not settings.DATABASES[a].get("TEST", {}).get("MIRROR")]
    return aliases


def _testing():
    from django.test.utils import _TestState

    return hasattr(_TestState, "saved_data")


# alias -> (checked at, usable, why); guarded by _lock, one check of an alias at a time.
_verdicts: dict[str, tuple[float, bool, str]] = {}
_lock = threading.Lock()
_checking: set[str] = set()


def forget():
    """Drop every kept verdict (tests; a deployment never needs it)."""
    with _lock:
        _verdicts.clear()


def judge(in_recovery, caught_up, lag_seconds, max_lag):
    """Whether a server that answered LAG_SQL may serve reads, and why not.

    Not in recovery: a primary (or a promoted standby) is never behind. Caught up (everything
    received is replayed): not behind however long ago the last write was, since an idle
    primary sends nothing to replay. Otherwise behind by the age of the last replayed commit;
    none replayed yet (just started) counts as too far behind.
    """
    if not in_recovery or caught_up:
        return True, "terkini"
    if lag_seconds is None:
        return False, "belum memutar ulang transaksi apa pun"
    if lag_seconds > max_lag:
        return False, f"tertinggal {lag_seconds:.1f} detik"
    return True, f"tertinggal {lag_seconds:.1f} detik"


def check(alias):
    """Ask the replica behind `alias` how far behind it is: (usable, why). Its own short-lived
    connection, so a dead server costs CHECK_CONNECT_TIMEOUT_SECONDS, and no request's
    connection is left half-open."""
    db = settings.DATABASES[alias]
    options = {
        key: value
        for key, value in db.get("OPTIONS", {}).items()
        if key in {"sslmode", "sslrootcert", "sslcert", "sslkey", "target_session_attrs"}
    }
    try:
        with psycopg.connect(
            dbname=db.get("NAME") or "",
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
            connect_timeout=CHECK_CONNECT_TIMEOUT_SECONDS,
            options=f"-c statement_timeout={CHECK_STATEMENT_TIMEOUT_MS}",
            autocommit=True,
            **options,
        ) as conn:
            row = conn.execute(LAG_SQL).fetchone()
    except psycopg.Error as error:
        return False, f"tidak terjangkau: {str(error).strip()[:200]}"
    return judge(*row, settings.DATABASE_REPLICA_MAX_LAG_SECONDS)


def usable(alias):
    """The kept verdict on `alias`, checked again when older than DATABASE_REPLICA_CHECK_SECONDS.
    While one thread checks, the others use the previous verdict rather than wait."""
    now = time.monotonic()
    with _lock:
        kept = _verdicts.get(alias)
        fresh = kept is not None and now - kept[0] < settings.DATABASE_REPLICA_CHECK_SECONDS
        if fresh or (kept is not None and alias in _checking):
            return kept[1]
        _checking.add(alias)
    try:
        ok, why = check(alias)
    finally:
        with _lock:
            _checking.discard(alias)
    with _lock:
        before = _verdicts.get(alias)
        _verdicts[alias] = (time.monotonic(), ok, why)
    if before is None or before[1] != ok:
        log = logger.info if ok else logger.warning
        log("Replika %s %s: %s", alias, "dipakai" if ok else "dilewati", why)
    return ok


def usable_replicas():
    return [alias for alias in replica_aliases() if usable(alias)]


def choose():
    """A usable replica for this request, chosen at random among them; None: read the primary."""
    candidates = usable_replicas()
    return random.choice(candidates) if candidates else None  # noqa: S311 (load spreading)


def mark_down(alias, why):
    """A replica failed under a request: skip it until its next check is due."""
    with _lock:
        _verdicts[alias] = (time.monotonic(), False, why)
    logger.warning("Replika %s dilewati: %s", alias, why)


@contextlib.contextmanager
def primary_reads():
    """Within a request, read the primary for the duration (e.g. to compute something that
    will be kept, such as a cache entry, from data that cannot be behind)."""
    state = current()
    if state is None or state.primary:
        yield
        return
    state.primary = True
    try:
        yield
    finally:
        state.primary = False


def _pin_until(request):
    try:
        return float(request.get_signed_cookie(PIN_COOKIE, salt=PIN_SALT))
    except (KeyError, ValueError, signing.BadSignature):
        return 0.0


def read_primary_if_changed_since(moment):
    """The rest of this request reads the primary when the public data changed less than
    DATABASE_REPLICA_MAX_LAG_SECONDS before now (`moment`: a Unix time, or None when unknown).

    A replica that counts as usable may be that far behind; a request that read it now could
    cache an aggregate of the old data under the new data version, where it would stay until
    the next change (contracts/public_cache.py calls this as it reads the versions)."""
    state = current()
    if state is None or state.primary or moment is None:
        return
    if time.time() - float(moment) < settings.DATABASE_REPLICA_MAX_LAG_SECONDS:
        state.primary = True


class PrimaryPinMiddleware:
    """Opens the request's read state (see the module's docstring) and leaves the pin cookie on
    the answer to a request that wrote. Sits after AuthenticationMiddleware: it asks whether
    the user is signed in (a session read, which the router sends to the primary)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_aliases():
            return self.get_response(request)
        user = getattr(request, "user", None)
        primary = (
            request.method not in SAFE_METHODS
            or _pin_until(request) > time.time()
            or bool(user is not None and user.is_authenticated)
        )
        with request_scope(primary=primary) as state:
            response = self.get_response(request)
        if state.wrote or request.method not in SAFE_METHODS:
            seconds = settings.DATABASE_REPLICA_PIN_SECONDS
            response.set_signed_cookie(
                PIN_COOKIE,
                str(time.time() + seconds),
                salt=PIN_SALT,
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_exception(self, request, exception):
        """A replica that fails in the middle of a request (it stopped since its last check):
        it is skipped from now on, and a request that has not written is answered again, once,
        from the primary, so the visitor gets the page rather than the outage page."""
        state = current()
        alias = state.replica if state is not None else None
        if not (alias or "").startswith(PREFIX) or not isinstance(
            exception, OperationalError | InterfaceError
        ):
            return None
        mark_down(alias, f"gagal di tengah permintaan: {str(exception).strip()[:200]}")
        connections[alias].close_if_unusable_or_obsolete()
        if state.wrote or state.primary or request.resolver_match is None:
            return None
        state.primary = True
        match = request.resolver_match
        try:
            return match.func(request, *match.args, **match.kwargs)
        except (OperationalError, InterfaceError):
            return None  # the primary too: the outage page (opendata_kontrak/outage.py)
