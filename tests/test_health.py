"""The load balancer's probes (/healthz, /readyz) with each dependency up and down, and the object
store's timeouts: a store that accepts connections and never answers fails a save within the
client's bound, with the form's message, instead of holding the request."""

import json
import socket
import threading
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opendata.models import RateCounter
from opendata_kontrak import storage
from tests.sitemaps import whole_sitemap
from tests.test_faults import closed_port, post_package_with_pdfs

READY = {"basis_data": "ok", "cache": "ok", "penyimpanan": "ok"}


@pytest.fixture
def hung_store():
    """An "object store" on loopback that accepts every connection and never answers a byte."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}", held
    finally:
        stop.set()
        thread.join(timeout=5)
        for peer in held:
            peer.close()
        server.close()


def bucket_at(settings, endpoint_url, **timeouts):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": storage.s3_storage(
            bucket="dokumen",
            endpoint_url=endpoint_url,
            access_key="kunci",
            secret_key="rahasia",
            region="us-east-1",
            url_expire_seconds=300,
            **timeouts,
        ),
    }


def assert_never_kept(response):
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies  # no session, no CSRF cookie


@pytest.mark.django_db
def test_healthz_answers_ok_without_any_query(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert len(queries) == 0
    assert_never_kept(response)


@pytest.mark.django_db
def test_readyz_names_each_dependency_ok(client, media_root, django_assert_max_num_queries):
    # SET LOCAL and SELECT 1 in a transaction (here the test's savepoint and its release), and
    # the cache's one lookup.
    with django_assert_max_num_queries(5):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == READY
    assert_never_kept(response)


@pytest.mark.django_db
def test_readyz_reaches_a_real_bucket(client, s3_storage):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json() == READY


@pytest.mark.django_db
def test_with_the_bucket_missing_readyz_says_the_store_is_down(client, s3_storage, settings):
    # The endpoint answers, but the bucket named (a typo in S3_BUCKET, say) does not exist:
    # every upload would fail, so the server is not ready.
    default = settings.STORAGES["default"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**default, "OPTIONS": {**default["OPTIONS"], "bucket_name": "dokumen-salah"}},
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "basis_data": "ok",
        "cache": "ok",
        "penyimpanan": "Penyimpanan berkas tidak dapat dijangkau.",
    }


@pytest.mark.django_db
def test_with_the_media_directory_unusable_readyz_says_the_store_is_down(
    client, media_root, settings
):
    # The media "directory" is a file: nothing can be stored under it.
    media_root.parent.mkdir(parents=True, exist_ok=True)
    media_root.write_bytes(b"bukan direktori")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["penyimpanan"] == "Penyimpanan berkas tidak dapat dijangkau."


@pytest.mark.django_db
def test_a_missing_media_directory_is_made_as_the_first_upload_would(client, media_root):
    assert not media_root.exists()
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json() == READY
    assert media_root.is_dir()


@pytest.mark.django_db
def test_probes_are_never_rate_limited_nor_in_the_sitemap(client, media_root, settings):
    settings.API_RATE_LIMIT = (3, 60)
    answers = [client.get(url).status_code for url in ["/healthz", "/readyz"] * 10]
    assert answers == [200] * 20
    assert not RateCounter.objects.exists()
    sitemap = whole_sitemap(client)
    assert "healthz" not in sitemap and "readyz" not in sitemap


@pytest.mark.django_db(transaction=True)  # the connection is closed and opened again
def test_with_the_database_down_readyz_says_so_and_healthz_still_answers(client, media_root):
    client.get("/readyz")  # a working connection first
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(closed_port())
    try:
        ready = client.get("/readyz")
        alive = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port
    assert ready.status_code == 503
    assert ready["Content-Type"] == "application/json"
    assert ready.json() == {
        "basis_data": "Basis data tidak dapat dijangkau.",
        # The cache is a table of the same database; the database alone decides the 503.
        "cache": "Cache tidak dapat dijangkau; halaman dilayani tanpa cache.",
        "penyimpanan": "ok",
    }
    assert_never_kept(ready)
    assert alive.status_code == 200 and alive.content == b"ok"
    # And back by itself.
    assert client.get("/readyz").json() == READY


@pytest.mark.django_db
def test_with_the_bucket_unreachable_readyz_says_so(client, settings):
    bucket_at(settings, f"http://127.0.0.1:{closed_port()}", connect_timeout=1, max_attempts=1)
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    assert response.json() == {
        "basis_data": "ok",
        "cache": "ok",
        "penyimpanan": "Penyimpanan berkas tidak dapat dijangkau.",
    }


@pytest.mark.django_db
def test_with_the_bucket_hung_readyz_answers_503_within_the_clients_bound(
    client, settings, hung_store
):
    endpoint_url, held = hung_store
    bucket_at(settings, endpoint_url, connect_timeout=1, read_timeout=1, max_attempts=2)
    started = time.monotonic()
    response = client.get("/readyz")
    elapsed = time.monotonic() - started
    # Two attempts of a 1 s read each, plus botocore's backoff between them (under 1 s) and
    # room for a busy machine; without the client's timeouts botocore would wait 60 s per read.
    assert 2 <= elapsed < 5.5, elapsed
    assert response.status_code == 503
    assert response.json()["penyimpanan"] == "Penyimpanan berkas tidak dapat dijangkau."
    assert len(held) == 2  # both attempts reached the store: the retry is real


@pytest.mark.django_db
def test_an_upload_to_a_hung_bucket_fails_within_the_bound_with_the_forms_message(
    client, settings, hung_store
):
    from contracts.models import Document, Process

    endpoint_url, _held = hung_store
    bucket_at(settings, endpoint_url, connect_timeout=1, read_timeout=2, max_attempts=2)
    started = time.monotonic()
    response = post_package_with_pdfs(client, "Paket saat penyimpanan macet")
    elapsed = time.monotonic() - started
    # One call to the store fails after 2 attempts x (1 s connect + 2 s read) and under 1 s of
    # backoff at worst, 7 s; the PDF checks before it take about 1 s (5.2 s measured in all).
    assert elapsed < 12, elapsed
    assert response.status_code == 200
    html = response.content.decode()
    assert "Penyimpanan berkas sedang tidak dapat dijangkau" in html
    assert "tidak ada yang tersimpan" in html
    assert 'value="Paket saat penyimpanan macet"' in html
    assert not Process.objects.filter(title="Paket saat penyimpanan macet").exists()
    assert not Document.objects.exists()


def test_the_default_timeouts_stay_under_the_request_budget():
    config = storage.s3_storage(
        bucket="b",
        endpoint_url=None,
        access_key="k",
        secret_key="s",
        region="us-east-1",
        url_expire_seconds=300,
    )["OPTIONS"]["client_config"]
    assert (config.connect_timeout, config.read_timeout) == (3, 10)
    assert config.retries == {"mode": "standard", "total_max_attempts": 2}
    assert config.signature_version == "s3v4"
    # Every attempt of one call at its worst: 2 x (3 + 10) = 26 s, under the 30 s a request
    # is given (the hung store gave an empty 500 after 30 s).
    worst = config.retries["total_max_attempts"] * (config.connect_timeout + config.read_timeout)
    assert worst < 30


def test_the_timeouts_are_read_from_the_environment():
    from tests.test_settings import SOME_SERVER, run_python

    result = run_python(
        "import json; from django.conf import settings; "
        "c = settings.STORAGES['default']['OPTIONS']['client_config']; "
        "print(json.dumps([c.connect_timeout, c.read_timeout, c.retries, "
        "settings.DATABASES['default']['OPTIONS']['connect_timeout']]))",
        {
            "DATABASE_URL": SOME_SERVER,
            "S3_BUCKET": "dokumen-kontrak",
            "S3_ENDPOINT_URL": "http://127.0.0.1:9000",
            "S3_CONNECT_TIMEOUT_SECONDS": "1.5",
            "S3_READ_TIMEOUT_SECONDS": "4",
            "S3_MAX_ATTEMPTS": "3",
            "DATABASE_CONNECT_TIMEOUT_SECONDS": "7",
        },
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        1.5,
        4.0,
        {"mode": "standard", "total_max_attempts": 3},
        7,
    ]
