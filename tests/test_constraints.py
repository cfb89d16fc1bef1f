"""Database constraints speak to the operator in plain words, beside the field concerned
(opendata_kontrak/constraints.py)."""

import pytest
from django.apps import apps
from django.db.models import BaseConstraint

from agencies.models import Agency
from contracts.models import Amendment, Process, StoredPdf
from tests.admin_forms import form_data
from tests.factories import make_operator, make_process, planning_fields

PROJECT_APPS = {"agencies", "contracts", "imports", "integrity", "opendata", "participation"}


def _stored_pdf_checks():
    """{model: the names of the checks it inherits from StoredPdf}, named after the model as
    Django names them (`%(class)s`)."""
    return {
        model: {
            check.name % {"class": model._meta.model_name, "app_label": model._meta.app_label}
            for check in StoredPdf._meta.constraints
        }
        for model in apps.get_models()
        if issubclass(model, StoredPdf)
    }


# Constraints no form can break: their values are made by the portal, never typed.
KEPT_BY_THE_PORTAL = {
    # Every stored PDF's page count (counted by the PDF check) and SHA-256 (computed from the
    # file).
    *(name for names in _stored_pdf_checks().values() for name in names),
    "completeness_unique",
    "completeness_exempt_counts_complete",  # contracts.completeness
    "release_sequence_unique",  # contracts.releases
    "importjob_rows_done_within_total",
    "importjob_mode_known",
    "importjob_state_known",
    "importjob_failure_has_reason",  # imports.jobs
    "poll_one_vote_per_month",  # the poll answers "already voted" itself
    "bulkfile_once_per_scope",  # opendata.bulk
    "ratecounter_unique",  # opendata.ratelimit
    "qualityresult_once",
    "qualityresult_passing_within_applicable",
    "qualityfailure_once",
    "qualityfailure_cell",  # opendata.quality
    "packageflag_once",  # integrity.flags
    "bulkupload_state_known",
    "bulkuploadfile_position",
    "bulkuploadfile_outcome_known",
    "bulkuploadfile_skip_has_reason",  # contracts.bulk_uploads (states and outcomes it sets)
}


def test_every_constraint_an_operator_can_meet_has_its_own_words():
    default = BaseConstraint.default_violation_error_message
    silent = []
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for constraint in model._meta.constraints:
            if constraint.name in KEPT_BY_THE_PORTAL:
                continue
            message = str(constraint.violation_error_message or default)
            if message == str(default) or constraint.name in message:
                silent.append(f"{model._meta.label}: {constraint.name}")
    assert not silent, silent


def test_every_stored_pdf_keeps_the_checks_it_inherits():
    # A model that lists its own constraints must list StoredPdf's too, or it loses them.
    checks = _stored_pdf_checks()
    assert {model._meta.label for model in checks} >= {
        "contracts.Document",
        "contracts.AgencyDocument",
        "contracts.StagedUpload",
    }
    for model, names in checks.items():
        assert names <= {c.name for c in model._meta.constraints}, model._meta.label


@pytest.fixture
def operator():
    return make_operator(Agency.objects.get(code="dinas-kesehatan"), username="operator-batas")


def _post(client, operator, **fields):
    process = make_process(operator.agency, **planning_fields())
    client.force_login(operator)
    url = f"/admin/contracts/process/{process.pk}/change/"
    return process, client.post(url, form_data(client.get(url), **fields, _continue="1"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "at", "said"),
    [
        (
            {"planned_start": "30/11/2018", "planned_end": "01/03/2018"},
            "planned_end",
            "Rencana mulai harus sebelum rencana selesai",
        ),
        (
            {"tender_announced": "20/04/2018", "bid_deadline": "02/04/2018"},
            "bid_deadline",
            "Tanggal pengumuman harus sebelum batas pemasukan penawaran",
        ),
        (
            {"contract_start": "05/11/2018", "contract_end": "07/05/2018"},
            "contract_end",
            "Mulai kontrak harus sebelum akhir kontrak",
        ),
        ({"hps_amount": "-5"}, "hps_amount", "HPS tidak boleh kurang dari nol"),
    ],
)
def test_a_broken_constraint_is_said_in_words_at_its_field(client, operator, fields, at, said):
    _, response = _post(client, operator, **fields)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert any(said in message for message in form.errors[at])
    assert not form.non_field_errors()
    page = response.content.decode()
    assert "Batasan" not in page and "dilanggar" not in page
    assert "_before_" not in page and "_not_negative" not in page


@pytest.mark.django_db
def test_an_inline_rows_constraint_lands_at_its_field(client, operator):
    process, response = _post(
        client,
        operator,
        **{
            "amendments-TOTAL_FORMS": "1",
            "amendments-0-number": "Adendum 1",
            "amendments-0-date": "01/09/2018",
            "amendments-0-new_amount": "-1000",
        },
    )
    assert response.status_code == 200
    (formset,) = [
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is Amendment
    ]
    assert (
        "Nilai kontrak baru tidak boleh kurang dari nol." in formset.forms[0].errors["new_amount"]
    )
    assert not Amendment.objects.exists()
    assert Process.objects.get(pk=process.pk).planned_end is not None


@pytest.mark.django_db
def test_a_date_that_cannot_be_read_names_the_format(client, operator):
    _, response = _post(client, operator, award_date="2018/31/04")
    errors = response.context["adminform"].form.errors["award_date"]
    assert errors == [
        "Tanggal penetapan: tanggal tidak dapat dibaca. Tulis dengan format hh/bb/tttt, "
        "misalnya 17/08/2025."
    ]
