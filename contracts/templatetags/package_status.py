"""The work and data sentences of a package (contracts.status) for the templates."""

from django import template

from contracts import status
from contracts.models import jakarta_today

register = template.Library()


@register.simple_tag
def package_status(process):
    """{"work": WorkStatus, "data": DataStatus} of a Process annotated with
    `contracts.status.card_figures()`, as read today in Asia/Jakarta."""
    work, data = status.package_status(process, today=jakarta_today())
    return {"work": work, "data": data}


@register.simple_tag
def package_dates(process):
    """{"imported": "SiRUP dan LPSE" or "", "event": (label, date) or None} of a Process:
    where its data came from and the latest event it records (contracts.status). One query."""
    return {
        "imported": status.imported_from(process),
        "event": status.latest_event(
            process, last_dates=status.last_row_dates(process), today=jakarta_today()
        ),
    }
