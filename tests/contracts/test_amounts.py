"""The list's pagu bounds (`nilai_min`, `nilai_max`): one reading whatever the language
(contracts.filters.rupiah_amount). Indonesian writes `Rp 1.250.000.000`, English
`IDR 1,250,000,000`; a page's address is shared between languages by the switcher and the API
serves both, so `?nilai_max=250.000` must mean 250,000 rupiah on every page and for every client
(it meant 250 on the English page and 0 packages, from the try-out)."""

import pytest
from django.utils import translation

from agencies.models import Agency
from contracts.filters import PackageFilter, rupiah_amount
from tests.contracts.test_public import publish
from tests.factories import make_operator, make_process


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("100000000", 100_000_000),
        ("Rp 100.000.000", 100_000_000),
        ("rp100.000.000", 100_000_000),
        ("Rp\u00a01.250.000.000,00", 1_250_000_000),
        ("IDR 100,000,000", 100_000_000),
        ("100,000,000.00", 100_000_000),
        ("Rp 1,250,000,000", 1_250_000_000),
        # A mark before three digits groups thousands in both languages: rupiah have no cents.
        ("500.000", 500_000),
        ("500,000", 500_000),
        ("250.000", 250_000),
        # Zero cents after the last mark, either mark.
        ("500.00", 500),
        ("500,0", 500),
        ("1500000.00", 1_500_000),
        ("\ufeffRp\u00a01.000 ", 1000),
        # Not whole rupiah, mixed or wrong groupings: refused, never read another way
        # (100000000.50 was once read as 10.000.000.050).
        ("100000000.50", None),
        ("100.000.000,50", None),
        ("1.25", None),
        ("1,5", None),
        ("1.0000", None),
        ("1,250.000", None),
        ("1.250,000", None),
        ("1.250.000.00", 1_250_000),
        ("12.34.567", None),
        ("sejuta", None),
        ("1 000 000", None),
        ("-5", None),
        ("", None),
        (".", None),
    ],
)
def test_an_amount_has_one_reading(raw, expected):
    assert rupiah_amount(raw) == expected


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_same_bounds_in_both_languages(language):
    with translation.override(language):
        accepted = PackageFilter.from_query({"nilai_min": "250.000", "nilai_max": "1,250,000"})
    assert accepted.params == {"nilai_min": 250_000, "nilai_max": 1_250_000}
    assert accepted.problems == []


def test_a_refusal_is_explained_in_the_page_language():
    with translation.override("en"):
        refused = PackageFilter.from_query({"nilai_max": "100.000.000,50"})
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


@pytest.mark.django_db
def test_the_switcher_and_the_api_keep_the_same_packages(client):
    health = Agency.objects.get(code="dinas-kesehatan")
    operator = make_operator(health)
    for title, amount in [("Pagu kecil", 200_000), ("Pagu besar", 900_000)]:
        publish(make_process(health, title=title, fiscal_year=2019, budget_amount=amount), operator)
    indonesian = client.get("/paket/", {"nilai_max": "250.000"}).content.decode()
    english = client.get("/en/paket/", {"nilai_max": "250.000"}).content.decode()
    for page in (indonesian, english):
        assert "Pagu kecil" in page and "Pagu besar" not in page
    for header in ("id", "en"):
        answer = client.get(
            "/api/v1/paket/", {"nilai_max": "250.000"}, HTTP_ACCEPT_LANGUAGE=header
        ).json()
        assert answer["count"] == 1 and len(answer["results"]) == 1, header
        answer = client.get(
            "/api/v1/paket/", {"nilai_max": "1,000,000"}, HTTP_ACCEPT_LANGUAGE=header
        ).json()
        assert answer["count"] == 2 and len(answer["results"]) == 2, header
