"""The read/write split's decisions: which alias the router names, which requests the pin
middleware sends to the primary, how a replica's lag is judged, and the settings that build the
aliases. Replicas here are real servers: the test's own PostgreSQL (a primary, never behind) as
a healthy "replica", a closed port as a dead one, a socket that never answers as a hung one.
The whole split against a real streaming standby is in test_streaming.py."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.sessions.models import Session
from django.core.cache.backends.db import DatabaseCache
from django.db import connection, transaction
from django.db import router as django_router
from django.http import HttpResponse
from django.test import RequestFactory

from agencies.models import Agency, User
from contracts.models import Process
from opendata.models import RateCounter
from opendata_kontrak import replicas
from opendata_kontrak.db_router import PrimaryReplicaRouter

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
# Ports of this helper's range on which nothing listens / something listens and never answers.
CLOSED_PORT = 26290
HUNG_PORT = 26291

router = PrimaryReplicaRouter()


def cache_entry_model():
    return DatabaseCache("portal_cache", {}).cache_model_class


@pytest.fixture
def replica_settings(settings):
    """replica_1: the test's own server (a primary: never behind); replica_2: a closed port.
    Neither a test mirror, so the router treats them as replicas while tests run."""
    default = settings.DATABASES["default"]
    healthy = {**default, "TEST": {}}
    dead = {**default, "HOST": "127.0.0.1", "PORT": CLOSED_PORT, "TEST": {}}
    settings.DATABASES = {**settings.DATABASES, "replica_1": healthy, "replica_2": dead}
    settings.DATABASE_REPLICA_CHECK_SECONDS = 60
    replicas.forget()
    yield settings
    replicas.forget()


def test_outside_a_request_everything_reads_the_primary(replica_settings):
    # Jobs, commands, shells: what they read they usually write back. The router abstains and
    # Django chooses as it would without replicas.
    assert router.db_for_read(Process) is None
    assert django_router.db_for_read(Process) == "default"
    assert django_router.db_for_read(Agency) == "default"
    row = Agency(code="dinkes")
    row._state.db = "progress"  # read on the import's progress connection (imports/jobs.py)
    assert django_router.db_for_read(Process, instance=row) == "progress"
    assert django_router.db_for_write(Agency, instance=row) == "progress"


def test_a_row_read_from_a_replica_is_written_to_the_primary(replica_settings):
    row = Agency(code="dinkes")
    row._state.db = "replica_1"
    with replicas.request_scope():
        assert django_router.db_for_write(Agency, instance=row) == "default"
    assert django_router.db_for_write(Agency, instance=row) == "default"


def test_public_reads_go_to_the_replica_that_answers(replica_settings):
    with replicas.request_scope() as state:
        for _ in range(5):
            assert router.db_for_read(Process) == "replica_1"
            assert router.db_for_read(Agency) == "replica_1"
    assert state.replica == "replica_1"
    assert replicas._verdicts["replica_2"][1] is False
    assert "tidak terjangkau" in replicas._verdicts["replica_2"][2]


def test_all_replicas_down_reads_the_primary(replica_settings):
    replica_settings.DATABASES = {
        alias: db for alias, db in replica_settings.DATABASES.items() if alias != "replica_1"
    }
    with replicas.request_scope():
        assert router.db_for_read(Process) == "default"


@pytest.mark.parametrize(
    "model",
    [cache_entry_model(), Session, User, Group, RateCounter],
    ids=["cache", "session", "user", "group", "ratecounter"],
)
def test_cache_accounts_and_counters_are_read_from_the_primary(replica_settings, model):
    # The cache table is UNLOGGED: a standby refuses to read it at all.
    with replicas.request_scope():
        assert router.db_for_read(model) == "default"
        assert router.db_for_write(model) == "default"


def test_the_job_queue_is_read_from_the_primary(replica_settings):
    from procrastinate.contrib.django.models import ProcrastinateJob

    with replicas.request_scope():
        assert router.db_for_read(ProcrastinateJob) == "default"


def test_a_request_that_wrote_reads_the_primary_for_the_rest_of_it(replica_settings):
    with replicas.request_scope() as state:
        assert router.db_for_read(Process) == "replica_1"
        assert router.db_for_write(Process) == "default"
        assert state.wrote
        assert router.db_for_read(Process) == "default"


def test_cache_fills_sessions_and_counters_do_not_count_as_writing(replica_settings):
    with replicas.request_scope() as state:
        for model in [cache_entry_model(), Session, RateCounter]:
            router.db_for_write(model)
        assert not state.wrote
        assert router.db_for_read(Process) == "replica_1"


def test_a_pinned_request_reads_the_primary(replica_settings):
    with replicas.request_scope(primary=True):
        assert router.db_for_read(Process) == "default"


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_read_the_primary(replica_settings):
    # get_or_create, select_for_update and every service's atomic block read their own rows.
    with replicas.request_scope():
        assert router.db_for_read(Agency) == "replica_1"
        with transaction.atomic():
            assert router.db_for_read(Agency) == "default"
        assert router.db_for_read(Agency) == "replica_1"


def test_related_rows_of_a_primary_row_come_from_the_primary(replica_settings):
    from_primary, from_replica = Agency(code="dinkes"), Agency(code="dinsos")
    # What Django records on a row it loaded, naming the alias it came from.
    from_primary._state.db, from_replica._state.db = "default", "replica_1"
    with replicas.request_scope():
        assert router.db_for_read(Process, instance=from_primary) == "default"
        assert router.db_for_read(Process, instance=from_replica) == "replica_1"
        assert router.db_for_read(Process) == "replica_1"


def test_only_the_primary_is_migrated(replica_settings):
    assert router.allow_migrate("replica_1", "contracts") is False
    assert router.allow_migrate("default", "contracts") is None


def test_in_tests_a_mirror_is_not_a_replica(settings):
    # A deployment's replica aliases mirror default under the test runner (settings.py): the
    # suite then runs unchanged, every read on the test database.
    settings.DATABASES = {
        **settings.DATABASES,
        "replica_1": {**settings.DATABASES["default"], "TEST": {"MIRROR": "default"}},
    }
    assert replicas.replica_aliases() == []
    with replicas.request_scope():
        assert router.db_for_read(Process) == "default"


@pytest.mark.parametrize(
    ("in_recovery", "caught_up", "lag", "usable"),
    [
        (False, False, None, True),  # a primary, or a promoted standby
        (True, True, 3600.0, True),  # an idle primary: nothing to replay, however old
        (True, False, 4.0, True),
        (True, False, 10.5, False),
        (True, False, None, False),  # nothing replayed yet
    ],
)
def test_lag_is_judged_against_the_bound(in_recovery, caught_up, lag, usable):
    assert replicas.judge(in_recovery, caught_up, lag, 10)[0] is usable


@pytest.fixture
def hung_server():
    """A socket that accepts connections (the kernel's backlog) and never says a word."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", HUNG_PORT))
        server.listen(16)
        yield HUNG_PORT


def test_a_hung_replica_costs_one_short_timeout_then_the_kept_verdict(settings, hung_server):
    settings.DATABASES = {
        **settings.DATABASES,
        "replica_1": {
            **settings.DATABASES["default"],
            "HOST": "127.0.0.1",
            "PORT": hung_server,
            "TEST": {},
        },
    }
    settings.DATABASE_REPLICA_CHECK_SECONDS = 60
    replicas.forget()
    try:
        started = time.monotonic()
        with replicas.request_scope():
            assert router.db_for_read(Process) == "default"
        first = time.monotonic() - started
        started = time.monotonic()
        for _ in range(20):
            with replicas.request_scope():
                assert router.db_for_read(Process) == "default"
        kept = time.monotonic() - started
    finally:
        replicas.forget()
    assert replicas.CHECK_CONNECT_TIMEOUT_SECONDS - 0.5 < first < 5
    assert kept < 0.5


def run_middleware(request):
    seen = {}

    def view(request):
        seen["primary"] = replicas.current().primary
        return HttpResponse("ok")

    response = replicas.PrimaryPinMiddleware(view)(request)
    return seen["primary"], response


def test_an_anonymous_get_reads_the_replica_and_is_not_pinned(replica_settings):
    request = RequestFactory().get("/paket/")
    request.user = AnonymousUser()
    primary, response = run_middleware(request)
    assert primary is False
    assert replicas.PIN_COOKIE not in response.cookies
    assert replicas.current() is None  # the state ends with the request


def test_a_post_pins_its_author_for_the_pin_window(replica_settings):
    replica_settings.DATABASE_REPLICA_PIN_SECONDS = 15
    request = RequestFactory().post("/pengaduan/")
    request.user = AnonymousUser()
    primary, response = run_middleware(request)
    assert primary is True
    cookie = response.cookies[replicas.PIN_COOKIE]
    assert cookie["max-age"] == 15
    assert cookie["httponly"]

    # The author's next GET carries the cookie: the primary.
    follow = RequestFactory().get("/pengaduan/")
    follow.COOKIES[replicas.PIN_COOKIE] = cookie.value
    follow.user = AnonymousUser()
    assert run_middleware(follow)[0] is True


def test_a_forged_or_expired_pin_is_ignored(replica_settings):
    forged = RequestFactory().get("/")
    forged.COOKIES[replicas.PIN_COOKIE] = str(time.time() + 3600)  # unsigned
    forged.user = AnonymousUser()
    assert run_middleware(forged)[0] is False

    expired_response = HttpResponse()
    expired_response.set_signed_cookie(
        replicas.PIN_COOKIE, str(time.time() - 1), salt=replicas.PIN_SALT
    )
    expired = RequestFactory().get("/")
    expired.COOKIES[replicas.PIN_COOKIE] = expired_response.cookies[replicas.PIN_COOKIE].value
    expired.user = AnonymousUser()
    assert run_middleware(expired)[0] is False


@pytest.mark.django_db
def test_signed_in_users_always_read_the_primary(replica_settings):
    # Operators and administrators must see what they just saved, whatever the standby shows.
    request = RequestFactory().get("/admin/contracts/process/")
    request.user = User.objects.create_user(username="operator-uji", password="x" * 12)
    assert run_middleware(request)[0] is True


def test_a_get_that_wrote_leaves_the_pin(replica_settings):
    def view(request):
        router.db_for_write(Process)
        return HttpResponse("ok")

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    response = replicas.PrimaryPinMiddleware(view)(request)
    assert replicas.PIN_COOKIE in response.cookies


def test_without_replicas_the_middleware_opens_no_state(settings):
    request = RequestFactory().post("/")
    request.user = AnonymousUser()
    seen = {}

    def view(request):
        seen["state"] = replicas.current()
        return HttpResponse("ok")

    response = replicas.PrimaryPinMiddleware(view)(request)
    assert seen["state"] is None
    assert replicas.PIN_COOKIE not in response.cookies


def test_the_router_and_the_middleware_are_installed(settings):
    assert settings.DATABASE_ROUTERS == ["opendata_kontrak.db_router.PrimaryReplicaRouter"]
    middleware = settings.MIDDLEWARE
    assert middleware.index("opendata_kontrak.replicas.PrimaryPinMiddleware") == (
        middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
    )
    # The rate counters are raw SQL on django.db.connection: always the primary.
    assert connection.alias == "default"


def read_settings(**env):
    script = """
import json
from django.conf import settings
print(json.dumps({alias: {k: db.get(k) for k in ("HOST", "PORT", "NAME", "CONN_MAX_AGE",
    "CONN_HEALTH_CHECKS", "OPTIONS", "TEST")} for alias, db in settings.DATABASES.items()}))
print(json.dumps([settings.DATABASE_REPLICA_MAX_LAG_SECONDS,
    settings.DATABASE_REPLICA_PIN_SECONDS]))
"""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "DJANGO_"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="opendata_kontrak.settings",
        DATABASE_URL="postgresql://portal:rahasia@db-utama.invalid:5432/kontrak",
        **env,
    )
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done


def test_replica_urls_become_aliases_with_the_primarys_options():
    done = read_settings(
        DATABASE_REPLICA_URLS=(
            " postgresql://baca:rahasia@siaga-1.invalid:5432/kontrak\n"
            "\tpostgresql://baca:rahasia@siaga-2.invalid:5433/kontrak "
        ),
        DATABASE_REPLICA_MAX_LAG_SECONDS="4",
        DATABASE_REPLICA_PIN_SECONDS="30",
    )
    assert done.returncode == 0, done.stderr
    databases, (max_lag, pin) = (json.loads(line) for line in done.stdout.splitlines())
    assert list(databases) == ["default", "progress", "replica_1", "replica_2"]
    assert [databases[a]["HOST"] for a in ("replica_1", "replica_2")] == [
        "siaga-1.invalid",
        "siaga-2.invalid",
    ]
    assert databases["replica_2"]["PORT"] == "5433"
    for alias in ("replica_1", "replica_2"):
        assert databases[alias]["TEST"]["MIRROR"] == "default"
        assert databases[alias]["CONN_HEALTH_CHECKS"] is True
        assert databases[alias]["CONN_MAX_AGE"] == databases["default"]["CONN_MAX_AGE"]
        assert databases[alias]["OPTIONS"]["connect_timeout"] == 5
    assert (max_lag, pin) == (4, 30)


def test_no_replica_urls_no_replica_aliases():
    done = read_settings()
    assert done.returncode == 0, done.stderr
    databases, (max_lag, pin) = (json.loads(line) for line in done.stdout.splitlines())
    assert list(databases) == ["default", "progress"]
    assert (max_lag, pin) == (10, 15)


def test_a_replica_url_that_is_not_postgresql_is_refused():
    done = read_settings(DATABASE_REPLICA_URLS="mysql://baca@siaga.invalid/kontrak")
    assert done.returncode != 0
    assert "DATABASE_REPLICA_URLS must point at a PostgreSQL server" in done.stderr


def test_primary_reads_for_a_while_within_a_request(replica_settings):
    with replicas.request_scope():
        with replicas.primary_reads():
            assert router.db_for_read(Process) == "default"
        assert router.db_for_read(Process) == "replica_1"
    with replicas.request_scope(primary=True):
        with replicas.primary_reads():
            pass
        assert router.db_for_read(Process) == "default"  # a pinned request stays pinned


def test_two_requests_at_once_in_one_process_keep_their_own_state(replica_settings):
    # gunicorn's gthread workers serve requests on threads of one process: a writer's pin
    # must not leak into the citizen's request running beside it.
    import threading

    seen = {}

    def serve(name, primary):
        with replicas.request_scope(primary=primary):
            all_open.wait()
            if name == "writer":
                router.db_for_write(Process)
            all_open.wait()
            seen[name] = router.db_for_read(Process)

    threads = [
        threading.Thread(target=serve, args=("writer", False)),
        threading.Thread(target=serve, args=("citizen", False)),
        threading.Thread(target=serve, args=("operator", True)),
    ]
    all_open = threading.Barrier(3, timeout=10)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {"writer": "default", "citizen": "replica_1", "operator": "default"}


@pytest.mark.django_db(transaction=True)
def test_right_after_a_public_change_the_cached_values_are_computed_from_the_primary(
    replica_settings, monkeypatch
):
    """A usable standby may be up to DATABASE_REPLICA_MAX_LAG_SECONDS behind: a request that
    reads the data versions within that time of a change reads the primary from then on, so
    an aggregate it caches under the new version holds the change."""
    from contracts import public_cache

    replica_settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 10
    # Outside a transaction (as a committed change is): not one open on default, which would
    # send every read to the primary anyway.
    public_cache.changed(years={2019})
    with replicas.request_scope() as state:
        public_cache.version(years={2020})
        assert state.primary
        assert router.db_for_read(Process) == "default"
    # Eleven seconds on, the standby may serve again.
    later = time.time() + 11
    monkeypatch.setattr(replicas.time, "time", lambda: later)
    with replicas.request_scope() as state:
        public_cache.version(years={2020})
        assert not state.primary
        assert router.db_for_read(Process) == "replica_1"


@pytest.mark.django_db(transaction=True)
def test_a_drafts_change_leaves_citizens_on_the_replica(
    replica_settings,
):
    from django.core.cache import cache

    from contracts import public_cache

    cache.delete(public_cache.CHANGED_AT)  # no public change lately
    public_cache.changed(public=False)
    assert cache.get(public_cache.CHANGED_AT) is None
    with replicas.request_scope() as state:
        public_cache.version()
        assert not state.primary
