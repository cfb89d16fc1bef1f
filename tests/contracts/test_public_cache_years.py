"""Cache versions per fiscal year and stale-while-revalidate (contracts.public_cache).

A change of a 2019 package retires what covers 2019 (its year's pages, and pages of every year)
and leaves 2020's cached pages as they were: no computation, no more queries than a warm page.
After a change, the first visitor is served the stale value at once while one job recomputes
it; the next visitor after the job sees the change.
"""

import datetime
import json

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from procrastinate.contrib.django.models import ProcrastinateJob

import contracts.views  # noqa: F401 (registers the pages' computations)
from agencies.models import Agency
from contracts import completeness, public_cache
from contracts.models import Status
from tests.factories import make_process
from tests.workers import jobs_db, load_migrated_data, run_queued_jobs

NOW = datetime.datetime(2020, 3, 2, tzinfo=datetime.UTC)


def published(year, title):
    agency = Agency.objects.get(code="dinas-kesehatan")
    return make_process(
        agency, fiscal_year=year, title=title, status=Status.PUBLISHED, published_at=NOW
    )


def withdraw(process):
    """`process` out of the public's sight, its change announced (a new version of its year)."""
    type(process).objects.filter(pk=process.pk).update(status=Status.DRAFT)
    public_cache.changed(years={process.fiscal_year})


@pytest.fixture
def computed(monkeypatch):
    """Every registered computation counted: [(name, parts as JSON gives them), ...]."""
    calls = []
    for name, function in list(public_cache.COMPUTATIONS.items()):

        def counting(parts, name=name, function=function):
            calls.append((name, json.loads(json.dumps(parts))))
            return function(parts)

        monkeypatch.setitem(public_cache.COMPUTATIONS, name, counting)
    return calls


def get(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode(), len(queries)


@pytest.mark.django_db
def test_a_2019_change_leaves_2020s_cached_pages_warm(client, computed):
    old = published(2019, "Pengadaan obat puskesmas 2019")
    new = published(2020, "Pengadaan alat kesehatan 2020")
    year_2020 = ["/?tahun=2020", "/paket/?tahun=2020"]
    for path in [*year_2020, "/?tahun=2019", "/paket/?tahun=2019", "/paket/"]:
        get(client, path)
    warm = {path: get(client, path)[0] for path in year_2020}
    # Edited behind the cache's back (no change announced): a page rendered anew would show it.
    type(new).objects.filter(pk=new.pk).update(title="Judul yang tidak diumumkan")
    computed.clear()

    old.title = "Pengadaan vaksin puskesmas 2019"
    old.save(update_fields=["title"])
    completeness.refresh([old.pk])  # the services' refresh: a new version of 2019 only

    for path in year_2020:
        # 2020's figures, charts, map, cards and filter form: as cached. (The home page's
        # latest packages, of every year, are rendered anew: they show 2019's too.)
        html = get(client, path)[0]
        assert html.split('id="judul-terbaru"')[0] == warm[path].split('id="judul-terbaru"')[0]
    assert "Pengadaan alat kesehatan 2020" in get(client, "/paket/?tahun=2020")[0]
    # Only what covers every year is computed again: the choice of years and the year facet.
    assert {name for name, _ in computed} <= {"tahun", "daftar-tahun"}
    computed.clear()
    html, _ = get(client, "/paket/?tahun=2019")
    assert "Pengadaan vaksin puskesmas 2019" in html
    get(client, "/?tahun=2019")
    html, _ = get(client, "/paket/")
    assert "Pengadaan vaksin puskesmas 2019" in html
    assert "Judul yang tidak diumumkan" in html  # every year's list was rendered anew
    recomputed = [[name, parts] for name, parts in computed]
    assert ["beranda", 2019] in recomputed
    assert ["daftar", [["tahun", 2019]]] in recomputed
    assert ["daftar", []] in recomputed
    assert not [
        parts
        for name, parts in recomputed
        if name in {"beranda", "daftar"} and "2020" in json.dumps(parts)
    ]


@pytest.mark.django_db
def test_a_package_moved_to_another_year_retires_both_years():
    from contracts import services
    from contracts.models import Process
    from tests.factories import make_operator

    moved = published(2019, "Pengadaan obat puskesmas")
    operator = make_operator(moved.agency)
    before = {year: public_cache.version(years={year}) for year in (2019, 2020, 2021)}
    moved = Process.objects.get(pk=moved.pk)
    moved.fiscal_year = 2020
    services.save_process(process=moved, by=operator)
    after = {year: public_cache.version(years={year}) for year in before}
    assert after[2019] != before[2019]  # it left 2019's pages
    assert after[2020] != before[2020]  # and came into 2020's
    assert after[2021] == before[2021]


@pytest.mark.django_db
def test_a_change_of_unknown_years_retires_every_year():
    before = {year: public_cache.version(years={year}) for year in (2019, 2020)}
    public_cache.changed()
    assert all(public_cache.version(years={year}) != before[year] for year in before)


@pytest.mark.django_db
def test_a_drafts_change_retires_only_the_supervisors_pages():
    public = public_cache.version(years={2019})
    internal = public_cache.version(public_cache.INTERNAL, years={2019})
    public_cache.changed(public=False)
    assert public_cache.version(years={2019}) == public
    assert public_cache.version(public_cache.INTERNAL, years={2019}) != internal


@pytest.fixture(params=["postgresql", "redis"])
def backend(request):
    if request.param == "redis":
        request.getfixturevalue("redis_cache")
    return request.param


@pytest.mark.django_db
def test_a_rolled_back_change_keeps_the_versions_a_committed_one_moves_them(
    backend, django_capture_on_commit_callbacks
):
    before = {years: public_cache.version(years=years) for years in [(2019,), (2020,), None]}

    class Refused(Exception):
        pass

    with pytest.raises(Refused), transaction.atomic():
        public_cache.changed(years={2019})
        raise Refused
    assert {years: public_cache.version(years=years) for years in before} == before

    with django_capture_on_commit_callbacks(execute=True):
        public_cache.changed(years={2019})
    assert public_cache.version(years=(2019,)) != before[(2019,)]
    assert public_cache.version(years=None) != before[None]  # every year's pages show 2019
    assert public_cache.version(years=(2020,)) == before[(2020,)]


def recompute_jobs():
    return ProcrastinateJob.objects.filter(task_name="contracts.tasks.recompute_cached")


@jobs_db
def test_the_first_visitor_after_a_change_gets_the_stale_list_and_one_job_recomputes_it(
    client, settings, computed
):
    load_migrated_data()
    cache.clear()  # the cache table outlives transactional tests
    settings.PUBLIC_CACHE_SERVE_STALE = True
    published(2019, "Pengadaan obat puskesmas 2019")
    published(2019, "Pengadaan vaksin puskesmas 2019")
    gone = published(2019, "Pengadaan alat suntik 2019")
    path = "/paket/?tahun=2019"
    html, _ = get(client, path)
    assert 'data-count="3"' in html

    withdraw(gone)  # committed: a new 2019 version
    computed.clear()
    with CaptureQueriesContext(connection) as queries:
        first = client.get(path).content.decode()
    # The stale summary, at once (a count above the rows listed; one below them would be
    # computed in the request: tests/contracts/test_stale_counts.py).
    assert 'data-count="3"' in first
    assert computed == []
    assert not [q for q in queries.captured_queries if "GROUPING SETS" in q["sql"]]
    second = client.get(path).content.decode()  # meanwhile: stale too, no second job
    assert 'data-count="3"' in second
    assert computed == []
    # One job per retired value: the year's summary, the year facet (every year's) and the
    # page's row ids.
    queued = sorted(job.args["name"] for job in recompute_jobs().filter(status="todo"))
    assert queued == ["daftar", "daftar-baris", "daftar-tahun"]

    run_queued_jobs()
    assert sorted(name for name, _ in computed) == ["daftar", "daftar-baris", "daftar-tahun"]
    computed.clear()
    assert 'data-count="2"' in client.get(path).content.decode()
    assert computed == []  # stored by the job: the visitor computes nothing


@jobs_db
def test_a_job_already_queued_is_not_queued_twice(client, settings, computed):
    """Two visitors who both find the value retired (the second after the first's lock has
    expired, or on another server as it did) queue one job: its queueing lock; the second,
    finding the queue not keeping up, computes the value itself."""
    load_migrated_data()
    cache.clear()
    settings.PUBLIC_CACHE_SERVE_STALE = True
    published(2019, "Pengadaan obat puskesmas 2019")
    gone = published(2019, "Pengadaan vaksin puskesmas 2019")
    path = "/paket/?tahun=2019"
    get(client, path)
    withdraw(gone)
    computed.clear()
    assert 'data-count="2"' in client.get(path).content.decode()
    for key in [k for k in _cache_keys() if k.startswith("kunci:")]:
        cache.delete(key)  # the first visitor's lock expired
    assert 'data-count="1"' in client.get(path).content.decode()
    names = ["daftar", "daftar-baris", "daftar-tahun"]  # the summary, year facet, row ids
    assert sorted(job.args["name"] for job in recompute_jobs()) == names
    assert sorted(name for name, _ in computed) == names


def _cache_keys():
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM portal_cache")
        return [row[0].split(":", 2)[2] for row in cursor.fetchall()]
