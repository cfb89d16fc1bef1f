"""Money, counts and shares in the page's language, for every template and the admin.

The filters (`rupiah`, `angka`, `persen`, `persen_angka`, `deviasi`) follow the active language:

=========  ===================  ===================
           Indonesian (id)      English (en)
=========  ===================  ===================
money      Rp 1.250.000.000     IDR 1,250,000,000
count      4.681                4,681
share      96,4%                96.4%
=========  ===================  ===================

English writes the ISO code, as the World Bank and the IMF write Indonesian sums for readers
abroad ("Rp" reads as nothing to most of them), with the digits grouped the English way: a
reader never has to guess whether "1.250" is a thousand or one and a quarter. Dates come from
the formats of each language (opendata_kontrak/formats/): "12 Mei 2019" and "12 May 2019".

The functions of the same names called from Python (`rupiah(amount)`, `angka(n)`) write the
Indonesian form whatever the language: they build Indonesian sentences (a flag's reason, an
import's note, an e-mail) that are stored or sent beyond a page. `money(amount)` and
`number(n)` follow the active language, for text that is translated.
"""

import re
from decimal import Decimal

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.html import escape, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


def _in_indonesian():
    return (translation.get_language() or settings.LANGUAGE_CODE) == "id"


def rupiah(amount):
    """12500000 -> 'Rp 12.500.000'; None -> '—' (unknown is not zero). Always Indonesian."""
    if amount is None or amount == "":
        return "—"
    value = int(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}Rp {abs(value):,}".replace(",", ".")


@register.filter("rupiah")
def money(amount):
    """An amount of rupiah in the active language: 12500000 -> 'Rp 12.500.000' (id),
    'IDR 12,500,000' (en); None -> '—'."""
    if _in_indonesian() or amount is None or amount == "":
        return rupiah(amount)
    value = int(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}IDR {abs(value):,}"


def rupiah_in_text(amount):
    """`rupiah` for a sentence or heading: "Rp" joined to its digits by a no-break space, so a
    line never ends between them."""
    return rupiah(amount).replace(" ", "\N{NO-BREAK SPACE}", 1)


def angka(number):
    """4681 -> '4.681'; None -> '—'. A lazy number (SimpleLazyObject) is read as its text.
    Always Indonesian."""
    if number is None or number == "":
        return "—"
    return f"{_whole(number):,}".replace(",", ".")


def _whole(number):
    try:
        return int(number)
    except TypeError:
        return int(str(number))


@register.filter("angka")
def number(number):
    """A count in the active language: 4681 -> '4.681' (id), '4,681' (en); None -> '—'."""
    if _in_indonesian() or number is None or number == "":
        return angka(number)
    return f"{_whole(number):,}"


@register.filter
def persen(share):
    """96.4 -> '96,4%' (id), '96.4%' (en): one decimal; None -> '—' (nothing to measure)."""
    if share is None or share == "":
        return "—"
    english = f"{float(share):,.1f}"
    if not _in_indonesian():
        return f"{english}%"
    return english.replace(",", " ").replace(".", ",").replace(" ", ".") + "%"


@register.filter
def audit_changes(entry):
    """An audit entry's changes as 'label: old → new' lines, the labels (stored in
    Indonesian) translated where the catalogue has them, a status by its name, not its code
    (the Indonesian workspace showed "status: withdrawn → published")."""
    return format_html_join(
        mark_safe("<br>"),
        "<strong>{}</strong>: {}",
        (
            (translation.gettext(label), _describe(value, status=label == "status"))
            for label, value in entry.changes.items()
        ),
    )


def _describe(value, *, status=False):
    if isinstance(value, list) and len(value) == 2 and not isinstance(value[0], dict):
        old, new = (_status_name(v) for v in value) if status else value
        return f"{old if old not in (None, '') else '—'} → {new if new not in (None, '') else '—'}"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {', '.join(map(str, items))}" for key, items in value.items())
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _status_name(code):
    from contracts.models import Status

    return str(Status(code).label) if code in Status.values else code


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


def decimal_here(value, *, signed=False):
    """`desimal` with the active language's decimal mark: Decimal("60.50") -> '60,5' (id),
    '60.5' (en)."""
    text = desimal(value, signed=signed)
    return text if _in_indonesian() else text.replace(",", ".")


def persen_angka(value):
    """A stored percentage as written: Decimal("32.50") -> '32,5%', 20 -> '20%'; None -> '—'.
    Always Indonesian (the OCDS descriptions are written with it)."""
    if value is None or value == "":
        return "—"
    return f"{desimal(value)}%"


@register.filter("persen_angka")
def percentage(value):
    """`persen_angka` in the active language: Decimal("32.50") -> '32,5%' (id), '32.5%' (en)."""
    if value is None or value == "":
        return "—"
    return f"{decimal_here(value)}%"


@register.filter
def deviasi(points):
    """A deviation in percentage points with its sign, in the active language: Decimal("-12.5")
    -> '-12,5%' (id), '-12.5%' (en); 2 -> '+2%', 0 -> '0%'; None -> '—'."""
    if points is None or points == "":
        return "—"
    return f"{decimal_here(points, signed=True)}%"
