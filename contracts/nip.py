"""NIP (Nomor Induk Pegawai), the number of a civil servant named on a package (PA/KPA, PPK,
PPTK).

18 digits, printed in four groups: "19700101 199003 1 005" is born 1 January 1970 (8 digits,
yyyymmdd), appointed March 1990 (6 digits, yyyymm), sex 1 for a man or 2 for a woman (1 digit),
and a serial number (3 digits), as printed on a civil servant's SK and Kartu Pegawai. The
portal stores the 18 digits alone.
"""

import datetime
import re

# How long a typed NIP may be: 18 digits and the spaces people put between the groups,
# with room for a doubled space; the stored form is the 18 digits alone.
TYPED_MAX_LENGTH = 30


class InvalidNIP(ValueError):
    pass


def normalize_nip(value):
    """The 18 digits of a NIP as typed or printed (spaces allowed); "" for an empty value.

    Raises InvalidNIP, in Indonesian, saying what is wrong: a character other than digits and
    spaces, the wrong number of digits, or a group that cannot be a date, a month or a sex.
    """
    text = " ".join(str(value or "").split())
    if not text:
        return ""
    if re.search(r"[^0-9 ]", text):
        raise InvalidNIP(
            f"NIP “{text}” memuat huruf atau tanda selain angka dan spasi; NIP hanya 18 angka, "
            "misalnya 19700101 199003 1 005"
        )
    digits = text.replace(" ", "")
    if len(digits) != 18:
        raise InvalidNIP(
            f"NIP harus 18 angka, yang diisi {len(digits)} angka; periksa lagi pada SK atau "
            "kartu pegawai (misalnya 19700101 199003 1 005)"
        )
    problem = _structure_problem(digits)
    if problem:
        raise InvalidNIP(f"NIP {format_nip(digits)}: {problem}; kemungkinan ada angka salah ketik")
    return digits


def format_nip(digits):
    """The 18 digits in the printed groups: "19700101 199003 1 005"."""
    return f"{digits[0:8]} {digits[8:14]} {digits[14]} {digits[15:]}"


def _structure_problem(digits):
    try:
        born = datetime.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return f"8 angka pertama ({digits[0:8]}) bukan tanggal lahir tttt-bb-hh yang ada"
    year, month = int(digits[8:12]), int(digits[12:14])
    if not 1 <= month <= 12:
        return f"angka ke-13 dan ke-14 ({digits[12:14]}) bukan bulan pengangkatan 01 sampai 12"
    if year < born.year:
        return f"tahun pengangkatan {year} sebelum tahun lahir {born.year}"
    if digits[14] not in "12":
        return f"angka ke-15 ({digits[14]}) harus 1 (laki-laki) atau 2 (perempuan)"
    return None
