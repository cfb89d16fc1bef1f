"""Reading the messy values of real SiRUP and LPSE exports.

Each reader returns a clean value or None, and raises Unreadable with a reason when a value is
present but cannot be trusted: the importer reports it instead of inventing something.
"""

import datetime
import re

from contracts.models import Category, FundingSource, Method


class Unreadable(ValueError):
    pass


def text(value):
    return re.sub(r"\s+", " ", str(value or "")).strip()


def amount(value):
    """Whole Rupiah from '1.250.000.000', '1250000000', '1250000000.0' or a number.

    Zero means unknown in these exports, so it becomes None.
    """
    if value is None:
        return None
    if isinstance(value, int | float):
        number = round(value)
        return number or None
    raw = text(value).removeprefix("Rp").strip()
    if not raw:
        return None
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", raw):
        raw = raw.replace(".", "")
    elif re.fullmatch(r"\d+\.0+", raw):
        raw = raw.split(".")[0]
    if not raw.isdigit():
        raise Unreadable(f"nilai {text(value)!r} bukan jumlah rupiah")
    return int(raw) or None


def count(value):
    raw = text(value)
    if not raw:
        return None
    if not raw.isdigit():
        raise Unreadable(f"jumlah {raw!r} bukan bilangan bulat")
    return int(raw)


EXCEL_EPOCH = datetime.date(1899, 12, 30)


def date(value):
    """A date from ISO text, dd/mm/yyyy, a datetime, or a spreadsheet serial number."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raw = text(value)
    if re.fullmatch(r"\d{5}(\.\d+)?", raw):
        serial = int(float(raw))
        if 20000 < serial < 80000:
            return EXCEL_EPOCH + datetime.timedelta(days=serial)
    for pattern in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise Unreadable(f"tanggal {raw!r} tidak terbaca")


def nip(value):
    """An 18-digit NIP. Spreadsheets turned many into '1,97408E+17': the digits are lost."""
    raw = text(value)
    if not raw:
        return ""
    if re.search(r"[eE][+-]?\d+$", raw):
        raise Unreadable(f"NIP {raw!r} rusak oleh notasi ilmiah spreadsheet; angka aslinya hilang")
    digits = re.sub(r"\D", "", raw)
    if len(digits) != 18:
        raise Unreadable(f"NIP {raw!r} bukan 18 angka")
    return digits


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
}


def method(value):
    """(method, original term) from 'Lelang Umum' or 'Seleksi Sederhana - Pascakualifikasi …'."""
    original = text(value).split(" - ")[0].strip()
    if not original:
        return "", ""
    mapped = METHODS.get(original.lower())
    if mapped is None:
        raise Unreadable(f"metode {original!r} tidak dikenal")
    return mapped, original


def original_term(mapped, original):
    """The source's own method name, kept where it is not the current term ("Lelang Umum")."""
    if mapped and original.lower() != Method(mapped).label.lower():
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
    for name in names:
        found = CATEGORIES.get(name.lower())
        if found is None:
            raise Unreadable(f"jenis pengadaan {name!r} tidak dikenal")
        if found not in mapped:
            mapped.append(found)
    return (mapped[0] if mapped else ""), len(mapped) > 1


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


def kecamatan(value):
    """'Kecamatan Dander - Bojonegoro (Kab.)' or 'Kec. Dander' -> 'Dander'."""
    match = re.search(
        r"\b(?:kecamatan|kec\.)\s*([a-z][a-z .'-]*?)(?:\s+-|,|;|$)", text(value), re.I
    )
    return match.group(1).strip().title() if match else ""
