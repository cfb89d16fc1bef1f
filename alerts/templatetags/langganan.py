"""What the privacy note of the subscriptions says in figures (templates/alerts/_privacy.html),
and the follow link's query (templates/alerts/_follow_link.html)."""

from django import template
from django.conf import settings
from django.http import QueryDict

from alerts.keys import NOT_FOLLOWED
from alerts.services import MAIL_LOG_DAYS

register = template.Library()


@register.simple_tag
def jam_konfirmasi():
    """How many hours a confirmation link lives (ALERT_CONFIRM_HOURS)."""
    return settings.ALERT_CONFIRM_HOURS


@register.simple_tag
def hari_catatan_surel():
    """How many days the log of mail sent is kept (alerts.services.MAIL_LOG_DAYS)."""
    return MAIL_LOG_DAYS


@register.filter
def tanpa_urutan(query):
    """The list's query string (already encoded) without its sort and page (`urut`,
    `halaman`): the follow link carries only what is followed (alerts.keys.NOT_FOLLOWED)."""
    pairs = QueryDict(query or "").copy()
    for name in NOT_FOLLOWED:
        pairs.pop(name, None)
    return pairs.urlencode()
