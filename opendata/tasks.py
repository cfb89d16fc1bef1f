"""Open data's tasks and the portal's periodic work, found by Procrastinate's autodiscovery
(PROCRASTINATE_* settings). Every periodic job here also exists as a management command an
operator may run by hand; the job calls the same function.

Procrastinate reads cron in UTC (croniter over time.time()); the daily jobs are placed in the
portal's own time zone by `local_cron`.
"""

import datetime
import io
import logging
import zoneinfo

from django.conf import settings
from django.core.management import call_command
from procrastinate import RetryStrategy, exceptions
from procrastinate.contrib.django import app
from procrastinate.jobs import Status

from opendata import bulk, quality

logger = logging.getLogger(__name__)

QUALITY_LOCK = "data-quality"
BULK_LOCK = "opendata-bulk-build"
DAILY_LOCK = "portal-daily"
SESSIONS_LOCK = "clear-sessions"
STALLED_LOCK = "retry-stalled-jobs"
# Imports are never retried blindly: imports.tasks.fail_stalled_imports marks them failed.
NOT_RETRIED_QUEUES = frozenset({"imports"})


def local_cron(hour, minute=0):
    """The cron (UTC) of hour:minute in the portal's time zone, e.g. "15 17 * * *" for
    00:15 WIB (UTC+7, no daylight saving)."""
    offset = datetime.datetime.now(zoneinfo.ZoneInfo(settings.TIME_ZONE)).utcoffset()
    total = (hour * 60 + minute - int(offset.total_seconds() // 60)) % (24 * 60)
    return f"{total % 60} {total // 60} * * *"


# One queued at a time (queueing_lock: a second request while one waits is the same request)
# and one running at a time (lock).
@app.task(queue="opendata", queueing_lock=QUALITY_LOCK, lock=QUALITY_LOCK, pass_context=False)
def refresh_data_quality(*, requested_by_id=None):
    from agencies.models import User

    requested_by = User.objects.filter(pk=requested_by_id).first() if requested_by_id else None
    quality.refresh(requested_by=requested_by)


# Every 10 minutes; one waiting and one running at most. A store error (the object store down:
# EndpointConnectionError) fails this job, and the next run ten minutes on is its retry: the
# worker itself goes on serving other jobs. (No retry of its own: a job with a queueing lock
# put back in the queue while the next run already waits there would break that lock.)
@app.periodic(cron="*/10 * * * *", periodic_id="opendata-bulk-build")
@app.task(queue="opendata", queueing_lock=BULK_LOCK, lock=BULK_LOCK, pass_context=False)
def build_open_data(timestamp=None):
    """The bulk files of the scopes whose data changed (manage.py build_open_data)."""
    try:
        rebuilt = bulk.build(base_url=settings.PORTAL["BASE_URL"])
    except bulk.BuildRunning:
        logger.info("Data terbuka: pembangunan lain sedang berjalan; yang ini dilewati.")
    else:
        logger.info(
            "Data terbuka dibangun ulang: %s", ", ".join(rebuilt) or "tidak ada yang berubah"
        )


# Just after midnight in the portal's time zone: overdue-stage flags depend on today's date.
# Locked: two never run at once (a second one, deferred by hand, waits for the first). No
# queueing lock, so that a failed run may go back to the queue: retried twice, 10 and 20
# minutes on.
@app.periodic(cron=local_cron(0, 15), periodic_id="portal-daily")
@app.task(
    queue="opendata",
    lock=DAILY_LOCK,
    pass_context=False,
    retry=RetryStrategy(max_attempts=2, linear_wait=600),
)
def portal_daily(timestamp=None):
    """Flags, the sign-in audit's age, orphaned files, the quality report queued
    (manage.py portal_daily)."""
    out = io.StringIO()
    call_command("portal_daily", stdout=out)
    logger.info("%s", out.getvalue().strip())


@app.periodic(cron=local_cron(0, 45), periodic_id="clear-sessions")
@app.task(queueing_lock=SESSIONS_LOCK, lock=SESSIONS_LOCK, pass_context=False)
def clear_sessions(timestamp=None):
    """Expired sessions go (manage.py clearsessions)."""
    call_command("clearsessions")


# One waiting (queueing lock), and one running by the check below rather than by a `lock`: a
# sweep whose own worker died would hold that lock while `doing` forever, and every later sweep
# would wait behind it, so that no stalled job were ever retried again.
@app.periodic(cron="* * * * *", periodic_id="retry-stalled-jobs")
@app.task(queueing_lock=STALLED_LOCK, pass_context=True)
async def retry_stalled_jobs(context, timestamp=None):
    """Jobs whose worker died mid-job (no heartbeat for JOB_STALLED_SECONDS, or its worker
    pruned) go back to the queue, to be run again by a live worker. An attempt is counted, so
    a job that kills its worker every time ends after its attempts like any failure.

    One sweep at a time: a sweep that sees another one `doing` on a live worker does nothing
    (of two that start together each sees the other, as each was `doing` before it looked, and
    both leave it to the next minute); a stalled sweep is retried like any job. `retry_job`
    moves only a row still `doing`, and a live worker's jobs are never stalled. Imports are
    left to imports.tasks.fail_stalled_imports (an import half-run by a dead worker is failed
    and shown to its uploader, not rerun). `context` is None when called by hand."""
    own_id = context.job.id if context is not None else None
    running = await app.connector.execute_query_one_async(
        "SELECT count(*) AS n FROM procrastinate_jobs job "
        "JOIN procrastinate_workers worker ON worker.id = job.worker_id "
        "WHERE job.task_name = %(task_name)s AND job.status = 'doing' "
        "AND (%(own_id)s::bigint IS NULL OR job.id <> %(own_id)s::bigint) "
        "AND worker.last_heartbeat >= now() - make_interval(secs => %(seconds)s)",
        task_name=retry_stalled_jobs.name,
        own_id=own_id,
        seconds=settings.JOB_STALLED_SECONDS,
    )
    if running["n"]:
        logger.info("Penyapuan pekerjaan macet dilewati: yang lain sedang berjalan.")
        return 0
    stalled = await app.job_manager.get_stalled_jobs(
        seconds_since_heartbeat=settings.JOB_STALLED_SECONDS
    )
    retried = 0
    for job in stalled:
        if job.queue in NOT_RETRIED_QUEUES:
            continue
        try:
            await app.job_manager.retry_job(job)
        except exceptions.UniqueViolation:
            # A twin with the same queueing lock already waits (e.g. the next periodic run,
            # or an edit's recompute): it does the same work. This one ends as failed.
            await app.job_manager.finish_job_by_id_async(
                job_id=job.id, status=Status.FAILED, delete_job=False
            )
            continue
        retried += 1
    if retried:
        logger.warning("%s pekerjaan dari proses antrean yang mati diantrekan lagi.", retried)
    return retried
