"""Planned physical progress (kurva S) beside the reports: periods, deviation, kontrak kritis,
the admin inline, the public page and OCDS."""

import csv
import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.formats import date_format

from agencies.models import Agency
from contracts import services
from contracts.models import (
    PlannedProgress,
    Process,
    ProgressReport,
    Release,
    Supplier,
    jakarta_today,
)
from contracts.ocds import package_state, related_lists, release_package
from contracts.progress import latest_measured, periods
from contracts.templatetags.rupiah import deviasi, persen_angka
from tests.admin_forms import form_data
from tests.factories import make_operator, make_process, planning_fields
from tests.ocds_review import review

D = datetime.date
CODELISTS = Path(__file__).resolve().parents[2] / "contracts/ocds/1.1.5/codelists"


def codes(name):
    with open(CODELISTS / f"{name}.csv", newline="", encoding="utf-8") as handle:
        return {row["Code"] for row in csv.DictReader(handle)}


def plan(day, percent, pk=None):
    return PlannedProgress(pk=pk, date=day, planned_percent=Decimal(percent))


def actual(day, percent, pk=None):
    return ProgressReport(
        pk=pk, date=day, physical_percent=Decimal(percent), financial_percent=Decimal(0)
    )


def test_each_period_reads_the_last_report_within_it():
    planned = [plan(D(2018, 7, 31), "40"), plan(D(2018, 6, 30), "20"), plan(D(2018, 8, 31), "60")]
    reports = [
        actual(D(2018, 6, 10), "10", 1),
        actual(D(2018, 6, 28), "18", 2),
        # Nothing in July: June's report is not July's progress.
        actual(D(2018, 8, 31), "47.5", 3),
    ]
    result = periods(planned, reports, today=D(2018, 9, 1))
    assert [p.plan.date for p in result] == [D(2018, 6, 30), D(2018, 7, 31), D(2018, 8, 31)]
    assert [p.report and p.report.pk for p in result] == [2, None, 3]
    # Deviation = actual - planned, in percentage points.
    assert [p.deviation for p in result] == [Decimal(-2), None, Decimal("-12.5")]
    assert latest_measured(result).plan.date == D(2018, 8, 31)
    assert latest_measured(periods(planned, [], today=D(2018, 9, 1))) is None


# The user's case: a kurva S to the end of 2026, read on 1 December 2026.
KURVA_2026 = [
    ("2026-07-31", "20"),
    ("2026-09-30", "60"),
    ("2026-11-30", "87.5"),
    ("2026-12-30", "100"),
]
REPORTS_2026 = [("2026-11-30", "75"), ("2026-12-01", "80.5")]


def test_a_period_not_yet_ended_has_no_deviation():
    planned = [plan(D.fromisoformat(day), percent) for day, percent in KURVA_2026]
    reports = [actual(D.fromisoformat(day), p, pk) for pk, (day, p) in enumerate(REPORTS_2026, 1)]
    *_, november, december = periods(planned, reports, today=D(2026, 12, 1))
    # 100% is planned for 30 December: 80.5% on 1 December is not behind it yet. The report is
    # kept beside the plan, unmeasured.
    assert (december.ended, december.report.pk, december.deviation) == (False, 2, None)
    assert december.is_critical is False
    # The headline is the latest period that has ended: 75% against 87.5% on 30 November.
    assert november.ended and november.deviation == Decimal("-12.5")
    assert latest_measured([*_, november, december]) is november
    # A period ends on its own date: read on 30 December, December is measured.
    *_, december = periods(planned, reports, today=D(2026, 12, 30))
    assert december.deviation == Decimal("-19.5")
    assert latest_measured(periods(planned, reports, today=D(2026, 12, 30))).plan.date == D(
        2026, 12, 30
    )


@pytest.mark.parametrize(
    "planned, actual_percent, critical",
    [
        # Plan below 70%: critical when more than 10 points behind.
        ("60", "50", False),
        ("60", "49.99", True),
        # Plan from 70%: critical when more than 5 points behind.
        ("70", "65", False),
        ("70", "64.5", True),
        ("100", "100", False),
    ],
)
def test_kontrak_kritis_margins(planned, actual_percent, critical):
    (period,) = periods(
        [plan(D(2018, 8, 31), planned)],
        [actual(D(2018, 8, 30), actual_percent)],
        today=D(2018, 8, 31),
    )
    assert period.is_critical is critical


@pytest.mark.parametrize(
    "points, text",
    [
        (Decimal("-12.50"), "-12,5%"),
        (Decimal("2.25"), "+2,25%"),
        (Decimal("0.00"), "0%"),
        (Decimal("10"), "+10%"),
        (None, "—"),
    ],
)
def test_deviation_is_written_the_indonesian_way(points, text):
    assert deviasi(points) == text


def test_a_stored_percentage_is_written_as_typed():
    assert [
        persen_angka(v) for v in (Decimal("32.50"), Decimal("20.00"), Decimal("80.50"), 100, None)
    ] == ["32,5%", "20%", "80,5%", "100%", "—"]


@pytest.fixture
def operator():
    return make_operator(Agency.objects.get(code="dinas-kesehatan"), username="operator-kurva")


def contracted(operator, **more):
    supplier, _ = Supplier.objects.get_or_create(npwp="0012345678901000", name="CV Maju")
    process = make_process(
        operator.agency,
        **planning_fields(
            supplier=supplier,
            award_amount=1_150_000_000,
            award_date=D(2018, 4, 30),
            contract_number="027/SPK/2018",
            contract_amount=1_150_000_000,
            contract_signed=D(2018, 5, 7),
            contract_start=D(2018, 5, 7),
            contract_end=D(2018, 11, 5),
            **more,
        ),
    )
    services.publish_process(process=process, by=operator)
    return Process.objects.get(pk=process.pk)


def kurva_s(process, operator):
    rows = [
        PlannedProgress.objects.create(
            process=process, date=D(2018, 6, 30), period="Juni 2018", planned_percent=20
        ),
        PlannedProgress.objects.create(
            process=process, date=D(2018, 7, 31), period="Juli 2018", planned_percent=45
        ),
        PlannedProgress.objects.create(
            process=process, date=D(2018, 8, 31), period="Agustus 2018", planned_percent=70
        ),
    ]
    reports = [
        ProgressReport.objects.create(
            process=process, date=D(2018, 6, 29), physical_percent=22, financial_percent=20
        ),
        ProgressReport.objects.create(
            process=process, date=D(2018, 7, 31), physical_percent="32.5", financial_percent=30
        ),
    ]
    services.record_rows_changed(process=process, by=operator, label="uji", added=rows + reports)
    return rows, reports


@pytest.mark.django_db
def test_planned_progress_is_bounded_in_words(operator):
    process = contracted(operator)
    PlannedProgress.objects.create(process=process, date=D(2018, 6, 30), planned_percent=20)
    again = PlannedProgress(process=process, date=D(2018, 6, 30), planned_percent=25)
    with pytest.raises(ValidationError) as refused:
        again.full_clean()
    assert refused.value.message_dict["date"] == [
        "Rencana progres untuk akhir periode ini sudah ada: satu angka rencana per tanggal."
    ]
    too_much = PlannedProgress(process=process, date=D(2018, 7, 31), planned_percent=101)
    with pytest.raises(ValidationError) as refused:
        too_much.full_clean()
    assert "planned_percent" in refused.value.message_dict


@pytest.mark.django_db
def test_the_package_page_shows_plan_beside_actual_with_the_deviation(client, operator):
    process = contracted(operator)
    kurva_s(process, operator)
    page = client.get(reverse("contracts:process-detail", args=[process.pk])).content.decode()
    assert "Rencana dan realisasi progres fisik (kurva S)" in page
    # June: 22% done against 20% planned.
    assert '<td data-label="Rencana">20%</td><td data-label="Realisasi"><span>22%' in page
    assert "+2%" in page
    # July: 32.5% against 45%: 12.5 points behind, critical below a 70% plan (over 10 points).
    assert '<td data-label="Rencana">45%</td><td data-label="Realisasi"><span>32,5%' in page
    assert "-12,5% <strong>kritis</strong>" in page
    # August: no report yet.
    assert "belum ada laporan" in page
    assert "Deviasi -12,5% per 31 Juli 2018" in page
    assert "Kontrak kritis: realisasi fisik tertinggal lebih dari 10% dari rencana." in page


@pytest.mark.django_db
def test_a_package_on_plan_has_no_warning(client, operator):
    process = contracted(operator)
    PlannedProgress.objects.create(process=process, date=D(2018, 6, 30), planned_percent=20)
    ProgressReport.objects.create(
        process=process, date=D(2018, 6, 30), physical_percent=20, financial_percent=20
    )
    services.record_rows_changed(process=process, by=operator, label="uji", added=[1])
    page = client.get(reverse("contracts:process-detail", args=[process.pk])).content.decode()
    assert "Deviasi 0% per 30 Juni 2018" in page
    assert "Kontrak kritis" not in page and "kritis</strong>" not in page


@pytest.mark.django_db
def test_the_admin_inline_records_the_plan(client, operator):
    process = contracted(operator)
    client.force_login(operator)
    url = reverse("admin:contracts_process_change", args=[process.pk])
    fields = {
        "planned_progress-TOTAL_FORMS": "2",
        "planned_progress-0-date": "30/06/2018",
        "planned_progress-0-period": "Juni 2018",
        "planned_progress-0-planned_percent": "20,5",
        "planned_progress-1-date": "31/07/2018",
        "planned_progress-1-planned_percent": "45",
    }
    response = client.post(url, form_data(client.get(url), **fields, _continue="1"))
    assert response.status_code == 302
    assert list(
        PlannedProgress.objects.filter(process=process).values_list("date", "planned_percent")
    ) == [(D(2018, 6, 30), Decimal("20.5")), (D(2018, 7, 31), Decimal("45"))]


@pytest.mark.django_db
def test_another_agency_cannot_record_a_plan(client, operator):
    other = make_operator(Agency.objects.get(code="dinas-pendidikan"), username="operator-lain")
    process = contracted(operator)
    client.force_login(other)
    url = reverse("admin:contracts_process_change", args=[process.pk])
    response = client.post(
        url,
        {
            "planned_progress-TOTAL_FORMS": "1",
            "planned_progress-INITIAL_FORMS": "0",
            "planned_progress-0-date": "30/06/2018",
            "planned_progress-0-planned_percent": "20",
        },
    )
    assert response.status_code in {302, 404}
    assert not PlannedProgress.objects.filter(process=process).exists()


@pytest.mark.django_db
def test_planned_progress_in_ocds(operator):
    process = contracted(operator)
    (june, july, august), _ = kurva_s(process, operator)
    state = package_state(
        process,
        as_of=datetime.datetime(2018, 8, 15, tzinfo=datetime.UTC),
        **related_lists(process),
    )
    (contract,) = state["contracts"]
    milestones = {m["id"]: m for m in contract["milestones"]}
    assert list(milestones) == [f"rencana-progres-{row.pk}" for row in (june, july, august)]
    met, behind, ahead = milestones.values()
    # June's 20% was reached by the report of 29 June (22%).
    assert (met["status"], met["dateMet"][:10]) == ("met", "2018-06-29")
    # July's 45%: the report at its due date says 32.5%, not met as of that report.
    assert (behind["status"], behind["dateModified"][:10]) == ("notMet", "2018-07-31")
    assert behind["title"] == "Rencana progres fisik 45% (Juli 2018)"
    assert behind["description"] == (
        "Rencana progres fisik kumulatif 45%; realisasi 32,5% (deviasi -12,5 poin persen)"
    )
    # August still ahead.
    assert ahead["status"] == "scheduled" and ahead["dueDate"].startswith("2018-08-31")
    for milestone in milestones.values():
        assert milestone["type"] in codes("milestoneType")
        assert milestone["status"] in codes("milestoneStatus")
        assert milestone["code"] == "rencanaProgresFisik"
    # The reports stay implementation milestones of their own.
    reporting = [
        m for m in contract["implementation"]["milestones"] if m["id"].startswith("progres-")
    ]
    assert len(reporting) == 2
    # Indonesian text, Indonesian numbers: a decimal comma, no trailing zeros.
    assert [(m["title"], m["description"]) for m in reporting] == [
        ("Progres fisik 22%", "Fisik 22%, keuangan 20%"),
        ("Progres fisik 32,5%", "Fisik 32,5%, keuangan 30%"),
    ]


@pytest.mark.django_db
def test_planned_progress_passes_the_ocds_review(operator):
    process = contracted(operator)
    kurva_s(process, operator)
    releases = [r.data for r in Release.objects.filter(process=process)]
    assert any("milestones" in r.get("contracts", [{}])[0] for r in releases)
    result = review(release_package(releases, uri="https://contoh/ocds.json"))
    assert result.schema_errors == []
    assert result.codelist_errors == []
    assert result.additional_fields == []


def kurva_2026(process, operator):
    rows = [
        PlannedProgress.objects.create(
            process=process, date=D.fromisoformat(day), planned_percent=Decimal(percent)
        )
        for day, percent in KURVA_2026
    ]
    reports = [
        ProgressReport.objects.create(
            process=process, date=D.fromisoformat(day), physical_percent=p, financial_percent=50
        )
        for day, p in REPORTS_2026
    ]
    services.record_rows_changed(process=process, by=operator, label="uji", added=rows + reports)
    return rows


@pytest.mark.django_db
def test_a_period_not_yet_ended_is_scheduled_in_ocds_without_a_deviation(operator):
    process = contracted(operator)
    rows = kurva_2026(process, operator)
    state = package_state(
        process,
        # 1 December 2026, 12:00 in Bojonegoro (WIB).
        as_of=datetime.datetime(2026, 12, 1, 5, tzinfo=datetime.UTC),
        **related_lists(process),
    )
    (contract,) = state["contracts"]
    milestones = {m["id"]: m for m in contract["milestones"]}
    november, december = (milestones[f"rencana-progres-{row.pk}"] for row in rows[2:])
    assert december["status"] == "scheduled"
    assert december["title"] == "Rencana progres fisik 100%"
    assert december["description"] == "Rencana progres fisik kumulatif 100%; belum jatuh tempo"
    assert (november["status"], november["dateModified"][:10]) == ("notMet", "2026-11-30")
    assert november["title"] == "Rencana progres fisik 87,5%"
    assert november["description"] == (
        "Rencana progres fisik kumulatif 87,5%; realisasi 75% (deviasi -12,5 poin persen)"
    )


@pytest.mark.django_db
def test_the_page_measures_only_the_periods_that_have_ended(client, operator):
    # The user's kurva S, moved to end the day before today (the page reads the real today).
    today = jakarta_today()
    process = contracted(operator)
    shift = today - D(2026, 12, 1)
    for day, percent in KURVA_2026:
        PlannedProgress.objects.create(
            process=process, date=D.fromisoformat(day) + shift, planned_percent=Decimal(percent)
        )
    for day, percent in REPORTS_2026:
        ProgressReport.objects.create(
            process=process,
            date=D.fromisoformat(day) + shift,
            physical_percent=Decimal(percent),
            financial_percent=Decimal("40.50"),
        )
    services.record_rows_changed(process=process, by=operator, label="uji", added=[1])
    page = client.get(reverse("contracts:process-detail", args=[process.pk])).content.decode()
    november = today - datetime.timedelta(days=1)
    assert (
        f"Deviasi -12,5% per {date_format(november, 'DATE_FORMAT')} (realisasi 75%, rencana 87,5%)."
    ) in page
    # The period ending in 29 days shows the latest report beside its plan, with no deviation.
    assert (
        '<td data-label="Rencana">100%</td><td data-label="Realisasi"><span>80,5% '
        f"<small>({date_format(today, 'DATE_FORMAT')})</small></span></td>"
        '<td data-label="Deviasi"><span>belum jatuh tempo</span></td>'
    ) in page
    assert "-19,5%" not in page
    # The reports table: percentages as the plan table writes them.
    assert '<td data-label="Fisik">80,5%</td><td data-label="Keuangan">40,5%</td>' in page
    assert "80,50" not in page
