"""NPWP check digits (contracts/npwp.py): a company's 9th digit (of the 15-digit form) is the
Luhn check digit of the 8 before it; a 16-digit number not starting with 0 is a NIK, whose
region and date of birth must exist."""

import pytest

from contracts.npwp import check_digits_problem, normalize_npwp, passes_check_digits


def luhn_check_digit(digits):
    """The Luhn digit that completes `digits`, computed here apart from the library."""
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit)
        if position % 2 == 0:  # doubled: the check digit will stand to their right
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return str(-total % 10)


def with_check_digit(first_eight, office_and_branch):
    return first_eight + luhn_check_digit(first_eight) + office_and_branch


@pytest.mark.parametrize(
    "typed",
    [
        # org-id.guide's example for ID-DJP (lists/id/id-djp.json).
        "312666837412000",
        # Numbers made here by the Luhn rule, written as people write them.
        "01.111.222.4-601.000",
        "71.242.031.4-601.000",
        with_check_digit("02577005", "645000"),
        with_check_digit("31783822", "618000"),
        # Since 2024 a company's number is the old one with a leading 0.
        "0" + with_check_digit("01011777", "077000"),
        # A person's NPWP is the NIK: Bojonegoro (35 22), born 17 August 1945.
        "3522011708450001",
    ],
)
def test_well_formed_npwps_pass(typed):
    canonical = normalize_npwp(typed)
    assert passes_check_digits(canonical)
    assert check_digits_problem(canonical) is None


def test_the_luhn_digits_computed_here_are_the_only_ones_that_pass():
    first_eight = "70307030"
    right = luhn_check_digit(first_eight)
    for digit in "0123456789":
        canonical = normalize_npwp(first_eight + digit + "629000")
        assert passes_check_digits(canonical) == (digit == right)


def test_org_id_guides_other_example_fails_its_check_digit():
    # 0-1-0-1-1-7-7-7 asks for 8 as 9th digit; the register's example has 1 (a slip there).
    assert luhn_check_digit("01011777") == "8"
    problem = check_digits_problem(normalize_npwp("010117771077000"))
    assert "angka pemeriksa" in problem and "01.011.777.1-077.000" in problem


@pytest.mark.parametrize(
    "typed",
    [
        "01.234.567.8-901.000",  # its 9th digit should be 4
        "0012345678901000",
        "0020555619601000",  # one of the NPWPs of the bundled LPSE export that fail
    ],
)
def test_a_wrong_check_digit_is_named(typed):
    problem = check_digits_problem(normalize_npwp(typed))
    assert problem is not None
    assert "tidak lolos uji angka pemeriksa" in problem and "salah ketik" in problem


@pytest.mark.parametrize(
    "nik",
    [
        "3522013208450001",  # the 32nd of August does not exist
        "9922011708450001",  # no province 99
    ],
)
def test_a_nik_with_an_impossible_region_or_birth_date_fails(nik):
    problem = check_digits_problem(nik)
    assert "NIK" in problem and "tidak ada" in problem


def test_an_npwp_a_spreadsheet_kept_as_a_number_gets_its_leading_zero_back():
    """01.234.567.8-901.234 typed into a cell becomes the number 12345678901234 (an XLSX cell
    read by openpyxl gives an int or a float); its 15 digits survive, the zero is given back."""
    assert normalize_npwp(12345678901234) == "0012345678901234"
    assert normalize_npwp(12345678901234.0) == "0012345678901234"
    assert normalize_npwp(312666837412000.0) == "0312666837412000"
    # Read as text the float would have given 16 wrong digits ("312666837412000.0").
    assert normalize_npwp(312666837412000.0) == normalize_npwp("31.266.683.7-412.000")


@pytest.mark.parametrize("number", [3201234567890123.0, 3201234567890123, 1e16, 12.5, -1.0])
def test_an_npwp_number_whose_digits_cannot_be_trusted_is_refused(number):
    from contracts.npwp import InvalidNPWP

    with pytest.raises(InvalidNPWP):
        normalize_npwp(number)
