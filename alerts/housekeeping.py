"""How long the alerts keep what they keep, and the hourly job that forgets the rest.

The figures are here, in one place, for the privacy note (what is kept and for how long):
- an unconfirmed subscription: ALERT_CONFIRM_HOURS (its link expires then), then deleted;
- an address: only while it has a subscription (deleted with its last one);
- a message sent, failed or cancelled: MAIL_DAYS, for the failures' count and questions;
- a change already dispatched: CHANGE_DAYS, enough for the daily digest to read it.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from alerts.models import Change, OutgoingMail, Subscriber, Subscription

MAIL_DAYS = 30
CHANGE_DAYS = 3


def retention():
    """{what: how long, in words}: the figures above as the privacy note states them."""
    return {
        "langganan belum dikonfirmasi": f"{settings.ALERT_CONFIRM_HOURS} jam",
        "alamat surel": "selama masih ada langganan; dihapus bersama langganan terakhirnya",
        "surel yang terkirim atau gagal": f"{MAIL_DAYS} hari",
        "catatan perubahan paket yang sudah dikirim": f"{CHANGE_DAYS} hari",
    }


@transaction.atomic
def clean(*, now=None):
    """Delete what has outlived its use (see the module's figures). Returns {what: count}."""
    now = now or timezone.now()
    expired = Subscription.objects.filter(
        confirmed_at__isnull=True,
        created_at__lt=now - datetime.timedelta(hours=settings.ALERT_CONFIRM_HOURS),
    )
    counts = {"langganan": expired.delete()[1].get(Subscription._meta.label, 0)}
    # An address kept for nothing: its last subscription expired or was ended.
    alone = Subscriber.objects.filter(subscriptions__isnull=True)
    counts["pelanggan"] = alone.delete()[1].get(Subscriber._meta.label, 0)
    counts["surel"] = (
        OutgoingMail.objects.exclude(status=OutgoingMail.Status.WAITING)
        .filter(created_at__lt=now - datetime.timedelta(days=MAIL_DAYS))
        .delete()[0]
    )
    counts["perubahan"] = Change.objects.filter(
        dispatched_at__isnull=False,
        created_at__lt=now - datetime.timedelta(days=CHANGE_DAYS),
    ).delete()[0]
    return counts
