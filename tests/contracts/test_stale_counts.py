"""A count served stale never says less than the rows listed beside it (contracts.views,
opendata.api).

Right after a publication the list's rows are read in the request while its count and facets
(public_cache, "daftar") may be served stale until the recompute job runs. Where the stale count
would contradict the page (a search that finds only the new package said "0 paket ... Tidak ada
paket yang cocok"; the last page cut at the old count), the count is computed in the request.
"""

import datetime
import json
import re

import pytest
from django.core.cache import cache

import contracts.views  # noqa: F401 (registers the pages' computations)
from agencies.models import Agency
from contracts import public_cache
from contracts.models import Status
from tests.factories import make_process
from tests.workers import jobs_db, load_migrated_data, run_queued_jobs

NOW = datetime.datetime(2018, 6, 1, tzinfo=datetime.UTC)
COUNT = re.compile(r'data-count="(\d+)"')


def published(title, year=2018):
    agency = Agency.objects.get(code="dinas-kesehatan")
    return make_process(
        agency, fiscal_year=year, title=title, status=Status.PUBLISHED, published_at=NOW
    )


def listing(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    html = response.content.decode()
    return int(COUNT.search(html).group(1)), html.count('<li class="package">'), html


@pytest.fixture
def stale_on(settings):
    load_migrated_data()
    # Recompute jobs an earlier test left queued would hold their queueing locks (a visitor
    # finding one computes the value in its request): run, then their values cleared.
    run_queued_jobs()
    cache.clear()  # the cache table outlives transactional tests
    settings.PUBLIC_CACHE_SERVE_STALE = True


@jobs_db
def test_the_list_after_a_publication_counts_at_least_the_rows_it_lists(client, stale_on):
    published("Pengadaan obat puskesmas")
    published("Pengadaan vaksin puskesmas")
    assert listing(client, "/paket/?tahun=2018")[:2] == (2, 2)
    assert listing(client, "/paket/?q=Redesain")[:2] == (0, 0)

    published("Redesain taman kota")  # committed: the summaries above are retired

    # The rows' ids are served stale too: what the page says and what it lists agree.
    count, rows, html = listing(client, "/paket/?tahun=2018")
    assert count >= rows
    # Once the recompute of the rows' ids has run (the summary's still waiting), the page lists
    # the new package and its count is not the stale one below it.
    run_rows_jobs()
    count, rows, html = listing(client, "/paket/?tahun=2018")
    assert "Redesain taman kota" in html
    assert rows == 3 and count == 3
    listing(client, "/paket/?q=Redesain")
    run_rows_jobs()
    count, rows, html = listing(client, "/paket/?q=Redesain")
    assert (count, rows) == (1, 1)
    assert "Tidak ada paket yang cocok" not in html
    assert 'data-selection-count="1"' in html  # the selection's downloads say the same


def run_rows_jobs():
    """Run the queued recomputes of the list's row ids alone (as a worker that took them
    first would), leaving the summaries' waiting."""
    from django.db import connection

    from contracts import public_cache as cache_module

    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM procrastinate_jobs WHERE task_name = %s AND status = 'todo' "
            "AND args->>'name' = 'daftar-baris' RETURNING args",
            ["contracts.tasks.recompute_cached"],
        )
        for (args,) in cursor.fetchall():  # jsonb, read back as text by Django's cursor
            cache_module.recompute(**json.loads(args))


@jobs_db
def test_a_stale_count_that_lists_no_more_than_it_says_is_served_as_it_is(client, stale_on):
    """A withdrawn package: the stale count (2) is above the rows (1), no contradiction on the
    page: served stale, the recompute left to the job."""
    from contracts.models import Process

    kept = published("Pengadaan obat puskesmas")
    gone = published("Pengadaan vaksin puskesmas")
    assert listing(client, "/paket/?tahun=2018")[:2] == (2, 2)
    Process.objects.filter(pk=gone.pk).update(status=Status.DRAFT)
    public_cache.changed(years={2018})
    count, rows, html = listing(client, "/paket/?tahun=2018")
    assert (count, rows) == (2, 1) and kept.title in html


@jobs_db
def test_the_api_count_covers_the_results_it_returns(client, stale_on):
    published("Pengadaan obat puskesmas")
    first = client.get("/api/v1/paket/", {"tahun": 2018, "per_halaman": 1}).json()
    assert (first["count"], first["jumlah_halaman"], first["next"]) == (1, 1, None)

    published("Redesain taman kota")
    # Another request of the same list (its second page, say) is recomputing the count: this
    # one is served the stale count.
    held = public_cache.lock_key("api-jumlah", ["/api/v1/paket/", [["tahun", ["2018"]]]])
    assert cache.add(held, "x", 60)

    answer = client.get("/api/v1/paket/", {"tahun": 2018, "per_halaman": 1}).json()
    assert len(answer["results"]) == 1 and answer["next"] is not None  # a second page
    assert (answer["count"], answer["jumlah_halaman"]) == (2, 2)
    second = client.get("/api/v1/paket/", {"tahun": 2018, "per_halaman": 1, "halaman": 2})
    assert second.status_code == 200  # not "Halaman 2 tidak ada"
    assert second.json()["count"] == 2
