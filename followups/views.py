"""Supervisors' requests: thin views over followups.selectors and followups.services."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from agencies.models import Agency
from contracts.models import Process
from followups import selectors, services
from followups.forms import NOTE_LABEL, AskForm, NoteForm
from followups.models import FollowUp
from opendata_kontrak.params import whole_number

PER_PAGE = 50
STATUS_FILTERS = [
    ("belum-ditutup", _("Belum ditutup")),
    *FollowUp.Status.choices,
    ("semua", _("Semua")),
]


def workspace_only(view):
    """Accounts with a workspace role; visitors are asked to sign in, anyone else refused."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), "/admin/login/")
        if not request.user.has_workspace_role:
            raise PermissionDenied(
                gettext(
                    "Halaman ini untuk operator, pengawas dan administrator portal: masuk dengan "
                    "akun ruang kerja."
                )
            )
        return view(request, *args, **kwargs)

    return wrapped


def _visible(request, pk):
    # Another agency's request is "not there", as another agency's draft is.
    return get_object_or_404(
        FollowUp.objects.visible_to(request.user).select_related("agency", "process"), pk=pk
    )


@workspace_only
def followup_list(request):
    user = request.user
    status = request.GET.get("status") or "belum-ditutup"
    if status not in dict(STATUS_FILTERS):
        status = "belum-ditutup"
    agency = None
    if request.GET.get("pd") and (user.is_supervisor or user.is_administrator):
        agency = Agency.objects.filter(code=request.GET["pd"]).first()
    found = selectors.listed(user, status=status, agency=agency)
    page = Paginator(found, PER_PAGE).get_page(
        whole_number(request.GET.get("halaman", 1), max_digits=9) or 1
    )
    query = urlencode(
        {k: v for k, v in {"status": status, "pd": agency and agency.code}.items() if v}
    )
    return render(
        request,
        "followups/list.html",
        {
            "page": page,
            "status": status,
            "statuses": STATUS_FILTERS,
            "agency": agency,
            "query": query,
            "can_ask": services.can_ask(user),
        },
    )


@workspace_only
def followup_new(request):
    if not services.can_ask(request.user):
        raise PermissionDenied(gettext("Hanya pengawas atau administrator yang dapat meminta."))
    process = None
    source = request.POST if request.method == "POST" else request.GET
    process_pk = whole_number(source.get("paket", ""), max_digits=12)
    if process_pk:
        process = get_object_or_404(
            Process.objects.visible_to(request.user).select_related("agency"), pk=process_pk
        )
    initial = {}
    if request.GET.get("pd"):
        initial["agency"] = Agency.objects.filter(code=request.GET["pd"]).first()
    if request.GET.get("tahap"):
        initial["stage"] = request.GET["tahap"]
    form = AskForm(request.POST or None, process=process, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            followup = services.ask(
                by=request.user,
                process=process,
                agency=form.cleaned_data.get("agency"),
                stage=form.cleaned_data["stage"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as error:
            form.add_error("text", error)
        else:
            messages.success(
                request,
                gettext("Permintaan terkirim ke operator %(agency)s.")
                % {"agency": followup.agency.name},
            )
            return redirect("followups:detail", followup.pk)
    return render(request, "followups/new.html", {"form": form, "process": process})


@workspace_only
def followup_detail(request, pk):
    followup = _visible(request, pk)
    user = request.user
    return render(request, "followups/detail.html", _detail_context(user, followup))


def _detail_context(user, followup, **forms):
    open_ = followup.status == FollowUp.Status.OPEN
    answers = services.can_answer(user, followup)
    return {
        "followup": followup,
        "entries": followup.entries.select_related("by"),
        "may_answer": services.can_answer(user, followup)
        and followup.status != FollowUp.Status.CLOSED,
        # A supervisor's word in the thread, e.g. to a question the operator asked back.
        "may_comment": services.can_close(user)
        and not services.can_answer(user, followup)
        and followup.status != FollowUp.Status.CLOSED,
        "may_close": services.can_close(user) and followup.status != FollowUp.Status.CLOSED,
        "may_reopen": services.can_close(user) and not open_,
        "answer_form": forms.get("answer_form")
        or NoteForm(label=_("Jawaban") if answers else _("Tanggapan"), prefix="jawab"),
        "close_form": forms.get("close_form") or NoteForm(prefix="tutup"),
        "reopen_form": forms.get("reopen_form") or NoteForm(prefix="buka"),
    }


def _act(request, pk, *, form_name, prefix, act, done_message, label=NOTE_LABEL):
    followup = _visible(request, pk)
    form = NoteForm(request.POST, prefix=prefix, label=label)
    if form.is_valid():
        try:
            act(followup, form.cleaned_data["text"])
        except ValidationError as error:
            form.add_error("text", error)
        else:
            messages.success(request, done_message)
            return redirect("followups:detail", followup.pk)
    followup.refresh_from_db()
    return render(
        request,
        "followups/detail.html",
        _detail_context(request.user, followup, **{form_name: form}),
        status=400,
    )


@require_POST
@workspace_only
def followup_answer(request, pk):
    """The operators' answer (or mark done); from a supervisor, a comment in the thread that
    leaves the status as it is."""
    done = request.POST.get("tindakan") == "selesai"
    if not request.user.is_operator and not request.user.is_administrator:
        return _act(
            request,
            pk,
            form_name="answer_form",
            prefix="jawab",
            label=_("Tanggapan"),
            act=lambda followup, text: services.comment(
                followup=followup, by=request.user, text=text
            ),
            done_message=gettext("Tanggapan terkirim ke operator."),
        )
    return _act(
        request,
        pk,
        form_name="answer_form",
        prefix="jawab",
        label=_("Jawaban"),
        act=lambda followup, text: services.answer(
            followup=followup, by=request.user, text=text, done=done
        ),
        done_message=(
            gettext("Permintaan ditandai selesai; pengawas akan memeriksa dan menutupnya.")
            if done
            else gettext("Jawaban terkirim ke pengawas.")
        ),
    )


@require_POST
@workspace_only
def followup_close(request, pk):
    return _act(
        request,
        pk,
        form_name="close_form",
        prefix="tutup",
        act=lambda followup, text: services.close(followup=followup, by=request.user, text=text),
        done_message=gettext("Permintaan ditutup."),
    )


@require_POST
@workspace_only
def followup_reopen(request, pk):
    return _act(
        request,
        pk,
        form_name="reopen_form",
        prefix="buka",
        act=lambda followup, text: services.reopen(followup=followup, by=request.user, text=text),
        done_message=gettext("Permintaan dibuka lagi dan kembali ke operator."),
    )
