"""The error of every failed job attempt, kept for administrators (opendata.JobFailure).

A worker middleware of the queue (PROCRASTINATE_WORKER_DEFAULTS "worker_middleware"): it wraps
every job a worker runs, on the worker's event loop, and re-raises what the job raised, so
Procrastinate's own retry and failure handling stay as they are. Imported by the settings:
nothing here touches the models at import time.
"""

import traceback

from asgiref.sync import sync_to_async

# A traceback's end is where the error is, its start where it came in; a whole one may be long
# (a store's retries, chained exceptions): the middle is left out.
ERROR_HEAD_CHARS = 1500
ERROR_TAIL_CHARS = 4500
KEPT_DAYS = 30


async def record_failures(call_next, context, worker):
    try:
        return await call_next()
    except Exception as error:
        await sync_to_async(_record, thread_sensitive=False)(context.job, error)
        raise


def _record(job, error):
    from django.db import connection
    from django.utils import timezone

    from opendata.models import JobFailure

    text = "".join(traceback.format_exception(error))
    if len(text) > ERROR_HEAD_CHARS + ERROR_TAIL_CHARS:
        text = f"{text[:ERROR_HEAD_CHARS]}\n…\n{text[-ERROR_TAIL_CHARS:]}"
    try:
        JobFailure.objects.create(
            job_id=job.id, task_name=job.task_name, attempt=job.attempts + 1, error=text
        )
        # Old errors go with the next one: no sweep of their own needed.
        JobFailure.objects.filter(
            at__lt=timezone.now() - timezone.timedelta(days=KEPT_DAYS)
        ).delete()
    except Exception:  # noqa: S110 (the job's own failure must not be hidden by this one)
        pass
    finally:
        connection.close()
