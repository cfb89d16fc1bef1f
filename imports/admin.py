"""The import page: upload an export, read the preview of every row, then confirm."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from imports import jobs
from imports.models import ImportJob, ImportKind, ImportRun
from imports.report import OUTCOME_LABELS
from opendata_kontrak import storage
from opendata_kontrak.admin_mixins import CheckedQueryParametersMixin, ReadOnlyAdminMixin

# Every skipped, updated and noted row is listed, a page of each at a time.
SKIPPED_PER_PAGE = 100
RECENT_JOBS = 10


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Jenis data"),
        choices=[("", _("Kenali dari nama kolomnya")), *ImportKind.choices],
        required=False,
    )
    file = forms.FileField(
        label=_("Berkas ekspor"),
        help_text=_("CSV atau XLSX dengan nama kolom ekspor aslinya di baris pertama."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if getattr(uploaded, "oversized", False) or uploaded.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                gettext("Berkas lebih besar dari %(size)s.")
                % {"size": filesizeformat(settings.IMPORT_MAX_BYTES)}
            )
        return uploaded  # what it is comes from its content: opendata_kontrak.readers


def may_import(user):
    return user.is_active and (user.is_administrator or user.is_operator)


def import_scope(user):
    """None for administrators (every agency); an operator's own agency otherwise."""
    return None if user.is_administrator else user.agency


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdminMixin, CheckedQueryParametersMixin, admin.ModelAdmin):
    list_display = ["finished_at", "kind", "filename", "user", "agency", "rows", "outcome"]
    list_filter = ["kind"]
    list_select_related = ["user", "agency"]
    # The outcome in words rather than the stored counts (JSON keyed by English outcome names).
    fields = ["kind", "filename", "sha256", "user", "agency", "rows", "outcome"]
    readonly_fields = ["outcome"]
    change_list_template = "admin/imports/importrun/change_list.html"

    def get_queryset(self, request):
        runs = super().get_queryset(request)
        if request.user.is_administrator or request.user.is_supervisor:
            return runs
        return runs.filter(agency_id=request.user.agency_id)

    @admin.display(description=_("hasil"))
    def outcome(self, run):
        return ", ".join(
            f"{run.counts.get(key, 0)} {label}" for key, label in OUTCOME_LABELS.items()
        )

    def get_urls(self):
        return [
            path("impor/", self.admin_site.admin_view(self.import_view), name="imports_run"),
            path(
                "impor/<int:pk>/",
                self.admin_site.admin_view(self.job_view),
                name="imports_job",
            ),
            *super().get_urls(),
        ]

    def _context(self, request, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Impor data SiRUP / LPSE"),
            **extra,
        }

    def import_view(self, request):
        if not may_import(request.user):
            raise PermissionDenied
        scope = import_scope(request.user)
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            uploaded = form.cleaned_data["file"]
            try:
                job = jobs.start_preview(
                    content=uploaded.read(),
                    filename=uploaded.name,
                    kind=form.cleaned_data["kind"] or None,
                    by=request.user,
                    scope=scope,
                )
            except storage.unavailable_errors() as error:
                form.add_error("file", storage.unavailable_message(error))
            else:
                return HttpResponseRedirect(reverse("admin:imports_job", args=[job.pk]))
        recent = ImportJob.objects.filter(user=request.user).defer("report")[:RECENT_JOBS]
        context = self._context(request, form=form, scope=scope, recent_jobs=recent)
        return TemplateResponse(request, "admin/imports/upload.html", context)

    def job_view(self, request, pk):
        if not may_import(request.user):
            raise PermissionDenied
        visible = ImportJob.objects.visible_to(request.user)
        job = get_object_or_404(visible.defer("report"), pk=pk)
        if request.method == "POST":
            return self._confirm(request, job)
        if not job.finished and jobs.fail_stalled(visible.filter(pk=job.pk)):
            job.refresh_from_db()
        context = self._context(request, job=job, counts=labelled(job.counts))
        if job.state != ImportJob.State.DONE:
            if not job.finished:
                context["workers"] = jobs.live_workers()
            return TemplateResponse(request, "admin/imports/job.html", context)
        job = visible.select_related("agency").get(pk=job.pk)  # now with its report
        report = jobs.report_of(job)
        context.update(job=job, report=report)
        if job.mode == ImportJob.Mode.COMMIT:
            return TemplateResponse(request, "admin/imports/job.html", context)
        noted = report.noted_rows
        context.update(
            kind_label=ImportKind(report.kind).label,
            skipped_page=Paginator(report.skipped_rows, SKIPPED_PER_PAGE).get_page(
                request.GET.get("halaman")
            ),
            updated_page=Paginator(
                [row for row in report.rows if row.changes], SKIPPED_PER_PAGE
            ).get_page(request.GET.get("halaman_ubah")),
            noted_page=Paginator(noted, SKIPPED_PER_PAGE).get_page(
                request.GET.get("halaman_catatan")
            ),
            conflict_rows=[row for row in report.rows if row.conflicts],
            may_settle=request.user.is_administrator,
        )
        return TemplateResponse(request, "admin/imports/preview.html", context)

    def _confirm(self, request, job):
        # Only an administrator settles a conflict for the source; an operator's own
        # corrections stay.
        take_source = request.POST.getlist("take_source") if request.user.is_administrator else []
        if not jobs.confirm(job=job, by=request.user, take_source=take_source):
            # Already confirmed (a double submit), still previewing, or failed.
            self.message_user(
                request, gettext("Impor ini sudah diproses atau belum siap."), messages.WARNING
            )
        return HttpResponseRedirect(reverse("admin:imports_job", args=[job.pk]))


def labelled(counts):
    """[(label in the active language, outcome, count)] for counts so far, in the report's
    order."""
    return [(label, key, counts.get(key, 0)) for key, label in OUTCOME_LABELS.items()]
