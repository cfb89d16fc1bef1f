"""Fragments keyed by the data versions never keep a stale figure (contracts.templatetags.
data_cache, contracts.public_cache).

After a change, the fragment's key is new and it is rendered anew, while the figures in it may
be served stale until the recompute job has run. Such a fragment must not be stored under the
new key: the next page after the job shows the new figure. A fragment with nothing stale in it
is stored and reused as before.
"""

import datetime
import re

import pytest
from django.core.cache import caches
from django.core.cache.utils import make_template_fragment_key
from django.core.signals import request_started
from django.db import close_old_connections, connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import translation

import contracts.views  # noqa: F401 (registers the pages' computations)
from agencies.models import Agency
from contracts import public_cache
from contracts.models import Process, Status
from tests.factories import make_process
from tests.workers import jobs_db, load_migrated_data, run_queued_jobs

NOW = datetime.datetime(2018, 6, 1, tzinfo=datetime.UTC)
FIGURE = re.compile(r"<dt>Paket dipublikasikan</dt><dd><a [^>]*>([\d.]+)</a>")


def published(title, year=2018):
    agency = Agency.objects.get(code="dinas-kesehatan")
    return make_process(
        agency, fiscal_year=year, title=title, status=Status.PUBLISHED, published_at=NOW
    )


def home(client, year=2018):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/?tahun={year}")
    assert response.status_code == 200
    html = response.content.decode()
    return int(FIGURE.search(html).group(1).replace(".", "")), html, len(queries)


@pytest.fixture
def stale_on(settings):
    from django.core.cache import cache

    load_migrated_data()
    run_queued_jobs()  # left by an earlier test: their queueing locks would stand in the way
    cache.clear()  # the cache table outlives transactional tests
    settings.PUBLIC_CACHE_SERVE_STALE = True


@jobs_db
def test_the_page_after_the_recompute_shows_the_new_figure(client, stale_on):
    published("Pengadaan obat puskesmas")
    published("Pengadaan vaksin puskesmas")
    assert home(client)[0] == 2

    published("Pengadaan alat suntik")  # committed: a new 2018 version, a new fragment key
    assert home(client)[0] == 2  # the first page after it: the stale figure, at once
    run_queued_jobs()
    assert home(client)[0] == 3  # the fragment rendered with 2 was not kept under the new key
    assert home(client)[0] == 3


@jobs_db
def test_a_fragment_with_nothing_stale_is_stored_and_reused(client, stale_on):
    package = published("Pengadaan obat puskesmas")
    _, _, cold = home(client)
    figure, first, warm = home(client)
    assert figure == 1
    assert warm < cold  # the fragment (figures, charts, map) was read, not rendered
    # Edited behind the cache's back (no change announced): a fragment rendered anew shows it.
    Process.objects.filter(pk=package.pk).update(title="Judul yang tidak diumumkan")
    _, again, queries = home(client)
    assert queries == warm
    assert again.split('id="judul-terbaru"')[0] == first.split('id="judul-terbaru"')[0]


NESTED = Template(
    "{% load data_cache %}{% cache_data 600 luar key %}[{{ outer }}"
    "{% cache_data 600 dalam key %}({{ inner }}){% endcache_data %}]{% endcache_data %}"
)


def stored(name):
    # A fragment's key carries the language it was rendered in (data_cache), then its parts.
    return caches["default"].get(
        make_template_fragment_key(name, [translation.get_language(), "k"])
    )


def new_request():
    """What starts each request (as the test client sends it, without closing connections)."""
    request_started.disconnect(close_old_connections)
    try:
        request_started.send(sender=None)
    finally:
        request_started.connect(close_old_connections)


@pytest.mark.django_db
def test_nested_fragments_are_stored_only_when_nothing_stale_went_into_them(settings):
    settings.PUBLIC_CACHE_SERVE_STALE = True
    public_cache.remember("uji-segar", (), lambda: "lama")
    public_cache.changed()
    # Another process is recomputing it: this request is served the stale value.
    assert caches["default"].add(public_cache.lock_key("uji-segar", ()), "x", 60)

    def inner():
        return public_cache.remember("uji-segar", (), lambda: "baru")

    new_request()
    assert NESTED.render(Context({"key": "k", "outer": "a", "inner": inner})) == "[a(lama)]"
    assert public_cache.served_stale() == 1
    assert stored("luar") is None and stored("dalam") is None  # neither kept

    caches["default"].delete(public_cache.lock_key("uji-segar", ()))
    new_request()  # the next request: the value is computed anew
    assert NESTED.render(Context({"key": "k", "outer": "a", "inner": inner})) == "[a(baru)]"
    assert stored("luar") == "[a(baru)]" and stored("dalam") == "(baru)"
    new_request()
    assert NESTED.render(Context({"key": "k", "outer": "b", "inner": "c"})) == "[a(baru)]"


@pytest.mark.django_db
def test_a_value_computed_from_a_stale_one_is_not_stored_as_current(settings):
    """The API's answer holds its count (another cached value): computed while the count is
    served stale, the answer is kept retired, and recomputed by a later visitor."""
    settings.PUBLIC_CACHE_SERVE_STALE = True
    public_cache.remember("uji-jumlah", (), lambda: 1)
    public_cache.remember("uji-jawaban", (), lambda: {"count": 1})
    public_cache.changed()
    caches["default"].add(public_cache.lock_key("uji-jumlah", ()), "x", 60)

    def answer(count):
        return {"count": public_cache.remember("uji-jumlah", (), lambda: count)}

    assert public_cache.remember("uji-jawaban", (), lambda: answer(2)) == {"count": 1}
    caches["default"].delete(public_cache.lock_key("uji-jumlah", ()))
    assert public_cache.remember("uji-jawaban", (), lambda: answer(2)) == {"count": 2}
    assert public_cache.remember("uji-jawaban", (), lambda: answer(3)) == {"count": 2}
