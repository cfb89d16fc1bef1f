"""What the privacy note of the subscriptions says in figures (templates/alerts/_privacy.html)."""

from django import template
from django.conf import settings

from alerts.services import MAIL_LOG_DAYS

register = template.Library()


@register.simple_tag
def jam_konfirmasi():
    """How many hours a confirmation link lives (ALERT_CONFIRM_HOURS)."""
    return settings.ALERT_CONFIRM_HOURS


@register.simple_tag
def hari_catatan_surel():
    """How many days the log of mail sent is kept (alerts.housekeeping.MAIL_DAYS)."""
    return MAIL_LOG_DAYS
