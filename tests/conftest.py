import pytest
from django.conf import settings
from django.core.management import call_command

from opendata_kontrak import storage


@pytest.fixture(scope="session", autouse=True)
def collected_static(tmp_path_factory):
    """Pages use the production static storage (hashed, compressed): collect it once, aside."""
    settings.STATIC_ROOT = tmp_path_factory.mktemp("static")
    call_command("collectstatic", interactive=False, verbosity=0)
    return settings.STATIC_ROOT


@pytest.fixture
def media_root(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": storage.local_storage(location=tmp_path / "media", base_url="/media/"),
    }
    return tmp_path / "media"


@pytest.fixture(scope="session")
def s3_endpoint():
    """A real S3 endpoint on loopback (moto's server), for the object-storage path."""
    import socket
    import subprocess
    import sys
    import urllib.request
    from pathlib import Path

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    yield from _serving(server, url, lambda: urllib.request.urlopen(url, timeout=1), OSError)


@pytest.fixture
def s3_storage(s3_endpoint, settings):
    """STORAGES pointing at a fresh bucket on the local S3 endpoint, as settings.py builds it."""
    from uuid import uuid4

    import boto3

    bucket = f"dokumen-{uuid4().hex[:12]}"
    credentials = {"aws_access_key_id": "uji", "aws_secret_access_key": "rahasia-uji"}
    boto3.client(
        "s3", endpoint_url=s3_endpoint, region_name="us-east-1", **credentials
    ).create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": storage.s3_storage(
            bucket=bucket,
            endpoint_url=s3_endpoint,
            access_key=credentials["aws_access_key_id"],
            secret_key=credentials["aws_secret_access_key"],
            region="us-east-1",
            url_expire_seconds=300,
        ),
    }
    return bucket


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on loopback that Django's SMTP backend sends to; yields
    its Mailbox (`.messages`, `.to(address)`, `.refuse_for_good`, `.refuse_for_now`)."""
    from tests.mailserver import MailServer

    server = MailServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    try:
        yield server.mailbox
    finally:
        server.stop()


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashing():
    """Passwords hashed at 1,000 PBKDF2 iterations in the tests (tests/hashers.py): a test
    creating or signing in a user spent 0.2 s a hash under the production hasher."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["tests.hashers.QuickPBKDF2PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def one_rate_limit_window(monkeypatch):
    """The rate limits' clock (opendata.ratelimit) held at the test's start. Their windows are
    fixed (a minute for the API): hits of one test on either side of a window's end would start
    a fresh count, and a test expecting its fourth request refused would fail at random.
    Returns the moment held."""
    import types

    from django.utils import timezone

    from opendata import ratelimit

    moment = timezone.now()
    monkeypatch.setattr(ratelimit, "timezone", types.SimpleNamespace(now=lambda: moment))
    return moment


@pytest.fixture(scope="session", autouse=True)
def stale_values_recomputed_at_once():
    """A page after a change shows it at once: a retired cached value is computed in the request
    (PUBLIC_CACHE_SERVE_STALE off). The stale-while-revalidate tests turn serving stale back on,
    as production has it."""
    settings.PUBLIC_CACHE_SERVE_STALE = False


@pytest.fixture(autouse=True)
def indonesian_after_each_test():
    """Each test starts in Indonesian: a request under /en/ leaves English active in the test's
    thread (LocaleMiddleware activates each request's language and leaves it, as in a server
    thread until its next request), where a later test's `reverse()` would prefix /en/."""
    yield
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


REDIS_SERVER = "/usr/bin/redis-server"


@pytest.fixture(scope="session")
def redis_server():
    """A real redis-server on loopback (Debian's; CI installs it), no persistence: its URL."""
    import socket
    import subprocess
    from pathlib import Path

    import redis

    if not Path(REDIS_SERVER).exists():
        pytest.fail(
            f"{REDIS_SERVER} is missing: install redis-server (apt-get install redis-server)"
        )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            REDIS_SERVER,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    ping = redis.Redis.from_url(url, socket_timeout=1).ping
    yield from _serving(server, url, ping, redis.ConnectionError)


def redis_caches(url):
    """settings.CACHES as settings.py builds it for REDIS_URL=url."""
    return {
        "default": {
            "BACKEND": "opendata_kontrak.redis_cache.ForgivingRedisCache",
            "LOCATION": url,
            "TIMEOUT": 6 * 3600,
            "KEY_PREFIX": "portal",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@pytest.fixture
def redis_cache(redis_server, settings):
    """The cache, rate counters and locks on the real Redis, emptied first: a redis-py client
    on the same database, to look at what is stored there."""
    import redis

    client = redis.Redis.from_url(redis_server)
    client.flushdb()
    settings.CACHES = redis_caches(redis_server)
    yield client
    client.close()


def _serving(server, url, probe, refused):
    """Yield `url` once `probe()` stops raising `refused` (at most 10 s), then stop `server`
    (a Popen): the start-and-wait of the fixtures that run a real server."""
    import time

    try:
        for _ in range(100):
            try:
                probe()
                break
            except refused:
                time.sleep(0.1)
        else:
            pytest.fail(f"{server.args[0]} did not start")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
