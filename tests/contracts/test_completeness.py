import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agencies.models import Agency
from contracts import completeness, services
from contracts.models import (
    DocumentType,
    Payment,
    ProgressReport,
    StageCompleteness,
    StageExemption,
    StageRequirement,
)
from contracts.pdf import inspect_upload
from tests import pdfs
from tests.factories import make_operator, make_process, planning_fields

PLANNING_DOCUMENTS = ["dpa", "renja", "jadwal-kegiatan", "kak-perencanaan"]


def state(process, stage):
    row = StageCompleteness.objects.get(process=process, stage=stage)
    return row.is_required, row.is_complete, [item["code"] for item in row.missing]


def upload(process, code, operator):
    document_type = DocumentType.objects.get(code=code)
    uploaded = SimpleUploadedFile(f"{code}.pdf", pdfs.good_pdf(code))
    (document,) = services.add_documents(
        process=process,
        stage=document_type.stage,
        document_type=document_type,
        uploads=[(uploaded, inspect_upload(uploaded))],
        by=operator,
    )
    return document


@pytest.fixture
def agency():
    return Agency.objects.get(code="dinas-pu-bina-marga-penataan-ruang")


@pytest.fixture
def operator(agency):
    return make_operator(agency)


@pytest.mark.django_db
def test_a_new_package_has_every_stage_incomplete(agency):
    process = make_process(agency)
    required, complete, missing = state(process, "perencanaan")
    assert (required, complete) == (True, False)
    assert {"program_name", "budget_amount", "method", "dpa", "renja"} <= set(missing)
    assert StageCompleteness.objects.filter(process=process).count() == 5


@pytest.mark.django_db
def test_planning_completes_with_its_fields_and_documents_and_falls_back(
    agency, operator, media_root, django_capture_on_commit_callbacks
):
    process = make_process(agency)
    for name, value in planning_fields().items():
        setattr(process, name, value)
    services.save_process(process=process, by=operator)
    assert state(process, "perencanaan") == (True, False, PLANNING_DOCUMENTS)

    documents = [upload(process, code, operator) for code in PLANNING_DOCUMENTS]
    assert state(process, "perencanaan") == (True, True, [])
    # Only planning is complete: the later stages still wait.
    assert state(process, "pemilihan")[1] is False

    with django_capture_on_commit_callbacks(execute=True):
        services.delete_document(document=documents[1], by=operator)
    assert state(process, "perencanaan") == (True, False, ["renja"])

    process.budget_amount = None
    services.save_process(process=process, by=operator)
    assert state(process, "perencanaan") == (True, False, ["budget_amount", "renja"])


@pytest.mark.django_db
def test_swakelola_skips_selection_and_award(agency):
    process = make_process(agency, method="swakelola")
    assert state(process, "pemilihan") == (False, True, [])
    assert state(process, "pemenang") == (False, True, [])
    assert state(process, "kontrak")[0] is True


@pytest.mark.django_db
def test_e_purchasing_needs_no_tender_period(agency):
    catalogue = make_process(agency, method="e_purchasing")
    tender = make_process(agency, method="tender")
    assert "tender_announced" not in state(catalogue, "pemilihan")[2]
    assert "bid_deadline" not in state(catalogue, "pemilihan")[2]
    assert "hps_amount" in state(catalogue, "pemilihan")[2]
    assert {"tender_announced", "bid_deadline"} <= set(state(tender, "pemilihan")[2])


@pytest.mark.django_db
def test_rows_count_for_implementation(agency, operator):
    process = make_process(agency, method="tender")
    assert "progress_reports" in state(process, "implementasi")[2]
    ProgressReport.objects.create(
        process=process, date=datetime.date(2018, 8, 1), physical_percent=40, financial_percent=30
    )
    Payment.objects.create(
        process=process, label="Termin 1", amount=1, date=datetime.date(2018, 8, 2)
    )
    services.record_rows_changed(process=process, by=operator, label="laporan kemajuan")
    assert "progress_reports" not in state(process, "implementasi")[2]


@pytest.mark.django_db
def test_requirement_edits_are_recomputed_in_bulk(agency):
    processes = [make_process(agency, **planning_fields()) for _ in range(3)]
    StageRequirement.objects.filter(stage="perencanaan", document_type__isnull=False).update(
        is_active=False
    )
    assert completeness.refresh_all(chunk_size=2) >= 3
    for process in processes:
        assert state(process, "perencanaan") == (True, True, [])

    StageRequirement.objects.create(stage="perencanaan", field_name="sub_activity_name")
    completeness.refresh_all()
    for process in processes:
        assert state(process, "perencanaan") == (True, False, ["sub_activity_name"])

    # A requirement limited to other methods does not touch these tender packages.
    StageRequirement.objects.create(
        stage="perencanaan", field_name="account_code", methods=["pengadaan_langsung"]
    )
    StageExemption.objects.create(method="tender", stage="implementasi")
    completeness.refresh_all()
    assert state(processes[0], "perencanaan")[2] == ["sub_activity_name"]
    assert state(processes[0], "implementasi") == (False, True, [])


@pytest.mark.django_db
def test_refresh_runs_a_fixed_number_of_queries_for_many_packages(
    agency, django_assert_num_queries
):
    ids = [make_process(agency).pk for _ in range(30)]
    rules = completeness.Rules.load()
    # documents, 4 related counts, completed-since, processes, completeness upsert,
    # stage/complete and search vectors in one update; release capture (last sequences; the packages
    # are those just read, none published); red flags (groups, published packages, the lock that
    # lets two refreshes take turns, delete, and the savepoint pair of their atomic block); a new
    # data version for the cache (its cull
    # count, savepoint pair, read and write); plus the savepoint pair of the atomic block
    with django_assert_num_queries(24):
        completeness.refresh(ids, rules=rules)
