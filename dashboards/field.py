"""The field page: an operator on a phone adds a progress report or a payment to a package."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from contracts import services
from contracts.admin import MESSAGES_ANCHOR, REFUSAL_ANCHOR
from contracts.forms import FieldPaymentForm, FieldProgressForm
from contracts.models import Process, StagedPhoto
from contracts.search import package_search
from opendata_kontrak import storage

PICKER_SIZE = 20


def _operator(request):
    user = request.user
    if not user.is_operator:
        raise PermissionDenied(
            gettext(
                "Halaman lapangan ada untuk operator perangkat daerah: masuk dengan akun operator."
            )
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
        FieldProgressForm(prefix="kemajuan", user=user, process=process),
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
            raise PermissionDenied(gettext("Isian tidak dikenal."))
        photos = {"user": user, "process": process} if kind == "kemajuan" else {}
        form = form_class(request.POST, request.FILES, prefix=prefix, **photos)
        form.instance.process = process
        if form.is_valid():
            try:
                services.add_implementation_row(
                    row=form.instance,
                    by=user,
                    photos=form.cleaned_data.get("photos", []),
                    staged_photos=getattr(form, "staged", []),
                )
            except ValidationError as error:
                form.add_error(None, error)
            except storage.unavailable_errors() as error:
                # Nothing was kept (the report and any stored photo are gone again).
                form.add_error(None, storage.unavailable_message(error, files="fotonya"))
                unavailable = True
            else:
                if kind == "kemajuan":
                    services.discard_staged_photos(staged=form.staged_removed)
                messages.success(
                    request,
                    gettext("%(what)s disimpan untuk %(title)s.")
                    % {
                        "what": str(form.instance._meta.verbose_name).capitalize(),
                        "title": process.title,
                    },
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
    photos_staged = photos_lost = 0
    if refused:
        _focus_first_error(form)
        if kind == "kemajuan":
            photos_staged, photos_lost = _keep_chosen_photos(
                form, user=user, process=process, unavailable=unavailable
            )
    return render(
        request,
        "dashboards/field_update.html",
        {
            "process": process,
            "progress_form": progress_form,
            "payment_form": payment_form,
            "refused": kind if refused else None,
            "photos_staged": photos_staged,
            "photos_lost": photos_lost,
            "staged_hours": settings.STAGED_UPLOAD_HOURS,
            "refusal_anchor": REFUSAL_ANCHOR,
        },
        status=503 if unavailable else 400 if refused else 200,
    )


def _keep_chosen_photos(form, *, user, process, unavailable):
    """A refused progress report keeps what was chosen: the photos ticked Hapus go, each new
    photo that passed the cleaning is staged (contracts.StagedPhoto) and listed on the form
    again. Returns (how many were staged now, how many must be chosen again: only when the
    storage could not take them)."""
    if unavailable:
        return 0, len(form.passed_photos)
    try:
        services.discard_staged_photos(staged=form.staged_removed)
        kept = services.stage_photos(by=user, process=process, photos=form.passed_photos)
    except storage.unavailable_errors():
        return 0, len(form.passed_photos)
    known = {row.pk for row in form.staged}
    form.staged += [row for row in kept if row.pk not in known]
    return len(kept), 0


def staged_photo(request, pk):
    """A photo kept from a refused progress report, for its owner only (the field page's
    thumbnail); 404 to anyone else and once it has expired."""
    photo = get_object_or_404(StagedPhoto.objects.visible_to(request.user).current(), pk=pk)
    return storage.serve(
        photo.file.name,
        content_type=photo.content_type,
        missing=gettext("Foto tidak ditemukan."),
        public=False,
    )


def _focus_first_error(form):
    """`autofocus` on the first field in error, so the cursor is there even without
    JavaScript; nothing when only the whole form is refused."""
    for name, field in form.fields.items():
        if form.errors.get(name):
            field.widget.attrs["autofocus"] = True
            return
