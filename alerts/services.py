"""Following by e-mail without an account: subscribe, confirm, change, leave.

Every write to Subscriber and Subscription goes through here. An address is stored only for
its subscriptions: it is created with the first one asked for and deleted with the last one
left (`unsubscribe`, `unsubscribe_all`, `purge_unconfirmed`). Nothing here tells the caller
whether an address was known: `subscribe` answers the same whatever the state, and what the
address needs to know (a link to confirm, that it already follows this) goes to the mailbox.

Mail is queued (alerts.mail.queue) in the caller's transaction and sent by the job queue; at
most one such mail per subscription per CONFIRMATION_INTERVAL, however often the form is sent.
Neither its subject nor its body quotes a search typed by whoever sent the form (any words, to
any address, from the regency's sender): the subject names what is followed by its filters'
names alone, and the search's words are shown on the confirmation page only.

Each mail is written in the language of the page it was asked on (`language`, "id" or "en"),
and a subscription keeps that language for every later mail (`Subscription.language`).
"""

import contextlib
import datetime

import idna
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext

from alerts import links, mail
from alerts.keys import followed_params, subscription_key
from alerts.models import Frequency, OutgoingMail, Scope, Subscriber, Subscription
from opendata import ratelimit

# The log of mail sent (or given up) is kept this long, then deleted (the privacy note says so).
MAIL_LOG_DAYS = 30
# A second confirmation (or "already followed") mail for the same subscription waits this long.
CONFIRMATION_INTERVAL = datetime.timedelta(hours=1)


def normalise_email(address):
    """The one spelling of an address, for storing, looking up and counting it: without
    surrounding space, lower case, its domain in IDNA ASCII ("warga@bojonegöro.id" →
    "warga@xn--bojonegro-67a.id", as a mail server reads it). A domain IDNA refuses is kept as
    typed (lower case): the form's EmailValidator has refused such an address already."""
    local, at, domain = address.strip().rpartition("@")
    if not at:
        return address.strip().lower()
    with contextlib.suppress(idna.IDNAError):
        domain = idna.encode(domain, uts46=True).decode("ascii")
    return f"{local}@{domain}".lower()


def mail_language(language):
    """`language` if the portal has pages in it ("id", "en"), else the default (Indonesian):
    the language a mail is written in."""
    if language in {code for code, _name in settings.LANGUAGES}:
        return language
    return settings.LANGUAGE_CODE


def describe(subscription, *, names=None):
    """What `subscription` follows, in words of the active language: "Paket “Rehabilitasi …”"
    for one package, the list's heading for filters (contracts.list_heading.describe),
    "Peluang usaha, yaitu rencana dan tender baru, untuk …" for an opportunities subscription
    (the mails say the same). One query per agency, supplier or kecamatan filter, none with
    `names`."""
    return describe_target(
        subscription.scope, subscription.params, subscription.process, names=names
    )


def describe_target(scope, params, process, *, names=None, quote_search=True):
    """`describe` for a subscription not stored yet; `names` as list_heading.names_for gives
    them, read once for many. Without `quote_search` a typed search is said without its words
    (list_heading.SEARCH_UNQUOTED): for mail to an address that may not have asked."""
    from contracts.list_heading import SEARCH_UNQUOTED
    from contracts.list_heading import describe as heading

    if process is not None:
        return gettext("Paket “%(title)s”") % {"title": process.title}
    words = heading(params, names=names, search=None if quote_search else SEARCH_UNQUOTED)
    if scope == Scope.OPPORTUNITIES:
        return gettext("Peluang usaha, yaitu rencana dan tender baru, untuk %(what)s") % {
            "what": f"{words[0].lower()}{words[1:]}"
        }
    return words


def _confirm_hours():
    return settings.ALERT_CONFIRM_HOURS


@transaction.atomic
def subscribe(*, email, scope, params=None, process=None, frequency=Frequency.DAILY, language=None):
    """Ask for `email` to follow `params` (the list's filters, PackageFilter.params; sort and
    page are dropped) or one `process` (a published Process), with `scope` (Scope) and
    `frequency` (Frequency), from a page in `language` ("id" or "en"; Indonesian when None).
    The mail queued is written in `language`; a new or still unconfirmed subscription takes
    it for all its mail, a confirmed one keeps its own (only the mailbox may change it).

    Creates the Subscriber if new and an unconfirmed Subscription, and queues the mail the
    address needs: a confirmation link for a new or still unconfirmed subscription (its
    frequency updated to what was just asked), a note with the manage link for one
    already confirmed (left unchanged: only the mailbox may change it), a note that the address
    follows too many things past ALERT_MAX_SUBSCRIPTIONS. At most one mail per subscription per
    CONFIRMATION_INTERVAL. The mail never quotes a typed search (`describe_target`'s
    `quote_search`). A suspended address asking again is given one more try
    (`_give_another_try`).

    Returns (subscription or None past the limit, the OutgoingMail queued or None). The caller
    must not show either: the page is the same whatever happened.
    Raises ValueError for both or neither of params and process."""
    if (process is None) == (params is None):
        raise ValueError("subscribe: params or process, exactly one")
    params = {} if process is not None else followed_params(params)
    scope = Scope.CHANGES if process is not None else Scope(scope)
    key = subscription_key(scope, params, process.pk if process is not None else None)
    address = normalise_email(email)
    language = mail_language(language)
    try:
        with transaction.atomic():
            subscriber, _ = Subscriber.objects.get_or_create(email=address)
    except IntegrityError:  # the same address sent twice at once
        subscriber = Subscriber.objects.get(email=address)
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    now = timezone.now()
    subscription = subscriber.subscriptions.filter(key=key).first()
    if subscription is None:
        if subscriber.subscriptions.count() >= settings.ALERT_MAX_SUBSCRIPTIONS:
            return None, _mail_too_many(subscriber, language)
        subscription = Subscription.objects.create(
            subscriber=subscriber,
            scope=scope,
            params=params,
            process=process,
            frequency=frequency,
            key=key,
            language=language,
        )
    elif subscription.mailed_at and now - subscription.mailed_at < CONFIRMATION_INTERVAL:
        return subscription, None
    elif subscription.confirmed_at is None:
        subscription.frequency = frequency
        subscription.language = language
        subscription.save(update_fields=["frequency", "language"])
    subscription.mailed_at = now
    subscription.save(update_fields=["mailed_at"])
    name = "confirm" if subscription.confirmed_at is None else "already_following"
    return subscription, _mail_about(subscription, name, language)


def _give_another_try(subscriber):
    """An address suspended after failed deliveries that asks again (subscribe, manage link)
    is given one more try, at most once a day: the suspension is lifted with one failure short
    of ALERT_MAX_FAILURES, so the mail now queued either arrives (the count starts again) or
    fails and suspends the address again. Returns whether it was lifted."""
    if subscriber.suspended_at is None:
        return False
    if not ratelimit.hit("langganan-pulih", subscriber.pk, limit=1, window=86400).allowed:
        return False
    subscriber.suspended_at = None
    subscriber.failures = settings.ALERT_MAX_FAILURES - 1
    subscriber.save(update_fields=["suspended_at", "failures"])
    return True


def _mail_about(subscription, name, language):
    """The confirmation (or "already following") mail of `subscription`, in `language`."""
    subscriber = subscription.subscriber
    _give_another_try(subscriber)
    with translation.override(language):
        what = describe_target(
            subscription.scope, subscription.params, subscription.process, quote_search=False
        )
    context = {
        # Never the typed search's words: the address has not confirmed anything yet.
        "what": what,
        "what_in_subject": what[0].lower() + what[1:],
        "subscription": subscription,
        "confirm_url": links.confirm_url(subscription),
        "manage_url": links.manage_url(subscriber, language),
        "expires_at": timezone.now() + datetime.timedelta(hours=_confirm_hours()),
        "hours": _confirm_hours(),
    }
    subject, text, html = mail.render(name, context, language=language)
    return mail.queue(
        to=subscriber.email, subject=subject, text=text, html=html, subscriber=subscriber
    )


def _mail_too_many(subscriber, language):
    # Told once a day at most: the form may be sent again and again past the limit.
    if not ratelimit.hit("langganan-penuh", subscriber.pk, limit=1, window=86400).allowed:
        return None
    _give_another_try(subscriber)
    subject, text, html = mail.render(
        "too_many",
        {
            "limit": settings.ALERT_MAX_SUBSCRIPTIONS,
            "manage_url": links.manage_url(subscriber, language),
        },
        language=language,
    )
    return mail.queue(
        to=subscriber.email, subject=subject, text=text, html=html, subscriber=subscriber
    )


@transaction.atomic
def confirm(subscription):
    """Confirm `subscription` (the confirmation link was followed): mail is sent for it from
    now on, the daily digest covering changes from now. A second confirmation changes nothing.
    Returns the subscription."""
    if subscription.confirmed_at is None:
        now = timezone.now()
        subscription.confirmed_at = now
        subscription.digest_from = now
        subscription.save(update_fields=["confirmed_at", "digest_from"])
    return subscription


@transaction.atomic
def change_frequency(subscription, frequency):
    """Set `frequency` (Frequency). Going from instant to daily, the digest starts from now,
    so changes already mailed one by one are not mailed again."""
    frequency = Frequency(frequency)
    if subscription.frequency != frequency:
        subscription.frequency = frequency
        fields = ["frequency"]
        if frequency == Frequency.DAILY and subscription.confirmed_at is not None:
            subscription.digest_from = timezone.now()
            fields.append("digest_from")
        subscription.save(update_fields=fields)
    return subscription


def _forget_if_alone(subscriber_id):
    """Delete the address when it follows nothing more. Returns whether it was deleted."""
    deleted, _ = Subscriber.objects.filter(pk=subscriber_id, subscriptions__isnull=True).delete()
    return bool(deleted)


@transaction.atomic
def unsubscribe(subscription):
    """End `subscription`; the address goes with its last one. Returns whether the address
    was deleted."""
    subscriber_id = subscription.subscriber_id
    Subscription.objects.filter(pk=subscription.pk).delete()
    return _forget_if_alone(subscriber_id)


@transaction.atomic
def unsubscribe_all(subscriber):
    """End every subscription of `subscriber` and delete the address (its waiting mail too)."""
    Subscriber.objects.filter(pk=subscriber.pk).delete()


@transaction.atomic
def send_manage_link(email, language=None):
    """Mail the manage link to `email` if it follows anything; nothing for an unknown address
    (a stranger's address typed here gets no mail). The mail and the page it links to are in
    `language` (the page's where it was asked; Indonesian when None). A suspended address is
    given one more try (`_give_another_try`). Returns the OutgoingMail or None."""
    subscriber = Subscriber.objects.filter(email=normalise_email(email)).first()
    if subscriber is None:
        return None
    _give_another_try(subscriber)
    language = mail_language(language)
    subject, text, html = mail.render(
        "manage_link", {"manage_url": links.manage_url(subscriber, language)}, language=language
    )
    return mail.queue(
        to=subscriber.email, subject=subject, text=text, html=html, subscriber=subscriber
    )


@transaction.atomic
def purge_unconfirmed(now=None):
    """Delete the subscriptions left unconfirmed past ALERT_CONFIRM_HOURS since their last
    link was mailed (not since they were first asked for: a link mailed again lives its full
    hours), and the addresses that then follow nothing. For the alerts' hourly housekeeping
    job. Returns how many subscriptions were deleted."""
    limit = (now or timezone.now()) - datetime.timedelta(hours=_confirm_hours())
    # A link mailed again (the form sent again) lives from its own mail.
    stale = Subscription.objects.annotate(last_link=Coalesce("mailed_at", "created_at")).filter(
        confirmed_at__isnull=True, last_link__lt=limit
    )
    rows = list(stale.values_list("pk", "subscriber_id"))
    Subscription.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
    Subscriber.objects.filter(
        pk__in={subscriber for _, subscriber in rows}, subscriptions__isnull=True
    ).delete()
    return len(rows)


def purge_mail_log(now=None):
    """Delete the mail sent, failed or cancelled more than MAIL_LOG_DAYS ago (waiting mail
    stays for the queue); for the alerts' hourly housekeeping job. Returns how many were
    deleted."""
    limit = (now or timezone.now()) - datetime.timedelta(days=MAIL_LOG_DAYS)
    deleted, _ = (
        OutgoingMail.objects.exclude(status=OutgoingMail.Status.WAITING)
        .filter(created_at__lt=limit)
        .delete()
    )
    return deleted
