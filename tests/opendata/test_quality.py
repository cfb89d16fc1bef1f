"""The data-quality report over real packages: what a run stores, the queue that runs it, the
query count, and the public figures on the policy page."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from procrastinate.contrib.django.models import ProcrastinateJob

from agencies.models import Agency
from contracts import services
from contracts.models import Supplier
from opendata import quality
from opendata.models import QualityFailure, QualityResult, QualityRun
from tests.factories import make_operator, make_process, planning_fields
from tests.workers import jobs_db, load_migrated_data, run_queued_jobs

NPWP_WINNER = "0012345674123000"  # its check digit is right


def publish(operator, **fields):
    process = make_process(operator.agency, **{**planning_fields(), **fields})
    services.publish_process(process=process, by=operator)
    return process


def won(supplier, *, award, signed, **fields):
    """The fields of a package won by `supplier`, awarded and signed on these days."""
    return {
        "supplier": supplier,
        "award_amount": 1_100_000_000,
        "award_date": award,
        "contract_number": "027/SPK/2018",
        "contract_amount": 1_100_000_000,
        "contract_signed": signed,
        **fields,
    }


@pytest.fixture
def packages(media_root):
    health = Agency.objects.get(code="dinas-kesehatan")
    schools = Agency.objects.get(code="dinas-pendidikan")
    health_operator, schools_operator = make_operator(health), make_operator(schools)
    winner = Supplier.objects.create(npwp=NPWP_WINNER, name="CV Maju")
    april = datetime.date(2018, 4, 1)
    found = {
        "plan": publish(health_operator, title="Hanya rencana"),
        # Signed nine days before its winner was named.
        "signed_early": publish(
            health_operator,
            title="Kontrak sebelum penetapan",
            **won(winner, award=datetime.date(2018, 4, 10), signed=april),
        ),
        # A winner but no award value: the award stage without its amount.
        "no_amount": publish(health_operator, title="Pemenang tanpa nilai", supplier=winner),
        "in_order": publish(
            schools_operator,
            title="Runtut",
            fiscal_year=2019,
            **won(winner, award=april, signed=datetime.date(2018, 4, 10)),
        ),
    }
    # A draft is never counted, whatever its faults; a withdrawn package is open data.
    found["draft"] = make_process(
        health,
        title="Draf rahasia",
        **planning_fields(**won(winner, award=datetime.date(2018, 4, 10), signed=april)),
    )
    found["withdrawn"] = publish(
        health_operator,
        title="Paket ditarik",
        **won(winner, award=datetime.date(2018, 4, 10), signed=april),
    )
    services.withdraw_process(process=found["withdrawn"], by=health_operator, reason="Batal")
    # A Swakelola whose agreement is signed: the agency is the supplier of its own award.
    found["swakelola"] = publish(
        schools_operator,
        title="Swakelola sekolah",
        fiscal_year=2019,
        method="swakelola",
        contract_number="01/SWA/2019",
        contract_amount=150_000_000,
        contract_signed=datetime.date(2019, 3, 1),
    )
    return found


def result(code, agency_code, year):
    row = QualityResult.objects.get(check_code=code, agency__code=agency_code, fiscal_year=year)
    return row.passing, row.applicable


@pytest.mark.django_db
def test_a_run_counts_each_check_per_agency_and_year_and_lists_the_failing(packages):
    run = quality.refresh()

    assert run.packages == 6  # the open data: published and withdrawn, no draft
    # Dates: only the packages with an award date and a signature say anything; the
    # withdrawn one was signed before its award too.
    assert result("tanggal_runtut", "dinas-kesehatan", 2018) == (0, 2)
    # (The Swakelola's award is dated by its agreement's signature.)
    assert result("tanggal_runtut", "dinas-pendidikan", 2019) == (2, 2)
    # Amounts: the three packages with a winner in Dinas Kesehatan; the plan has none to give.
    assert result("nilai_tahap", "dinas-kesehatan", 2018) == (2, 3)
    # The withdrawn package after its selection says `cancelled` with its reason: it passes.
    assert result("status_tender", "dinas-kesehatan", 2018) == (4, 4)
    # Supplier identifiers: CV Maju's NPWP passes; the agency implementing its own
    # Swakelola is not a supplier to identify, so only the Swakelola's schools package
    # (which has no other supplier) is left out.
    assert result("pengenal_penyedia", "dinas-pendidikan", 2019) == (1, 1)
    # Every package has a buyer, so every package is checked for its references and schema.
    assert sum(row.applicable for row in QualityResult.objects.filter(check_code="skema")) == 6
    assert (
        sum(row.applicable for row in QualityResult.objects.filter(check_code="pihak_dirujuk")) == 6
    )

    failing = {
        code: sorted(
            QualityFailure.objects.filter(check_code=code).values_list("process__title", flat=True)
        )
        for code in ["tanggal_runtut", "nilai_tahap"]
    }
    assert failing == {
        "tanggal_runtut": ["Kontrak sebelum penetapan", "Paket ditarik"],
        "nilai_tahap": ["Pemenang tanpa nilai"],
    }
    late = QualityFailure.objects.get(check_code="tanggal_runtut", process=packages["signed_early"])
    assert late.agency.code == "dinas-kesehatan" and late.fiscal_year == 2018
    assert late.problems == [
        "contracts/0/dateSigned 2018-04-01 sebelum tanggal penetapan 2018-04-10"
    ]
    assert not QualityFailure.objects.filter(process=packages["draft"]).exists()
    # Every row is consistent and dated by its run.
    assert all(
        0 <= row.passing <= row.applicable and row.computed_at == run.finished_at
        for row in QualityResult.objects.all()
    )


@pytest.mark.django_db
def test_a_run_replaces_the_last_one(packages):
    quality.refresh()
    late = packages["signed_early"]
    late.contract_signed = datetime.date(2018, 4, 12)
    services.save_process(process=late, by=make_operator(late.agency))
    second = quality.refresh()
    assert result("tanggal_runtut", "dinas-kesehatan", 2018) == (1, 2)
    assert list(
        QualityFailure.objects.filter(check_code="tanggal_runtut").values_list(
            "process__title", flat=True
        )
    ) == ["Paket ditarik"]
    assert quality.last_run() == second
    assert QualityResult.objects.filter(computed_at__lt=second.finished_at).count() == 0


@pytest.mark.django_db
def test_summary_adds_up_the_agencies_and_years(packages):
    quality.refresh()
    summary = dict((item.code, tally) for item, tally in quality.summary())
    assert list(summary) == list(quality.CHECKS)
    assert (summary["tanggal_runtut"].passing, summary["tanggal_runtut"].applicable) == (2, 4)
    assert summary["tanggal_runtut"].share == 50.0
    of_2019 = dict((item.code, tally) for item, tally in quality.summary(2019))
    assert (of_2019["tanggal_runtut"].passing, of_2019["tanggal_runtut"].applicable) == (2, 2)
    assert quality.years() == [2019, 2018]
    rows = quality.per_agency()
    assert [row.agency.code for row in rows] == sorted(
        ["dinas-kesehatan", "dinas-pendidikan"],
        key=lambda code: next(r.total.share for r in rows if r.agency.code == code),
    )


@pytest.mark.django_db
def test_packages_are_read_in_chunks_with_a_fixed_number_of_queries(packages, media_root):
    """Whatever the number of packages, a run reads a chunk's related rows in one query per
    kind: twice the packages, the same queries."""

    def queries():
        with CaptureQueriesContext(connection) as captured:
            quality.refresh()
        return len(captured)

    few = queries()
    operator = make_operator(Agency.objects.get(code="dinas-kesehatan"))
    winner = Supplier.objects.get(npwp=NPWP_WINNER)
    for n in range(4):
        publish(
            operator,
            title=f"Tambahan {n}",
            **won(winner, award=datetime.date(2018, 4, 1), signed=datetime.date(2018, 4, 2)),
        )
    assert queries() == few
    # The packages (1), six kinds of related rows (6: documents, bidders, addenda, progress
    # reports, planned progress, payments), the agency documents (their packages' agency and
    # year, then the documents: 2), the lock, two deletions and the run's row (4), and the
    # savepoint pair of the write inside the test's transaction (2).
    assert few == 15


@pytest.mark.django_db
def test_an_administrators_request_is_queued_once():
    assert quality.request_refresh() is True
    assert quality.pending()
    # A second request while the first waits is the same request.
    assert quality.request_refresh() is False
    assert ProcrastinateJob.objects.filter(task_name__endswith="refresh_data_quality").count() == 1


@jobs_db
def test_the_daily_job_queues_the_report_and_the_worker_stores_it(media_root):
    load_migrated_data()
    health = Agency.objects.get(code="dinas-kesehatan")
    plan = publish(make_operator(health), title="Rencana")
    assert QualityRun.objects.count() == 0

    out = io.StringIO()
    call_command("portal_daily", stdout=out)
    assert "Penghitungan kualitas data diantrekan." in out.getvalue()
    assert quality.pending()
    assert QualityRun.objects.count() == 0  # not computed by the daily job itself
    run_queued_jobs()

    run = quality.last_run()
    assert run is not None and run.packages == 1 and run.requested_by is None
    assert not quality.pending()
    assert QualityResult.objects.filter(agency=health, fiscal_year=plan.fiscal_year).exists()


@pytest.mark.django_db
def test_the_policy_page_says_not_yet_computed_then_shows_aggregate_shares(client, packages):
    url = reverse("opendata:policy")
    page = client.get(url).content.decode()
    assert "Kualitas data belum dihitung." in page

    quality.refresh()
    page = client.get(url).content.decode()
    assert "Kualitas data belum dihitung." not in page
    assert "atas 6 paket data terbuka (dipublikasikan atau ditarik)" in page
    # Dates: two of the four packages with both dates pass.
    row = page.split('data-check="tanggal_runtut"')[1].split("</tr>")[0]
    assert "2 dari 4" in row and "50,0%" in row
    # Aggregate only: no package, published or not, is named or linked.
    for process in packages.values():
        assert process.title not in page and process.ocid not in page
    assert "/pengawasan/kualitas-data/" not in page
