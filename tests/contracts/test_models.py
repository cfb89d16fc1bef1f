import datetime

import pytest
from django.db import IntegrityError, transaction

from agencies.models import Agency
from contracts.models import Process, Status, Supplier
from contracts.npwp import InvalidNPWP, format_npwp, normalize_npwp
from tests.factories import make_process


@pytest.fixture
def agency():
    return Agency.objects.get(code="dinas-kesehatan")


def refused(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Process.objects.filter(pk=fields.pop("pk")).update(**fields)


@pytest.mark.django_db
def test_every_process_gets_one_ocid_from_the_configured_prefix(agency, settings):
    first = make_process(agency)
    second = make_process(agency)
    assert first.ocid == f"{settings.PORTAL['OCID_PREFIX']}-{first.pk}"
    assert first.ocid != second.ocid
    with pytest.raises(IntegrityError), transaction.atomic():
        Process.objects.filter(pk=second.pk).update(ocid=first.ocid)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"budget_amount": -1},
        {"hps_amount": -5},
        {"award_amount": -1},
        {"contract_amount": -100},
        {"planned_start": datetime.date(2018, 5, 1), "planned_end": datetime.date(2018, 4, 30)},
        {"tender_announced": datetime.date(2018, 5, 2), "bid_deadline": datetime.date(2018, 5, 1)},
        {"contract_start": datetime.date(2018, 7, 1), "contract_end": datetime.date(2018, 6, 1)},
        {"status": Status.WITHDRAWN, "published_at": datetime.datetime.now(datetime.UTC)},
        {"status": Status.PUBLISHED},
    ],
    ids=[
        "budget",
        "hps",
        "award",
        "contract",
        "plan-dates",
        "tender-dates",
        "contract-dates",
        "withdrawn-without-reason",
        "published-without-date",
    ],
)
def test_the_database_refuses_what_must_not_hold(agency, fields):
    process = make_process(agency)
    refused(pk=process.pk, **fields)


@pytest.mark.django_db
def test_kode_rup_is_unique_per_agency_and_year(agency):
    make_process(agency, rup_code="17654321")
    make_process(agency, rup_code="17654321", fiscal_year=2019)
    make_process(Agency.objects.get(code="dinas-pendidikan"), rup_code="17654321")
    make_process(agency, rup_code="")
    make_process(agency, rup_code="")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_process(agency, rup_code="17654321")


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("01.234.567.8-901.000", "0012345678901000"),
        ("012345678901000", "0012345678901000"),
        ("3522 0123 4567 0001", "3522012345670001"),
        ("", None),
        ("00.000.000.0-000.000", None),
        (None, None),
    ],
)
def test_npwp_is_kept_as_16_digits(raw, canonical):
    assert normalize_npwp(raw) == canonical


@pytest.mark.parametrize("raw", ["1,97408E+17", "12.345.678", "01.234.567.8-901.00012"])
def test_unreadable_npwp_is_refused(raw):
    with pytest.raises(InvalidNPWP):
        normalize_npwp(raw)


def test_company_npwp_is_shown_in_the_familiar_layout():
    assert format_npwp("0012345678901000") == "01.234.567.8-901.000"
    assert format_npwp("3522012345670001") == "3522012345670001"


@pytest.mark.django_db
def test_suppliers_are_unique_by_npwp_and_the_database_checks_its_form():
    Supplier.objects.create(name="CV Maju Jaya", npwp="0012345678901000")
    with pytest.raises(IntegrityError), transaction.atomic():
        Supplier.objects.create(name="CV Maju Jaya (lagi)", npwp="0012345678901000")
    with pytest.raises(IntegrityError), transaction.atomic():
        Supplier.objects.create(name="PT Salah Format", npwp="012345678901234X")
    Supplier.objects.create(name="Tanpa NPWP", npwp=None)
    Supplier.objects.create(name="Tanpa NPWP juga", npwp=None)
