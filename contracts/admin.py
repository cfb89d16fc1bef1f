"""The operators' workspace: one page per package with its five stages as sections.

Every path is scoped: the list, the object URLs, the agency choices, the inlines, the actions
and the document links all go through Process.objects.visible_to / editable_by, and every write
goes through contracts.services, which checks again.
"""

import logging

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import lazy
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from contracts import (
    place_admin,  # noqa: F401 (registers the unresolved places' admin)
    services,
)
from contracts.forms import (
    AgencyDocumentChangeForm,
    AgencyDocumentForm,
    ProcessAdminForm,
    RupiahField,
    RupiahInput,
    StageRequirementForm,
    SupplierForm,
    upload_files_field,
    upload_type_field,
)
from contracts.models import (
    STAGE_ORDER,
    AgencyDocument,
    Amendment,
    AuditEntry,
    Bidder,
    Document,
    DocumentType,
    Payment,
    PlannedProgress,
    Process,
    ProgressReport,
    Stage,
    StagedPhoto,
    StagedUpload,
    StageExemption,
    StageRequirement,
    Status,
    Supplier,
    stored_text,
)
from contracts.npwp import InvalidNPWP, normalize_npwp
from contracts.search import package_search
from contracts.templatetags.rupiah import audit_changes, money
from opendata_kontrak import queue, storage
from opendata_kontrak.admin_mixins import CheckedQueryParametersMixin, ReadOnlyAdminMixin

logger = logging.getLogger(__name__)

GENERAL = pgettext_lazy("satu paket", "Paket")
PUBLICATION = _("Publikasi")

# Fieldset name -> stage section it belongs to.
STAGE_FIELDSETS = {
    Stage.PLANNING: [
        (
            _("Anggaran dan metode"),
            [
                ("program_code", "program_name"),
                ("activity_code", "activity_name"),
                ("sub_activity_code", "sub_activity_name"),
                "account_code",
                "rup_code",
                "budget_amount",
                "funding_sources",
                ("category", "method"),
                "method_original",
            ],
        ),
        (
            _("Lokasi dan jadwal"),
            [
                ("location_kecamatan", "location_desa"),
                "location_detail",
                ("planned_start", "planned_end"),
            ],
        ),
        (
            _("Pejabat"),
            [
                ("pa_kpa_name", "pa_kpa_nip"),
                ("ppk_name", "ppk_nip"),
                ("pptk_name", "pptk_nip"),
            ],
        ),
    ],
    Stage.TENDER: [
        (
            _("Data pemilihan"),
            [
                "tender_code",
                "hps_amount",
                ("tender_announced", "bid_deadline"),
                "number_of_tenderers",
                "procuring_entity",
                "lpse_url",
            ],
        ),
    ],
    Stage.AWARD: [(_("Penetapan pemenang"), ["supplier", ("award_amount", "award_date")])],
    Stage.CONTRACT: [
        (
            _("Data kontrak"),
            [
                "contract_number",
                ("contract_amount", "contract_signed"),
                ("contract_start", "contract_end"),
            ],
        ),
    ],
    Stage.IMPLEMENTATION: [
        (_("Serah terima"), ["pho_date", ("maintenance_end", "fho_date")]),
    ],
}


def upload_fieldset_name(stage):
    """The upload section's title in the active language (built per request)."""
    return gettext("Unggah dokumen %(stage)s") % {"stage": gettext(Stage(stage).label)}


# --- scoping helpers -----------------------------------------------------------------------

# Amounts in whole Rupiah with dots, percentages with a decimal comma.
NUMBER_FIELDS = {
    models.BigIntegerField: {"form_class": RupiahField, "widget": RupiahInput},
    models.DecimalField: {"localize": True},
}


class ProcessScopedInlineMixin:
    """Inline rows follow their package: readable if it is, changeable if it is."""

    formfield_overrides = NUMBER_FIELDS

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        return Process.objects.visible_to(request.user).filter(pk=obj.pk).exists()

    def _may_edit(self, request, obj, allowed):
        if obj is None or not allowed:
            return allowed
        return services.can_edit(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return self._may_edit(request, obj, super().has_add_permission(request, obj))

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request, obj, super().has_change_permission(request, obj))

    def has_delete_permission(self, request, obj=None):
        return self._may_edit(request, obj, super().has_delete_permission(request, obj))


class BidderInline(ProcessScopedInlineMixin, admin.TabularInline):
    model = Bidder
    extra = 0
    autocomplete_fields = ["supplier"]
    stage = Stage.TENDER
    verbose_name_plural = pgettext_lazy("jamak", "Peserta tender")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "supplier":
            kwargs["queryset"] = Supplier.objects.choosable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AmendmentInline(ProcessScopedInlineMixin, admin.TabularInline):
    model = Amendment
    extra = 0
    stage = Stage.CONTRACT


class ProgressReportInline(ProcessScopedInlineMixin, admin.TabularInline):
    model = ProgressReport
    extra = 0
    stage = Stage.IMPLEMENTATION


class PlannedProgressInline(ProcessScopedInlineMixin, admin.TabularInline):
    """The kurva S: the planned cumulative physical progress at the end of each period, shown
    publicly beside the progress reports with the deviation."""

    model = PlannedProgress
    extra = 0
    fields = ["date", "period", "planned_percent"]
    stage = Stage.IMPLEMENTATION


class PaymentInline(ProcessScopedInlineMixin, admin.TabularInline):
    model = Payment
    extra = 0
    stage = Stage.IMPLEMENTATION


class DocumentInline(ProcessScopedInlineMixin, admin.TabularInline):
    """The documents of one stage: retitle, retype or delete; new ones come by upload."""

    model = Document
    extra = 0
    fields = ["document_type", "title", "download", "page_count", "size_display", "text_state"]
    readonly_fields = ["download", "page_count", "size_display", "text_state"]
    stage = None

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(stage=self.stage).select_related("document_type")
        )

    def has_add_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "document_type":
            kwargs["queryset"] = DocumentType.objects.filter(stage=self.stage)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("berkas"))
    def download(self, document):
        url = reverse("contracts:document-download", args=[document.pk])
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', url, document.original_filename
        )

    @admin.display(description=_("ukuran"))
    def size_display(self, document):
        from django.template.defaultfilters import filesizeformat

        return filesizeformat(document.size)

    @admin.display(description=_("teks"))
    def text_state(self, document):
        return document.get_text_status_display()


def _document_inline_title(stage):
    # Built when the page is shown, in its language: "Dokumen Kontrak", "Contract documents".
    return lazy(
        lambda: gettext("Dokumen %(stage)s") % {"stage": gettext(Stage(stage).label)}, str
    )()


def document_inline(stage):
    return type(
        f"DocumentInline_{stage}",
        (DocumentInline,),
        {"stage": stage, "verbose_name_plural": _document_inline_title(stage)},
    )


DOCUMENT_INLINES = [document_inline(stage) for stage in STAGE_ORDER]


# --- the package ---------------------------------------------------------------------------


MESSAGES_ANCHOR = "pesan"
REFUSAL_ANCHOR = "kesalahan"


def land_on_messages(response):
    """A save's redirect, ending in #pesan so the page opens on "tersimpan" (the messages
    block of templates/admin/base_site.html), not at the bottom where the button was."""
    if isinstance(response, HttpResponseRedirect) and "#" not in response["Location"]:
        response["Location"] += f"#{MESSAGES_ANCHOR}"
    return response


def mark_first_error(form, sections, context):
    """Put `autofocus` on the first field in error in page order (general fields, then each
    stage's fields and rows, then publication), so a refused save puts the cursor there even
    without JavaScript. Nothing is marked when only the whole form is refused."""
    if not context.get("refusal_errors"):
        return

    def names(fieldsets):
        for fieldset in fieldsets:
            for line in fieldset:
                for field in line:
                    yield field.field.name if hasattr(field.field, "name") else None

    def first_in(bound_form, candidates):
        for name in candidates:
            if name and name in bound_form.fields and bound_form.errors.get(name):
                bound_form.fields[name].widget.attrs["autofocus"] = True
                return True
        return False

    if first_in(form, names(context["general_fieldsets"])):
        return
    for section in sections:
        if first_in(form, names(section["fieldsets"])):
            return
        for inline in section["inlines"]:
            for row in inline.formset.forms:
                if row.errors and first_in(row, row.fields):
                    return
    first_in(form, names(context["publication_fieldsets"]))


class OwnAgencyMixin:
    """The agency field offers an operator their own agency only (administrators every active
    one), and a new object starts with the operator's agency."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agency":
            agencies = Agency.objects.active()
            if not request.user.is_administrator:
                agencies = agencies.filter(pk=request.user.agency_id)
            kwargs["queryset"] = agencies
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if request.user.is_operator:
            initial.setdefault("agency", request.user.agency_id)
        return initial


@admin.register(Process)
class ProcessAdmin(OwnAgencyMixin, CheckedQueryParametersMixin, admin.ModelAdmin):
    form = ProcessAdminForm
    formfield_overrides = NUMBER_FIELDS
    change_form_template = "admin/contracts/process/change_form.html"
    list_display = [
        "title",
        "agency_short",
        "fiscal_year",
        "method",
        "budget",
        "status_badge",
        "stage_badges",
    ]
    list_display_links = ["title"]
    list_filter = [
        "fiscal_year",
        "status",
        "method",
        "category",
        ("agency", admin.RelatedOnlyFieldListFilter),
        "is_sample",
    ]
    search_fields = [
        "title",
        "ocid",
        "rup_code",
        "tender_code",
        "contract_number",
        "supplier__name",
        "agency__name",
    ]
    list_select_related = ["agency", "supplier"]
    list_per_page = 50
    autocomplete_fields = ["supplier"]

    def get_search_results(self, request, queryset, search_term):
        """Every word typed, in any order, as the to-do and the field page read it
        (contracts.search); search_fields only keeps the search box shown."""
        if not search_term.strip():
            return queryset, False
        return queryset.filter(package_search(search_term, codes=True)), False

    readonly_fields = [
        "ocid",
        "status",
        "published_at",
        "published_by",
        "withdrawn_at",
        "withdrawn_reason",
    ]
    inlines = [
        BidderInline,
        AmendmentInline,
        PlannedProgressInline,
        ProgressReportInline,
        PaymentInline,
        *DOCUMENT_INLINES,
    ]
    actions = ["publish_selected"]

    # Scope ----------------------------------------------------------------------------------

    def get_list_display(self, request):
        # An operator's list is one agency: the column would repeat it on every row.
        if request.user.is_operator and not request.user.is_administrator:
            return [name for name in super().get_list_display(request) if name != "agency_short"]
        return super().get_list_display(request)

    def get_list_filter(self, request):
        if request.user.is_operator and not request.user.is_administrator:
            return [f for f in self.list_filter if not isinstance(f, tuple)]
        return self.list_filter

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(pk__in=Process.objects.visible_to(request.user).values("pk"))
            .prefetch_related("completeness")
        )

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        return services.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        # Published packages are withdrawn, with a public reason, never deleted.
        return obj.status == Status.DRAFT and services.can_edit(request.user, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "supplier":
            kwargs["queryset"] = Supplier.objects.choosable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # Layout ---------------------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        editable = (
            self.has_add_permission(request)
            if obj is None
            else self.has_change_permission(request, obj)
        )
        fieldsets = [
            (GENERAL, {"fields": ["agency", "fiscal_year", "title", "description", "ocid"]}),
        ]
        for stage in STAGE_ORDER:
            for name, fields in STAGE_FIELDSETS[stage]:
                fieldsets.append((name, {"fields": fields}))
            if editable:
                fieldsets.append(
                    (
                        upload_fieldset_name(stage),
                        {
                            "fields": [upload_type_field(stage), upload_files_field(stage)],
                            "classes": ["upload-fieldset"],
                        },
                    )
                )
        fieldsets.append(
            (
                PUBLICATION,
                {
                    "fields": [
                        "is_sample",
                        "status",
                        "published_at",
                        "published_by",
                        "withdrawn_at",
                        "withdrawn_reason",
                    ]
                },
            )
        )
        return fieldsets

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        fieldsets = list(context["adminform"])
        inlines = context["inline_admin_formsets"]
        stored = {row.stage: row for row in obj.completeness.all()} if obj else {}
        editable = bool(obj) and self.has_change_permission(request, obj)
        sections = []
        for index, stage in enumerate(STAGE_ORDER, start=1):
            names = {name for name, _ in STAGE_FIELDSETS[stage]} | {upload_fieldset_name(stage)}
            sections.append(
                {
                    "stage": stage,
                    "number": index,
                    "label": Stage(stage).label,
                    "fieldsets": [fs for fs in fieldsets if fs.name in names],
                    "inlines": [i for i in inlines if getattr(i.opts, "stage", None) == stage],
                    "completeness": stored.get(stage),
                }
            )
        form = context["adminform"].form
        if form.is_bound and context.get("errors"):
            self._stage_refused_uploads(request, form, obj)
        types = {}
        for document_type in DocumentType.objects.order_by("stage", "position", "name"):
            types.setdefault(document_type.stage, []).append(document_type)
        for section in sections:
            section["staged"] = form.staged.get(section["stage"], [])
            section["types"] = types.get(section["stage"], [])
            section["moved"] = [
                {"name": name, "type": kind, "stage": kind.stage, "label": Stage(kind.stage).label}
                for stage, name, kind in form.moved
                if stage == section["stage"]
            ]
        # Django's own error note sits outside any template block; ours carries the id a
        # refused save lands on (the form's action ends in #kesalahan) and stays in Indonesian.
        context["refusal_errors"] = context.pop("errors", None)
        form_url = form_url or f"#{REFUSAL_ANCHOR}"
        context.update(
            {
                "audit_entries": (
                    obj.audit_entries.select_related("user").order_by("-at", "-pk")[:15]
                    if obj
                    else []
                ),
                "general_fieldsets": [fs for fs in fieldsets if fs.name == GENERAL],
                "publication_fieldsets": [fs for fs in fieldsets if fs.name == PUBLICATION],
                "stage_sections": sections,
                "can_publish": editable and obj.status != Status.PUBLISHED,
                "can_withdraw": editable and obj.status == Status.PUBLISHED,
            }
        )
        context["staged_count"] = sum(len(section["staged"]) for section in sections)
        context["staged_hours"] = settings.STAGED_UPLOAD_HOURS
        mark_first_error(form, sections, context)
        return super().render_change_form(request, context, add, change, form_url, obj)

    # Saving ---------------------------------------------------------------------------------

    def response_add(self, request, obj, post_url_continue=None):
        return land_on_messages(super().response_add(request, obj, post_url_continue))

    def response_change(self, request, obj):
        return land_on_messages(super().response_change(request, obj))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            with services.files_follow_transaction():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except storage.unavailable_errors() as error:
            if request.method != "POST":
                raise
            # Rows rolled back, stored files removed. Show the form again with what was typed
            # and the reason, by running it once more refused (get_form).
            logger.warning("Penyimpanan berkas gagal saat menyimpan paket: %r", error)
            request.storage_problem = storage.unavailable_message(error)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = type(
            "ProcessAdminForm", (super().get_form(request, obj, change=change, **kwargs),), {}
        )
        form.staging_user = request.user
        problem = getattr(request, "storage_problem", None)
        if problem is None:
            return form

        class RefusedForStorage(form):
            def clean(self):
                raise ValidationError(problem)

        return RefusedForStorage

    def save_model(self, request, obj, form, change):
        services.save_process(process=obj, by=request.user)

    def save_formset(self, request, form, formset, change):
        process = form.instance
        if issubclass(formset.model, Document):
            documents = formset.save(commit=False)
            for document in formset.deleted_objects:
                services.delete_document(document=document, by=request.user)
            for document in documents:
                services.update_document(document=document, by=request.user)
            return
        rows = formset.save(commit=False)
        for row in formset.deleted_objects:
            services.delete_row(row)
        for row in rows:
            row.save()
        formset.save_m2m()
        services.record_rows_changed(
            process=process,
            by=request.user,
            # The audit keeps the Indonesian name, whatever the operator's language.
            label=stored_text(formset.model._meta.verbose_name_plural),
            added=formset.new_objects,
            changed=[row for row, _ in formset.changed_objects],
            deleted=formset.deleted_objects,
        )

    def _stage_refused_uploads(self, request, form, obj):
        """A refused save keeps what passed: the new files are staged, the types chosen for
        staged ones remembered, the ticked ones removed. Listed again in form.staged."""
        agency = (
            obj.agency
            if obj
            else (form.cleaned_data or {}).get("agency") or getattr(request.user, "agency", None)
        )
        try:
            services.discard_staged_uploads(staged=form.staged_removed)
            for stage in STAGE_ORDER:
                kept = form.staged.get(stage, [])
                services.retype_staged_uploads(staged=kept, by=request.user)
                checked = form.pending_uploads.get(stage) or []
                if checked and agency is not None:
                    new = services.stage_uploads(
                        by=request.user, agency=agency, process=obj, stage=stage, checked=checked
                    )
                    kept = kept + [row for row in new if row not in kept]
                form.staged[stage] = kept
        except storage.unavailable_errors() as error:
            # The form already says the storage failed; nothing could be kept this time.
            logger.warning("Penyimpanan sementara gagal: %r", error)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.discard_staged_uploads(staged=form.staged_removed)
        for stage, name, kind in form.moved:
            messages.info(
                request,
                format_html(
                    gettext(
                        "{file} dipilih di tahap {chosen} tetapi dikenali sebagai {kind}: "
                        'disimpan di <a href="{url}#tahap-{code}">tahap {stage}</a>.'
                    ),
                    file=name,
                    chosen=gettext(Stage(stage).label),
                    kind=kind.name,
                    url=reverse("admin:contracts_process_change", args=[form.instance.pk]),
                    code=kind.stage,
                    stage=gettext(Stage(kind.stage).label),
                ),
            )
        for stage in STAGE_ORDER:
            checked = form.pending_uploads.get(stage) or []
            staged = form.staged.get(stage) or []
            # The operator who chose a staged file again sends it once, not as a repeat.
            again = {row.sha256 for row in staged}
            checked = [item for item in checked if item[2].sha256 not in again]
            if not checked and not staged:
                continue
            by_type = {}
            for document_type, uploaded, info in checked:
                by_type.setdefault(document_type, []).append((uploaded, info))
            saved = services.commit_staged_uploads(
                process=form.instance, stage=stage, staged=staged, by=request.user
            )
            for document_type, uploads in by_type.items():
                saved += services.add_documents(
                    process=form.instance,
                    stage=stage,
                    document_type=document_type,
                    uploads=uploads,
                    by=request.user,
                )
            if saved:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s dokumen %(stage)s tersimpan: %(files)s",
                        "%(count)s dokumen %(stage)s tersimpan: %(files)s",
                        len(saved),
                    )
                    % {
                        "count": len(saved),
                        "stage": gettext(Stage(stage).label),
                        "files": ", ".join(
                            f"{d.original_filename} ({d.document_type})" for d in saved
                        ),
                    },
                )
            if repeated := len(checked) + len(staged) - len(saved):
                messages.warning(
                    request,
                    ngettext(
                        "%(count)s berkas %(stage)s sama persis dengan dokumen yang sudah ada di "
                        "tahap ini (SHA-256 sama) dan tidak disimpan dua kali.",
                        "%(count)s berkas %(stage)s sama persis dengan dokumen yang sudah ada di "
                        "tahap ini (SHA-256 sama) dan tidak disimpan dua kali.",
                        repeated,
                    )
                    % {"count": repeated, "stage": gettext(Stage(stage).label)},
                )

    def delete_model(self, request, obj):
        with transaction.atomic():
            services.ensure_can_edit(request.user, obj)
            names = [d.file.name for d in obj.documents.all()]
            # Files staged for this package go with it (their rows cascade).
            names += [s.file.name for s in StagedUpload.objects.filter(process=obj)]
            names += [s.file.name for s in StagedPhoto.objects.filter(process=obj)]
            services.record(process=obj, by=request.user, action=AuditEntry.Action.DELETE)
            obj.delete()
            # Files go once the deletion has committed; a rollback keeps rows and files together.
            transaction.on_commit(lambda: [default_storage.delete(name) for name in names])

    def delete_queryset(self, request, queryset):
        # Django's bulk delete has already asked has_delete_permission for each object.
        for obj in queryset:
            self.delete_model(request, obj)

    # List -----------------------------------------------------------------------------------

    @admin.display(description=_("perangkat daerah"), ordering="agency__name")
    def agency_short(self, process):
        return process.agency.short_name or process.agency.name

    @admin.display(description=_("pagu"), ordering="budget_amount")
    def budget(self, process):
        return money(process.budget_amount)

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, process):
        return format_html(
            '<span class="badge badge--{}">{}</span>', process.status, process.get_status_display()
        )

    @admin.display(description=_("kelengkapan tahap"))
    def stage_badges(self, process):
        rows = {row.stage: row for row in process.completeness.all()}
        return format_html(
            '<span class="stage-badges">{}</span>',
            format_html_join(
                "",
                '<span class="stage-badge stage-badge--{}" title="{}: {}">{}</span>',
                (
                    (
                        _badge_state(rows.get(stage)),
                        gettext(Stage(stage).label),
                        _badge_text(rows.get(stage)),
                        number,
                    )
                    for number, stage in enumerate(STAGE_ORDER, start=1)
                ),
            ),
        )

    @admin.action(description=_("Publikasikan paket terpilih"), permissions=["change"])
    def publish_selected(self, request, queryset):
        editable = queryset.filter(pk__in=Process.objects.editable_by(request.user).values("pk"))
        if request.POST.get("confirm_publish") != "ya":
            # Publishing puts packages before the public at once, empty stages included: the
            # operator sees what is still missing and confirms once for the whole selection.
            return self._confirm_publication(request, queryset, editable)
        published = 0
        for process in editable.exclude(status=Status.PUBLISHED):
            services.publish_process(process=process, by=request.user)
            published += 1
        skipped = queryset.count() - editable.count()
        self.message_user(
            request,
            ngettext(
                "%(count)s paket dipublikasikan.", "%(count)s paket dipublikasikan.", published
            )
            % {"count": published},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)s paket bukan milik perangkat daerah Anda dan dilewati.",
                    "%(count)s paket bukan milik perangkat daerah Anda dan dilewati.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    def _confirm_publication(self, request, queryset, editable):
        processes = list(
            editable.exclude(status=Status.PUBLISHED)
            .select_related("agency")
            .prefetch_related("completeness")
            .order_by("title", "pk")
        )
        rows = []
        for process in processes:
            by_stage = {row.stage: row for row in process.completeness.all()}
            empty = [
                gettext(Stage(stage).label)
                for stage in STAGE_ORDER
                if (row := by_stage.get(stage)) is None or (row.is_required and not row.is_complete)
            ]
            rows.append({"process": process, "incomplete_stages": empty})
        return TemplateResponse(
            request,
            "admin/contracts/process/publish_confirm.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Konfirmasi publikasi paket"),
                "rows": rows,
                "with_empty_stages": sum(1 for row in rows if row["incomplete_stages"]),
                "already_published": editable.filter(status=Status.PUBLISHED).count(),
                "skipped": queryset.count() - editable.count(),
                "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )

    # Publication views ----------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<path:object_id>/publikasi/",
                self.admin_site.admin_view(self.publish_view),
                name="contracts_process_publish",
            ),
            path(
                "<path:object_id>/tarik/",
                self.admin_site.admin_view(self.withdraw_view),
                name="contracts_process_withdraw",
            ),
            *super().get_urls(),
        ]

    def _editable_object(self, request, object_id):
        process = self.get_object(request, unquote(object_id))
        if process is None:
            raise Http404(gettext("Paket tidak ditemukan."))
        if not self.has_change_permission(request, process):
            raise PermissionDenied
        return process

    def publish_view(self, request, object_id):
        process = self._editable_object(request, object_id)
        change_url = reverse("admin:contracts_process_change", args=[process.pk])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        services.publish_process(process=process, by=request.user)
        self.message_user(
            request,
            gettext("“%(package)s” dipublikasikan.") % {"package": process},
            messages.SUCCESS,
        )
        return land_on_messages(HttpResponseRedirect(change_url))

    def withdraw_view(self, request, object_id):
        process = self._editable_object(request, object_id)
        change_url = reverse("admin:contracts_process_change", args=[process.pk])
        error = None
        if request.method == "POST":
            try:
                services.withdraw_process(
                    process=process, by=request.user, reason=request.POST.get("reason", "")
                )
            except ValidationError as problem:
                error = " ".join(problem.messages)
            else:
                self.message_user(
                    request,
                    gettext("“%(package)s” ditarik dari publikasi.") % {"package": process},
                    messages.SUCCESS,
                )
                return land_on_messages(HttpResponseRedirect(change_url))
        return TemplateResponse(
            request,
            "admin/contracts/process/withdraw.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": process,
                "error": error,
                "reason": request.POST.get("reason", ""),
                "change_url": change_url,
                "title": _("Tarik paket dari publikasi"),
            },
        )


def _badge_state(row):
    if row is None:
        return "unknown"
    if not row.is_required:
        return "exempt"
    return "complete" if row.is_complete else "missing"


def _badge_text(row):
    if row is None:
        return gettext("belum dihitung")
    if not row.is_required:
        return gettext("tidak berlaku untuk metode ini")
    if row.is_complete:
        return gettext("lengkap")
    # The missing items are stored in Indonesian; a field's name is in the catalogue.
    return gettext("kurang %(missing)s") % {
        "missing": ", ".join(gettext(item["label"]) for item in row.missing)
    }


# --- shared registers ----------------------------------------------------------------------


@admin.register(Supplier)
class SupplierAdmin(CheckedQueryParametersMixin, admin.ModelAdmin):
    """One register for every agency, seen through one's own: an operator sees the suppliers
    of their agency's packages and those their agency added (or asked for by exact NPWP);
    the list, the autocomplete of every supplier field and the object URLs alike."""

    form = SupplierForm
    list_display = ["name", "npwp_display", "address", "name_source"]
    list_filter = ["name_source"]
    search_fields = ["name", "npwp"]

    def get_queryset(self, request):
        return super().get_queryset(request).choosable_by(request.user)

    def get_search_results(self, request, queryset, search_term):
        try:
            npwp = normalize_npwp(search_term)
        except InvalidNPWP:
            npwp = None
        if npwp:
            # The dotted form finds the stored digits, within what the list may show.
            return queryset.filter(npwp=npwp), False
        return super().get_search_results(request, queryset, search_term)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None and not request.user.is_administrator:
            return type(form.__name__, (form,), {"npwp_may_exist": True})
        return form

    def save_model(self, request, obj, form, change):
        kept, existed = services.save_supplier(supplier=obj, by=request.user)
        if existed:
            # The response (a page or the package form's pop-up) names the registered one.
            obj.pk, obj.name, obj.address = kept.pk, kept.name, kept.address
            obj.name_source, obj.handed_over = kept.name_source, True
            self.message_user(
                request,
                gettext(
                    "NPWP %(npwp)s sudah terdaftar atas nama “%(name)s”: nama itu yang dipakai, "
                    "dan penyedia ini kini dapat dipilih di paket perangkat daerah Anda. Jika "
                    "namanya keliru, hubungi administrator."
                )
                % {"npwp": kept.npwp_display, "name": kept.name},
                messages.WARNING,
            )

    def log_addition(self, request, obj, message):
        if getattr(obj, "handed_over", False):
            return None  # an existing supplier made choosable, not an addition
        return super().log_addition(request, obj, message)

    @admin.display(description="NPWP", ordering="npwp")
    def npwp_display(self, supplier):
        return supplier.npwp_display


class AdministratorEditsMixin:
    """Rules every agency lives by: administrators change them, others only read."""

    def has_add_permission(self, request):
        return request.user.is_administrator and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return request.user.is_administrator and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_administrator and super().has_delete_permission(request, obj)


class RecomputesCompletenessMixin:
    """A change of the rules changes every package's completeness: recomputed by a job of the
    queue (contracts.tasks.recompute_completeness), not in the request (27 s for 5,819
    packages, minutes at 100,000: past the web server's timeout)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A rule saved unchanged changes nobody's completeness: no recompute of every package.
        if not change or form.has_changed():
            self._recompute(request)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._recompute(request)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        self._recompute(request)

    def _recompute(self, request):
        from contracts.tasks import recompute_completeness

        queue.defer_on_commit(recompute_completeness)
        self.message_user(request, queue.queued_message(gettext("Kelengkapan semua paket")))


@admin.register(DocumentType)
class DocumentTypeAdmin(AdministratorEditsMixin, CheckedQueryParametersMixin, admin.ModelAdmin):
    list_display = ["name", "stage", "ocds_code", "is_local", "position"]
    list_filter = ["stage", "is_local"]
    search_fields = ["name", "code", "ocds_code"]


@admin.register(StageRequirement)
class StageRequirementAdmin(
    AdministratorEditsMixin,
    RecomputesCompletenessMixin,
    CheckedQueryParametersMixin,
    admin.ModelAdmin,
):
    form = StageRequirementForm
    list_display = ["__str__", "stage", "methods_display", "categories_display", "is_active"]
    list_filter = ["stage", "is_active"]
    list_select_related = ["document_type"]

    @admin.display(description=_("metode"))
    def methods_display(self, requirement):
        return ", ".join(requirement.methods) or gettext("semua")

    @admin.display(description=_("jenis"))
    def categories_display(self, requirement):
        return ", ".join(requirement.categories) or gettext("semua")


@admin.register(StageExemption)
class StageExemptionAdmin(
    AdministratorEditsMixin,
    RecomputesCompletenessMixin,
    CheckedQueryParametersMixin,
    admin.ModelAdmin,
):
    list_display = ["method", "stage"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, CheckedQueryParametersMixin, admin.ModelAdmin):
    list_display = ["at", "user", "action", "process_label", "changes_summary"]
    list_filter = ["action", ("at", admin.DateFieldListFilter)]
    search_fields = ["process_label", "user__username"]
    list_select_related = ["user"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        entries = super().get_queryset(request)
        user = request.user
        if user.is_administrator or user.is_supervisor:
            return entries
        if user.is_operator:
            return entries.filter(agency_id=user.agency_id)
        return entries.none()

    @admin.display(description=_("perubahan"))
    def changes_summary(self, entry):
        return audit_changes(entry)


@admin.register(AgencyDocument)
class AgencyDocumentAdmin(OwnAgencyMixin, CheckedQueryParametersMixin, admin.ModelAdmin):
    """DPA, Renja SKPD and jadwal kegiatan, once per agency and year: scoped like packages
    (models.editable_by / visible_to), and every write through contracts.services."""

    list_display = [
        "document_type",
        "fiscal_year",
        "agency_short",
        "revision",
        "activity_code",
        "title",
        "download",
        "uploaded_at",
    ]
    list_filter = ["fiscal_year", "document_type"]
    list_select_related = ["agency", "document_type"]
    search_fields = ["title", "original_filename", "activity_code", "program_code"]
    readonly_fields = ["download", "page_count", "text_status", "uploaded_by", "uploaded_at"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(pk__in=AgencyDocument.objects.visible_to(request.user).values("pk"))
        )

    def has_add_permission(self, request):
        user = request.user
        return super().has_add_permission(request) and (user.is_administrator or user.is_operator)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        return AgencyDocument.objects.editable_by(request.user).filter(pk=obj.pk).exists()

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj) and super().has_delete_permission(
            request, obj
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = AgencyDocumentChangeForm if obj else AgencyDocumentForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return [*AgencyDocumentForm.Meta.fields, "upload"]
        return [
            "download",
            "title",
            "pages",
            "page_count",
            "text_status",
            "uploaded_by",
            "uploaded_at",
        ]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with services.files_follow_transaction():
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            services.update_agency_document(document=obj, by=request.user)
            return
        uploaded, info = form.checked
        stored = services.add_agency_documents(
            agency=obj.agency,
            fiscal_year=obj.fiscal_year,
            document_type=obj.document_type,
            uploads=[(uploaded, info)],
            by=request.user,
            revision=obj.revision,
            program_code=obj.program_code,
            activity_code=obj.activity_code,
            pages=obj.pages,
            title=obj.title,
        )
        if not stored:
            # The form checked the file before another tab (or a second click) stored the same
            # one: nothing is added, and the operator goes on with the document already held.
            held = AgencyDocument.objects.get(
                agency=obj.agency,
                fiscal_year=obj.fiscal_year,
                document_type=obj.document_type,
                sha256=info.sha256,
            )
            obj.pk, obj.file, obj.uploaded_at = held.pk, held.file, held.uploaded_at
            obj.stored_before = True
            messages.warning(
                request,
                gettext(
                    "%(file)s sama persis (SHA-256 sama) dengan %(type)s TA %(year)s yang sudah "
                    "diunggah (%(held)s) dan tidak disimpan dua kali."
                )
                % {
                    "file": uploaded.name,
                    "type": held.document_type,
                    "year": held.fiscal_year,
                    "held": held.original_filename,
                },
            )
            return
        (stored,) = stored
        # The admin goes on with the row the service stored (its messages and redirect).
        obj.pk, obj.file, obj.uploaded_at = stored.pk, stored.file, stored.uploaded_at
        obj.original_filename = stored.original_filename
        covered = services.covered_packages(
            agency_id=stored.agency_id,
            fiscal_year=stored.fiscal_year,
            program_code=stored.program_code,
            activity_code=stored.activity_code,
        ).count()
        messages.info(
            request,
            ngettext(
                "%(type)s TA %(year)s tersimpan sekali dan berlaku untuk %(count)s paket.",
                "%(type)s TA %(year)s tersimpan sekali dan berlaku untuk %(count)s paket.",
                covered,
            )
            % {"type": stored.document_type, "year": stored.fiscal_year, "count": covered},
        )

    def log_addition(self, request, obj, message):
        if getattr(obj, "stored_before", False):
            return None  # nothing was added (save_model)
        return super().log_addition(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(obj, "stored_before", False):
            # Not "added successfully": the document already held, under the warning only.
            change_url = reverse("admin:contracts_agencydocument_change", args=[obj.pk])
            return land_on_messages(HttpResponseRedirect(change_url))
        return land_on_messages(super().response_add(request, obj, post_url_continue))

    def response_change(self, request, obj):
        return land_on_messages(super().response_change(request, obj))

    def delete_model(self, request, obj):
        services.delete_agency_document(document=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    @admin.display(description=_("perangkat daerah"), ordering="agency__name")
    def agency_short(self, document):
        return document.agency.short_name or document.agency.name

    @admin.display(description=_("berkas"))
    def download(self, document):
        url = reverse("contracts:agency-document-download", args=[document.pk])
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', url, document.original_filename
        )
