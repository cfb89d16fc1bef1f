"""NPWP, the Indonesian tax number that identifies a supplier.

Companies had 15 digits (99.999.999.9-999.999). Since the 2024 reform every NPWP has 16 digits:
a person's is their NIK, a company's is its old number with a leading 0. The portal keeps the
16-digit form, so a company appears once whichever form a source uses.
"""

import math
import re

from django.utils.translation import gettext

# How long a typed NPWP may be: the digits with the dots, dashes and spaces people write
# between them (01.999.888.7-777.000 is 20 characters for 15 digits). The stored form is
# the 16 digits alone, so the column's length is no limit on what may be typed.
TYPED_MAX_LENGTH = 32


class InvalidNPWP(ValueError):
    pass


def normalize_npwp(value):
    """Return the canonical 16 digits, or None for an empty value; raise InvalidNPWP otherwise."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = _from_spreadsheet_number(value)
    text = str(value).strip()
    if not text or set(text) <= {"0", ".", "-", " "}:
        return None
    if re.search(r"[^0-9.\- ]", text):
        raise InvalidNPWP(
            gettext("NPWP %(value)r memuat karakter selain angka, titik dan tanda hubung")
            % {"value": text}
        )
    digits = re.sub(r"[^0-9]", "", text)
    if len(digits) == 15:
        return "0" + digits
    if len(digits) == 16:
        return digits
    raise InvalidNPWP(
        gettext("NPWP %(value)r harus 15 atau 16 angka, bukan %(count)s")
        % {"value": text, "count": len(digits)}
    )


def _from_spreadsheet_number(value):
    """An NPWP a spreadsheet stored as a number (an XLSX cell): its digits when they can be
    trusted, with the leading zeros the number dropped; InvalidNPWP otherwise.

    A spreadsheet keeps 15 significant digits: a 15-digit NPWP survives as a number (without
    its leading zeros, given back here), a 16-digit one has lost its last digit already."""
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise InvalidNPWP(gettext("NPWP %(value)r bukan deretan angka") % {"value": value})
    number = int(value)
    if number < 0:
        raise InvalidNPWP(gettext("NPWP %(value)r bukan deretan angka") % {"value": value})
    if number >= 10**15:
        raise InvalidNPWP(
            gettext(
                "NPWP 16 angka tersimpan sebagai angka di spreadsheet, yang hanya menyimpan 15 "
                "angka penting: angka terakhirnya bisa berubah. Simpan kolom NPWP sebagai teks."
            )
        )
    return str(number).zfill(15)


def format_npwp(canonical):
    """Show a company's number in the familiar 15-digit layout, a NIK-based one as 16 digits."""
    if canonical.startswith("0"):
        d = canonical[1:]
        return f"{d[0:2]}.{d[2:5]}.{d[5:8]}.{d[8]}-{d[9:12]}.{d[12:15]}"
    return canonical


# org-id.guide's code for the register of NPWPs (lists/id/id-djp.json: "Director General of
# Taxes", confirmed, not deprecated). OCDS names it in a supplier's `identifier.scheme`.
ORG_ID_SCHEME = "ID-DJP"


def check_digits_problem(canonical):
    """Why the canonical 16 digits fail their check, in the active language; None when they
    pass.

    The check is python-stdnum's (`stdnum.id.npwp`): for a company's number (leading 0) the
    Luhn check digit over the first 9 digits of the 15-digit form; for a number not starting
    with 0, a NIK, whose region code and date of birth must exist (`stdnum.id.nik`). Passing
    says the number is well formed, not that the tax office issued it.
    """
    from stdnum.exceptions import InvalidChecksum, ValidationError
    from stdnum.id import npwp as stdnum_npwp

    try:
        stdnum_npwp.validate(canonical)
    except InvalidChecksum:
        return gettext(
            "NPWP %(npwp)s tidak lolos uji angka pemeriksa: angka ke-9 (sebelum tanda hubung) "
            "tidak cocok dengan 8 angka di depannya, jadi kemungkinan ada angka yang salah ketik"
        ) % {"npwp": format_npwp(canonical)}
    except ValidationError:
        return gettext(
            "NPWP %(npwp)s berawalan selain 0, jadi berupa NIK, tetapi kode wilayah atau "
            "tanggal lahir di dalamnya tidak ada, jadi kemungkinan ada angka yang salah ketik"
        ) % {"npwp": canonical}
    return None


def passes_check_digits(canonical):
    """True when the stored 16 digits pass their check (see check_digits_problem)."""
    return check_digits_problem(canonical) is None
