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
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from procrastinate.contrib.django.models import ProcrastinateEvent, ProcrastinateJob

from opendata.models import JobFailure
from opendata_kontrak.admin_mixins import CheckedQueryParametersMixin, ReadOnlyAdminMixin

# Procrastinate's statuses (procrastinate.jobs.Status) as the list and its filter name them.
STATUS_LABELS = {
    "todo": "menunggu",
    "doing": "berjalan",
    "succeeded": "berhasil",
    "failed": "gagal",
    "cancelled": "dibatalkan",
    "aborting": "sedang dihentikan",  # the library's legacy status, kept for old rows
    "aborted": "dihentikan",
}

# Each task (every `@app.task` of the portal, by Procrastinate's name for it: module.function)
# as an administrator knows it. The list shows the raw name under it, small; an unlisted task
# (a test's probe) shows only its name. tests/test_jobs.py checks every registered task is here.
TASK_LABELS = {
    "builtin:procrastinate.builtin_tasks.remove_old_jobs": "Hapus pekerjaan lama dari antrean",
    "alerts.tasks.alerts_housekeeping": "Bersihkan data langganan lama",
    "alerts.tasks.dispatch_alerts": "Kirim peringatan seketika",
    "alerts.tasks.requeue_stalled_mail": "Antrekan lagi surel yang tertahan",
    "alerts.tasks.send_daily_digest": "Kirim ringkasan harian langganan",
    "alerts.tasks.send_mail": "Kirim surel",
    "contracts.tasks.check_bulk_upload_files": "Periksa berkas unggahan massal",
    "contracts.tasks.discard_expired_staged_uploads": "Buang unggahan sementara kedaluwarsa",
    "contracts.tasks.recompute_cached": "Hitung ulang nilai cache",
    "contracts.tasks.recompute_completeness": "Hitung ulang kelengkapan semua paket",
    "contracts.tasks.store_bulk_upload_files": "Simpan berkas unggahan massal",
    "imports.tasks.fail_stalled_imports": "Tandai gagal impor yang macet",
    "imports.tasks.perform_import_job": "Impor data",
    "integrity.tasks.recompute_flags": "Hitung ulang tanda untuk dicermati",
    "opendata.tasks.build_open_data": "Bangun berkas data terbuka",
    "opendata.tasks.clear_sessions": "Bersihkan sesi",
    "opendata.tasks.portal_daily": "Pekerjaan harian",
    "opendata.tasks.refresh_data_quality": "Hitung ulang kualitas data terbuka",
    "opendata.tasks.retry_stalled_jobs": "Ulangi pekerjaan yang macet",
    "opendata_kontrak.cluster_probe.cluster_probe": "Uji antrean (cluster_probe)",
}

# The portal's time zone (settings.TIME_ZONE, Asia/Jakarta) by the name its people use.
TIME_ZONE_NAME = "WIB"


def task_label(task_name):
    """The task's description with its raw name under it, small (HTML)."""
    label = TASK_LABELS.get(task_name)
    if label is None:
        return task_name
    return format_html("{}<br><small>{}</small>", label, task_name)


def wib(value):
    """An aware datetime as "1 Desember 2026 pukul 22.55 WIB" (the portal's time zone); None
    as an empty cell."""
    if value is None:
        return None
    return f"{date_format(timezone.localtime(value), 'DATETIME_FORMAT')} {TIME_ZONE_NAME}"


class StatusFilter(admin.SimpleListFilter):
    """The statuses in Indonesian, each one whatever rows there are (the library's filter
    showed its English values)."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return list(STATUS_LABELS.items())

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


class TaskFilter(admin.SimpleListFilter):
    """The tasks that have jobs in the queue, by description, each with its raw name."""

    title = "tugas"
    parameter_name = "task_name"

    def lookups(self, request, model_admin):
        names = (
            model_admin.get_queryset(request)
            .order_by("task_name")
            .values_list("task_name", flat=True)
            .distinct()
        )
        return [(name, task_label(name)) for name in names]

    def queryset(self, request, queryset):
        return queryset.filter(task_name=self.value()) if self.value() else queryset


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
    list_filter = [StatusFilter, "queue_name", TaskFilter]
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
        "scheduled_display",
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

    def changelist_view(self, request, extra_context=None):
        # Django titles a list its user may only view "Pilih … untuk melihat" ("select … to
        # view"); nothing is selected here.
        return super().changelist_view(
            request, {"title": "Pekerjaan latar", **(extra_context or {})}
        )

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
        return task_label(job.task_name)

    @admin.display(description="status", ordering="status")
    def status_display(self, job):
        return STATUS_LABELS.get(job.status, job.status)

    @admin.display(description="diantrekan", ordering="queued")
    def queued_at(self, job):
        return wib(job.queued)

    @admin.display(description="mulai (terakhir)", ordering="started")
    def started_at(self, job):
        return wib(job.started)

    @admin.display(description="berakhir", ordering="finished")
    def finished_at(self, job):
        # A job back in the queue for a retry has not ended, whatever its last attempt did.
        return wib(job.finished) if job.status not in ("todo", "doing") else None

    @admin.display(description="dijadwalkan")
    def scheduled_display(self, job):
        return wib(job.scheduled_at)

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
