"""The field page: an operator on a phone adds a progress report or a payment to a package."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from contracts import services
from contracts.admin import MESSAGES_ANCHOR, REFUSAL_ANCHOR
from contracts.forms import FieldPaymentForm, FieldProgressForm
from contracts.models import Process
from contracts.search import package_search
from opendata_kontrak import storage

PICKER_SIZE = 20


def _operator(request):
    user = request.user
    if not user.is_operator:
        raise PermissionDenied(
            "Halaman lapangan ada untuk operator perangkat daerah: masuk dengan akun operator."
        )
    return user


def packages_for_field(user, query=""):
    """The user's editable packages, newest changed first, filtered by the words of their name
    or a code as written (contracts.search.package_search)."""
    packages = Process.objects.editable_by(user).only(
        "pk", "title", "rup_code", "tender_code", "fiscal_year"
    )
    query = query.strip()[:100]
    if query:
        packages = packages.filter(package_search(query, codes=True))
    return packages.order_by("-updated_at", "-pk")[:PICKER_SIZE]


def field_picker(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), "/admin/login/")
    user = _operator(request)
    query = request.GET.get("q", "")
    return render(
        request,
        "dashboards/field_picker.html",
        {"query": query, "packages": list(packages_for_field(user, query))},
    )


def field_update(request, pk):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), "/admin/login/")
    user = _operator(request)
    process = get_object_or_404(Process.objects.editable_by(user), pk=pk)
    progress_form, payment_form = (
        FieldProgressForm(prefix="kemajuan"),
        FieldPaymentForm(prefix="bayar"),
    )
    unavailable = False
    if request.method == "POST":
        kind = request.POST.get("jenis")
        form_class, prefix = {
            "kemajuan": (FieldProgressForm, "kemajuan"),
            "bayar": (FieldPaymentForm, "bayar"),
        }.get(kind, (None, None))
        if form_class is None:
            raise PermissionDenied("Isian tidak dikenal.")
        form = form_class(request.POST, request.FILES, prefix=prefix)
        form.instance.process = process
        if form.is_valid():
            try:
                services.add_implementation_row(
                    row=form.instance, by=user, photos=form.cleaned_data.get("photos", [])
                )
            except ValidationError as error:
                form.add_error(None, error)
            except storage.unavailable_errors() as error:
                # Nothing was kept (the report and any stored photo are gone again).
                form.add_error(None, storage.unavailable_message(error, files="fotonya"))
                unavailable = True
            else:
                messages.success(
                    request,
                    f"{form.instance._meta.verbose_name.capitalize()} "
                    f"disimpan untuk {process.title}.",
                )
                # With a fragment of its own: the form posts to #kesalahan, and a redirect
                # without one would keep that fragment (the browser carries it over).
                url = reverse("dashboards:field-update", args=[process.pk])
                return redirect(f"{url}#{MESSAGES_ANCHOR}")
        if kind == "kemajuan":
            progress_form = form
        else:
            payment_form = form
    refused = request.method == "POST"  # a saved row redirected above
    photos_lost = 0
    if refused:
        _focus_first_error(form)
        # Photos are not kept across a refused submit: say so, with how many to choose again.
        photos_lost = len(request.FILES.getlist(f"{prefix}-photos")) if kind == "kemajuan" else 0
    return render(
        request,
        "dashboards/field_update.html",
        {
            "process": process,
            "progress_form": progress_form,
            "payment_form": payment_form,
            "refused": kind if refused else None,
            "photos_lost": photos_lost,
            "refusal_anchor": REFUSAL_ANCHOR,
        },
        status=503 if unavailable else 400 if refused else 200,
    )


def _focus_first_error(form):
    """`autofocus` on the first field in error, so the cursor is there even without
    JavaScript; nothing when only the whole form is refused."""
    for name, field in form.fields.items():
        if form.errors.get(name):
            field.widget.attrs["autofocus"] = True
            return
