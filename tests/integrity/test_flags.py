"""Red flags on handmade packages: just below, at and just above each threshold, and the
threshold's validity period."""

import datetime

import pytest
from django.utils import translation

from agencies.models import Agency
from contracts.models import Supplier
from integrity import flags
from integrity.models import Flag, PackageFlag, Threshold
from tests.factories import make_process, planning_fields

D = datetime.date
NOW = datetime.datetime(2019, 1, 2, tzinfo=datetime.UTC)
MAY_2019 = D(2019, 5, 1)


@pytest.fixture
def health():
    return Agency.objects.get(code="dinas-kesehatan")


def published(agency, **fields):
    return make_process(
        agency, status="published", published_at=NOW, **{**planning_fields(), **fields}
    )


def flags_of(process):
    return set(PackageFlag.objects.filter(process=process).values_list("flag", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tenderers, method, flagged",
    [
        (1, "tender", True),
        (2, "tender", False),
        (None, "tender", False),  # unknown is no evidence
        (1, "tender_cepat", True),
        (1, "pengadaan_langsung", False),  # not an open tender
    ],
)
def test_single_bidder(health, tenderers, method, flagged):
    process = published(health, method=method, number_of_tenderers=tenderers)
    assert (Flag.SINGLE_BIDDER in flags_of(process)) is flagged


@pytest.mark.django_db
@pytest.mark.parametrize("days, flagged", [(6, True), (7, False), (8, False)])
def test_short_tender_period(health, days, flagged):
    announced = D(2019, 4, 1)
    process = published(
        health,
        tender_announced=announced,
        bid_deadline=announced + datetime.timedelta(days=days),
    )
    assert (Flag.SHORT_TENDER in flags_of(process)) is flagged
    if flagged:
        flag = PackageFlag.objects.get(process=process, flag=Flag.SHORT_TENDER)
        assert flag.figures == {"hari": 6, "ambang_hari": 7}
        assert "hanya 6 hari" in flag.reason
        # Dates the Indonesian way, as the public page shows them.
        assert "Dari pengumuman (1 April 2019) sampai batas penawaran (7 April 2019)" in (
            flag.reason
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "contract, expected",
    [
        (1_000_000_001, {Flag.CONTRACT_ABOVE_HPS}),
        (1_000_000_000, {Flag.CONTRACT_NEAR_HPS}),  # at the HPS: not above it, but near
        (950_000_001, {Flag.CONTRACT_NEAR_HPS}),
        (950_000_000, set()),  # exactly 95%
        (949_999_999, set()),
    ],
)
def test_contract_against_hps(health, contract, expected):
    process = published(
        health, budget_amount=2_000_000_000, hps_amount=1_000_000_000, contract_amount=contract
    )
    found = flags_of(process) & {Flag.CONTRACT_ABOVE_HPS, Flag.CONTRACT_NEAR_HPS}
    assert found == expected


def hps_reason(health, contract, flag):
    process = published(
        health, budget_amount=2_000_000_000, hps_amount=1_000_000_000, contract_amount=contract
    )
    return PackageFlag.objects.get(process=process, flag=flag).reason


@pytest.mark.django_db
def test_a_contract_just_above_the_hps_is_told_by_how_much_in_rupiah(health):
    # Rp 4.364 above an HPS of Rp 1 miliar: as a share of the HPS it would round to "100%",
    # which reads as equal; the difference in Rupiah does not.
    reason = hps_reason(health, 1_000_004_364, Flag.CONTRACT_ABOVE_HPS)
    assert reason == (
        "Nilai kontrak Rp 1.000.004.364 melebihi HPS Rp 1.000.000.000 sebesar Rp 4.364."
    )


@pytest.mark.django_db
def test_a_contract_well_above_the_hps_gives_the_share_with_a_decimal_comma(health):
    # Rp 12,5 juta above Rp 1 miliar is 1,25% above: cut to one decimal, 1,2%.
    reason = hps_reason(health, 1_012_500_000, Flag.CONTRACT_ABOVE_HPS)
    assert "sebesar Rp 12.500.000 (1,2% di atas HPS)" in reason


@pytest.mark.django_db
@pytest.mark.parametrize(
    "contract, share, below",
    [
        (960_000_000, "96%", "Rp 40.000.000"),  # no needless ",0"
        (962_500_000, "96,2%", "Rp 37.500.000"),  # a decimal comma, not a point
        (999_990_000, "99,9%", "Rp 10.000"),  # below the HPS never reads "100%"
        (950_000_001, "95,1%", "Rp 49.999.999"),  # above the 95% threshold never reads "95%"
    ],
)
def test_a_contract_near_the_hps_reads_the_indonesian_way(health, contract, share, below):
    reason = hps_reason(health, contract, Flag.CONTRACT_NEAR_HPS)
    assert f"adalah {share} dari HPS Rp 1.000.000.000, hanya {below} di bawahnya" in reason
    assert "penawaran di atas 95% dari HPS jarang bersaing" in reason


@pytest.mark.django_db
def test_a_contract_equal_to_the_hps_says_so(health):
    reason = hps_reason(health, 1_000_000_000, Flag.CONTRACT_NEAR_HPS)
    assert reason.startswith("Nilai kontrak Rp 1.000.000.000 sama dengan HPS Rp 1.000.000.000;")


@pytest.mark.django_db
@pytest.mark.parametrize("hps, flagged", [(1_250_000_001, True), (1_250_000_000, False)])
def test_hps_above_budget(health, hps, flagged):
    process = published(health, budget_amount=1_250_000_000, hps_amount=hps)
    assert (Flag.HPS_ABOVE_BUDGET in flags_of(process)) is flagged
    if flagged:
        reason = PackageFlag.objects.get(process=process, flag=Flag.HPS_ABOVE_BUDGET).reason
        assert reason == ("HPS Rp 1.250.000.001 melebihi pagu Rp 1.250.000.000 sebesar Rp 1.")


def direct(agency, amount, *, category="barang", when=MAY_2019, supplier=None, **fields):
    return published(
        agency,
        method="pengadaan_langsung",
        category=category,
        budget_amount=amount,
        planned_start=when,
        planned_end=when + datetime.timedelta(days=60),
        fiscal_year=when.year,
        supplier=supplier,
        **fields,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "amount, flagged", [(199_999_999, False), (200_000_000, False), (200_000_001, True)]
)
def test_direct_procurement_above_its_limit(health, amount, flagged):
    process = direct(health, amount)
    assert (Flag.DIRECT_ABOVE_LIMIT in flags_of(process)) is flagged


@pytest.mark.django_db
def test_the_limit_in_force_on_the_packages_date_applies(health):
    # Consultancy: Rp50 juta until 30 June 2018, Rp100 juta from 1 July 2018 (Perpres 16/2018).
    before = direct(health, 60_000_000, category="jasa_konsultansi", when=D(2018, 6, 30))
    after = direct(health, 60_000_000, category="jasa_konsultansi", when=D(2018, 7, 1))
    assert Flag.DIRECT_ABOVE_LIMIT in flags_of(before)
    assert Flag.DIRECT_ABOVE_LIMIT not in flags_of(after)
    figures = PackageFlag.objects.get(process=before, flag=Flag.DIRECT_ABOVE_LIMIT).figures
    assert figures["batas"] == 50_000_000
    # Goods keep Rp200 juta across the change.
    goods = direct(health, 150_000_000, when=D(2018, 6, 30))
    assert Flag.DIRECT_ABOVE_LIMIT not in flags_of(goods)


@pytest.mark.django_db
def test_a_threshold_outside_its_period_is_not_used(health):
    Threshold.objects.filter(flag=Flag.REPEAT_WINNER).update(valid_until=D(2018, 12, 31))
    supplier = Supplier.objects.create(npwp="0012345678901000", name="CV Tiga Kali")
    wins = [direct(health, 10_000_000, supplier=supplier) for _ in range(3)]
    assert all(Flag.REPEAT_WINNER not in flags_of(p) for p in wins)
    Threshold.objects.filter(flag=Flag.REPEAT_WINNER).update(valid_until=None)
    flags.refresh([wins[0].pk])
    assert all(Flag.REPEAT_WINNER in flags_of(p) for p in wins)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "second, flagged", [(99_999_999, False), (100_000_000, False), (100_000_001, True)]
)
def test_direct_procurements_that_together_pass_the_limit(health, second, flagged):
    supplier = Supplier.objects.create(npwp="0012345678901000", name="CV Pecah")
    first = direct(health, 100_000_000, supplier=supplier)
    other = direct(health, second, supplier=supplier)
    elsewhere = direct(
        Agency.objects.get(code="dinas-pu-bina-marga-penataan-ruang"),
        150_000_000,
        supplier=supplier,
    )
    assert (Flag.DIRECT_SPLIT in flags_of(first)) is flagged
    assert (Flag.DIRECT_SPLIT in flags_of(other)) is flagged
    assert Flag.DIRECT_SPLIT not in flags_of(elsewhere)  # another agency is another buyer
    if flagged:
        figures = PackageFlag.objects.get(process=first, flag=Flag.DIRECT_SPLIT).figures
        assert figures["paket"] == 2 and figures["jumlah"] == 100_000_000 + second


@pytest.mark.django_db
@pytest.mark.parametrize("wins, flagged", [(2, False), (3, True), (4, True)])
def test_the_same_supplier_winning_repeatedly(health, wins, flagged):
    supplier = Supplier.objects.create(npwp="0012345678901000", name="CV Langganan")
    packages = [published(health, supplier=supplier, fiscal_year=2019) for _ in range(wins)]
    published(health, supplier=supplier, fiscal_year=2018)  # another year does not count
    assert all((Flag.REPEAT_WINNER in flags_of(p)) is flagged for p in packages)
    if flagged:
        figures = PackageFlag.objects.get(process=packages[0], flag=Flag.REPEAT_WINNER).figures
        assert figures["paket"] == wins


@pytest.mark.django_db
@pytest.mark.parametrize("days_late, flagged", [(29, False), (30, False), (31, True)])
def test_a_late_stage_with_missing_documents(health, days_late, flagged):
    process = published(health)  # planned start 1 March 2018, no documents
    today = D(2018, 3, 1) + datetime.timedelta(days=days_late)
    # The worker that refreshes flags may run in another language: the text stays Indonesian.
    with translation.override("en"):
        flags.refresh([process.pk], today=today)
    assert (Flag.OVERDUE_MISSING in flags_of(process)) is flagged
    if flagged:
        flag = PackageFlag.objects.get(process=process, flag=Flag.OVERDUE_MISSING)
        assert f"lewat {days_late} hari" in flag.reason and "DPA" in flag.reason
        assert "sejak 1 Maret 2018" in flag.reason


@pytest.mark.django_db
def test_a_count_of_days_in_a_reason_has_thousands_dots(health):
    """The Bojonegoro data read in 2026: stages thousands of days late."""
    process = published(health)  # planned start 1 March 2018, no documents
    # 1 March 2018 to 1 March 2024: 6 years with two 29 Februarys, 2,192 days; to
    # 27 November 2024 another 275 - 4 = 271 (1 December is day 275 after 1 March).
    flags.refresh([process.pk], today=D(2024, 11, 27))
    flag = PackageFlag.objects.get(process=process, flag=Flag.OVERDUE_MISSING)
    assert "lewat 2.463 hari sejak 1 Maret 2018" in flag.reason
    assert "2463" not in flag.reason


@pytest.mark.django_db
def test_drafts_carry_no_flags(health):
    draft = make_process(health, **planning_fields(hps_amount=9_999_999_999))
    assert flags_of(draft) == set()


@pytest.mark.django_db
def test_without_a_contract_the_award_is_compared_with_the_hps(health):
    process = published(
        health, budget_amount=2_000_000_000, hps_amount=1_000_000_000, award_amount=980_000_000
    )
    flag = PackageFlag.objects.get(process=process, flag=Flag.CONTRACT_NEAR_HPS)
    assert flag.figures["dasar_nilai"] == "nilai penetapan" and flag.figures["persen"] == 98.0
    assert flag.reason.startswith(
        "Nilai penetapan Rp 980.000.000 adalah 98% dari HPS Rp 1.000.000.000, "
        "hanya Rp 20.000.000 di bawahnya"
    )
    # The flag's name covers the value it weighed: no "Nilai kontrak" over an award.
    assert flag.get_flag_display() == "Nilai kontrak/penetapan sangat dekat HPS"
    above = published(
        health, budget_amount=2_000_000_000, hps_amount=1_000_000_000, award_amount=1_010_000_000
    )
    flag = PackageFlag.objects.get(process=above, flag=Flag.CONTRACT_ABOVE_HPS)
    assert flag.reason.startswith("Nilai penetapan Rp 1.010.000.000 melebihi HPS")
    assert flag.get_flag_display() == "Nilai kontrak/penetapan di atas HPS"


@pytest.mark.django_db
def test_refreshing_costs_the_same_queries_for_few_or_many_packages(health):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    supplier = Supplier.objects.create(npwp="0012345678901000", name="CV Banyak")

    def queries(count):
        ids = [direct(health, 150_000_000, supplier=supplier).pk for _ in range(count)]
        with CaptureQueriesContext(connection) as captured:
            flags.refresh(ids)
        return len(captured)

    assert queries(2) == queries(12)
