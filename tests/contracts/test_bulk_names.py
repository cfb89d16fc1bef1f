"""Matching a PDF's file name to a package by kode RUP or kode tender (contracts/bulk_names.py)."""

import pytest

from contracts.bulk_names import Outcome, match_name, numbers_in_name
from contracts.models import Process
from tests.factories import make_agency, make_operator, make_process


@pytest.mark.parametrize(
    ("name", "numbers"),
    [
        ("RUP_17654321_KAK.pdf", ["17654321"]),
        ("kode-tender10034567.PDF", ["10034567"]),
        ("17.654.321 SPK.pdf", ["17654321", "17", "654", "321"]),
        ("SPK 2019 no 0042.pdf", ["2019", "42"]),
        ("Laporan Kemajuan Juli.pdf", []),
    ],
)
def test_numbers_in_name(name, numbers):
    assert numbers_in_name(name) == numbers


@pytest.fixture
def packages(db):
    dinas = make_agency(name="Dinas Pekerjaan Umum")
    other = make_agency(name="Dinas Kesehatan")
    road = make_process(dinas, rup_code="17654321", tender_code="10034567", title="Jalan")
    bridge = make_process(dinas, rup_code="18000001", title="Jembatan")
    # The same kode RUP in two fiscal years of one agency (unique per agency-year only).
    again_2018 = make_process(dinas, rup_code="19000002", fiscal_year=2018, title="Drainase")
    again_2019 = make_process(dinas, rup_code="19000002", fiscal_year=2019, title="Drainase")
    clinic = make_process(other, rup_code="20111111", title="Puskesmas")
    operator = make_operator(dinas)
    return {
        "operator": operator,
        "road": road,
        "bridge": bridge,
        "twice": [again_2018, again_2019],
        "clinic": clinic,
    }


def _match(name, operator):
    return match_name(
        name, editable=Process.objects.editable_by(operator), everyone=Process.objects.all()
    )


@pytest.mark.parametrize(
    "name",
    [
        "RUP_17654321_KAK Pelaksanaan.pdf",
        "kode RUP 17654321 - SPK.pdf",
        "17654321.pdf",
        "SPK-17.654.321-2018.pdf",
        "kodetender_10034567_BA hasil pemilihan.pdf",
        "Tender 10034567 (2).pdf",
        "RUP017654321 KAK.pdf",
    ],
)
def test_kode_rup_and_tender_variants_name_the_package(packages, name):
    found = _match(name, packages["operator"])
    assert found.outcome == Outcome.MATCHED
    assert found.process == packages["road"]
    assert found.reason == ""


def test_a_number_of_two_packages_is_ambiguous(packages):
    found = _match("RUP 19000002 DPA.pdf", packages["operator"])
    assert found.outcome == Outcome.AMBIGUOUS
    assert found.process is None
    assert set(found.candidates) == set(packages["twice"])
    assert "lebih dari satu paket" in found.reason


def test_two_packages_named_in_one_file_is_ambiguous(packages):
    found = _match("17654321 dan 18000001.pdf", packages["operator"])
    assert found.outcome == Outcome.AMBIGUOUS
    assert set(found.candidates) == {packages["road"], packages["bridge"]}


@pytest.mark.parametrize("name", ["Laporan Kemajuan Juli.pdf", "RUP 99999999.pdf", "SPK.pdf"])
def test_no_code_of_any_package(packages, name):
    found = _match(name, packages["operator"])
    assert found.outcome == Outcome.NONE
    assert "Tidak ada kode" in found.reason


def test_another_agencys_kode_is_refused(packages):
    found = _match("RUP 20111111 KAK.pdf", packages["operator"])
    assert found.outcome == Outcome.OTHER_AGENCY
    assert found.process is None
    assert "perangkat daerah lain" in found.reason


def test_a_year_beside_the_code_does_not_disturb(packages):
    found = _match("DPA 2018 RUP 18000001.pdf", packages["operator"])
    assert found.outcome == Outcome.MATCHED
    assert found.process == packages["bridge"]
