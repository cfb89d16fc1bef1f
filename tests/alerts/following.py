"""Subscriptions made straight with the models (the subscribe pages are another part's), and
the mail the engine queues sent through the test's SMTP server."""

from django.utils import timezone

from alerts import mail
from alerts.keys import subscription_key
from alerts.models import OutgoingMail, Subscriber, Subscription


def follow(
    email,
    *,
    params=None,
    process=None,
    scope="perubahan",
    frequency="segera",
    confirmed=True,
    since=None,
):
    """A subscription of `email` (its Subscriber made or reused), confirmed unless asked."""
    subscriber, _ = Subscriber.objects.get_or_create(email=email)
    confirmed_at = (since or timezone.now()) if confirmed else None
    return Subscription.objects.create(
        subscriber=subscriber,
        scope=scope,
        params=params or {},
        process=process,
        frequency=frequency,
        key=subscription_key(scope, params or {}, process.pk if process else None),
        confirmed_at=confirmed_at,
        digest_from=confirmed_at,
    )


def send_waiting():
    """Send every message waiting (what the queue's send_mail jobs do); returns how many."""
    waiting = list(
        OutgoingMail.objects.filter(status=OutgoingMail.Status.WAITING).values_list("pk", flat=True)
    )
    if waiting:
        mail.send(waiting)
    return len(waiting)
