"""Reading the messy values of real SiRUP and LPSE exports.

Each reader returns a clean value or None, and raises Unreadable with a reason when a value is
present but cannot be trusted: the importer reports it instead of inventing something.
"""

import datetime
import math
import re
from decimal import ROUND_HALF_UP, Decimal

from contracts.models import Category, FundingSource, Method
from contracts.nip import InvalidNIP, normalize_nip
from opendata_kontrak.text import printable


class Unreadable(ValueError):
    pass


# Excel writes a character XML cannot carry as `_xHHHH_` (ECMA-376 Part 1, ST_Xstring): a
# carriage return is `_x000D_`, and exports copied from such a file keep the escape as text.
OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def text(value):
    """A cell as one line of text: Excel's `_x000D_` escapes read as the characters they
    stand for, then control characters (which spreadsheets carry in) and runs of white space
    become one space."""
    raw = OOXML_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), str(value or ""))
    return " ".join(printable(raw).split())


def code(value):
    """A numeric code or year as the export means it: a spreadsheet writes 91000201 as
    '91000201.0' (or the float itself), which is still 91000201."""
    raw = text(value)
    if re.fullmatch(r"\d+\.0+", raw):
        raw = raw.split(".")[0]
    return raw


def amount(value):
    """Whole Rupiah, rounded half up, from the ways exports and spreadsheets write money:
    '1.250.000.000', '1.250.000.000,00', 'Rp 150.000.000,-', 'Rp. 1.250.000', '1,250,000,000',
    '1250000000', '212506221.4' or a number.

    Zero means unknown in these exports, so it becomes None. Raises Unreadable for anything
    else: an amount that cannot be read is never taken as none.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise Unreadable(f"nilai {value!r} bukan jumlah rupiah")
    if isinstance(value, int | float | Decimal):
        if isinstance(value, float) and not math.isfinite(value):
            raise Unreadable(f"nilai {value!r} bukan jumlah rupiah")
        number = Decimal(str(value))
    else:
        raw = re.sub(r"^rp\.?", "", text(value), flags=re.I).replace(" ", "")
        raw = re.sub(r"[,.]-+$", "", raw)
        if not raw:
            return None
        if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", raw):
            whole, _, fraction = raw.partition(",")
            number = Decimal(f"{whole.replace('.', '')}.{fraction or 0}")
        elif re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", raw):
            number = Decimal(raw.replace(",", ""))
        elif re.fullmatch(r"\d+([.,]\d+)?", raw):
            number = Decimal(raw.replace(",", "."))
        else:
            raise Unreadable(f"nilai {text(value)!r} bukan jumlah rupiah")
    if number < 0:
        raise Unreadable(f"nilai {text(value)!r} negatif")
    return int(number.quantize(Decimal(1), rounding=ROUND_HALF_UP)) or None


def count(value):
    raw = code(value)
    if not raw:
        return None
    if not raw.isdigit():
        raise Unreadable(f"jumlah {raw!r} bukan bilangan bulat")
    return int(raw)


EXCEL_EPOCH = datetime.date(1899, 12, 30)


MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "pebruari": 2, "feb": 2, "peb": 2, "maret": 3,
    "mar": 3, "april": 4, "apr": 4, "mei": 5, "may": 5, "juni": 6, "jun": 6, "juli": 7,
    "jul": 7, "agustus": 8, "agu": 8, "ags": 8, "agt": 8, "aug": 8, "september": 9, "sep": 9,
    "sept": 9, "oktober": 10, "okt": 10, "oct": 10, "november": 11, "nopember": 11, "nov": 11,
    "desember": 12, "des": 12, "dec": 12,
}  # fmt: skip
SPELLED_DATE = re.compile(
    r"(?:[a-z]+,\s*)?(\d{1,2})[\s-]+([a-z]+)\.?[\s-]+(\d{4})(?:\s+\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)?"
)


def date(value):
    """A date from ISO text, dd/mm/yyyy, a datetime, a spreadsheet serial number, or an
    Indonesian date ('1 Maret 2022', 'Selasa, 01 Mar 2022', '01-Agu-2022')."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raw = text(value)
    # A spreadsheet that took the year for a number writes '2022.0-03-01'.
    raw = re.sub(r"^(\d{4})\.0+(?=[-/])", r"\1", raw)
    if re.fullmatch(r"\d{5}(\.\d+)?", raw):
        serial = int(float(raw))
        if 20000 < serial < 80000:
            return EXCEL_EPOCH + datetime.timedelta(days=serial)
    for pattern in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    spelled = SPELLED_DATE.fullmatch(raw.lower())
    if spelled and spelled.group(2) in MONTHS:
        try:
            return datetime.date(
                int(spelled.group(3)), MONTHS[spelled.group(2)], int(spelled.group(1))
            )
        except ValueError:
            pass
    raise Unreadable(f"tanggal {raw!r} tidak terbaca")


def nip(value):
    """An 18-digit NIP. Spreadsheets turned many into '1,97408E+17': the digits are lost."""
    raw = text(value)
    if not raw:
        return ""
    if re.search(r"[eE][+-]?\d+$", raw):
        raise Unreadable(f"NIP {raw!r} rusak oleh notasi ilmiah spreadsheet; angka aslinya hilang")
    try:
        # The digits as a source writes them, dotted or spaced, checked as typed ones are.
        return normalize_nip(re.sub(r"[^0-9 ]", " ", raw))
    except InvalidNIP as problem:
        raise Unreadable(str(problem)) from problem


def distinct(values):
    seen = []
    for value in values:
        value = text(value)
        if value and value not in seen:
            seen.append(value)
    return seen


def split(value, separator=";"):
    return distinct(str(value or "").split(separator))


# Method names before and after Perpres 16/2018, as the exports write them.
METHODS = {
    "tender": Method.TENDER,
    "tender cepat": Method.QUICK_TENDER,
    "seleksi": Method.SELECTION,
    "pengadaan langsung": Method.DIRECT_PROCUREMENT,
    "penunjukan langsung": Method.DIRECT_APPOINTMENT,
    "e-purchasing": Method.E_PURCHASING,
    "epurchasing": Method.E_PURCHASING,
    "swakelola": Method.SELF_MANAGED,
    "lelang umum": Method.TENDER,
    "lelang sederhana": Method.TENDER,
    "lelang terbatas": Method.TENDER,
    "lelang pemilihan langsung": Method.TENDER,
    "pemilihan langsung": Method.TENDER,
    "seleksi umum": Method.SELECTION,
    "seleksi sederhana": Method.SELECTION,
    "kontes": Method.TENDER,
    "sayembara": Method.SELECTION,
    # Perpres 16/2018 Pasal 59 (keadaan darurat) and Pasal 61 (dikecualikan).
    "darurat": Method.EMERGENCY,
    "pengadaan darurat": Method.EMERGENCY,
    "dikecualikan": Method.EXCLUDED,
}


def method(value):
    """(method, original term) from 'Lelang Umum' or 'Seleksi Sederhana - Pascakualifikasi …'.

    A term no regulation maps is kept in its own words with no method: ("", term); the caller
    notes it."""
    original = text(value).split(" - ")[0].strip()
    if not original:
        return "", ""
    return METHODS.get(original.lower(), ""), original


def original_term(mapped, original):
    """The source's own method name, kept where it is not the current term ("Lelang Umum")
    or where no current term fits it."""
    if not mapped:
        return original
    if original.lower() != Method(mapped).label.lower():
        return original
    return ""


CATEGORIES = {
    "barang": Category.GOODS,
    "pengadaan barang": Category.GOODS,
    "pekerjaan konstruksi": Category.WORKS,
    "jasa konsultansi": Category.CONSULTING,
    "jasa konsultansi badan usaha": Category.CONSULTING,
    "jasa konsultansi perorangan": Category.CONSULTING,
    "jasa lainnya": Category.OTHER_SERVICES,
}


def category(value):
    """The category, and whether the cell named several different ones."""
    names = split(value)
    mapped = []
    for index, name in enumerate(names):
        found = CATEGORIES.get(name.lower())
        if found is None and index == len(names) - 1 and index > 0:
            # The last name of a long cell cut off by the export ("...;Pekerjaan Konstr").
            found = _truncated_category(name)
            if found is None:
                continue
        if found is None:
            raise Unreadable(f"jenis pengadaan {name!r} tidak dikenal")
        if found not in mapped:
            mapped.append(found)
    return (mapped[0] if mapped else ""), len(mapped) > 1


def _truncated_category(name):
    """The one category whose name begins with `name` (at least 6 letters), else None."""
    if len(name) < 6:
        return None
    found = {category for known, category in CATEGORIES.items() if known.startswith(name.lower())}
    return found.pop() if len(found) == 1 else None


FUNDING = {
    "apbd": FundingSource.APBD,
    "apbdp": FundingSource.APBD_P,
    "apbd-p": FundingSource.APBD_P,
    "apbd provinsi": FundingSource.APBD_PROVINSI,
    "apbn": FundingSource.APBN,
    "dak": FundingSource.DAK,
    "dbh": FundingSource.DBH,
    "blud": FundingSource.BLUD,
    "blu": FundingSource.BLUD,
}


def funding(value):
    sources = []
    for name in split(value, ","):
        found = FUNDING.get(name.lower(), FundingSource.OTHER)
        if found not in sources:
            sources.append(found)
    return sources
