"""Subscriptions made straight with the models (the subscribe pages are another part's), and
the mail the engine queues sent through the test's SMTP server."""

import datetime

from django.utils import timezone

from alerts import mail
from alerts.keys import subscription_key
from alerts.models import OutgoingMail, Subscriber, Subscription
from contracts import services
from tests.factories import make_process, planning_fields

# The public address the mails' links name in these tests.
BASE = "https://kontrak.bojonegorokab.go.id"


def ahead(days):
    """A date `days` from today: stages not yet due, so no 'late stage' flag joins in."""
    return timezone.localdate() + datetime.timedelta(days=days)


def publish(agency, operator, **fields):
    """A package planned ahead (starting in 60 days), published by `operator`."""
    start = ahead(60)
    process = make_process(
        agency,
        **planning_fields(planned_start=start, planned_end=ahead(200), **fields),
        fiscal_year=start.year,
    )
    return services.publish_process(process=process, by=operator)


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
