"""Which package a PDF belongs to, read from its file name (bulk upload, issue #19).

Operators name files after the package's kode RUP (SiRUP) or kode tender (LPSE/SPSE):
"RUP_17654321_KAK.pdf", "kode-tender 10034567 BA Hasil.pdf", "17.654.321 SPK.pdf". A name may
hold other numbers too (a year, a date, a page count), so no number is taken for a code by its
length: every number in the name is looked up among the codes of the packages, and the name
matches a package only when exactly one package answers to its numbers.
"""

import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext_noop

# A number as written in a name: a run of digits, or digits grouped in threes by dots or
# spaces as an amount is printed ("17.654.321", "17 654 321").
_NUMBER = re.compile(r"(?<!\d)\d{1,3}(?:[. ]\d{3})+(?!\d)|\d+")


class Outcome:
    MATCHED = "matched"
    NONE = "none"
    AMBIGUOUS = "ambiguous"
    OTHER_AGENCY = "other_agency"


@dataclass(frozen=True)
class NameMatch:
    """`outcome` is one of Outcome; `process` is set only when MATCHED; `candidates` lists
    the packages the name's numbers point at (several when AMBIGUOUS); `code` is the number
    that matched, as stored."""

    outcome: str
    process: object = None
    code: str = ""
    candidates: list = field(default_factory=list)

    @property
    def reason(self):
        """Why the file cannot be placed, in Indonesian (it is stored with the file's row; a
        page translates the whole sentences, marked gettext_noop); empty when it can."""
        if self.outcome == Outcome.NONE:
            return gettext_noop(
                "Tidak ada kode RUP atau kode tender paket perangkat daerah Anda di nama berkas; "
                "beri nama berkas dengan kode paketnya, misalnya “12345678 KAK.pdf”."
            )
        if self.outcome == Outcome.AMBIGUOUS:
            names = ", ".join(f"{p.title} ({p.fiscal_year})" for p in self.candidates)
            return f"Nomor di nama berkas cocok dengan lebih dari satu paket: {names}."
        if self.outcome == Outcome.OTHER_AGENCY:
            return gettext_noop("Kode di nama berkas milik paket perangkat daerah lain.")
        return ""


def numbers_in_name(filename):
    """The numbers a file name holds, as digit strings without grouping or leading zeros,
    in order of appearance, each once. The extension is not read."""
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", filename)
    seen = []
    for found in _NUMBER.findall(stem):
        digits = re.sub(r"\D", "", found).lstrip("0")
        if digits and digits not in seen:
            seen.append(digits)
        # "17 654 321" may also be three numbers of which one is a code: keep the parts.
        for part in re.split(r"[. ]", found):
            part = part.lstrip("0")
            if part and part not in seen:
                seen.append(part)
    return seen


def match_name(filename, *, editable, everyone):
    """The package `filename` names by kode RUP or kode tender.

    `editable` is the queryset of packages the operator may write (Process.objects
    .editable_by(user)); `everyone` all packages, read only to say a code belongs to another
    agency. Codes are compared without leading zeros. Returns a NameMatch.
    """
    numbers = numbers_in_name(filename)
    if not numbers:
        return NameMatch(Outcome.NONE)
    hits = _by_code(editable, numbers)
    if len(hits) == 1:
        ((process, code),) = hits.items()
        return NameMatch(Outcome.MATCHED, process=process, code=code, candidates=[process])
    if len(hits) > 1:
        return NameMatch(Outcome.AMBIGUOUS, candidates=sorted(hits, key=lambda p: p.pk))
    others = _by_code(everyone.exclude(pk__in=editable.values("pk")), numbers)
    if others:
        return NameMatch(Outcome.OTHER_AGENCY)
    return NameMatch(Outcome.NONE)


def _by_code(queryset, numbers):
    """{process: the code it answered to} for packages whose kode RUP or kode tender, without
    leading zeros, is one of `numbers`."""
    variants = set()
    for number in numbers:
        # Stored codes may keep leading zeros; a handful of padded forms covers them.
        variants.update(number.zfill(width) for width in range(len(number), 13))
    found = {}
    rows = queryset.filter(Q(rup_code__in=variants) | Q(tender_code__in=variants))
    for process in rows.select_related("agency"):
        for code in (process.rup_code, process.tender_code):
            if code and code.lstrip("0") in numbers:
                found.setdefault(process, code)
    return found
