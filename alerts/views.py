"""The subscription pages under /langganan/: follow, confirm, leave, manage.

No page says whether an address is known or what it follows, except to whoever holds a link
mailed to that address (the tokens of alerts.links). Every page here is private: never cached
(`Cache-Control: private, no-store`), not indexed, and its address never leaves in a Referer:
`Referrer-Policy: strict-origin` sends the portal's origin alone, to any site, our own
included. Not `no-referrer`: under it a browser sends `Origin: null` with the pages' own
forms, which the CSRF check (rightly) refuses.
"""

import functools

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from alerts import links, services
from alerts.forms import EmailForm, OpportunityForm, SubscribeForm
from alerts.keys import NOT_FOLLOWED, followed_params
from alerts.models import Frequency, Scope, Subscriber, Subscription
from contracts import filter_words
from contracts import kecamatan as places
from contracts.filters import PackageFilter
from contracts.list_heading import names_for
from contracts.models import Supplier
from contracts.search import MAX_WORDS, search_words, word_count
from contracts.views import public_packages
from opendata import ratelimit
from opendata_kontrak.params import whole_number

# Only the origin, never the path (which carries the token on the confirm, unsubscribe and
# manage pages).
REFERRER_POLICY = "strict-origin"


def private(view):
    """Never cached anywhere, not indexed, the page's path in no Referer."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = REFERRER_POLICY
        return response

    return never_cache(wrapped)


# The longest search the public list reads (contracts.filters.PackageFilter.from_query cuts
# there); a longer one is refused here rather than followed cut mid-word.
MAX_SEARCH_LENGTH = 200


# --- following: what, and the limits --------------------------------------------------------


def target_from_query(query):
    """What the subscribe page's address asks to follow: (params or None, process or None,
    problems). `?paket=<pk>` is one published package; anything else is read as the public
    list's filters (sort and page ignored, even malformed). `problems` are Indonesian sentences
    for a package not found, a filter the list would ignore, a search with no word to search
    or longer than the list reads, a kecamatan not in the register, a supplier the public
    cannot see: such a request is not followed at all, rather than followed wider than asked.
    A kecamatan is kept by the register's name (one subscription however it is spelt)."""
    if "paket" in query:
        pk = whole_number(query.get("paket", "").strip())
        process = public_packages().filter(pk=pk).first() if pk is not None else None
        if process is None:
            return None, None, [gettext("Paket ini tidak ditemukan atau tidak dipublikasikan.")]
        return None, process, []
    query = query.copy()
    for name in NOT_FOLLOWED:
        query.pop(name, None)
    package_filter = PackageFilter.from_query(query)
    # The list's own sentences end "…; saringan ini diabaikan": here nothing is followed.
    ignored, mend = gettext("saringan ini diabaikan"), gettext("perbaiki tautannya lalu coba lagi")
    problems = [
        problem.replace(ignored, mend)
        for problem in filter_words.check(package_filter, notes=False)
    ]
    params = followed_params(package_filter.params)
    problems += _search_problems(query.get("q", ""))
    if "kecamatan" in params:
        found = places.find(params["kecamatan"])
        if found is None:
            problems.append(
                gettext(
                    "Kecamatan “%(name)s” tidak ada dalam daftar kecamatan; "
                    "pilih kecamatan dari daftar paket."
                )
                % {"name": params["kecamatan"][:40]}
            )
        else:
            params["kecamatan"] = found.name
    if (
        "penyedia" in params
        and not Supplier.objects.public().filter(pk=params["penyedia"]).exists()
    ):
        problems.append(
            gettext("Penyedia nomor %(number)s tidak ditemukan.") % {"number": params["penyedia"]}
        )
    return params, None, problems


def _search_problems(typed):
    """Why a typed search cannot be followed as typed: no letter or digit (the list would
    show everything), longer than the list reads (it would be cut), more words than the
    search reads (the rest would be ignored)."""
    text = " ".join(typed.split())
    if not text:
        return []
    if len(text) > MAX_SEARCH_LENGTH:
        return [
            gettext(
                "Kata pencarian terlalu panjang (%(length)s karakter); paling banyak "
                "%(limit)s karakter. Persingkat lalu coba lagi."
            )
            % {"length": len(text), "limit": MAX_SEARCH_LENGTH}
        ]
    if not search_words(text):
        return [gettext("Kata pencarian tidak memuat huruf atau angka; tulis kata yang dicari.")]
    # The search's own reading of words (contracts.search), uncapped.
    if word_count(text) > MAX_WORDS:
        return [
            gettext("Kata pencarian paling banyak %(limit)s kata; persingkat lalu coba lagi.")
            % {"limit": MAX_WORDS}
        ]
    return []


def _too_many(verdict, what):
    minutes = max(1, round(verdict.retry_after / 60))
    # Indonesian says "5 menit" whatever the count; the English catalogue has both forms.
    return ngettext(
        "Terlalu banyak permintaan %(whom)s. Coba lagi dalam %(minutes)s menit; isian Anda "
        "masih di bawah ini.",
        "Terlalu banyak permintaan %(whom)s. Coba lagi dalam %(minutes)s menit; isian Anda "
        "masih di bawah ini.",
        minutes,
    ) % {"whom": what, "minutes": minutes}


def _client_allowed(request):
    limit, window = settings.ALERT_SUBSCRIBE_RATE_LIMIT
    return ratelimit.hit("langganan", ratelimit.client_address(request), limit=limit, window=window)


def _address_allowed(email):
    limit, window = settings.ALERT_ADDRESS_RATE_LIMIT
    # Counted under a keyed hash: the shared counters table never holds an address, which
    # would outlive its subscriptions there (and be kept for addresses that follow nothing).
    counted = salted_hmac("alerts.address-rate", services.normalise_email(email)).hexdigest()
    return ratelimit.hit("langganan-alamat", counted[:32], limit=limit, window=window)


FROM_CLIENT, FOR_ADDRESS = _("dari perangkat Anda"), _("untuk alamat surel ini")


def _refused(form, verdict, whom):
    """Whether `verdict` refuses; if so the reason is added to `form` (kept as typed)."""
    if not verdict.allowed:
        form.add_error(None, _too_many(verdict, whom))
        form.retry_after = max(1, verdict.retry_after)
    return not verdict.allowed


def _retry_later(form, response):
    """A 429 `response` says when to try again: `Retry-After` in seconds (RFC 9110), the
    wait `_refused` read from the limit that refused `form`."""
    response["Retry-After"] = str(form.retry_after)
    return response


# --- subscribe ------------------------------------------------------------------------------


@private
@require_http_methods(["GET", "POST"])
def subscribe(request):
    """Follow what the list's query string (or ?paket=) names: the form, and on a valid POST
    the mail and the "check your inbox" page. 400 with the errors, 429 past a rate limit,
    the form kept as typed either way."""
    query = request.GET
    if request.method == "POST" and "q" in request.POST:
        # A search refused (below) is corrected in the form itself: its field wins.
        query = request.GET.copy()
        query["q"] = request.POST["q"]
    params, process, problems = target_from_query(query)
    package = process is not None
    what = services.describe_target(Scope.CHANGES, params, process) if not problems else None
    page = functools.partial(_subscribe_page, request, query=query, problems=problems)
    if request.method == "GET":
        form = SubscribeForm(package=package)
        return page(form, what, process, 400 if problems else 200)
    form = SubscribeForm(request.POST, package=package)
    if _refused(form, _client_allowed(request), FROM_CLIENT):
        return _retry_later(form, page(form, what, process, 429))
    if problems or not form.is_valid():
        return page(form, what, process, 400)
    email = form.cleaned_data["email"]
    if _refused(form, _address_allowed(email), FOR_ADDRESS):
        return _retry_later(form, page(form, what, process, 429))
    services.subscribe(
        email=email,
        scope=form.cleaned_data.get("scope", Scope.CHANGES),
        params=None if package else params,
        process=process,
        frequency=form.cleaned_data["frequency"],
        language=translation.get_language(),
    )
    # The page after it links back to what was followed: its query, read again there.
    return HttpResponseRedirect(f"{reverse('alerts:sent')}?{followed_query(params, process)}")


def followed_query(params, process):
    """The subscribe page's query string for what is followed (`paket=<pk>`, else the
    filters in the list's order, sort and page left out); "" for the whole list."""
    if process is not None:
        return f"paket={process.pk}"
    return PackageFilter(params=dict(params)).query_string()


def _subscribe_page(request, form, what, process, status, *, query, problems):
    """The subscribe page. When the only problems are the search's, the form stays (what was
    typed kept) with the search in a field of its own to correct; for any other problem
    there is nothing to correct here (the list's filters are)."""
    typed = query.get("q", "")
    search_only = bool(problems) and problems == _search_problems(typed)
    rest = query.copy()
    for name in (*NOT_FOLLOWED, *(("q",) if search_only else ())):
        rest.pop(name, None)
    return render(
        request,
        "alerts/subscribe.html",
        {
            "form": form,
            "what": what,
            "problems": problems,
            "process": process,
            "query": rest.urlencode(),
            "search_only": search_only,
            "typed_search": typed,
        },
        status=status,
    )


@private
def sent(request):
    """After a subscription request: the same words whatever the address's state, and a way
    back to what was followed (its query string is the subscribe page's, kept by the
    redirect)."""
    params, process, problems = target_from_query(request.GET)
    back = followed_page(params, process) if not problems else None
    return render(
        request,
        "alerts/sent.html",
        {"hours": settings.ALERT_CONFIRM_HOURS, "back": back or reverse("contracts:process-list")},
    )


def followed_page(params, process):
    """The public page of what is followed: the package's, else the agency's, supplier's or
    kecamatan's own page for that one filter alone, else the list with the filters."""
    if process is not None:
        return reverse("contracts:process-detail", args=[process.pk])
    params = dict(params or {})
    if len(params) == 1:
        (name, value), own = next(iter(params.items())), None
        try:
            if name == "pd":
                own = reverse("contracts:agency-detail", args=[value])
            elif name == "penyedia":
                own = reverse("contracts:supplier-detail", args=[value])
            elif name == "kecamatan":
                own = reverse("contracts:kecamatan-detail", args=[slugify(value)])
        except NoReverseMatch:  # a code the address cannot carry: its list instead
            own = None
        if own:
            return own
    query = PackageFilter(params=params).query_string()
    return f"{reverse('contracts:process-list')}{'?' + query if query else ''}"


@private
@require_http_methods(["GET", "POST"])
def opportunities(request):
    """Peluang usaha: suppliers follow new plans and tenders of a kind, method, kecamatan or
    agency (a `peluang` subscription of those filters)."""
    if request.method == "GET":
        return _opportunities_page(request, OpportunityForm(), 200)
    form = OpportunityForm(request.POST)
    if _refused(form, _client_allowed(request), FROM_CLIENT):
        return _retry_later(form, _opportunities_page(request, form, 429))
    if not form.is_valid():
        return _opportunities_page(request, form, 400)
    email = form.cleaned_data["email"]
    if _refused(form, _address_allowed(email), FOR_ADDRESS):
        return _retry_later(form, _opportunities_page(request, form, 429))
    services.subscribe(
        email=email,
        scope=Scope.OPPORTUNITIES,
        params=form.params(),
        frequency=form.cleaned_data["frequency"],
        language=translation.get_language(),
    )
    return HttpResponseRedirect(reverse("alerts:sent"))


def _opportunities_page(request, form, status):
    return render(request, "alerts/opportunities.html", {"form": form}, status=status)


# --- confirm ---------------------------------------------------------------------------------


def _link_gone(request, status=404):
    return render(request, "alerts/link_invalid.html", status=status)


def again_url(subscription):
    """The subscribe page for what `subscription` follows; None once the request is gone
    (unconfirmed requests are deleted when their link expires: the hourly housekeeping)."""
    if subscription is None:
        return None
    if subscription.process_id:
        return f"{reverse('alerts:subscribe')}?paket={subscription.process_id}"
    if subscription.scope == Scope.OPPORTUNITIES:
        return reverse("alerts:opportunities")
    query = PackageFilter(params=dict(subscription.params)).query_string()
    return f"{reverse('alerts:subscribe')}{'?' + query if query else ''}"


@private
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET shows what is followed and a "Konfirmasi" button; only its POST confirms, so a
    mail scanner opening the link confirms nothing. 410 for an expired link (with a way to
    ask again), 404 for a link altered or of a subscription gone."""
    try:
        subscription = links.subscription_for(token, purpose=links.CONFIRM)
    except links.LinkExpired:
        return render(
            request,
            "alerts/confirm_expired.html",
            {
                "again_url": again_url(links.expired_subscription(token)),
                "hours": settings.ALERT_CONFIRM_HOURS,
            },
            status=410,
        )
    except (links.LinkInvalid, Subscription.DoesNotExist):
        return _link_gone(request)
    done = request.method == "POST"
    if done:
        services.confirm(subscription)
    return render(
        request,
        "alerts/confirm.html",
        {
            "subscription": subscription,
            "what": services.describe(subscription),
            # Back to what is followed, once it is followed.
            "page": _page_of(subscription) if done else None,
            "done": done,
            "manage_url": reverse(
                "alerts:manage", args=[links.manage_token(subscription.subscriber)]
            ),
        },
    )


# --- unsubscribe -----------------------------------------------------------------------------


@private
@csrf_exempt  # RFC 8058: a mail client POSTs "List-Unsubscribe=One-Click", without a form
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows what is followed and a button; a POST (the button, or a mail client's
    one-click) ends the subscription at once and answers 200, also when it had already
    ended. 404 for a link altered."""
    try:
        subscription = links.subscription_for(token, purpose=links.UNSUBSCRIBE)
    except links.LinkInvalid:
        return _link_gone(request)
    except Subscription.DoesNotExist:
        return render(request, "alerts/unsubscribed.html", {"already": True})
    what = services.describe(subscription)
    if request.method == "GET":
        return render(request, "alerts/unsubscribe.html", {"what": what})
    subscriber = subscription.subscriber
    forgotten = services.unsubscribe(subscription)
    return render(
        request,
        "alerts/unsubscribed.html",
        {
            "what": what,
            "forgotten": forgotten,
            "manage_url": None
            if forgotten
            else reverse("alerts:manage", args=[links.manage_token(subscriber)]),
        },
    )


# --- manage ----------------------------------------------------------------------------------


@private
@require_http_methods(["GET", "POST"])
def manage(request, token):
    """Every subscription of the address the link was mailed to: what, how often, confirmed
    or waiting; change how often, confirm, stop one, stop all. A POST answers with a redirect
    to the page (or, once nothing is left, the page saying the address was deleted)."""
    try:
        subscriber = links.subscriber_for(token)
    except (links.LinkInvalid, Subscriber.DoesNotExist):
        return _link_gone(request)
    if request.method == "POST":
        return _manage_action(request, token, subscriber)
    subscriptions = list(
        subscriber.subscriptions.select_related("process").order_by("created_at", "pk")
    )
    # The agencies', suppliers' and kecamatan's names of all of them at once (three queries
    # at most, however many the address follows).
    names = names_for(s.params for s in subscriptions if s.process_id is None)
    for subscription in subscriptions:
        subscription.what = services.describe(subscription, names=names)
        subscription.page = _page_of(subscription)
    done = MANAGE_DONE.get(request.GET.get("selesai", ""))
    # Said beside the subscription changed (the redirect lands at its anchor).
    changed = whole_number(request.GET.get("langganan", "").strip())
    changed = next((s for s in subscriptions if s.pk == changed), None)
    return render(
        request,
        "alerts/manage.html",
        {
            "subscriber": subscriber,
            "subscriptions": subscriptions,
            "frequencies": Frequency.choices,
            "done": done if changed is None else None,
            "changed": changed,
            "changed_done": done if changed is not None else None,
            "max_failures": settings.ALERT_MAX_FAILURES,
        },
    )


MANAGE_DONE = {
    "frekuensi": _("Frekuensi disimpan."),
    "konfirmasi": _("Langganan dikonfirmasi."),
    "berhenti": _("Langganan dihentikan."),
}


def _manage_action(request, token, subscriber):
    action = request.POST.get("aksi", "")
    if action == "berhenti-semua":
        services.unsubscribe_all(subscriber)
        return render(request, "alerts/unsubscribed.html", {"forgotten": True, "all": True})
    pk = whole_number(request.POST.get("langganan", "").strip())
    subscription = subscriber.subscriptions.filter(pk=pk).first() if pk is not None else None
    if subscription is None or action not in MANAGE_DONE:
        return render(request, "alerts/manage_refused.html", status=400)
    if action == "frekuensi":
        frequency = request.POST.get("frekuensi", "")
        if frequency not in Frequency.values:
            return render(request, "alerts/manage_refused.html", status=400)
        services.change_frequency(subscription, frequency)
    elif action == "konfirmasi":
        services.confirm(subscription)
    elif services.unsubscribe(subscription):
        return render(request, "alerts/unsubscribed.html", {"forgotten": True, "all": True})
    url = f"{reverse('alerts:manage', args=[token])}?selesai={action}"
    if action == "frekuensi":  # lands at the subscription changed, said there
        url += f"&langganan={subscription.pk}#langganan-{subscription.pk}"
    return HttpResponseRedirect(url)


def _page_of(subscription):
    """The public page of what `subscription` follows (an opportunities subscription: the
    list with its filters)."""
    if subscription.process_id:
        return reverse("contracts:process-detail", args=[subscription.process_id])
    return followed_page(subscription.params, None)


@private
@require_http_methods(["GET", "POST"])
def manage_request(request):
    """An address asks for its manage link by mail. The same page follows whatever the
    address (no mail at all for one that follows nothing); 429 past a rate limit."""
    if request.method == "GET":
        return render(request, "alerts/manage_request.html", {"form": EmailForm()})
    form = EmailForm(request.POST)
    if _refused(form, _client_allowed(request), FROM_CLIENT):
        return _retry_later(
            form, render(request, "alerts/manage_request.html", {"form": form}, status=429)
        )
    if not form.is_valid():
        return render(request, "alerts/manage_request.html", {"form": form}, status=400)
    email = form.cleaned_data["email"]
    if _refused(form, _address_allowed(email), FOR_ADDRESS):
        return _retry_later(
            form, render(request, "alerts/manage_request.html", {"form": form}, status=429)
        )
    services.send_manage_link(email, language=translation.get_language())
    return HttpResponseRedirect(reverse("alerts:manage-sent"))


@private
def manage_sent(request):
    return render(request, "alerts/manage_sent.html")
