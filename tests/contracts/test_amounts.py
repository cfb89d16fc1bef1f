"""The list's pagu bounds (`nilai_min`, `nilai_max`) read as the page's language writes money:
Indonesian `Rp 1.250.000.000`, English `IDR 1,250,000,000` (contracts.filters.rupiah_amount)."""

import pytest
from django.utils import translation

from contracts.filters import PackageFilter, rupiah_amount


@pytest.mark.parametrize(
    "raw, language, expected",
    [
        ("100000000", "id", 100_000_000),
        ("Rp 100.000.000", "id", 100_000_000),
        ("rp100.000.000", "id", 100_000_000),
        ("Rp\u00a01.250.000.000,00", "id", 1_250_000_000),
        ("500.000", "id", 500_000),
        ("100000000", "en", 100_000_000),
        ("IDR 100,000,000", "en", 100_000_000),
        ("100,000,000.00", "en", 100_000_000),
        ("Rp 1,250,000,000", "en", 1_250_000_000),
        # On an English page a point is the decimal mark: five hundred, with zero cents.
        ("500.000", "en", 500),
        # Not whole rupiah, or separators that do not group by three: refused, not misread
        # (100000000.50 was read as 10.000.000.050 on both pages).
        ("100000000.50", "id", None),
        ("100000000.50", "en", None),
        ("100.000.000,50", "id", None),
        ("1.25", "id", None),
        ("1.25", "en", None),
        ("100,000,000", "id", None),
        ("1.0000", "id", None),
        ("sejuta", "id", None),
        ("1 000 000", "id", None),
        ("\ufeffRp\u00a01.000 ", "id", 1000),
        ("-5", "id", None),
        ("", "id", None),
    ],
)
def test_an_amount_is_read_as_its_language_writes_money(raw, language, expected):
    assert rupiah_amount(raw, language) == expected


def test_the_bounds_follow_the_active_language_and_explain_a_refusal_in_it():
    with translation.override("en"):
        accepted = PackageFilter.from_query({"nilai_min": "IDR 100,000,000"})
        refused = PackageFilter.from_query({"nilai_max": "100.000.000,50"})
    assert accepted.params == {"nilai_min": 100_000_000} and accepted.problems == []
    assert refused.params == {}
    assert refused.problems == [
        "Highest budget ceiling “100.000.000,50” is not an amount in rupiah "
        "(for example IDR 100,000,000); ignored."
    ]
    with translation.override("id"):
        indonesian = PackageFilter.from_query({"nilai_min": "Rp 100.000.000", "nilai_max": "1,5"})
    assert indonesian.params == {"nilai_min": 100_000_000}
    assert indonesian.problems == [
        "Pagu tertinggi “1,5” bukan jumlah rupiah (misalnya Rp 100.000.000); diabaikan."
    ]
