"""All background work is jobs of one queue (Procrastinate): the periodic jobs and their locks,
edits that queue a recompute instead of doing it in the request, a store error that fails a
job and not its worker, two workers that never run a job twice, a killed worker's job run
again once, and runportal's supervision of its workers."""

import asyncio
import contextlib
import datetime
import io
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
from asgiref.sync import async_to_sync
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateEvent, ProcrastinateJob
from procrastinate.exceptions import AlreadyEnqueued

from agencies.models import Agency
from contracts.management.commands.runportal import QueueWorkers
from contracts.models import StageRequirement
from integrity.models import Flag, PackageFlag, Threshold
from opendata import tasks as opendata_tasks
from tests import job_probe
from tests.factories import make_administrator, make_operator, make_process, planning_fields
from tests.workers import (
    ROOT,
    database_url,
    jobs_db,
    load_migrated_data,
    run_queued_jobs,
    wait_until,
    worker_process,
)

FUTURE = datetime.date(2099, 6, 1)
QUEUE_TABLES = (
    "procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs, procrastinate_workers"
)


@pytest.fixture
def empty_queue():
    """The queue's tables are not Django's to flush between tests: emptied before and after."""

    def empty():
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {QUEUE_TABLES} CASCADE")

    empty()
    yield
    empty()


@pytest.fixture
def probe_table():
    with connection.cursor() as cursor:
        cursor.execute(job_probe.CREATE)
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {job_probe.TABLE}")


def probe_runs():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, pid, event FROM {job_probe.TABLE}")  # noqa: S608
        return cursor.fetchall()


def published(agency, **fields):
    # Planned in the future: no stage is late, so only the flag under test shows.
    future = {"planned_start": FUTURE, "planned_end": FUTURE}
    return make_process(
        agency,
        status="published",
        published_at=timezone.now(),
        **planning_fields(**future, **fields),
    )


def direct_purchase():
    """A direct purchase of goods with a pagu of Rp 250 juta: above the Rp 200 juta limit of
    Perpres 12/2021 for pengadaan langsung (flag DIRECT_ABOVE_LIMIT)."""
    roads = Agency.objects.get(code="dinas-pu-bina-marga-penataan-ruang")
    return published(
        roads, method="pengadaan_langsung", category="barang", budget_amount=250_000_000
    )


# --- The schedule -----------------------------------------------------------------------------


def test_the_periodic_jobs_are_registered_with_their_schedules_and_locks():
    periodic = {p.task.name: p for p in app.periodic_registry.periodic_tasks.values()}
    # Asia/Jakarta is UTC+7: 00:15 WIB is 17:15 UTC the day before.
    expected = {
        "opendata.tasks.build_open_data": ("*/10 * * * *", "opendata-bulk-build"),
        "opendata.tasks.clear_sessions": ("45 17 * * *", "clear-sessions"),
        "opendata.tasks.retry_stalled_jobs": ("* * * * *", "retry-stalled-jobs"),
    }
    for name, (cron, lock) in expected.items():
        assert periodic[name].cron == cron, name
        task = periodic[name].task
        # One waiting (queueing lock) and one running (lock) at most; the next run is the
        # retry (a job put back beside its waiting twin would break the queueing lock).
        # The sweep keeps itself single without a lock (see the stalled sweep's test).
        running_lock = None if name.endswith("retry_stalled_jobs") else lock
        assert task.queueing_lock == lock and task.lock == running_lock, name
        assert task.retry_strategy is None, name
    # The daily job: never two at once, and retried (so no queueing lock).
    daily = periodic["opendata.tasks.portal_daily"]
    assert daily.cron == "15 17 * * *"
    assert daily.task.lock == "portal-daily" and daily.task.queueing_lock is None
    assert daily.task.retry_strategy.max_attempts == 2
    # The old loop is gone from runportal: its work is these jobs.
    runportal = (ROOT / "contracts/management/commands/runportal.py").read_text()
    assert "portal_worker" not in runportal


def test_local_cron_places_a_time_of_day_in_utc(settings):
    assert opendata_tasks.local_cron(6) == "0 23 * * *"
    settings.TIME_ZONE = "Asia/Jayapura"  # WIT, UTC+9
    assert opendata_tasks.local_cron(0, 15) == "15 15 * * *"


@pytest.mark.django_db
def test_the_sessions_job_removes_expired_sessions_only():
    now = timezone.now()
    Session.objects.create(
        session_key="a" * 32, session_data="", expire_date=now - timezone.timedelta(days=1)
    )
    Session.objects.create(
        session_key="b" * 32, session_data="", expire_date=now + timezone.timedelta(days=1)
    )
    opendata_tasks.clear_sessions(timestamp=0)
    assert list(Session.objects.values_list("session_key", flat=True)) == ["b" * 32]


# --- portal_daily: never two at once ----------------------------------------------------------


@jobs_db
def test_portal_daily_queued_twice_runs_one_after_the_other(media_root, empty_queue):
    load_migrated_data()
    direct_purchase()
    first = opendata_tasks.portal_daily.defer(timestamp=0)
    second = opendata_tasks.portal_daily.defer(timestamp=1)
    locks = set(
        ProcrastinateJob.objects.filter(pk__in=[first, second]).values_list("lock", flat=True)
    )
    assert locks == {"portal-daily"}  # a worker takes no job whose lock a running one holds
    run_queued_jobs()
    done = ProcrastinateJob.objects.filter(pk__in=[first, second])
    assert set(done.values_list("status", flat=True)) <= {"succeeded"}
    assert PackageFlag.objects.filter(flag=Flag.DIRECT_ABOVE_LIMIT).count() == 1


@jobs_db
def test_two_flag_refreshes_at_once_both_finish_without_a_duplicate(media_root):
    load_migrated_data()
    packages = [direct_purchase() for _ in range(30)]
    call_command("refresh_flags", stdout=open(os.devnull, "w"))  # noqa: SIM115
    expected = sorted(PackageFlag.objects.values_list("process_id", "flag"))
    assert (packages[0].pk, Flag.DIRECT_ABOVE_LIMIT) in expected
    errors = []

    def refresh():
        try:
            call_command("refresh_flags", stdout=open(os.devnull, "w"))  # noqa: SIM115
        except Exception as error:  # IntegrityError on packageflag_once without the lock
            errors.append(error)
        finally:
            connections.close_all()

    # The daily job and an operator's refresh_flags (or a threshold edit's job), together: the
    # table held against writes until both have reached their writing, then let go at once.
    threads = [threading.Thread(target=refresh) for _ in range(2)]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE integrity_packageflag IN SHARE ROW EXCLUSIVE MODE")
        for thread in threads:
            thread.start()
        wait_until(lambda: _waiting_for_a_lock() == 2, seconds=60, what="both at the flags")
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(PackageFlag.objects.values_list("process_id", "flag")) == expected


def _waiting_for_a_lock():
    with connections["progress"].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@jobs_db
def test_a_build_by_hand_while_another_runs_says_so(media_root):
    # Another build holds the lock (taken here on a connection of its own, in a transaction).
    with transaction.atomic(using="progress"), connections["progress"].cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('opendata.bulk'))")
        out = io.StringIO()
        call_command("build_open_data", stdout=out)
    assert "pembangunan lain sedang berjalan" in out.getvalue()
    assert "tidak ada yang berubah" not in out.getvalue()
    out = io.StringIO()
    call_command("build_open_data", stdout=out)
    assert "pembangunan lain" not in out.getvalue()


# --- Edits that queue a recompute -------------------------------------------------------------


@jobs_db
def test_a_rule_edit_returns_at_once_and_the_recompute_runs_as_one_job(
    client, media_root, empty_queue
):
    load_migrated_data()
    operator = make_operator(Agency.objects.get(code="dinas-kesehatan"))
    process = make_process(operator.agency, **planning_fields())
    assert not process.completeness.get(stage="perencanaan").is_complete
    client.force_login(make_administrator())
    requirements = list(
        StageRequirement.objects.filter(stage="perencanaan", document_type__isnull=False)
    )
    assert len(requirements) >= 2
    for requirement in requirements:
        response = client.post(
            f"/admin/contracts/stagerequirement/{requirement.pk}/delete/",
            {"post": "yes"},
            follow=True,
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "akan dihitung ulang di antrean pekerjaan latar" in page
        assert reverse("admin:procrastinate_procrastinatejob_changelist") in page
    # Nothing recomputed in the requests; several edits, one job waiting.
    assert not process.completeness.get(stage="perencanaan").is_complete
    waiting = ProcrastinateJob.objects.filter(task_name="contracts.tasks.recompute_completeness")
    assert [job.status for job in waiting] == ["todo"]
    # The administrator sees it waiting on the jobs' page.
    jobs_page = client.get(reverse("admin:procrastinate_procrastinatejob_changelist"))
    assert "Hitung ulang kelengkapan semua paket" in jobs_page.content.decode()
    assert "menunggu" in jobs_page.content.decode()

    run_queued_jobs()
    assert process.completeness.get(stage="perencanaan").is_complete
    # Done as the job (the worker removes a successful job, or marks it so in this process).
    assert set(waiting.values_list("status", flat=True)) <= {"succeeded"}


@jobs_db
def test_a_threshold_edit_returns_at_once_and_the_flags_follow_as_a_job(
    client, media_root, empty_queue
):
    load_migrated_data()
    package = direct_purchase()
    call_command("refresh_flags", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert package.flags.filter(flag=Flag.DIRECT_ABOVE_LIMIT).exists()
    client.force_login(make_administrator())
    threshold = Threshold.objects.get(
        flag=Flag.DIRECT_ABOVE_LIMIT, category="barang", valid_until__isnull=True
    )
    response = client.post(
        reverse("admin:integrity_threshold_change", args=[threshold.pk]),
        {
            "flag": threshold.flag,
            "category": threshold.category,
            "method": "",
            "value": "300000000",  # Rp 300 juta: the Rp 250 juta purchase is now within it
            "unit": "rupiah",
            "valid_from": threshold.valid_from.isoformat(),
            "valid_until": "",
            "source": threshold.source,
            "note": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "Tanda untuk dicermati semua paket akan dihitung ulang" in response.content.decode()
    assert package.flags.filter(flag=Flag.DIRECT_ABOVE_LIMIT).exists()
    assert ProcrastinateJob.objects.filter(task_name="integrity.tasks.recompute_flags").exists()

    run_queued_jobs()
    assert not package.flags.filter(flag=Flag.DIRECT_ABOVE_LIMIT).exists()


@jobs_db
def test_operators_and_supervisors_do_not_see_the_jobs_page(client, empty_queue):
    load_migrated_data()
    from tests.factories import make_supervisor

    url = reverse("admin:procrastinate_procrastinatejob_changelist")
    for user in (make_operator(Agency.objects.get(code="dinas-kesehatan")), make_supervisor()):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert "Pekerjaan latar" not in client.get(reverse("admin:index")).content.decode()
    client.force_login(make_administrator())
    assert client.get(url).status_code == 200
    assert "Pekerjaan latar" in client.get(reverse("admin:index")).content.decode()


def test_every_task_of_the_portal_has_an_indonesian_description():
    from opendata_kontrak.jobs_admin import TASK_LABELS

    # Procrastinate registers each task under module.function and an alias for it; the test
    # probes (tests.*) are not the portal's.
    names = {task.name for task in app.tasks.values() if not task.name.startswith("tests.")}
    assert "integrity.tasks.recompute_flags" in names and "alerts.tasks.send_mail" in names
    assert names - set(TASK_LABELS) == set()


@jobs_db
def test_the_jobs_page_speaks_indonesian_statuses_tasks_and_wib_times(client, empty_queue):
    from integrity.tasks import recompute_flags

    load_migrated_data()
    flags_id = recompute_flags.defer()
    build_id = opendata_tasks.build_open_data.defer(timestamp=0)
    ProcrastinateJob.objects.filter(pk=build_id).update(status="failed")
    # Deferred at 22.55 WIB (15.55 UTC): the time the list shows, in the portal's zone.
    ProcrastinateEvent.objects.filter(job_id=flags_id, type="deferred").update(
        at=datetime.datetime(2026, 12, 1, 15, 55, tzinfo=datetime.UTC)
    )
    client.force_login(make_administrator())
    url = reverse("admin:procrastinate_procrastinatejob_changelist")
    html = client.get(url).content.decode()
    assert "<h1>Pekerjaan latar</h1>" in html
    assert "untuk melihat" not in html
    # The status filter and column in Indonesian, none of the library's English values.
    for label in ["menunggu", "berjalan", "berhasil", "gagal", "dibatalkan", "dihentikan"]:
        assert f">{label}</a>" in html, label
    for english in ["todo", "doing", "succeeded", "failed", "cancelled", "aborted"]:
        assert f">{english}<" not in html, english
    # Each task described, its raw name still there, small.
    described = (
        "Hitung ulang tanda untuk dicermati<br><small>integrity.tasks.recompute_flags</small>"
    )
    assert described in html
    assert "Bangun berkas data terbuka<br><small>opendata.tasks.build_open_data</small>" in html
    assert "1 Desember 2026 pukul 22.55 WIB" in html

    waiting = client.get(url, {"status": "todo"}).content.decode()
    # (The task filter lists both tasks whatever the status; the list's cells end in </td>.)
    assert "recompute_flags</small></td>" in waiting
    assert "build_open_data</small></td>" not in waiting
    assert "build_open_data</small></td>" in client.get(url, {"status": "failed"}).content.decode()
    only_flags = client.get(url, {"task_name": "integrity.tasks.recompute_flags"})
    assert "opendata.tasks.build_open_data</small></td>" not in only_flags.content.decode()
    assert only_flags.context["cl"].result_count == 1


# --- Real worker processes --------------------------------------------------------------------


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@jobs_db
def test_a_store_error_fails_the_build_job_and_the_worker_serves_the_next(
    client, tmp_path, empty_queue
):
    load_migrated_data()
    package = direct_purchase()
    # The object store is down: nothing listens where the worker is told it is.
    store = {
        "S3_BUCKET": "dokumen",
        "S3_ENDPOINT_URL": f"http://127.0.0.1:{closed_port()}",
        "S3_ACCESS_KEY_ID": "uji",
        "S3_SECRET_ACCESS_KEY": "rahasia-uji",
        "S3_MAX_ATTEMPTS": "1",
        "S3_CONNECT_TIMEOUT_SECONDS": "1",
    }
    build_id = opendata_tasks.build_open_data.defer(timestamp=0)
    from integrity.tasks import recompute_flags

    recompute_flags.defer()
    with worker_process(media_root=tmp_path / "media", env=store) as worker:
        # The build failed ...
        wait_until(
            lambda: ProcrastinateEvent.objects.filter(job_id=build_id, type="failed").exists(),
            seconds=90,
            what="the build's failure",
        )
        # ... and the same worker ran the next job: the package's flags are there.
        wait_until(
            lambda: package.flags.filter(flag=Flag.DIRECT_ABOVE_LIMIT).exists(),
            seconds=90,
            what="the next job",
        )
        assert worker.poll() is None, "the worker died with the store error"
    # Failed, not lost: the next run (every 10 minutes) builds again.
    assert ProcrastinateJob.objects.get(pk=build_id).status == "failed"
    # The administrator sees which job failed and why.
    client.force_login(make_administrator())
    listing = client.get(reverse("admin:procrastinate_procrastinatejob_changelist"))
    html = listing.content.decode()
    assert "Bangun berkas data terbuka" in html and "gagal" in html
    assert "EndpointConnectionError: Could not connect to the endpoint URL" in html
    page = client.get(
        reverse("admin:procrastinate_procrastinatejob_change", args=[build_id])
    ).content.decode()
    assert "Traceback (most recent call last)" in page and "EndpointConnectionError" in page


@jobs_db
def test_the_stalled_sweep_requeues_a_dead_workers_job_but_not_an_import(empty_queue):
    from integrity.tasks import recompute_flags

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO procrastinate_workers (last_heartbeat) "
            "VALUES (now() - interval '1 hour') RETURNING id"
        )
        dead = cursor.fetchone()[0]
    lone = opendata_tasks.clear_sessions.defer(timestamp=0)
    twinned = recompute_flags.defer()
    an_import = app.configure_task("imports.tasks.perform_import_job", queue="imports").defer(
        job_id=1
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procrastinate_jobs SET status = 'doing', worker_id = %s WHERE id = ANY(%s)",
            [dead, [lone, twinned, an_import]],
        )
    twin = recompute_flags.defer()  # an edit made after the worker died: it waits
    assert sweep_stalled() == 1
    jobs = {job.pk: job for job in ProcrastinateJob.objects.all()}
    assert (jobs[lone].status, jobs[lone].attempts) == ("todo", 1)  # to run again
    assert jobs[twinned].status == "failed" and jobs[twin].status == "todo"  # the twin does it
    assert jobs[an_import].status == "doing"  # imports.jobs.fail_stalled's to settle


@jobs_db
def test_two_workers_never_run_the_same_job(tmp_path, empty_queue, probe_table):
    with (
        worker_process(media_root=tmp_path, settings_module="tests.job_settings") as first,
        worker_process(media_root=tmp_path, settings_module="tests.job_settings") as second,
    ):
        wait_until(lambda: _worker_count() == 2, seconds=60, what="two workers")
        count = 60
        with transaction.atomic():
            for index in range(count):
                job_probe.record_run.defer(key=f"job-{index}", seconds=0.1)
        wait_until(
            lambda: sum(event == "done" for _, _, event in probe_runs()) >= count,
            seconds=120,
            what="every job run",
        )
        time.sleep(1)  # time for a double run, were there one, to show
        runs = probe_runs()
        pids = {first.pid, second.pid}
    starts = sorted(key for key, _, event in runs if event == "start")
    assert starts == sorted(f"job-{index}" for index in range(count))  # each once
    assert {pid for _, pid, _ in runs} == pids  # and both took their share


def _worker_count():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM procrastinate_workers")
        return cursor.fetchone()[0]


@jobs_db
def test_a_job_of_a_killed_worker_runs_again_once(tmp_path, empty_queue, probe_table):
    job_id = job_probe.record_run.defer(key="long", seconds=8)
    with worker_process(
        media_root=tmp_path, settings_module="tests.job_settings", stalled_seconds=2
    ) as doomed:
        wait_until(lambda: probe_runs(), seconds=60, what="the job's start")
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait()
    assert ProcrastinateJob.objects.get(pk=job_id).status == "doing"  # stuck, on its own
    time.sleep(3)  # its worker's heartbeat is older than JOB_STALLED_SECONDS (2)
    with worker_process(
        media_root=tmp_path, settings_module="tests.job_settings", stalled_seconds=2
    ) as survivor:
        # The minute's sweep (opendata.tasks.retry_stalled_jobs), asked for now.
        with contextlib.suppress(AlreadyEnqueued), transaction.atomic():
            opendata_tasks.retry_stalled_jobs.defer(timestamp=0)
        wait_until(
            lambda: [event for _, _, event in probe_runs()] == ["start", "start", "done"],
            seconds=90,
            what="the job run again to its end",
        )
        time.sleep(2)
        runs = probe_runs()
    assert [(pid, event) for _, pid, event in runs] == [
        (doomed.pid, "start"),
        (survivor.pid, "start"),
        (survivor.pid, "done"),
    ]
    assert not ProcrastinateJob.objects.filter(pk=job_id).exists()  # succeeded, removed


@pytest.fixture
def cluster_probe_tables():
    """The two tables of opendata_kontrak.cluster_probe (scripts/cluster.py makes them too)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE cluster_probe_start (token text NOT NULL, pid integer NOT NULL, "
            "job_id bigint NOT NULL, at timestamptz NOT NULL DEFAULT now()); "
            "CREATE TABLE cluster_probe_run (token text PRIMARY KEY, runs integer NOT NULL)"
        )
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS cluster_probe_start, cluster_probe_run")


def _rows(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


@jobs_db
def test_a_job_whose_connection_the_failover_cut_runs_again_on_the_same_worker(
    tmp_path, empty_queue, cluster_probe_tables
):
    """What a failover does to a running job, for real: the server ends the job's connection
    ("terminating connection due to administrator command", as when the primary stops) while
    its worker lives on. The job is retried (opendata_kontrak.job_retry.DATABASE_LOST) and
    runs to its end once, instead of ending as failed: lost, as `make cluster` once found."""
    from opendata_kontrak.cluster_probe import cluster_probe

    job_id = cluster_probe.defer(token="cut", seconds=3)
    with worker_process(media_root=tmp_path, settings_module="tests.job_settings") as worker:
        wait_until(
            lambda: _rows("SELECT pid FROM cluster_probe_start"), seconds=60, what="the start"
        )
        # The job's own connection: the one whose last statement was its start row.
        (terminated,) = _rows(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE query LIKE 'INSERT INTO cluster_probe_start%' AND pid <> pg_backend_pid()"
        )
        assert terminated == (True,)
        wait_until(
            lambda: _rows("SELECT runs FROM cluster_probe_run WHERE token = 'cut'"),
            seconds=60,
            what="the probe run again to its end",
        )
        time.sleep(1)  # a third start or a second finish, were there one, shows
        starts = _rows("SELECT pid, job_id FROM cluster_probe_start ORDER BY at")
        runs = _rows("SELECT token, runs FROM cluster_probe_run")
        alive = worker.poll() is None
    assert starts == [(worker.pid, job_id), (worker.pid, job_id)]  # cut once, run again
    assert runs == [("cut", 1)]  # finished once
    assert alive  # the worker itself went on
    assert not ProcrastinateJob.objects.filter(pk=job_id).exists()  # succeeded, removed


def _dead_worker():
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO procrastinate_workers (last_heartbeat) "
            "VALUES (now() - interval '1 hour') RETURNING id"
        )
        return cursor.fetchone()[0]


def _doing_on(worker_id, *job_ids):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procrastinate_jobs SET status = 'doing', worker_id = %s WHERE id = ANY(%s)",
            [worker_id, list(job_ids)],
        )


@jobs_db
def test_a_sweep_whose_worker_died_does_not_stop_the_next_sweeps(
    tmp_path, empty_queue, probe_table
):
    """A worker killed while it ran the minute's sweep leaves that sweep `doing` for ever.
    The next sweeps still run (the sweep has no `lock` its dead twin would hold), and put
    back both the dead worker's other job and the stalled sweep itself.

    The other job is the probe task, which has no queueing lock: a periodic job with one (the
    session cleanup) may meet its own next run already waiting, and then ends as failed while
    its twin does the work, by design (see the sweep's own test above)."""
    dead = _dead_worker()
    stalled_sweep = opendata_tasks.retry_stalled_jobs.defer(timestamp=1)
    lone = job_probe.record_run.defer(key="lone")
    _doing_on(dead, stalled_sweep, lone)
    with worker_process(
        media_root=tmp_path, settings_module="tests.job_settings", stalled_seconds=2
    ):
        with contextlib.suppress(AlreadyEnqueued), transaction.atomic():
            opendata_tasks.retry_stalled_jobs.defer(timestamp=2)  # the next minute's (or its own)
        # The other job put back and run to its end (and removed, as successful jobs are);
        # the stalled sweep put back too, or ended as failed if the next minute's sweep
        # already waited (a twin by its queueing lock, which does the same work).
        wait_until(
            lambda: not ProcrastinateJob.objects.filter(pk=lone).exists(),
            seconds=60,
            what="the dead worker's job run again",
        )
        assert [run[0::2] for run in probe_runs()] == [("lone", "start"), ("lone", "done")]
        wait_until(
            lambda: not ProcrastinateJob.objects.filter(pk=stalled_sweep, status="doing").exists(),
            seconds=60,
            what="the stalled sweep settled",
        )


@pytest.mark.django_db
def test_a_sweep_does_nothing_while_another_runs_on_a_live_worker(empty_queue):
    """Two sweeps at once could both put back the same job, the second after a live worker
    has taken it again: run twice. The second one leaves the work to the first."""
    dead = _dead_worker()
    lone = opendata_tasks.clear_sessions.defer(timestamp=0)
    _doing_on(dead, lone)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO procrastinate_workers DEFAULT VALUES RETURNING id")
        live = cursor.fetchone()[0]
    other_sweep = opendata_tasks.retry_stalled_jobs.defer(timestamp=1)
    _doing_on(live, other_sweep)
    assert sweep_stalled() == 0
    assert ProcrastinateJob.objects.get(pk=lone).status == "doing"  # left to the other
    _doing_on(dead, other_sweep)  # the other one's worker dies in turn
    assert sweep_stalled() == 2  # now this one does it: both put back
    assert set(ProcrastinateJob.objects.values_list("status", flat=True)) == {"todo"}


@jobs_db
def test_runportal_starts_again_a_worker_that_died(tmp_path, empty_queue):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(tmp_path),
        "JOB_STALLED_SECONDS": "30",
    }
    env.pop("S3_BUCKET", None)

    def start():
        return subprocess.Popen(
            [sys.executable, "manage.py", "procrastinate", "worker"], cwd=ROOT, env=env
        )

    errors = open(os.devnull, "w")  # noqa: SIM115
    workers = QueueWorkers(2, stderr=errors, start=start)
    try:
        wait_until(lambda: _worker_count() == 2, seconds=60, what="two workers")
        assert workers.mend() == 0
        killed = workers.processes[0]
        os.kill(killed.pid, signal.SIGKILL)
        killed.wait()
        assert workers.mend() == 1
        replacement = workers.processes[0]
        assert replacement.pid != killed.pid and replacement.poll() is None
        assert workers.processes[1].poll() is None
        # The new one serves: three worker rows have been seen, two of them alive.
        wait_until(lambda: _worker_count() == 3, seconds=60, what="the new worker's heartbeat")
    finally:
        workers.stop()
        errors.close()
    assert all(process.poll() is not None for process in workers.processes)


@jobs_db
def test_the_old_portal_worker_command_starts_the_queue_worker(tmp_path, empty_queue):
    env = {**os.environ, "DATABASE_URL": database_url(), "MEDIA_ROOT": str(tmp_path)}
    env.pop("S3_BUCKET", None)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "portal_worker", "--every", "600"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # The same process (a service manager keeps watching it) is now a queue worker.
        wait_until(lambda: _worker_count() == 1, seconds=60, what="the worker's heartbeat")
        assert process.poll() is None
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=30)
    assert "portal_worker sudah usang" in errors


def sweep_stalled():
    """The stalled-job sweep run as a worker runs it, with this thread's database connection
    (the test's transaction). A browser test earlier in this process may leave its event loop
    marked as running on this thread, where asgiref's async_to_sync refuses to start: the mark
    is set aside for the call and put back after."""
    running = asyncio.events._get_running_loop()
    asyncio.events._set_running_loop(None)
    try:
        return async_to_sync(opendata_tasks.retry_stalled_jobs.func)(None, timestamp=0)
    finally:
        asyncio.events._set_running_loop(running)
