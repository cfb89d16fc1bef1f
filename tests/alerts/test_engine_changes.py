"""Changes recorded where they happen: a package's new releases and its new flags."""

import datetime

import pytest

from alerts.models import Change
from contracts import services
from contracts.models import Supplier
from tests.factories import (
    add_document,
    make_agency,
    make_operator,
    make_process,
    planning_fields,
)
from tests.pdfs import good_pdf

pytestmark = pytest.mark.django_db


def _changes(process, kinds=None):
    """(kind, detail) of the package's changes, oldest first; the flags' aside unless asked
    (a 2018 stage long past without its documents is flagged as soon as it is public)."""
    found = Change.objects.filter(process=process).order_by("pk")
    found = found.filter(kind__in=kinds) if kinds else found.exclude(kind="tanda")
    return [(c.kind, c.detail) for c in found]


@pytest.fixture
def roads():
    agency = make_agency(name="Dinas Pekerjaan Umum Uji")
    return agency, make_operator(agency)


def test_a_package_through_its_stages_records_each_thing_its_followers_are_told(roads, media_root):
    agency, operator = roads
    process = make_process(agency, title="Rehabilitasi Jalan Dander", **planning_fields())
    assert _changes(process) == []  # a draft is nobody's news

    services.publish_process(process=process, by=operator)
    assert _changes(process) == [("baru", {"tahap": "perencanaan"})]

    process.tender_code = "10001"
    process.hps_amount = 1_200_000_000
    process.tender_announced = datetime.date(2018, 4, 2)
    process.bid_deadline = datetime.date(2018, 4, 20)
    services.save_process(process=process, by=operator)
    assert _changes(process)[1:] == [("tahap", {"tahap": "pemilihan"})]

    process.supplier = Supplier.objects.create(name="CV Bangun Desa", npwp="0123456789012345")
    process.award_amount = 1_150_000_000
    process.award_date = datetime.date(2018, 5, 2)
    process.contract_number = "SPK/027/2018"
    process.contract_signed = datetime.date(2018, 5, 12)
    process.contract_amount = 1_150_000_000
    services.save_process(process=process, by=operator)
    assert _changes(process)[2:] == [
        ("tahap", {"tahap": "kontrak"}),
        ("kontrak", {"nomor": "SPK/027/2018", "tanggal": "2018-05-12", "nilai": 1_150_000_000}),
    ]

    add_document(process, operator, good_pdf(), name="DPA Dinas PU 2018.pdf")
    (kind, detail) = _changes(process)[4]
    assert kind == "dokumen" and detail == {"dokumen": ["DPA Dinas PU 2018"]}

    services.withdraw_process(process=process, by=operator, reason="Anggaran dialihkan")
    assert _changes(process)[5:] == [("ditarik", {"alasan": "Anggaran dialihkan"})]


def test_an_unchanged_save_records_nothing_and_a_stage_cleared_back_is_no_news(roads):
    agency, operator = roads
    process = make_process(agency, **planning_fields())
    services.publish_process(process=process, by=operator)
    services.save_process(process=process, by=operator)
    assert [kind for kind, _ in _changes(process)] == ["baru"]
    process.tender_code = "10009"
    services.save_process(process=process, by=operator)
    process.tender_code = ""  # typed on the wrong package: cleared again
    services.save_process(process=process, by=operator)
    assert _changes(process) == [
        ("baru", {"tahap": "perencanaan"}),
        ("tahap", {"tahap": "pemilihan"}),
    ]


def test_a_flag_raised_is_recorded_once_with_its_label(roads):
    agency, operator = roads
    process = make_process(agency, **planning_fields())
    services.publish_process(process=process, by=operator)
    raised_before = len(_changes(process, ["tanda"]))
    process.tender_code = "10002"
    process.hps_amount = 900_000_000
    process.tender_announced = datetime.date(2018, 4, 2)
    process.bid_deadline = datetime.date(2018, 4, 20)
    process.number_of_tenderers = 1  # a single bidder in an open tender
    services.save_process(process=process, by=operator)
    assert _changes(process, ["tanda"])[raised_before:] == [
        ("tanda", {"tanda": ["peserta_tunggal"], "label": ["Satu peserta pada tender terbuka"]})
    ]
    # Recomputed again, the flag is still there but no longer new.
    services.save_process(process=process, by=operator)
    assert len(_changes(process, ["tanda"])) == raised_before + 1


def test_samples_beside_real_data_never_record_a_change(roads):
    agency, operator = roads
    real = make_process(agency, **planning_fields())
    services.publish_process(process=real, by=operator)  # real data exists
    sample = make_process(agency, title="[CONTOH] Paket", is_sample=True, **planning_fields())
    services.publish_process(process=sample, by=operator)
    sample.tender_code = "10003"
    sample.number_of_tenderers = 1
    sample.tender_announced = datetime.date(2018, 4, 2)
    services.save_process(process=sample, by=operator)
    assert _changes(sample) == [] and _changes(sample, ["tanda"]) == []


def test_first_releases_of_old_data_announce_nothing(roads):
    from contracts.models import Release
    from contracts.releases import capture_missing

    agency, operator = roads
    process = make_process(agency, **planning_fields())
    services.publish_process(process=process, by=operator)
    Release.objects.filter(process=process).delete()
    Change.objects.all().delete()
    assert capture_missing() == 1
    assert not Change.objects.exists()
