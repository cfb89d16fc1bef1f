"""The package sheet's pages in the workspace: download, upload with a preview, confirm.

The logic lives in contracts.spreadsheet; these views fetch, check the operator, call it and
render. Nothing is written before the confirming POST, which reviews the rows again.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from contracts import spreadsheet
from opendata_kontrak.params import whole_number

TITLE = _("Lembar kerja paket (XLSX)")


class SheetUploadForm(forms.Form):
    berkas = forms.FileField(
        label=_("Berkas XLSX yang sudah diubah"),
        error_messages={"required": _("Pilih berkas XLSX yang diunduh dari halaman ini.")},
    )

    def clean_berkas(self):
        uploaded = self.cleaned_data["berkas"]
        # Past the workspace's file limit the upload handler (contracts.uploads) kept nothing
        # of it but its size.
        if getattr(uploaded, "oversized", False) or uploaded.size > settings.DOCUMENT_MAX_BYTES:
            raise forms.ValidationError(
                gettext(
                    "Berkas ini %(size)s, lebih dari batas %(limit)s. Unduh lembar per tahun "
                    "anggaran, atau hapus lembar lain yang ditambahkan ke berkasnya."
                )
                % {
                    "size": filesizeformat(uploaded.size),
                    "limit": filesizeformat(settings.DOCUMENT_MAX_BYTES),
                }
            )
        return uploaded


def _operator(request):
    user = request.user
    if not user.is_operator:
        raise PermissionDenied(
            gettext(
                "Lembar kerja paket ada untuk operator perangkat daerah: masuk dengan akun "
                "operator."
            )
        )
    return user


def _years(user):
    return spreadsheet.packages_for_sheet(user).fiscal_years()


def _page(request, user, *, form=None, result=None, problem=None, status=200):
    years = _years(user)
    context = {
        **admin.site.each_context(request),
        "title": TITLE,
        "agency": user.agency,
        "years": years,
        "form": form or SheetUploadForm(),
        "editable_columns": [column.header for column in spreadsheet.EDITABLE],
        "readonly_columns": [
            column.header for column in spreadsheet.COLUMNS if not column.editable
        ],
        "problem": problem,
        "result": result,
    }
    if result is not None:
        context["packages_changed"] = len(result.changes)
        context["published_changed"] = spreadsheet.published_count(result)
        if result.ok and result.changes:
            context["token"] = spreadsheet.confirmation(result, user=user)
    return TemplateResponse(
        request, "admin/contracts/process/spreadsheet.html", context, status=status
    )


def sheet(request):
    """GET: what the sheet is, a year to download, a file to upload. POST (the upload): the
    preview of every change and every error; nothing is saved."""
    user = _operator(request)
    if request.method != "POST":
        return _page(request, user)
    form = SheetUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, user, form=form, status=400)
    uploaded = form.cleaned_data["berkas"]
    try:
        rows = spreadsheet.read_sheet(uploaded.read(), uploaded.name)
    except spreadsheet.SheetError as error:
        return _page(request, user, form=form, problem=str(error), status=400)
    result = spreadsheet.review(rows, user=user)
    return _page(request, user, result=result, status=200 if result.ok else 400)


def sheet_download(request):
    """The XLSX of the operator's agency's packages of one fiscal year (?tahun=, else the
    newest year it has)."""
    user = _operator(request)
    years = _years(user)
    year = whole_number(request.GET.get("tahun", ""), max_digits=4)
    if year not in years:
        if not years:
            messages.warning(
                request, gettext("Perangkat daerah Anda belum punya paket untuk diunduh.")
            )
            return redirect("process-sheet")
        year = years[0]
    packages = (
        spreadsheet.packages_for_sheet(user, year).without_bookkeeping().order_by("title", "pk")
    )
    content = spreadsheet.workbook(packages, agency=user.agency, fiscal_year=year)
    response = HttpResponse(content, content_type=spreadsheet.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="paket-{user.agency.code}-{year}.xlsx"'
    return response


@require_POST
def sheet_confirm(request):
    """Save the previewed changes, all or none; a refusal shows why and saves nothing."""
    user = _operator(request)
    try:
        rows = spreadsheet.rows_from_confirmation(request.POST.get("konfirmasi", ""), user=user)
    except spreadsheet.SheetError as error:
        return _page(request, user, problem=str(error), status=400)
    result = spreadsheet.save_changes(rows=rows, by=user)
    if not result.ok:
        return _page(request, user, result=result, status=409)
    messages.success(
        request,
        ngettext(
            "Tersimpan: %(cells)s perubahan pada %(packages)s paket. Setiap perubahan tercatat "
            "di riwayat paketnya.",
            "Tersimpan: %(cells)s perubahan pada %(packages)s paket. Setiap perubahan tercatat "
            "di riwayat paketnya.",
            result.cell_count,
        )
        % {"cells": result.cell_count, "packages": len(result.changes)},
    )
    return redirect("process-sheet")
