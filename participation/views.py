import contextlib
import datetime
import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.signing import BadSignature
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import conditional_page, require_http_methods

from contracts.views import public_packages, render_process_detail
from opendata import ratelimit
from opendata_kontrak import storage
from participation import follow, services, staging
from participation import mail as report_mail
from participation.forms import PollForm, ReportForm
from participation.models import Moderation, PollVote, Rating, Report, ReportPhoto

VISITOR_COOKIE = "odk_pengunjung"


@require_http_methods(["GET", "POST"])
def report_submit(request, pk):
    process = get_object_or_404(public_packages(), pk=pk)
    back = reverse("contracts:process-detail", args=[process.pk]) + "#partisipasi"
    if request.method == "GET":
        return HttpResponseRedirect(back)
    address = ratelimit.client_address(request)
    limit, window = settings.REPORT_RATE_LIMIT
    # Every attempt counts against a loose limit (photos cost work to check) ...
    attempt = ratelimit.hit("laporan-coba", address, limit=limit * 6, window=window)
    form = ReportForm(request.POST, request.FILES)
    if not attempt.allowed:
        form.add_error(None, _too_many(attempt))
        _keep_photos(form)
        return _retry_later(
            attempt, render_process_detail(request, process, report_form=form, status=429)
        )
    if form.is_bot:
        # Say what a person would read; keep nothing.
        messages.success(request, RECEIVED)
        return HttpResponseRedirect(back)
    if not form.is_valid():
        form.focus_first_error()
        _keep_photos(form)
        return render_process_detail(request, process, report_form=form, status=400)
    # ... and sent reports against the real one.
    verdict = ratelimit.hit("laporan", address, limit=limit, window=window)
    if not verdict.allowed:
        form.add_error(None, _too_many(verdict))
        _keep_photos(form)
        return _retry_later(
            verdict, render_process_detail(request, process, report_form=form, status=429)
        )
    data = form.cleaned_data
    try:
        report, _created = services.submit_report(
            process=process,
            topic=data["topic"],
            body=data["body"],
            place=data["place"].strip(),
            name=data["name"].strip(),
            contact=data["contact"],
            key=data["key"],
            photos=data["photos"],
            staged=[staged for _token, staged in form.staged],
            # The receipt and later mails in the language of the page it was sent from.
            language=request.LANGUAGE_CODE,
        )
    except storage.unavailable_errors() as error:
        # The report and any photo already stored are gone again (submit_report).
        form.add_error(None, storage.unavailable_message(error, files="fotonya"))
        _keep_photos(form)
        return render_process_detail(request, process, report_form=form, status=503)
    # The page after sending is the report's own, with its reference and the author's link,
    # the confirmation where the browser lands (the form posts to #kesalahan-laporan, and a
    # redirect without a fragment of its own would keep that one).
    # The page also says whether a receipt went to the address given (never the address).
    receipt = {report_mail.RECEIPT_QUEUED: "&surel=1", report_mail.RECEIPT_LIMITED: "&surel=0"}
    return HttpResponseRedirect(
        f"{follow.author_url(report)}{receipt.get(report.receipt, '')}&terkirim=1#laporan-terkirim"
    )


def _keep_photos(form):
    """A refused report keeps its photos: those kept from before, and each chosen now that
    passed its checks, staged (participation.staging) and named again in the form. Nothing is
    staged when the photos themselves were refused or the storage cannot take them (the
    form then asks for them again)."""
    tokens = [token for token, _staged in form.staged]
    chosen = form.cleaned_data.get("photos") or []
    try:
        tokens += staging.stage(chosen)
    except storage.unavailable_errors():
        form.photos_lost = len(chosen)
    form.staged_tokens = tokens


RECEIVED = _(
    "Terima kasih. Laporan Anda sudah kami terima dan akan tampil di halaman ini setelah "
    "diperiksa perangkat daerah."
)


def _too_many(verdict):
    minutes = max(1, round(verdict.retry_after / 60))
    return ngettext(
        "Terlalu banyak laporan dari alamat Anda. Coba lagi dalam %(minutes)s menit; "
        "isian Anda, dengan foto yang lolos pemeriksaan, masih di bawah ini.",
        "Terlalu banyak laporan dari alamat Anda. Coba lagi dalam %(minutes)s menit; "
        "isian Anda, dengan foto yang lolos pemeriksaan, masih di bawah ini.",
        minutes,
    ) % {"minutes": minutes}


def _retry_later(verdict, response):
    """A 429 `response` says when to try again: `Retry-After` in seconds (RFC 9110)."""
    response["Retry-After"] = str(max(1, verdict.retry_after))
    return response


@never_cache  # the author's page carries their key and their unpublished text
def report_follow(request, reference):
    """A report followed by its reference: to anyone, only once published (then it is on its
    package's page anyway); to its author, whose link carries the key, whatever its state.
    Never the author's contact. 404 for a reference that names nothing shown."""
    pk = follow.parse(reference)
    report = Report.objects.select_related("process__agency").filter(pk=pk).first() if pk else None
    if report is None or report.reference != reference:
        raise Http404("Laporan tidak ditemukan.")
    author = follow.opens(reference, request.GET.get("kunci", ""))
    package_public = public_packages().filter(pk=report.process_id).exists()
    public = package_public and report.moderation == Moderation.PUBLISHED
    just_sent = author and request.GET.get("terkirim") == "1"
    if not (author or public):
        raise Http404("Laporan tidak ditemukan.")
    response = render(
        request,
        "participation/report_follow.html",
        {
            "report": report,
            "process": report.process,
            "author": author,
            "public": public,
            "package_public": package_public,
            "just_sent": just_sent,
            # Said without the address: the page never shows the contact.
            "receipt": request.GET.get("surel")
            if just_sent and report_mail.email_of(report.contact)
            else None,
            "follow_link": request.build_absolute_uri(follow.author_url(report))
            if author
            else None,
            "photo_count": report.photos.count() if author else 0,
        },
    )
    if author:
        # The author's page (its key in the address, the report before moderation): like the
        # subscription pages' tokens, never indexed, its address in no Referer.
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "strict-origin"
    return response


@conditional_page  # a cache revalidating an unchanged public photo gets a 304
def report_photo(request, pk):
    """A report's photo: public once the report is published, before that only to moderators."""
    photo = get_object_or_404(ReportPhoto.objects.select_related("report"), pk=pk)
    public = Report.objects.public().filter(pk=photo.report_id).exists()
    if not public and not services.can_moderate(request.user, photo.report):
        raise Http404("Foto tidak ditemukan.")
    return storage.serve(
        photo.file.name,
        content_type=photo.content_type,
        missing="Foto tidak ditemukan.",
        public=public,
    )


# --- the satisfaction poll -----------------------------------------------------------------


def this_month():
    today = timezone.localdate()
    return datetime.date(today.year, today.month, 1)


def poll_results(month=None):
    votes = PollVote.objects.all()
    if month is not None:
        votes = votes.filter(month=month)
    counts = dict(votes.values_list("rating").annotate(n=Count("pk")).order_by())
    total = sum(counts.values())
    return {
        "total": total,
        "rows": [
            {
                "rating": value,
                "label": label,
                "votes": counts.get(value, 0),
                "percent": round(100 * counts.get(value, 0) / total, 1) if total else 0,
            }
            for value, label in Rating.choices
        ],
    }


def _visitor(request):
    try:
        return request.get_signed_cookie(VISITOR_COOKIE, salt="poll")
    except (KeyError, BadSignature):
        return None


@require_http_methods(["GET", "POST"])
def poll(request):
    month = this_month()
    visitor = _visitor(request)
    voted = visitor is not None and PollVote.objects.filter(visitor=visitor, month=month).exists()
    form = PollForm(request.POST or None)
    status = 200
    if request.method == "POST":
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
            back = reverse("participation:poll")
        limit, window = settings.POLL_RATE_LIMIT
        verdict = ratelimit.hit(
            "survei", ratelimit.client_address(request), limit=limit, window=window
        )
        if voted:
            messages.info(request, gettext("Anda sudah memberi penilaian bulan ini. Terima kasih."))
            return HttpResponseRedirect(back)
        if not verdict.allowed:
            messages.error(request, gettext("Terlalu banyak penilaian dari alamat Anda hari ini."))
            return HttpResponseRedirect(back)
        if form.is_valid():
            visitor = visitor or secrets.token_hex(16)
            # The same vote sent twice at once is counted once.
            with contextlib.suppress(IntegrityError), transaction.atomic():
                PollVote.objects.create(
                    month=month, rating=form.cleaned_data["rating"], visitor=visitor
                )
            messages.success(request, gettext("Terima kasih atas penilaian Anda."))
            response = HttpResponseRedirect(back)
            response.set_signed_cookie(
                VISITOR_COOKIE,
                visitor,
                salt="poll",
                max_age=400 * 24 * 3600,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
            return response
        status = 400
    return render(
        request,
        "participation/poll.html",
        {
            "form": form,
            "voted": voted,
            "month": month,
            "this_month": poll_results(month),
            "all_time": poll_results(),
        },
        status=status,
    )


# --- supervisors ---------------------------------------------------------------------------


@login_required
def open_reports(request):
    user = request.user
    if not (user.is_supervisor or user.is_administrator or user.is_operator):
        raise PermissionDenied
    reports = (
        Report.objects.moderated_by(user)
        .open()
        .select_related("process__agency")
        .order_by("created_at", "pk")
    )
    return render(
        request,
        "participation/open_reports.html",
        {"reports": reports, "now": timezone.now()},
    )
