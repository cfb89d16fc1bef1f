"""The job queue's page in the workspace (Pekerjaan latar): what the background jobs are
doing and which failed, for administrators only (operators and supervisors see neither the
page nor its entry on the index).

Procrastinate ships an admin for its jobs (procrastinate.contrib.django.admin); this one
replaces it on the portal's site: read-only (no retry, cancel or abort buttons: an operator of
the server has `manage.py procrastinate`), Indonesian labels, and the times read from the
queue's events (procrastinate_events): queued, started, finished. Successful jobs are deleted
by the worker (PROCRASTINATE_WORKER_DEFAULTS "delete_jobs"), so what stays is what waits,
runs, or failed. The queue keeps no error text: each failed attempt's error is recorded by
the workers' middleware (opendata.job_failures) and shown here, its last line in the list and
the whole in the job's page.
"""

from django.apps import apps
from django.contrib import admin
from django.db.models import OuterRef, Subquery
from django.utils.html import format_html
from procrastinate.contrib.django.models import ProcrastinateEvent, ProcrastinateJob

from opendata.models import JobFailure
from opendata_kontrak.admin_mixins import CheckedQueryParametersMixin, ReadOnlyAdminMixin

STATUS_LABELS = {
    "todo": "menunggu",
    "doing": "berjalan",
    "succeeded": "selesai",
    "failed": "gagal",
    "cancelled": "dibatalkan",
    "aborted": "dihentikan",
}

# Each job's task as an administrator knows it; an unlisted task shows its own name.
TASK_LABELS = {
    "opendata.tasks.build_open_data": "Berkas unduhan massal",
    "opendata.tasks.portal_daily": "Pekerjaan harian",
    "opendata.tasks.clear_sessions": "Sesi kedaluwarsa dibuang",
    "opendata.tasks.retry_stalled_jobs": "Pekerjaan macet diulang",
    "opendata.tasks.refresh_data_quality": "Kualitas data terbuka",
    "contracts.tasks.recompute_completeness": "Kelengkapan semua paket",
    "integrity.tasks.recompute_flags": "Tanda untuk dicermati semua paket",
    "imports.tasks.perform_import_job": "Impor data",
    "imports.tasks.fail_stalled_imports": "Impor macet ditandai gagal",
    "alerts.tasks.send_mail": "Surel langganan",
    "alerts.tasks.dispatch_alerts": "Peringatan seketika",
    "alerts.tasks.send_daily_digest": "Ringkasan harian langganan",
}


def _event_at(types, *, latest=True):
    events = ProcrastinateEvent.objects.filter(job=OuterRef("pk"), type__in=types)
    return Subquery(events.order_by("-at" if latest else "at").values("at")[:1])


class JobAdmin(ReadOnlyAdminMixin, CheckedQueryParametersMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "task_display",
        "status_display",
        "attempts",
        "queued_at",
        "started_at",
        "finished_at",
        "error_line",
    ]
    list_filter = ["status", "queue_name", "task_name"]
    ordering = ["-id"]
    fields = [
        "id",
        "task_display",
        "task_name",
        "status_display",
        "attempts",
        "queued_at",
        "started_at",
        "finished_at",
        "scheduled_at",
        "queue_name",
        "lock",
        "queueing_lock",
        "args",
        "error_display",
    ]
    readonly_fields = fields

    def _administrator(self, request):
        return request.user.is_active and request.user.is_administrator

    def has_module_permission(self, request):
        return self._administrator(request)

    def has_view_permission(self, request, obj=None):
        return self._administrator(request)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                queued=_event_at(["deferred"], latest=False),
                started=_event_at(["started"]),
                finished=_event_at(["succeeded", "failed", "cancelled", "aborted"]),
                last_error=Subquery(
                    JobFailure.objects.filter(job_id=OuterRef("pk"))
                    .order_by("-at", "-pk")
                    .values("error")[:1]
                ),
            )
        )

    @admin.display(description="tugas", ordering="task_name")
    def task_display(self, job):
        return TASK_LABELS.get(job.task_name, job.task_name)

    @admin.display(description="status", ordering="status")
    def status_display(self, job):
        return STATUS_LABELS.get(job.status, job.status)

    @admin.display(description="diantrekan", ordering="queued")
    def queued_at(self, job):
        return job.queued

    @admin.display(description="mulai (terakhir)", ordering="started")
    def started_at(self, job):
        return job.started

    @admin.display(description="berakhir", ordering="finished")
    def finished_at(self, job):
        # A job back in the queue for a retry has not ended, whatever its last attempt did.
        return job.finished if job.status not in ("todo", "doing") else None

    @admin.display(description="galat terakhir")
    def error_line(self, job):
        """The exception's own line (a traceback's last), e.g. "EndpointConnectionError: …"."""
        if not job.last_error:
            return ""
        return job.last_error.strip().splitlines()[-1][:200]

    @admin.display(description="galat terakhir")
    def error_display(self, job):
        return format_html("<pre>{}</pre>", job.last_error) if job.last_error else "—"


def install():
    """Put this admin in place of the library's on the portal's site, with Indonesian names."""
    ProcrastinateJob._meta.verbose_name = "pekerjaan latar"
    ProcrastinateJob._meta.verbose_name_plural = "pekerjaan latar"
    for name, label in [
        ("task_name", "nama tugas"),
        ("attempts", "percobaan"),
        ("queue_name", "antrean"),
        ("scheduled_at", "dijadwalkan"),
        ("lock", "kunci"),
        ("queueing_lock", "kunci antrean"),
        ("args", "argumen"),
        ("status", "status"),
    ]:
        ProcrastinateJob._meta.get_field(name).verbose_name = label
    apps.get_app_config("procrastinate").verbose_name = "Antrean pekerjaan latar"
    if admin.site.is_registered(ProcrastinateJob):
        admin.site.unregister(ProcrastinateJob)
    admin.site.register(ProcrastinateJob, JobAdmin)
