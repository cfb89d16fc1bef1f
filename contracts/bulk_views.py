"""The bulk upload pages of the operator workspace: choose many PDFs, read where each would
go, confirm, watch the background task store them (contracts.bulk_uploads).

Under /admin/ (admin_view: sign-in, the workspace's body and file limits), but pages of their
own rather than a model admin: a batch is one operator's, never listed across agencies.
"""

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from procrastinate.contrib.django.models import ProcrastinateWorker

from contracts import bulk_uploads
from contracts.forms import MultiplePdfField
from contracts.models import BulkUpload
from opendata_kontrak import storage

RECENT = 10
ALREADY_CONFIRMED = _("Unggahan ini sudah dikonfirmasi; berkasnya disimpan sekali saja.")


class BulkFilesForm(forms.Form):
    files = MultiplePdfField(
        label=_("Berkas PDF"),
        # Translated when shown, in the operator's language.
        help_text=lazy(
            lambda: (
                gettext(
                    "Pilih banyak berkas sekaligus (paling banyak %(max)s sekali kirim; sisanya "
                    "lewat “Tambah berkas”). Nama tiap berkas memuat kode RUP atau kode tender "
                    "paketnya, misalnya “12345678 KAK Pelaksanaan.pdf” atau “Kontrak "
                    "23456789.pdf”."
                )
                % {"max": settings.UPLOAD_MAX_FILES}
            ),
            str,
        )(),
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if not files:
            raise forms.ValidationError(gettext("Pilih setidaknya satu berkas PDF."))
        return files


def _operator(request):
    if not request.user.is_operator:
        raise PermissionDenied(gettext("Unggah massal ada untuk operator perangkat daerah."))
    return request.user


def _add(request, batch, form, user):
    """Add the chosen files to `batch`; False (and the error on `form`) when storage failed."""
    try:
        bulk_uploads.add_bulk_files(batch=batch, uploads=form.cleaned_data["files"], by=user)
    except storage.unavailable_errors() as error:
        form.add_error("files", storage.unavailable_message(error))
        return False
    return True


def bulk_upload(request):
    user = _operator(request)
    posted = request.method == "POST"
    form = BulkFilesForm(request.POST, request.FILES) if posted else BulkFilesForm()
    if posted and form.is_valid():
        batch = bulk_uploads.start_bulk_upload(by=user)
        if _add(request, batch, form, user):
            return _batch_page(batch)
        batch.delete()
    recent = BulkUpload.objects.visible_to(user)[:RECENT]
    return render(
        request,
        "admin/contracts/bulk_upload.html",
        {**_admin_context(request), "form": form, "recent": recent},
        status=400 if form.errors else 200,
    )


def bulk_batch(request, pk):
    user = _operator(request)
    batch = get_object_or_404(BulkUpload.objects.visible_to(user), pk=pk)
    add_form = BulkFilesForm()
    status = 200
    open_states = (BulkUpload.State.CHECKING, BulkUpload.State.PREVIEW)
    if request.method == "POST" and batch.state in open_states:
        action = request.POST.get("aksi")
        if action == "tambah":
            add_form = BulkFilesForm(request.POST, request.FILES)
            if add_form.is_valid() and _add(request, batch, add_form, user):
                return _batch_page(batch)
            status = 400
        elif action in ("pilih", "konfirmasi"):
            bulk_uploads.choose_bulk_files(
                batch=batch,
                types={
                    key.removeprefix("jenis_"): value
                    for key, value in request.POST.items()
                    if key.startswith("jenis_")
                },
                excluded=request.POST.getlist("kecualikan"),
                by=user,
            )
            if action == "pilih":
                messages.success(
                    request, gettext("Pilihan disimpan; belum ada berkas yang disimpan.")
                )
                return _batch_page(batch)
            try:
                confirmed = bulk_uploads.confirm_bulk_upload(batch=batch, by=user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                status = 400
            else:
                if not confirmed:
                    messages.warning(request, ALREADY_CONFIRMED)
                return _batch_page(batch)
        else:
            raise PermissionDenied(gettext("Tindakan tidak dikenal."))
        batch.refresh_from_db()
    elif request.method == "POST":
        # A second click or another tab after the confirmation: nothing is stored twice.
        messages.warning(request, ALREADY_CONFIRMED)
        return _batch_page(batch)
    files = list(
        batch.files.select_related("process", "document_type", "document").order_by("position")
    )
    for f in files:
        # Stored in Indonesian; a whole sentence (not one with a name or number in it) is in
        # the catalogue and shown in the operator's language.
        f.problem_shown = gettext(f.problem) if f.problem else ""
        f.reason_shown = gettext(f.reason) if f.reason else ""
    context = {**_admin_context(request), "batch": batch, "files": files}
    if batch.state == BulkUpload.State.PREVIEW:
        types = bulk_uploads.bulk_document_types()
        for f in files:
            # What the name says of its type when no type is set, for the Keterangan column:
            # an agency's yearly document goes elsewhere; an ambiguous name names its choices.
            f.agency_type = f.candidates = None
            if f.checked and f.document_type_id is None:
                f.agency_type = bulk_uploads.agency_document_named(f.original_filename)
                if not f.problem:
                    f.candidates = bulk_uploads.type_candidates(f.original_filename, types)
        context.update(
            add_form=add_form,
            types=types,
            ready_count=sum(f.ready for f in files),
        )
        template = "admin/contracts/bulk_preview.html"
    else:
        if batch.state == BulkUpload.State.CHECKING:
            done, total = sum(f.checked for f in files), len(files)
        else:
            done, total = bulk_uploads.bulk_progress(batch)
        context.update(
            done=done,
            total=total,
            stored=[f for f in files if f.outcome == f.Outcome.STORED],
            skipped=[f for f in files if f.outcome == f.Outcome.SKIPPED],
        )
        if not batch.finished:
            context["workers"] = _live_workers()
            bulk_uploads.resume_stalled(batch=batch)
        template = "admin/contracts/bulk_status.html"
    return render(request, template, context, status=status)


def _batch_page(batch):
    """The redirect to a batch's page at its workspace address: these pages sit among the
    public patterns (opendata_kontrak/urls.py), so a reverse under English would give
    /en/admin/..., a page the language button could no longer switch back (the workspace's
    language is the operator's cookie, never the address)."""
    with translation.override(settings.LANGUAGE_CODE):
        return redirect("contracts:bulk-batch", pk=batch.pk)


def _live_workers():
    """How many queue workers sent a heartbeat lately (none: the batch waits for one)."""
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.JOB_STALLED_SECONDS)
    return ProcrastinateWorker.objects.filter(last_heartbeat__gte=cutoff).count()


def _admin_context(request):
    from django.contrib import admin

    return {**admin.site.each_context(request), "title": gettext("Unggah banyak PDF sekaligus")}
