"""The list's page of rows after a change (contracts.views, `daftar-baris`).

A page's row ids (for its filters, search, sort and page number) are a registered computation:
after a public change the first visitor is served the previous ids at once, read as rows by
primary key, while one job finds the new ones (a ranked search over most of a million packages
takes seconds). The rows are read through the one public rule: a package withdrawn since the
ids were computed is never shown.
"""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from procrastinate.contrib.django.models import ProcrastinateJob

import contracts.views  # noqa: F401 (registers the pages' computations)
from agencies.models import Agency
from contracts import completeness
from contracts.models import Process, Status
from tests.factories import make_process
from tests.workers import jobs_db, load_migrated_data, run_queued_jobs

NOW = datetime.datetime(2020, 3, 2, tzinfo=datetime.UTC)


def published(title, minutes=0):
    agency = Agency.objects.get(code="dinas-kesehatan")
    return make_process(
        agency,
        fiscal_year=2019,
        title=title,
        status=Status.PUBLISHED,
        published_at=NOW + datetime.timedelta(minutes=minutes),
    )


def link(process):
    """The card's link to a package: how a row is found on the page."""
    return f'href="/paket/{process.pk}/"'


def queued_rows():
    return ProcrastinateJob.objects.filter(
        task_name="contracts.tasks.recompute_cached", status="todo", args__name="daftar-baris"
    )


def rows_query(sql):
    """Whether `sql` is the list's rows query: one page (25) of packages in its order."""
    return 'FROM "contracts_process"' in sql and sql.endswith("LIMIT 25")


@pytest.fixture
def stale(settings):
    load_migrated_data()
    cache.clear()  # the cache table outlives transactional tests
    settings.PUBLIC_CACHE_SERVE_STALE = True
    yield
    # The jobs table outlives transactional tests: a job left queued would hold its queueing
    # lock, and be counted, in the next test.
    ProcrastinateJob.objects.filter(task_name="contracts.tasks.recompute_cached").delete()


@jobs_db
@pytest.mark.parametrize("path", ["/paket/?q=obat", "/paket/"])
def test_the_first_page_after_a_change_shows_the_previous_rows_and_a_job_finds_the_new(
    client, stale, path
):
    older = link(published("Pengadaan obat puskesmas Anggrek", minutes=1))
    old = link(published("Pengadaan obat puskesmas Melati", minutes=2))
    with CaptureQueriesContext(connection) as queries:
        before = client.get(path).content.decode()
    assert older in before and old in before
    assert [q for q in queries.captured_queries if rows_query(q["sql"])]  # the test's own check

    # Newest, and as relevant as the others (the same words): first in either order.
    new = link(published("Pengadaan obat puskesmas Kenanga", minutes=3))
    with CaptureQueriesContext(connection) as queries:
        first = client.get(path).content.decode()
    # The rows query, a page of packages in the list's order (by rank for a search), not run.
    assert not [q for q in queries.captured_queries if rows_query(q["sql"])]
    # The previous rows, read by their ids; the new package only once the job has run.
    assert older in first and old in first
    assert new not in first
    assert queued_rows().count() == 1

    run_queued_jobs()
    assert not queued_rows().exists()
    after = client.get(path).content.decode()
    # The new rows, in the list's order: the newest first.
    assert after.index(new) < after.index(old) < after.index(older)


@jobs_db
def test_a_package_withdrawn_since_never_shows_from_the_previous_ids(client, stale):
    kept = published("Pengadaan obat puskesmas Anggrek", minutes=1)
    gone = published("Pengadaan obat puskesmas Melati", minutes=2)
    path = "/paket/?q=obat"
    html = client.get(path).content.decode()
    assert link(kept) in html and link(gone) in html

    # Withdrawn as the service does it: the status, then the refresh that announces the change.
    Process.objects.filter(pk=gone.pk).update(
        status=Status.WITHDRAWN, withdrawn_at=NOW, withdrawn_reason="Salah input"
    )
    completeness.refresh([gone.pk])
    html = client.get(path).content.decode()
    assert queued_rows().count() == 1  # the previous ids were served: they still name it
    assert link(gone) not in html and "Melati" not in html
    assert link(kept) in html


@jobs_db
def test_the_home_pages_spending_groupings_are_recomputed_by_a_job_not_the_visitor(client, stale):
    from contracts import spending

    def groupings(queries):
        return [
            q["sql"]
            for q in queries.captured_queries
            if "GROUP BY" in q["sql"]
            and q["sql"].startswith(
                (
                    'SELECT "contracts_process"."fiscal_year" AS "fiscal_year", COUNT(',
                    'SELECT "contracts_process"."method" AS "method", COUNT(',
                )
            )
        ]

    published("Pengadaan obat puskesmas Anggrek", minutes=1)
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert len(groupings(queries)) == 2  # per year and per method: the test's own check

    published("Pengadaan obat puskesmas Melati", minutes=2)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert groupings(queries) == []  # the previous rows, served at once
    queued = ProcrastinateJob.objects.filter(
        task_name="contracts.tasks.recompute_cached", status="todo"
    ).values_list("args__name", flat=True)
    assert {"belanja-tahun", "belanja-metode"} <= set(queued)

    run_queued_jobs()
    with CaptureQueriesContext(connection) as queries:
        years = spending.per_year()
        methods = spending.per_method(2019)
    assert groupings(queries) == []  # stored by the job
    assert [(row["fiscal_year"], row["packages"]) for row in years] == [(2019, 2)]
    assert sum(row["packages"] for row in methods) == 2
