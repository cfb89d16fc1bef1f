"""Text every output can carry: no control characters.

XML (the Atom feed, the sitemap) and XLSX cannot hold C0 control characters at all, and C1
ones only confuse readers; spreadsheets and office documents still carry them into exports
(STX, BEL, SYN pasted with a title). They are removed where text comes in (imports, forms,
citizens' reports) and again where it goes out, so that one bad title never breaks a feed or a
bulk file for everyone.
"""

import re

# C0 and C1 control characters, and DEL, except tab, line feed and carriage return; and what
# XML 1.0 allows no more than them: a lone surrogate (half of a UTF-16 pair, which no UTF-8
# file can hold) and the noncharacters U+FFFE and U+FFFF.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def printable(value):
    """`value` with each control character (and lone surrogate, U+FFFE, U+FFFF) replaced by
    a space; anything not a str as is."""
    if isinstance(value, str):
        return CONTROL_CHARACTERS.sub(" ", value)
    return value


class PrintableTextForm:
    """A form mixin: every text a person typed or pasted comes in without control
    characters (line breaks and tabs stay)."""

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str):
                cleaned[name] = printable(value)
        return cleaned


def long_date(value):
    """A date written the Indonesian way for text stored or sent beyond a template (flags,
    import notes): "2 April 2020", "17 Agustus 2025". `value` a datetime.date; the portal's
    DATE_FORMAT and Django's Indonesian month names, whatever language a worker runs in."""
    from django.utils import formats, translation

    with translation.override("id"):
        return formats.date_format(value, "DATE_FORMAT")


def page_date(value):
    """A date for a sentence shown on a page, in the active language: "12 Mei 2019" (id),
    "12 May 2019" (en); each language's DATE_FORMAT (opendata_kontrak/formats/)."""
    from django.utils import formats

    return formats.date_format(value, "DATE_FORMAT")
