"""NIP (Nomor Induk Pegawai), the number of a civil servant named on a package (PA/KPA, PPK,
PPTK).

18 digits, printed in four groups: "19700101 199003 1 005" is born 1 January 1970 (8 digits,
yyyymmdd), appointed March 1990 (6 digits, yyyymm), sex 1 for a man or 2 for a woman (1 digit),
and a serial number (3 digits), as printed on a civil servant's SK and Kartu Pegawai. The
portal stores the 18 digits alone.
"""

import datetime
import re

from django.utils.translation import gettext

# How long a typed NIP may be: 18 digits and the spaces people put between the groups,
# with room for a doubled space; the stored form is the 18 digits alone.
TYPED_MAX_LENGTH = 30


class InvalidNIP(ValueError):
    pass


def normalize_nip(value):
    """The 18 digits of a NIP as typed or printed (spaces allowed); "" for an empty value.

    Raises InvalidNIP, in the active language, saying what is wrong: a character other than
    digits and spaces, the wrong number of digits, or a group that cannot be a date, a month or
    a sex.
    """
    text = " ".join(str(value or "").split())
    if not text:
        return ""
    if re.search(r"[^0-9 ]", text):
        raise InvalidNIP(
            gettext(
                "NIP “%(value)s” memuat huruf atau tanda selain angka dan spasi; NIP hanya 18 "
                "angka, misalnya 19700101 199003 1 005"
            )
            % {"value": text}
        )
    digits = text.replace(" ", "")
    if len(digits) != 18:
        raise InvalidNIP(
            gettext(
                "NIP harus 18 angka, yang diisi %(count)s angka; periksa lagi pada SK atau "
                "kartu pegawai (misalnya 19700101 199003 1 005)"
            )
            % {"count": len(digits)}
        )
    problem = _structure_problem(digits)
    if problem:
        raise InvalidNIP(
            gettext("NIP %(nip)s: %(problem)s; kemungkinan ada angka salah ketik")
            % {"nip": format_nip(digits), "problem": problem}
        )
    return digits


def format_nip(digits):
    """The 18 digits in the printed groups: "19700101 199003 1 005"."""
    return f"{digits[0:8]} {digits[8:14]} {digits[14]} {digits[15:]}"


def _structure_problem(digits):
    try:
        born = datetime.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return gettext("8 angka pertama (%(digits)s) bukan tanggal lahir tttt-bb-hh yang ada") % {
            "digits": digits[0:8]
        }
    year, month = int(digits[8:12]), int(digits[12:14])
    if not 1 <= month <= 12:
        return gettext(
            "angka ke-13 dan ke-14 (%(digits)s) bukan bulan pengangkatan 01 sampai 12"
        ) % {"digits": digits[12:14]}
    if year < born.year:
        return gettext("tahun pengangkatan %(year)s sebelum tahun lahir %(born)s") % {
            "year": year,
            "born": born.year,
        }
    if digits[14] not in "12":
        return gettext("angka ke-15 (%(digit)s) harus 1 (laki-laki) atau 2 (perempuan)") % {
            "digit": digits[14]
        }
    return None
