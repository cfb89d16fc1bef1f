"""Money, counts, shares and dates the Indonesian way, for every template and the admin."""

import re
from decimal import Decimal

from django import template
from django.utils.html import escape, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def rupiah(amount):
    """12500000 -> 'Rp 12.500.000'; None -> '—' (unknown is not zero)."""
    if amount is None or amount == "":
        return "—"
    value = int(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}Rp {abs(value):,}".replace(",", ".")


def rupiah_in_text(amount):
    """`rupiah` for a sentence or heading: "Rp" joined to its digits by a no-break space, so a
    line never ends between them."""
    return rupiah(amount).replace(" ", "\N{NO-BREAK SPACE}", 1)


@register.filter
def angka(number):
    """4681 -> '4.681'; None -> '—'. A lazy number (SimpleLazyObject) is read as its text."""
    if number is None or number == "":
        return "—"
    try:
        whole = int(number)
    except TypeError:
        whole = int(str(number))
    return f"{whole:,}".replace(",", ".")


@register.filter
def persen(share):
    """96.4 -> '96,4%' (one decimal, decimal comma); None -> '—' (nothing to measure)."""
    if share is None or share == "":
        return "—"
    return f"{float(share):,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".") + "%"


@register.filter
def audit_changes(entry):
    """An audit entry's changes as 'label: old → new' lines."""
    return format_html_join(
        mark_safe("<br>"),
        "<strong>{}</strong>: {}",
        ((label, _describe(value)) for label, value in entry.changes.items()),
    )


def _describe(value):
    if isinstance(value, list) and len(value) == 2 and not isinstance(value[0], dict):
        old, new = value
        return f"{old if old not in (None, '') else '—'} → {new if new not in (None, '') else '—'}"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {', '.join(map(str, items))}" for key, items in value.items())
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


@register.filter
def inline_code(text):
    """Prose with `code` spans (as the API description writes them) as HTML, escaped."""
    return mark_safe(re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text)))  # noqa: S308


def desimal(value, *, signed=False):
    """A number with a decimal comma, at most two decimals and no trailing zeros, for text in
    Indonesian (templates and the OCDS titles and descriptions alike): Decimal("80.50") ->
    '80,5', 20 -> '20', Decimal("-12.50") -> '-12,5'; `signed` adds '+' above zero."""
    number = Decimal(value).quantize(Decimal("0.01")).normalize()
    sign = "-" if number < 0 else "+" if signed and number > 0 else ""
    return f"{sign}{abs(number):f}".replace(".", ",")


@register.filter
def persen_angka(value):
    """A stored percentage as written: Decimal("32.50") -> '32,5%', 20 -> '20%'; None -> '—'."""
    if value is None or value == "":
        return "—"
    return f"{desimal(value)}%"


@register.filter
def deviasi(points):
    """A deviation in percentage points with its sign and a decimal comma: Decimal("-12.5") ->
    '-12,5%', 2 -> '+2%', 0 -> '0%'; None -> '—'."""
    if points is None or points == "":
        return "—"
    return f"{desimal(points, signed=True)}%"
