"""The signed links a mail carries: confirm a subscription, leave it, manage an address.

Each is `django.core.signing` over the row's id and a fragment of what identifies it (the
subscription's key, the address), with a salt of its own, so a link for one purpose never
serves another and a deleted row's link opens nothing. Only the confirmation expires
(ALERT_CONFIRM_HOURS); the unsubscribe and manage links live as long as their rows, since every
mail must stay leavable. Paths are fixed here and served by alerts.urls.

A mail's links open the pages in the mail's language: `/en/langganan/…` for English, the
unprefixed Indonesian path otherwise (opendata_kontrak.languages). The language is given, never
read from the active one: mail is composed in a worker or in another language's request.
"""

import hashlib

from django.conf import settings
from django.core import signing

CONFIRM, UNSUBSCRIBE, MANAGE = "alerts.confirm", "alerts.unsubscribe", "alerts.manage"


class LinkExpired(Exception):
    """A confirmation link older than ALERT_CONFIRM_HOURS."""


class LinkInvalid(Exception):
    """A link altered, cut short, or made for another purpose."""


def _fingerprint(text):
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _subscription_parts(subscription):
    return [subscription.pk, subscription.key[:12]]


def _subscriber_parts(subscriber):
    return [subscriber.pk, _fingerprint(subscriber.email)]


def confirm_token(subscription):
    return signing.dumps(_subscription_parts(subscription), salt=CONFIRM, compress=True)


def unsubscribe_token(subscription):
    return signing.dumps(_subscription_parts(subscription), salt=UNSUBSCRIBE, compress=True)


def manage_token(subscriber):
    return signing.dumps(_subscriber_parts(subscriber), salt=MANAGE, compress=True)


def _read(token, salt, max_age=None):
    try:
        parts = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as error:
        raise LinkExpired from error
    except signing.BadSignature as error:
        raise LinkInvalid from error
    if not (isinstance(parts, list) and len(parts) == 2 and isinstance(parts[0], int)):
        raise LinkInvalid
    return parts


def subscription_for(token, *, purpose):
    """The Subscription a confirm (`purpose=CONFIRM`) or unsubscribe (`UNSUBSCRIBE`) token
    names. Raises LinkExpired (confirmation only), LinkInvalid, or Subscription.DoesNotExist
    when the subscription is gone."""
    from alerts.models import Subscription

    max_age = settings.ALERT_CONFIRM_HOURS * 3600 if purpose == CONFIRM else None
    pk, key = _read(token, purpose, max_age)
    return Subscription.objects.select_related("subscriber").get(pk=pk, key__startswith=key)


def expired_subscription(token):
    """The Subscription an expired (but genuine) confirmation token names, to offer the same
    subscription again; None when the token is not genuine or the subscription is gone."""
    from alerts.models import Subscription

    try:
        pk, key = _read(token, CONFIRM)
        return Subscription.objects.select_related("process").get(pk=pk, key__startswith=key)
    except (LinkInvalid, Subscription.DoesNotExist):
        return None


def subscriber_for(token):
    """The Subscriber a manage token names. Raises LinkInvalid, or Subscriber.DoesNotExist
    when the address was deleted (its last subscription ended)."""
    from alerts.models import Subscriber

    pk, fingerprint = _read(token, MANAGE)
    subscriber = Subscriber.objects.get(pk=pk)
    if _fingerprint(subscriber.email) != fingerprint:
        raise Subscriber.DoesNotExist
    return subscriber


def absolute(path):
    """`path` on the portal's public address (PORTAL["BASE_URL"]): mail is read elsewhere."""
    return f"{settings.PORTAL['BASE_URL']}{path}"


def in_language(path, language):
    """The unprefixed (Indonesian) `path` of a public page in `language`: "/en/langganan/…"
    for "en"; unchanged for the default language or one without pages of its own."""
    from opendata_kontrak.languages import prefixed_languages

    if language in prefixed_languages():
        return f"/{language}{path}"
    return path


def confirm_url(subscription):
    """The confirmation page, in the subscription's language."""
    path = f"/langganan/konfirmasi/{confirm_token(subscription)}/"
    return absolute(in_language(path, subscription.language))


def unsubscribe_url(subscription):
    """The page (and RFC 8058 one-click address) ending `subscription`, in its language."""
    path = f"/langganan/berhenti/{unsubscribe_token(subscription)}/"
    return absolute(in_language(path, subscription.language))


def manage_url(subscriber, language=None):
    """The page of every subscription of `subscriber`, in `language` (the default one, else)."""
    path = f"/langganan/kelola/{manage_token(subscriber)}/"
    return absolute(in_language(path, language or settings.LANGUAGE_CODE))
