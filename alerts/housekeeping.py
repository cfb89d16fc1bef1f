"""How long the alerts keep what they keep, and the hourly job that forgets the rest.

The figures (the privacy note on the policy page states them, templates/alerts/_privacy.html):
- an unconfirmed subscription: ALERT_CONFIRM_HOURS (its link expires then), then deleted;
- an address: only while it has a subscription (deleted with its last one);
- a message sent, failed or cancelled: services.MAIL_LOG_DAYS, for the failures' count and
  questions;
- a change already dispatched: CHANGE_DAYS, enough for the daily digest to read it.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from alerts import services
from alerts.models import Change, Subscriber

CHANGE_DAYS = 3


@transaction.atomic
def clean(*, now=None):
    """Delete what has outlived its use (see the module's figures). Returns {what: count}."""
    now = now or timezone.now()
    # Unconfirmed past their link's life, counted from the last link mailed (a form sent again
    # mails a new one), with the addresses that then follow nothing.
    addresses = Subscriber.objects.count()
    counts = {"langganan": services.purge_unconfirmed(now=now)}
    # And any address kept for nothing (its last subscription ended some other way).
    Subscriber.objects.filter(subscriptions__isnull=True).delete()
    counts["pelanggan"] = addresses - Subscriber.objects.count()
    counts["surel"] = services.purge_mail_log(now=now)
    counts["perubahan"] = Change.objects.filter(
        dispatched_at__isnull=False,
        created_at__lt=now - datetime.timedelta(days=CHANGE_DAYS),
    ).delete()[0]
    return counts
