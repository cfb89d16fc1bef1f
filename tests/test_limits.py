"""No text is ever cut on its way in: every bounded field of every model, walked.

For each field with a length limit, each admin form (change form or inline) that writes it is
built as an administrator sees it, rendered, and submitted with a value one character over
the limit: the input carries no `maxlength` (a browser would cut silently), the value is
refused with a message naming the field and the limit, and the form shows the value again,
whole. A field no form writes is listed with what writes it and how that writer treats an
over-long value; a new bounded field fails here until it is one or the other.
"""

import datetime

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxValueValidator
from django.test import RequestFactory
from django.utils.module_loading import import_string

from contracts.models import StoredPdf
from opendata_kontrak.limits import DATE_FORMAT_HINT, say_limits
from tests.factories import make_administrator

PROJECT_APPS = {"agencies", "contracts", "imports", "integrity", "opendata", "participation"}

# The fields every stored PDF inherits (contracts.models.StoredPdf), written by the PDF intake.
STORED_PDF_WRITERS = {
    "original_filename": "an upload's name, cut to 200 by display_filename",
    "sha256": "64 hex digits computed from the file",
    "file": "a storage name the portal makes (uuid)",
    "text_status": "one of TextStatus, set by the PDF worker",
}

# Bounded fields no workspace form writes, with their writer and why nothing is cut there.
WRITTEN_WITHOUT_A_FORM = {
    **{
        f"{model._meta.label}.{name}": why
        for model in apps.get_models()
        if issubclass(model, StoredPdf)
        for name, why in STORED_PDF_WRITERS.items()
    },
    "agencies.User.password": "a hash written by Django's password forms",
    "contracts.Process.ocid": "made by make_ocid from the configured prefix and the id",
    "opendata.JobFailure.task_name": "a queue task's name, as procrastinate_jobs holds it (≤128)",
    "contracts.Process.stage_reached": "kept by contracts.completeness from Stage choices",
    "contracts.Process.status": "set by the publish/withdraw services from Status choices",
    "contracts.Document.title": "from the upload's name (≤200), within its 255",
    "contracts.StageCompleteness.stage": "one of Stage, kept by contracts.completeness",
    "contracts.StagedUpload.stage": "the stage whose upload field took the file",
    "contracts.BulkUpload.state": "one of State, set by contracts.bulk_uploads",
    "contracts.BulkUploadFile.original_filename": "an upload's name, cut to 200 (display_filename)",
    "contracts.BulkUploadFile.received": "a storage name the portal makes (uuid)",
    "contracts.BulkUploadFile.code": "a package's kode RUP or kode tender (≤30), as stored",
    "contracts.BulkUploadFile.outcome": "one of Outcome, set by contracts.bulk_uploads",
    "contracts.AuditEntry.action": "a code set by contracts.services",
    "contracts.AuditEntry.process_label": "the package title (≤500), within its 500",
    "contracts.Document.stage": "the stage whose upload field took the file",
    "contracts.Supplier.name_source": "one of NameSource, set by the services and imports",
    "contracts.Release.digest": "a hash computed by contracts.releases",
    "contracts.Release.stage_reached": "one of Stage, copied from the package",
    "agencies.Kecamatan.key": "made from the name by agencies.places (KEY_LENGTH)",
    "agencies.UnresolvedPlace.text": "a lookup key (agencies.places.normalise); the text whole "
    "is kept in `example`",
    "imports.ImportJob.filename": "an upload's name (file systems keep ≤255), kept to 255",
    "imports.ImportJob.stored_name": "a storage name the portal makes (uuid)",
    "imports.ImportJob.sha256": "64 hex digits computed from the file",
    "imports.ImportJob.kind": "one of ImportKind, chosen in a select or recognised",
    "imports.ImportJob.mode": "one of Mode, set by imports.jobs",
    "imports.ImportJob.state": "one of State, set by imports.jobs",
    "integrity.PackageFlag.flag": "one of Flag, computed by integrity.flags",
    "opendata.BulkFile.name": "a file name the bulk export makes",
    "opendata.BulkFile.scope": "a fiscal year or 'semua', made by the bulk export",
    "opendata.BulkFile.storage_name": "a storage name the bulk export makes",
    "opendata.BulkFile.data_stamp": "a stamp the bulk export computes",
    "opendata.RateCounter.key": "a scope and a client address (≤100, opendata.ratelimit)",
    "opendata.QualityFailure.check_code": "a code of opendata.quality's checks",
    "opendata.QualityResult.check_code": "a code of opendata.quality's checks",
    "contracts.ProgressPhoto.file": "a storage name the portal makes (uuid)",
    "contracts.ProgressPhoto.content_type": "image/jpeg or image/png, set by the re-encoding",
    "contracts.StagedPhoto.file": "a storage name the portal makes (uuid)",
    "contracts.StagedPhoto.content_type": "image/jpeg or image/png, set by the re-encoding",
    "contracts.StagedPhoto.original_filename": "an upload's base name, cut to 255 (stage_photos)",
    "contracts.StagedPhoto.sha256": "64 hex digits of the cleaned content",
    "participation.ReportPhoto.file": "a storage name the portal makes (uuid)",
    "participation.ReportPhoto.content_type": "image/jpeg or image/png, set by the re-encoding",
    "participation.PollVote.visitor": "a random id the portal makes",
    "participation.PollVote.rating": "one of Rating, from the poll's radio buttons",
    "participation.Report.submission_key": "a random id the portal makes",
    "participation.Report.language": "a code of settings.LANGUAGES, set by submit_report",
}

# Public forms that write a model's bounded fields, walked like the admin's.
PUBLIC_FORMS = [("participation.Report", "participation.forms.ReportForm")]


def _bounded_fields():
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if getattr(field, "max_length", None):
                yield model, field


def _admin_forms(request):
    """(model, form class, label) for every admin change form and inline form."""
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in PROJECT_APPS:
            continue  # libraries' records (sign-in logs, task queue), read-only here
        yield model, model_admin.get_form(request), type(model_admin).__name__
        existing = model_admin.get_queryset(request).first()
        if existing is not None:  # a change form may differ (a user's names and email)
            yield model, model_admin.get_form(request, existing), type(model_admin).__name__
        for formset, inline in model_admin.get_formsets_with_inlines(request):
            yield inline.model, formset.form, type(inline).__name__
    for label, path in PUBLIC_FORMS:
        yield apps.get_model(label), import_string(path), path


def _over_long(limit):
    # Digits, so that a number-shaped field (a NIP, an NPWP) is refused for its length.
    return "1" * (limit + 1)


@pytest.fixture
def admin_request(db):
    request = RequestFactory().get("/admin/")
    request.user = make_administrator(is_superuser=True)
    return request


def test_every_bounded_field_is_refused_whole_never_cut(admin_request):
    written = set()
    problems = []
    for model, form_class, where in _admin_forms(admin_request):
        fields = form_class().fields
        for field in model._meta.concrete_fields:
            limit = getattr(field, "max_length", None)
            form_field = fields.get(field.name)
            if not limit or form_field is None:
                continue
            key = f"{model._meta.label}.{field.name}"
            written.add(key)
            if isinstance(form_field, forms.ChoiceField):
                # A select: only a listed value is accepted, and every one fits its column.
                values = [value for value, _ in form_field.choices if not isinstance(_, list)]
                longest = max((len(str(value)) for value in values), default=0)
                if longest > limit:
                    problems.append(f"{where} {key}: a choice is longer than {limit}")
                continue
            if form_field.disabled:
                continue  # shown, not written (a password's hash)
            typed_limit = form_field.max_length
            if typed_limit is None:
                problems.append(f"{where} {key}: the form sets no limit (the database would)")
                continue
            value = _over_long(max(typed_limit, limit))
            form = form_class(data={field.name: value})
            form.is_valid()
            rendered = str(form[field.name])
            messages = form.errors.get(field.name, [])
            if "maxlength" in rendered:
                problems.append(f"{where} {key}: the input has maxlength (a browser cuts)")
            if value not in rendered:
                problems.append(f"{where} {key}: the refused value is not shown again whole")
            label = str(form_field.label)
            if not any(
                label in m and str(typed_limit if typed_limit > limit else limit) in m
                for m in messages
            ):
                said = [m for m in messages] or "nothing"
                problems.append(f"{where} {key}: {len(value)} characters refused with {said}")
    unaccounted = (
        {f"{model._meta.label}.{field.name}" for model, field in _bounded_fields()}
        - written
        - set(WRITTEN_WITHOUT_A_FORM)
    )
    assert not problems, "\n".join(problems)
    stale = set(WRITTEN_WITHOUT_A_FORM) - {
        f"{model._meta.label}.{field.name}" for model, field in _bounded_fields()
    }
    assert not stale, f"listed but not a bounded field: {stale}"
    assert not unaccounted, f"bounded fields with neither a form nor a stated writer: {unaccounted}"


def test_the_walk_reaches_the_fields_an_operator_types(admin_request):
    # The fields of the findings are among those walked, so the walk is not vacuous.
    walked = {
        f"{model._meta.label}.{name}"
        for model, form_class, _ in _admin_forms(admin_request)
        for name in form_class().fields
    }
    assert {
        "contracts.Process.pa_kpa_nip",
        "contracts.Process.title",
        "contracts.Supplier.npwp",
        "contracts.Payment.sp2d_number",
        "contracts.ProgressReport.note",
    } <= walked


def test_every_date_input_names_its_format_and_has_the_calendar(admin_request):
    walked = set()
    for _, form_class, where in _admin_forms(admin_request):
        form = form_class(data={})
        for name, field in form.fields.items():
            if isinstance(field, forms.DateField) and not isinstance(field, forms.DateTimeField):
                walked.add(f"{where}.{name}")
                # The admin's calendar writes the format named (DATE_INPUT_FORMATS' first).
                assert isinstance(field.widget, AdminDateWidget), f"{where}.{name}"
                assert DATE_FORMAT_HINT in str(field.help_text).lower(), f"{where}.{name}"
                bound = form_class(data={name: "31/02/2025"})
                bound.is_valid()
                assert any(DATE_FORMAT_HINT in m for m in bound.errors.get(name, [])), (
                    f"{where}.{name}: {bound.errors.get(name)}"
                )
    assert {"ProcessAdmin.planned_start", "PaymentInline.date", "ThresholdAdmin.valid_from"} <= (
        walked
    )


def _upper_bound(form_field, model_field):
    """The highest value a form or its model accepts, from either's validators."""
    bounds = [form_field.max_value] if form_field.max_value is not None else []
    bounds += [
        v.limit_value
        for v in getattr(model_field, "validators", [])
        if isinstance(v, MaxValueValidator)
    ]
    return min(bounds) if bounds else None


def test_every_bounded_number_is_refused_with_its_field_and_bound(admin_request):
    problems, walked = [], set()
    for model, form_class, where in _admin_forms(admin_request):
        for name, field in form_class().fields.items():
            if not isinstance(field, forms.IntegerField | forms.DecimalField) or field.disabled:
                continue
            try:
                model_field = model._meta.get_field(name)
            except FieldDoesNotExist:
                model_field = None
            label, tries = str(field.label), []
            bound = _upper_bound(field, model_field)
            if bound is not None and bound < 10**6:
                # Bounds an operator can reach (a year, a percentage), not a column's range.
                tries.append((str(bound + 1), str(bound)))
            if isinstance(field, forms.DecimalField) and field.decimal_places:
                tries.append(("0," + "0" * field.decimal_places + "1", "angka di belakang koma"))
            for typed, said_bound in tries:
                walked.add(f"{where}.{name}")
                form = form_class(data={name: typed})
                form.is_valid()
                said = form.errors.get(name, [])
                if not any(label in m and said_bound in m for m in said):
                    problems.append(f"{where}.{name}: {typed} refused with {said or 'nothing'}")
    assert {
        "ProcessAdmin.fiscal_year",
        "ProgressReportInline.physical_percent",
        "ProgressReportInline.financial_percent",
    } <= walked
    assert not problems, "\n".join(problems)


def test_the_format_named_is_the_one_the_calendar_writes_and_the_form_reads():
    from opendata_kontrak.formats.id import formats

    assert formats.DATE_INPUT_FORMATS[0] == "%d/%m/%Y"  # hh/bb/tttt, what DateTimeShortcuts writes
    assert say_limits(forms.DateField(label="Tanggal")).clean("17/08/2025") == datetime.date(
        2025, 8, 17
    )


def test_every_npwp_and_nip_input_takes_the_usual_notations(admin_request):
    from contracts import nip, npwp
    from contracts.forms import NipField, NpwpField

    seen = set()
    for _, form_class, where in _admin_forms(admin_request):
        for name, field in form_class().fields.items():
            if name.endswith("npwp"):
                seen.add(name)
                assert isinstance(field, NpwpField), f"{where}.{name}"
                assert field.max_length >= npwp.TYPED_MAX_LENGTH >= len("01.234.567.8-901.000")
                assert field.clean("01.234.567.8-901.000") == "0012345678901000"
            if name.endswith("_nip"):
                seen.add(name)
                assert isinstance(field, NipField), f"{where}.{name}"
                assert field.max_length >= nip.TYPED_MAX_LENGTH >= len("19700101 199003 1 005")
    assert seen == {"npwp", "pa_kpa_nip", "ppk_nip", "pptk_nip"}
