"""Imports run by the background queue: an upload is queued for its preview, and once its
uploader or an administrator confirms it, for its commit.

Each step runs `imports.services.run_import` in a worker (`manage.py procrastinate worker`), so
a year's export is no longer bound by the web server's request timeout. The import itself
stays one transaction: a worker killed mid-commit leaves every row as it was. The job row
tells the page how far it got; a job whose worker stopped sending heartbeats is marked failed
by `fail_stalled`, called by the job page and once a minute by any live worker.
"""

import asyncio
import contextlib
import dataclasses
import hashlib
import uuid
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from procrastinate import exceptions
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob, ProcrastinateWorker
from procrastinate.jobs import Status

from imports.models import ImportJob
from imports.report import ImportReport, RowResult
from imports.services import run_import
from opendata_kontrak.readers import ImportFileError

State, Mode = ImportJob.State, ImportJob.Mode
STORED_PREFIX = "impor/"  # opendata_kontrak.orphans sweeps what no job is still working on

UNEXPECTED = (
    "Terjadi kesalahan tak terduga saat memproses berkas ini; tidak ada yang tersimpan. "
    "Coba unggah ulang; jika gagal lagi, hubungi pengelola portal."
)
WORKER_GONE = (
    "Proses latar yang menjalankan impor ini berhenti di tengah jalan (misalnya server dimulai "
    "ulang); tidak ada yang tersimpan. Unggah ulang berkasnya."
)
FILE_GONE = (
    "Berkas unggahan sudah tidak tersimpan (pratinjau yang tidak dikonfirmasi dihapus setelah "
    "sehari). Unggah ulang berkasnya."
)


def start_preview(*, content, filename, kind=None, by, scope):
    """Store the upload and queue its preview; the job to follow.

    Raises what the storage raises when it is unavailable (opendata_kontrak.storage).
    """
    stored = default_storage.save(f"{STORED_PREFIX}{uuid.uuid4().hex}.bin", ContentFile(content))
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind or "",
            filename=filename[:255],
            stored_name=stored,
            sha256=hashlib.sha256(content).hexdigest(),
            user=by,
            agency=scope,
        )
        _queue(job)
    return job


def confirm(*, job, by, take_source=()):
    """Queue the commit of a job whose preview is done. False when it is not (anymore): a
    second click on the same confirmation, or a preview still running."""
    with transaction.atomic():
        # One UPDATE decides: of two confirmations at once, the second finds nothing to change.
        changed = ImportJob.objects.filter(pk=job.pk, mode=Mode.PREVIEW, state=State.DONE).update(
            mode=Mode.COMMIT,
            state=State.QUEUED,
            confirmed_by=by,
            take_source=sorted(set(take_source)),
            rows_done=0,
            counts={},
            started_at=None,
            finished_at=None,
        )
        if not changed:
            return False
        job.refresh_from_db()
        _queue(job)
    return True


def _queue(job):
    from imports.tasks import perform_import_job

    # The lock refuses a second queued run of the same job, whatever path led to it.
    queue_job_id = perform_import_job.configure(queueing_lock=f"import-job-{job.pk}").defer(
        job_id=job.pk
    )
    ImportJob.objects.filter(pk=job.pk).update(queue_job_id=queue_job_id)
    job.queue_job_id = queue_job_id


def perform(*, job_id, queue_job_id=None):
    """Run the job's preview or commit, in the worker.

    In Indonesian whatever language is active: what it writes is stored (the report's notes,
    a failure's reason, the audit trail's field names) and stays as written; the pages put
    their own words (outcomes, titles, the summary) around it in the reader's language.
    """
    with translation.override(settings.LANGUAGE_CODE):
        _perform(job_id=job_id, queue_job_id=queue_job_id)


def _perform(*, job_id, queue_job_id=None):
    started = ImportJob.objects.filter(pk=job_id, state=State.QUEUED).update(
        state=State.RUNNING, started_at=timezone.now(), queue_job_id=queue_job_id
    )
    if not started:
        return  # already run, or failed while it waited
    job = ImportJob.objects.select_related("user", "confirmed_by", "agency").get(pk=job_id)
    commit = job.mode == Mode.COMMIT
    try:
        with default_storage.open(job.stored_name, "rb") as handle:
            content = handle.read()
        # The import and the job's "done" in one transaction: a worker dying between the two
        # cannot leave an import written under a job that says nothing was.
        with transaction.atomic():
            report = run_import(
                kind=job.kind or None,
                content=content,
                filename=job.filename,
                by=(job.confirmed_by or job.user) if commit else job.user,
                scope=job.agency,
                commit=commit,
                take_source=frozenset(job.take_source),
                progress=_progress_writer(job.pk),
            )
            ImportJob.objects.filter(pk=job.pk).update(
                state=State.DONE,
                kind=report.kind,
                report=dataclasses.asdict(report),
                rows_total=report.total,
                rows_done=report.total,
                counts=report.counts,
                finished_at=timezone.now(),
            )
    except FileNotFoundError:
        _fail(job, FILE_GONE)
        return
    except ImportFileError as error:
        _fail(job, str(error))
        return
    except Exception:
        _fail(job, UNEXPECTED)
        raise  # the queue records the traceback
    if commit:
        default_storage.delete(job.stored_name)


def _progress_writer(job_id):
    # Through a connection of its own: the import's transaction holds back everything else
    # it writes until the end.
    def write(rows_done, total, counts):
        ImportJob.objects.using("progress").filter(pk=job_id).update(
            rows_done=rows_done, rows_total=total, counts=counts
        )

    return write


def _fail(job, reason):
    ImportJob.objects.filter(pk=job.pk).update(
        state=State.FAILED, error=reason, finished_at=timezone.now()
    )
    job.state, job.error = State.FAILED, reason
    default_storage.delete(job.stored_name)


def fail_stalled(jobs=None):
    """Mark failed the running jobs whose worker is gone: its heartbeat is older than
    JOB_STALLED_SECONDS, or the worker was pruned as dead. The import's transaction died with
    the worker's connection, so nothing of it was written. Returns how many were marked."""
    jobs = ImportJob.objects.all() if jobs is None else jobs
    cutoff = timezone.now() - timezone.timedelta(seconds=settings.JOB_STALLED_SECONDS)
    live_workers = ProcrastinateWorker.objects.filter(last_heartbeat__gte=cutoff)
    stalled = ProcrastinateJob.objects.filter(status="doing").filter(
        Q(worker_id=None) | ~Q(worker_id__in=live_workers.values("id"))
    )
    ended = ProcrastinateJob.objects.filter(status__in=["failed", "cancelled", "aborted"])
    marked = 0
    for job in jobs.filter(state__in=[State.QUEUED, State.RUNNING]).filter(
        Q(queue_job_id__in=stalled.values("id")) | Q(queue_job_id__in=ended.values("id"))
    ):
        if not ImportJob.objects.filter(pk=job.pk, state=job.state).update(
            state=State.FAILED, error=WORKER_GONE, finished_at=timezone.now()
        ):
            continue  # its worker finished it meanwhile
        marked += 1
        default_storage.delete(job.stored_name)
        # Settled here, so that no worker takes it up again; one no longer waiting or
        # running has nothing to settle.
        with contextlib.suppress(exceptions.ConnectorException):
            _outside_any_event_loop(
                app.job_manager.finish_job_by_id_async,
                job_id=job.queue_job_id,
                status=Status.FAILED,
                delete_job=False,
            )
    return marked


def _outside_any_event_loop(coroutine_function, **kwargs):
    """Call the queue's async API from sync code. A thread with an event loop running
    (a host that embeds one) cannot wait on another loop, so the call then runs in a thread of
    its own."""
    call = async_to_sync(coroutine_function)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call(**kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call, **kwargs).result()


def live_workers():
    """How many queue workers sent a heartbeat lately (none: queued jobs wait)."""
    cutoff = timezone.now() - timezone.timedelta(seconds=settings.JOB_STALLED_SECONDS)
    return ProcrastinateWorker.objects.filter(last_heartbeat__gte=cutoff).count()


def report_of(job):
    """The job's ImportReport, rebuilt from its JSON; fields the report no longer has are
    left out, fields it gained since take their defaults."""
    data = job.report or {"kind": job.kind, "filename": job.filename}
    row_fields = {f.name for f in dataclasses.fields(RowResult)}
    report_fields = {f.name for f in dataclasses.fields(ImportReport)} - {"rows"}
    return ImportReport(
        **{key: value for key, value in data.items() if key in report_fields},
        rows=[
            RowResult(**{key: value for key, value in row.items() if key in row_fields})
            for row in data.get("rows", [])
        ],
    )
