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
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from procrastinate.contrib.django.models import ProcrastinateEvent, ProcrastinateJob

from opendata.models import JobFailure
from opendata_kontrak.admin_mixins import CheckedQueryParametersMixin, ReadOnlyAdminMixin

# Procrastinate's statuses (procrastinate.jobs.Status) as the list and its filter name them.
STATUS_LABELS = {
    "todo": _("menunggu"),
    "doing": _("berjalan"),
    "succeeded": _("berhasil"),
    "failed": _("gagal"),
    "cancelled": _("dibatalkan"),
    # The library's legacy status, kept for old rows.
    "aborting": _("sedang dihentikan"),
    "aborted": _("dihentikan"),
}

# Each task (every `@app.task` of the portal, by Procrastinate's name for it: module.function)
# as an administrator knows it. The list shows the raw name under it, small; an unlisted task
# (a test's probe) shows only its name. tests/test_jobs.py checks every registered task is here.
TASK_LABELS = {
    "builtin:procrastinate.builtin_tasks.remove_old_jobs": _("Hapus pekerjaan lama dari antrean"),
    "alerts.tasks.alerts_housekeeping": _("Bersihkan data langganan lama"),
    "alerts.tasks.dispatch_alerts": _("Kirim peringatan seketika"),
    "alerts.tasks.requeue_stalled_mail": _("Antrekan lagi surel yang tertahan"),
    "alerts.tasks.send_daily_digest": _("Kirim ringkasan harian langganan"),
    "alerts.tasks.send_mail": _("Kirim surel"),
    "contracts.tasks.check_bulk_upload_files": _("Periksa berkas unggahan massal"),
    "contracts.tasks.discard_expired_staged_uploads": _("Buang unggahan sementara kedaluwarsa"),
    "contracts.tasks.recompute_cached": _("Hitung ulang nilai cache"),
    "contracts.tasks.recompute_completeness": _("Hitung ulang kelengkapan semua paket"),
    "contracts.tasks.store_bulk_upload_files": _("Simpan berkas unggahan massal"),
    "imports.tasks.fail_stalled_imports": _("Tandai gagal impor yang macet"),
    "imports.tasks.perform_import_job": _("Impor data"),
    "integrity.tasks.recompute_flags": _("Hitung ulang tanda untuk dicermati"),
    "opendata.tasks.build_open_data": _("Bangun berkas data terbuka"),
    "opendata.tasks.clear_sessions": _("Bersihkan sesi"),
    "opendata.tasks.portal_daily": _("Pekerjaan harian"),
    "opendata.tasks.refresh_data_quality": _("Hitung ulang kualitas data terbuka"),
    "opendata.tasks.retry_stalled_jobs": _("Ulangi pekerjaan yang macet"),
    "opendata_kontrak.cluster_probe.cluster_probe": _("Uji antrean (cluster_probe)"),
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

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return list(STATUS_LABELS.items())

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


class TaskFilter(admin.SimpleListFilter):
    """The tasks that have jobs in the queue, by description, each with its raw name."""

    title = _("tugas")
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
        "started_detail",
        "finished_detail",
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
            request, {"title": _("Pekerjaan latar"), **(extra_context or {})}
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

    @admin.display(description=_("tugas"), ordering="task_name")
    def task_display(self, job):
        return task_label(job.task_name)

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, job):
        return STATUS_LABELS.get(job.status, job.status)

    @admin.display(description=_("diantrekan"), ordering="queued")
    def queued_at(self, job):
        return wib(job.queued)

    @admin.display(description=_("mulai (terakhir)"), ordering="started")
    def started_at(self, job):
        return wib(job.started)

    @admin.display(description=_("berakhir"), ordering="finished")
    def finished_at(self, job):
        # A job back in the queue for a retry has not ended, whatever its last attempt did.
        return wib(job.finished) if job.status not in ("todo", "doing") else None

    # The job's own page shows a value as it is (None as "None", in English): "—" for none.
    @admin.display(description=_("mulai (terakhir)"))
    def started_detail(self, job):
        return self.started_at(job) or "—"

    @admin.display(description=_("berakhir"))
    def finished_detail(self, job):
        return self.finished_at(job) or "—"

    @admin.display(description=_("dijadwalkan"))
    def scheduled_display(self, job):
        return wib(job.scheduled_at) or "—"

    @admin.display(description=_("galat terakhir"))
    def error_line(self, job):
        """The exception's own line (a traceback's last), e.g. "EndpointConnectionError: …"."""
        if not job.last_error:
            return ""
        return job.last_error.strip().splitlines()[-1][:200]

    @admin.display(description=_("galat terakhir"))
    def error_display(self, job):
        return format_html("<pre>{}</pre>", job.last_error) if job.last_error else "—"


def install():
    """Put this admin in place of the library's on the portal's site, with Indonesian names."""
    ProcrastinateJob._meta.verbose_name = _("pekerjaan latar")
    ProcrastinateJob._meta.verbose_name_plural = pgettext_lazy("jamak", "pekerjaan latar")
    for name, label in [
        ("task_name", _("nama tugas")),
        ("attempts", _("percobaan")),
        ("queue_name", _("antrean")),
        ("scheduled_at", _("dijadwalkan")),
        ("lock", _("kunci")),
        ("queueing_lock", _("kunci antrean")),
        ("args", _("argumen")),
        ("status", _("status")),
    ]:
        ProcrastinateJob._meta.get_field(name).verbose_name = label
    apps.get_app_config("procrastinate").verbose_name = _("Antrean pekerjaan latar")
    if admin.site.is_registered(ProcrastinateJob):
        admin.site.unregister(ProcrastinateJob)
    admin.site.register(ProcrastinateJob, JobAdmin)
