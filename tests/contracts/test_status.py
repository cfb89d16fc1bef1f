"""The work and data sentences (contracts/status.py), each rule with a package made by hand."""

import datetime
from decimal import Decimal

import pytest

from agencies.models import Agency
from contracts import services
from contracts.models import (
    Amendment,
    Payment,
    Process,
    ProgressReport,
    StageCompleteness,
    Status,
)
from contracts.status import (
    CANCELLED,
    DONE,
    NO_CONTRACT,
    NO_REPORT,
    NO_WINNER,
    NOT_STARTED,
    ONGOING,
    card_figures,
    data_status,
    imported_from,
    last_row_dates,
    latest_event,
    work_status,
)
from tests.factories import make_operator, make_process

TODAY = datetime.date(2019, 6, 1)


def package(**fields):
    """An unsaved package: work_status reads fields only."""
    return Process(**{"status": Status.PUBLISHED, "stage_reached": "perencanaan", **fields})


def work(process, report=None):
    return work_status(process, latest_report=report, today=TODAY)


# --- the work ---------------------------------------------------------------------------------


def test_a_withdrawn_package_is_cancelled_whatever_its_data_says():
    result = work(
        package(status=Status.WITHDRAWN, pho_date=datetime.date(2019, 5, 12)),
        (datetime.date(2019, 5, 1), Decimal(40)),
    )
    assert (result.state, result.text) == (CANCELLED, "Pekerjaan: dibatalkan")


def test_a_hand_over_finishes_the_work_on_its_date():
    result = work(
        package(stage_reached="implementasi", pho_date=datetime.date(2019, 5, 12)),
        (datetime.date(2019, 5, 1), Decimal("87.5")),  # the last report before the BAST
    )
    assert result.state == DONE
    assert result.text == "Pekerjaan: selesai 12 Mei 2019 (serah terima PHO/BAST)"


def test_a_full_progress_report_finishes_the_work_but_says_the_bast_is_missing():
    result = work(package(stage_reached="implementasi"), (datetime.date(2019, 4, 30), Decimal(100)))
    assert result.state == DONE
    assert result.text == (
        "Pekerjaan: selesai, progres fisik 100% per 30 April 2019 (serah terima belum tercatat)"
    )


def test_a_progress_report_says_the_work_runs_with_a_decimal_comma():
    result = work(
        package(stage_reached="implementasi", contract_amount=500_000_000),
        (datetime.date(2019, 3, 3), Decimal("60.50")),
    )
    assert result.state == ONGOING
    assert result.text == "Pekerjaan: berjalan, progres fisik 60,5% per 3 Maret 2019"
    whole = work(package(), (datetime.date(2019, 3, 3), Decimal("60.00")))
    assert whole.text == "Pekerjaan: berjalan, progres fisik 60% per 3 Maret 2019"


def test_a_contract_starting_after_today_has_not_started():
    result = work(
        package(
            stage_reached="kontrak",
            contract_signed=datetime.date(2019, 5, 20),
            contract_start=datetime.date(2019, 7, 1),
        )
    )
    assert result.state == NOT_STARTED
    assert result.text == "Pekerjaan: belum dimulai, kontrak mulai 1 Juli 2019"


def test_a_contract_without_a_report_is_never_guessed_running():
    started = work(package(stage_reached="kontrak", contract_start=datetime.date(2019, 6, 1)))
    assert started.state == NO_REPORT
    assert (
        started.text == "Pekerjaan: sudah berkontrak mulai 1 Juni 2019, belum ada laporan progres"
    )
    undated = work(package(stage_reached="kontrak", contract_number="027/15/SPK/2019"))
    assert undated.text == "Pekerjaan: sudah berkontrak, belum ada laporan progres"
    # A contract value of zero is still a contract recorded.
    assert work(package(contract_amount=0)).state == NO_REPORT


@pytest.mark.parametrize(
    ("stage", "sentence"),
    [
        (
            "perencanaan",
            "Pekerjaan: belum ada kontrak tercatat (data sampai tahap perencanaan)",
        ),
        (
            "pemilihan",
            "Pekerjaan: belum ada kontrak tercatat (data sampai tahap pemilihan penyedia)",
        ),
        ("pemenang", "Pekerjaan: belum ada kontrak tercatat (data sampai penetapan pemenang)"),
        # Payments recorded without any contract field: the contract is not in the data.
        ("implementasi", "Pekerjaan: belum ada kontrak tercatat"),
    ],
)
def test_without_a_contract_the_sentence_says_only_how_far_the_data_goes(stage, sentence):
    """A 2018 package read in 2019 with no contract: the data does not say the work has not
    begun, only that no contract is recorded."""
    result = work(package(stage_reached=stage, method="tender", fiscal_year=2018))
    assert (result.state, result.text) == (NO_CONTRACT, sentence)
    assert "belum dimulai" not in result.text


def test_a_plan_for_a_year_that_has_not_begun_has_not_started():
    # Read on 1 June 2019: the 2020 plan's fiscal year has not begun, the 2019 one's has.
    ahead = work(package(fiscal_year=2020, method="tender"))
    assert (ahead.state, ahead.text) == (
        NOT_STARTED,
        "Pekerjaan: belum dimulai (rencana tahun anggaran 2020)",
    )
    this_year = work(package(fiscal_year=2019, method="tender"))
    assert this_year.state == NO_CONTRACT
    # A tender of next year's budget is past the plan: no claim that it has not begun.
    tendered = work(package(fiscal_year=2020, method="tender", stage_reached="pemilihan"))
    assert tendered.state == NO_CONTRACT


def test_a_tender_lpse_says_finished_without_a_winner_is_said_so():
    """/paket/4983/ of the Bojonegoro data: a Rp 39,9 M tender LPSE marks "Tender Sudah
    Selesai" with no winner in the export."""
    from imports.common import LPSE_STAGE

    failed = package(
        stage_reached="pemilihan",
        method="tender",
        fiscal_year=2019,
        source_values={LPSE_STAGE: "Tender Sudah Selesai"},
    )
    result = work(failed)
    assert result.state == NO_WINNER
    assert result.text == (
        "Pekerjaan: belum ada kontrak tercatat. Tender selesai tanpa pemenang tercatat "
        "(LPSE: Tender Sudah Selesai)"
    )
    # A winner recorded: an award without a contract, not a failed tender.
    failed.supplier_id = 7
    failed.stage_reached = "pemenang"
    assert work(failed).state == NO_CONTRACT
    # A tender LPSE still evaluates is not finished.
    running = package(
        stage_reached="pemilihan",
        method="tender",
        fiscal_year=2019,
        source_values={LPSE_STAGE: "Evaluasi Administrasi, Kualifikasi, Teknis, dan Harga"},
    )
    assert work(running).text == (
        "Pekerjaan: belum ada kontrak tercatat (data sampai tahap pemilihan penyedia)"
    )


def test_swakelola_has_no_contract_to_wait_for():
    planned = work(package(method="swakelola", fiscal_year=2020))
    assert (planned.state, planned.text) == (
        NOT_STARTED,
        "Pekerjaan: belum dimulai (swakelola, rencana tahun anggaran 2020)",
    )
    past = work(package(method="swakelola", fiscal_year=2018))
    assert (past.state, past.text) == (
        NO_REPORT,
        "Pekerjaan: swakelola, belum ada laporan progres (data sampai tahap perencanaan)",
    )
    running = work(package(method="swakelola", stage_reached="implementasi"))
    assert (running.state, running.text) == (
        NO_REPORT,
        "Pekerjaan: swakelola, belum ada laporan progres",
    )
    reported = work(
        package(method="swakelola", stage_reached="implementasi"),
        (datetime.date(2019, 2, 1), Decimal(25)),
    )
    assert reported.text == "Pekerjaan: berjalan, progres fisik 25% per 1 Februari 2019"


# --- the data ---------------------------------------------------------------------------------


def test_the_data_sentence_counts_the_stages_that_apply():
    assert data_status(complete=3, required=5).text == "Data: 3 dari 5 tahap lengkap"
    assert data_status(complete=5, required=5).text == "Data: semua 5 tahap lengkap"
    # Swakelola is exempt from the selection and the award: three stages apply.
    assert data_status(complete=1, required=3).text == "Data: 1 dari 3 tahap yang berlaku lengkap"
    assert data_status(complete=3, required=3).text == "Data: semua 3 tahap yang berlaku lengkap"
    never = data_status(complete=None, required=None)
    assert (never.required, never.text) == (0, "Data: kelengkapan belum dihitung")


# --- the figures a card reads, in the list's own query ---------------------------------------


@pytest.fixture
def health():
    return Agency.objects.get(code="dinas-kesehatan")


@pytest.mark.django_db
def test_card_figures_read_the_latest_report_the_stored_completeness_and_the_amended_value(
    health,
):
    process = make_process(health, method="tender", contract_amount=800_000_000)
    other = make_process(health, method="tender")
    Process.objects.filter(pk=other.pk).update(source_values={"lpse_tahap": "Tender Sudah Selesai"})
    for date, percent in [("2019-02-01", "20"), ("2019-04-01", "65.5"), ("2019-03-01", "40")]:
        ProgressReport.objects.create(
            process=process, date=date, physical_percent=Decimal(percent), financial_percent=0
        )
    # Two addenda: the later one (by date, entered first) sets the value in force; a third
    # changes only the end date and leaves the value alone.
    Amendment.objects.create(process=process, number="2", date="2019-05-01", new_amount=850_000_000)
    Amendment.objects.create(process=process, number="1", date="2019-03-15", new_amount=820_000_000)
    Amendment.objects.create(process=process, number="3", date="2019-05-10", new_end="2019-12-31")
    # Stored completeness set by hand: perencanaan and pemilihan complete, kontrak exempt.
    StageCompleteness.objects.filter(process=process).update(is_required=True, is_complete=False)
    StageCompleteness.objects.filter(
        process=process, stage__in=["perencanaan", "pemilihan"]
    ).update(is_complete=True)
    StageCompleteness.objects.filter(process=process, stage="kontrak").update(
        is_required=False, is_complete=True
    )

    rows = {
        p.pk: p
        for p in Process.objects.filter(pk__in=[process.pk, other.pk]).annotate(**card_figures())
    }
    row = rows[process.pk]
    assert row.latest_progress_percent == Decimal("65.5")
    assert row.latest_progress_date == datetime.date(2019, 4, 1)
    assert (row.stages_complete, row.stages_required) == (2, 4)
    assert row.amended_amount == 850_000_000
    bare = rows[other.pk]
    assert bare.latest_progress_percent is None and bare.amended_amount is None
    assert bare.stages_required == 5
    # The LPSE stage rides along, so a card can tell a failed tender without a query.
    assert (row.lpse_stage, bare.lpse_stage) == (None, "Tender Sudah Selesai")


# --- how current the data is -------------------------------------------------------------------


def test_the_latest_event_is_the_latest_date_the_data_records_up_to_today():
    process = package(
        tender_announced=datetime.date(2018, 3, 1),
        award_date=datetime.date(2018, 4, 2),
        contract_signed=datetime.date(2018, 4, 20),
        contract_start=datetime.date(2019, 7, 1),  # a plan, after TODAY
    )
    dates = {"last_amendment": None, "last_payment": datetime.date(2018, 9, 9), "last_report": None}
    assert latest_event(process, last_dates=dates, today=TODAY) == (
        "pembayaran",
        datetime.date(2018, 9, 9),
    )
    # A hand-over on the day of the last report is the news.
    process.pho_date = datetime.date(2018, 12, 1)
    dates["last_report"] = datetime.date(2018, 12, 1)
    assert latest_event(process, last_dates=dates, today=TODAY)[0] == (
        "serah terima pertama (PHO/BAST)"
    )
    assert latest_event(package(), last_dates={}, today=TODAY) is None


def test_imports_are_named_by_what_they_remember():
    from imports.common import LPSE_STAGE, PLAN_ACTIVE

    assert imported_from(package(source_values={PLAN_ACTIVE: "ya", "title": "x"})) == "SiRUP"
    both = package(source_values={PLAN_ACTIVE: "ya", LPSE_STAGE: "Selesai"})
    assert imported_from(both) == "SiRUP dan LPSE"
    # The work sentence reads the LPSE stage under the importers' own key.
    from contracts import status

    assert status.LPSE_STAGE == LPSE_STAGE
    assert imported_from(package(source_values={})) == ""


@pytest.mark.django_db
def test_last_row_dates_reads_each_kind_in_one_query(health, django_assert_num_queries):
    process = make_process(health, contract_amount=100_000_000)
    Payment.objects.create(process=process, label="Termin 1", amount=10, date="2018-08-01")
    Payment.objects.create(process=process, label="Termin 2", amount=10, date="2018-10-01")
    ProgressReport.objects.create(
        process=process, date="2018-09-15", physical_percent=50, financial_percent=10
    )
    with django_assert_num_queries(1):
        dates = last_row_dates(process)
    assert dates == {
        "last_amendment": None,
        "last_payment": datetime.date(2018, 10, 1),
        "last_report": datetime.date(2018, 9, 15),
    }


@pytest.mark.django_db
def test_an_imported_package_shows_its_source_and_latest_event_not_the_import_day(client, health):
    from django.urls import reverse

    from imports.common import LPSE_STAGE

    operator = make_operator(health)
    process = make_process(
        health,
        title="Rehabilitasi Pasar Kapas",
        award_date=datetime.date(2018, 5, 2),
        contract_signed=datetime.date(2018, 5, 14),
        source_values={LPSE_STAGE: "Selesai"},
    )
    services.publish_process(process=process, by=operator)
    html = client.get(reverse("contracts:process-detail", args=[process.pk])).content.decode()
    assert "Kejadian terakhir tercatat</dt><dd>Penandatanganan kontrak, 14 Mei 2018" in html
    assert "Diimpor dari LPSE pada" in html
    assert "Terakhir diperbarui" not in html
    # A package an operator entered keeps its last change, which is the operator's.
    own = make_process(health, title="Pengadaan Obat")
    services.publish_process(process=own, by=operator)
    html = client.get(reverse("contracts:process-detail", args=[own.pk])).content.decode()
    assert "Terakhir diperbarui" in html and "Diimpor" not in html


# --- the list: money and sentences on every card, at a fixed cost ------------------------------


def contracted_packages(agency, by, number, start=0):
    """`number` published packages, each with a winner, a contract, an addendum changing its
    value and a progress report: what makes a card ask for rows of its own if it can."""
    from contracts import completeness
    from contracts.models import Supplier

    made = []
    for index in range(start, start + number):
        supplier = Supplier.objects.create(name=f"CV Rekanan {index}")
        process = make_process(
            agency,
            title=f"Peningkatan Jalan {index}",
            method="tender",
            budget_amount=1_000_000_000,
            hps_amount=950_000_000,
            supplier=supplier,
            award_amount=900_000_000,
            contract_amount=900_000_000 + index,
            contract_start=datetime.date(2018, 6, 1),
        )
        Amendment.objects.create(
            process=process, number=f"ADD-{index}", date="2018-09-01", new_amount=910_000_000
        )
        ProgressReport.objects.create(
            process=process,
            date="2018-10-01",
            physical_percent=Decimal("45.5"),
            financial_percent=30,
        )
        completeness.refresh([process.pk])
        services.publish_process(process=process, by=by)
        made.append(process)
    return made


@pytest.mark.django_db
def test_the_list_shows_money_and_sentences_in_the_same_queries_for_5_or_25_cards(client, health):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from contracts import public_cache

    operator = make_operator(health)
    contracted_packages(health, operator, 5)
    url = reverse("contracts:process-list")
    client.get(url)  # the first visit sets up what every later one finds (cache versions)
    public_cache.changed()
    with CaptureQueriesContext(connection) as five:
        html = client.get(url).content.decode()
    assert html.count('class="package"') == 5
    card = html[html.index("Peningkatan Jalan 4") :].split("</li>")[0]
    # The amended value with the signed one, the winner and both sentences.
    assert (
        '<dt>Nilai kontrak setelah adendum</dt><dd><span class="money">Rp 910.000.000</span> '
        '<small>(semula <span class="money">Rp 900.000.004</span>)' in card
    )
    assert '<dt>Pagu</dt><dd><span class="money">Rp 1.000.000.000</span></dd>' in card
    assert '<dt>HPS</dt><dd><span class="money">Rp 950.000.000</span></dd>' in card
    assert '<dt>Nilai pemenang</dt><dd><span class="money">Rp 900.000.000</span></dd>' in card
    assert "<dt>Penyedia</dt><dd>CV Rekanan 4</dd>" in card
    assert "Pekerjaan: berjalan, progres fisik 45,5% per 1 Oktober 2018" in card
    assert "Data: " in card and " tahap" in card

    contracted_packages(health, operator, 20, start=5)
    public_cache.changed()  # cold again: every aggregate and fragment computed anew
    with CaptureQueriesContext(connection) as twenty_five:
        html = client.get(url).content.decode()
    assert html.count('class="package"') == 25
    # The sentences and the amended value come in the list's own query, never one per card.
    # 33: 24 for the list and its cards, 2 for the selection's top suppliers and agencies, and
    # 7 for the page's row ids, a cached value of their own (contracts.views, "daftar-baris":
    # read, computed, stored; the rows then read by those ids).
    assert len(twenty_five) == len(five) == 33


@pytest.mark.django_db
def test_sorting_by_contract_value_puts_the_largest_first_and_no_contract_last(client, health):
    from django.urls import reverse

    operator = make_operator(health)
    for title, amount in [("Kecil", 100), ("Tanpa kontrak", None), ("Besar", 900), ("Sedang", 500)]:
        services.publish_process(
            process=make_process(health, title=f"Paket {title}", contract_amount=amount),
            by=operator,
        )
    html = client.get(reverse("contracts:process-list"), {"urut": "kontrak"}).content.decode()
    order = [html.index(f"Paket {t}<") for t in ["Besar", "Sedang", "Kecil", "Tanpa kontrak"]]
    assert order == sorted(order)
    assert '<option value="kontrak" selected>Nilai kontrak terbesar</option>' in html


@pytest.mark.django_db
def test_the_package_page_summary_costs_no_query_per_row(client, health):
    """Cold (rendered anew), the page with its summary and dates costs the same with one or
    six addenda, reports and payments; warm, the summary comes with the cached fragment."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from contracts import completeness, public_cache

    operator = make_operator(health)
    (process,) = contracted_packages(health, operator, 1)
    url = reverse("contracts:process-detail", args=[process.pk])
    client.get(url)  # the first visit sets up what every later one finds (cache versions)
    public_cache.changed()
    with CaptureQueriesContext(connection) as few:
        html = client.get(url).content.decode()
    summary = html[html.index('class="package-summary"') :].split("</section>")[0]
    assert (
        '<span class="money">Rp 910.000.000</span> <small>(semula '
        '<span class="money">Rp 900.000.000</span>)'
    ) in summary
    assert "Pekerjaan: berjalan, progres fisik 45,5% per 1 Oktober 2018" in summary
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    assert len(warm) < len(few)

    for month in range(2, 7):
        Amendment.objects.create(
            process=process, number=f"ADD-{month}", date=f"2018-0{month}-02", new_end="2018-12-31"
        )
        ProgressReport.objects.create(
            process=process, date=f"2018-0{month}-01", physical_percent=month, financial_percent=1
        )
        Payment.objects.create(
            process=process, label=f"T{month}", amount=1, date=f"2018-0{month}-05"
        )
    completeness.refresh([process.pk])
    public_cache.changed()
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    # The latest report is still October's: the earlier ones are history, not news.
    assert "progres fisik 45,5% per 1 Oktober 2018" in html
    assert len(many) == len(few) == 22
    assert len(warm) == 5


@pytest.mark.django_db
def test_the_contract_value_sort_reads_its_order_off_an_index(health):
    """The list's page of the "Nilai kontrak terbesar" sort walks process_contract_amount in
    order, with no sort of every published package (the plan a large table gets; a small one
    is read whole, so the scan of the table is ruled out here)."""
    from django.db import connection
    from django.http import QueryDict

    from contracts.filters import PackageFilter

    operator = make_operator(health)
    for amount in [None, 5, 9]:
        services.publish_process(process=make_process(health, contract_amount=amount), by=operator)
    listed = PackageFilter.from_query(QueryDict("urut=kontrak")).apply(Process.objects.published())[
        :25
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        # Without statistics (a fresh test table) another index may look as cheap; a sort is
        # still made when no index gives the order, so this rules out only a lucky guess.
        cursor.execute("SET LOCAL enable_sort = off")
        plan = listed.explain()
    assert "process_contract_amount" in plan, plan
    assert "Sort Key" not in plan, plan
    assert [p.contract_amount for p in listed] == [9, 5, None]
