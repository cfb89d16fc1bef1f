"""The import page: upload an export, read the preview of every row, then confirm."""

import uuid

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse

from imports.models import ImportKind, ImportRun
from imports.readers import ImportFileError
from imports.report import OUTCOME_LABELS
from imports.services import run_import
from opendata_kontrak import storage
from opendata_kontrak.admin_mixins import ReadOnlyAdminMixin

SESSION_KEY = "pending_imports"
# Every skipped row is listed (each is a row the import leaves out); of the rows imported with
# a note, the first ones.
NOTED_ROWS_SHOWN = 300


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label="Jenis data",
        choices=[("", "Kenali dari nama kolomnya"), *ImportKind.choices],
        required=False,
    )
    file = forms.FileField(
        label="Berkas ekspor",
        help_text="CSV atau XLSX dengan nama kolom ekspor aslinya di baris pertama.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if getattr(uploaded, "oversized", False) or uploaded.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                f"Berkas lebih besar dari {filesizeformat(settings.IMPORT_MAX_BYTES)}."
            )
        return uploaded  # what it is comes from its content: imports.readers


def may_import(user):
    return user.is_active and (user.is_administrator or user.is_operator)


def import_scope(user):
    """None for administrators (every agency); an operator's own agency otherwise."""
    return None if user.is_administrator else user.agency


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["finished_at", "kind", "filename", "user", "agency", "rows", "outcome"]
    list_filter = ["kind"]
    list_select_related = ["user", "agency"]
    change_list_template = "admin/imports/importrun/change_list.html"

    def get_queryset(self, request):
        runs = super().get_queryset(request)
        if request.user.is_administrator or request.user.is_supervisor:
            return runs
        return runs.filter(agency_id=request.user.agency_id)

    @admin.display(description="hasil")
    def outcome(self, run):
        return ", ".join(
            f"{run.counts.get(key, 0)} {label}" for key, label in OUTCOME_LABELS.items()
        )

    def get_urls(self):
        return [
            path("impor/", self.admin_site.admin_view(self.import_view), name="imports_run"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not may_import(request.user):
            raise PermissionDenied
        scope = import_scope(request.user)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Impor data SiRUP / LPSE",
            "scope": scope,
        }
        if request.method == "POST" and "token" in request.POST:
            return self._confirm(request, scope)
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            uploaded = form.cleaned_data["file"]
            content = uploaded.read()
            kind = form.cleaned_data["kind"] or None
            try:
                report = run_import(
                    kind=kind,
                    content=content,
                    filename=uploaded.name,
                    by=request.user,
                    scope=scope,
                    commit=False,
                )
            except ImportFileError as error:
                form.add_error("file", str(error))
            else:
                token = uuid.uuid4().hex
                try:
                    stored = default_storage.save(f"impor/{token}.bin", ContentFile(content))
                except storage.unavailable_errors() as error:
                    form.add_error("file", storage.unavailable_message(error))
                    context["form"] = form
                    return TemplateResponse(request, "admin/imports/upload.html", context)
                pending = request.session.get(SESSION_KEY, {})
                kind = report.kind  # as named, or as recognised from the columns
                pending[token] = {"name": stored, "filename": uploaded.name, "kind": kind}
                request.session[SESSION_KEY] = pending
                context.update(
                    {
                        "report": report,
                        "token": token,
                        "kind_label": ImportKind(kind).label,
                        "skipped_rows": report.skipped_rows,
                        "shown_rows": report.noted_rows[:NOTED_ROWS_SHOWN],
                    }
                )
                return TemplateResponse(request, "admin/imports/preview.html", context)
        context["form"] = form
        return TemplateResponse(request, "admin/imports/upload.html", context)

    def _confirm(self, request, scope):
        pending = request.session.get(SESSION_KEY, {})
        item = pending.pop(request.POST["token"], None)
        request.session[SESSION_KEY] = pending
        if item is None:
            # Already confirmed (a double submit) or expired: nothing to do twice.
            self.message_user(
                request, "Impor ini sudah diproses atau kedaluwarsa.", messages.WARNING
            )
            return HttpResponseRedirect(reverse("admin:imports_importrun_changelist"))
        with default_storage.open(item["name"], "rb") as handle:
            content = handle.read()
        try:
            report = run_import(
                kind=item["kind"],
                content=content,
                filename=item["filename"],
                by=request.user,
                scope=scope,
                commit=True,
            )
        finally:
            default_storage.delete(item["name"])
        self.message_user(request, "Impor selesai. " + report.summary(), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:imports_importrun_changelist"))
