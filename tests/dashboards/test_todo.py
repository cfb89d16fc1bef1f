"""The operator's to-do: filters, paging, downloads that follow the filters, bounded pages."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency
from contracts.amendments import amended_end_of
from contracts.deadlines import due_date
from contracts.models import Process
from tests.factories import make_operator, make_process, make_supervisor

URL = reverse("dashboards:todo")


@pytest.fixture
def health():
    return Agency.objects.get(code="dinas-kesehatan")


@pytest.fixture
def operator(health):
    return make_operator(health)


def _packages(agency, count, **fields):
    return [make_process(agency, method="tender", **fields) for _ in range(count)]


@pytest.mark.django_db
def test_filters_narrow_the_list_and_keep_in_the_page_links(client, health, operator):
    past = datetime.date(2018, 3, 1)
    make_process(health, method="tender", title="Jalan Dander", fiscal_year=2019, rup_code="998877")
    make_process(health, method="tender", title="Puskesmas Baureno", fiscal_year=2018)
    make_process(
        health,
        method="tender",
        title="Gedung terlambat",
        fiscal_year=2018,
        planned_start=past,
        tender_announced=past,
        bid_deadline=past,
    )
    # Another agency's package never shows, whatever the filters.
    make_process(Agency.objects.get(code="dinas-pendidikan"), title="Jalan Disdik")
    client.force_login(operator)

    def titles(**params):
        return {item.process.title for item in client.get(URL, params).context["items"]}

    assert titles(tahun="2019") == {"Jalan Dander"}
    assert titles(q="jalan") == {"Jalan Dander"}
    assert titles(q="998877") == {"Jalan Dander"}
    assert titles(jenis="terlambat") == {"Gedung terlambat"}
    page = client.get(URL, {"tahun": "2018", "tahap": "pemilihan"})
    assert {item.row.stage for item in page.context["items"]} == {"pemilihan"}
    assert len(page.context["items"]) == 2
    # Unknown values are dropped, not errors.
    assert titles(tahun="abc", tahap="x", jenis="y", urut="z") == {
        "Jalan Dander",
        "Puskesmas Baureno",
        "Gedung terlambat",
    }
    empty = client.get(URL, {"q": "tidak ada paket ini"}).content.decode()
    assert "Tidak ada tahap yang belum lengkap dengan saringan ini." in empty


@pytest.mark.django_db
def test_pages_of_fifty_with_counts_and_links_that_keep_the_filters(client, health, operator):
    # One tender package without data lacks all five stages: 12 packages, 60 stage items.
    _packages(health, 12, fiscal_year=2018)
    client.force_login(operator)
    first = client.get(URL, {"tahun": "2018"})
    html = first.content.decode()
    assert len(first.context["items"]) == 50
    assert "1\u201350 dari 60 tahap paket belum lengkap" in html
    assert 'href="?tahun=2018&amp;halaman=2"' in html
    assert 'href="?tahun=2018&amp;format=csv"' in html
    second = client.get(URL, {"tahun": "2018", "halaman": "2"})
    assert len(second.context["items"]) == 10
    assert "51\u201360 dari 60" in second.content.decode()
    shown = {
        (i.process.pk, i.row.stage) for i in [*first.context["items"], *second.context["items"]]
    }
    assert len(shown) == 60


def _csv(response):
    # Streamed: written while the rows are read, never built whole in memory.
    assert response.streaming
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


@pytest.mark.django_db
def test_downloads_follow_the_filters_and_carry_every_row(client, health, operator):
    _packages(health, 12, fiscal_year=2018)
    _packages(health, 1, fiscal_year=2019)
    client.force_login(operator)
    rows = _csv(client.get(URL, {"tahun": "2018", "format": "csv"}))
    assert len(rows) == 1 + 60  # header and every item, not one page
    assert {row[2] for row in rows[1:]} == {"2018"}
    rows = _csv(client.get(URL, {"tahun": "2018", "tahap": "kontrak", "format": "csv"}))
    assert [row[3] for row in rows[1:]] == ["Kontrak"] * 12


@pytest.mark.django_db
def test_a_page_costs_the_same_queries_and_size_however_many_packages(client, health, operator):
    client.force_login(operator)
    _packages(health, 11)
    with CaptureQueriesContext(connection) as few:
        small = client.get(URL)
    _packages(health, 30)
    with CaptureQueriesContext(connection) as many:
        large = client.get(URL)
    assert len(few.captured_queries) == len(many.captured_queries)
    assert small.content.decode().count('class="missing-item"') == 50
    assert large.content.decode().count('class="missing-item"') == 50


def _stage_items(client, **params):
    return [
        (item.process.title, item.row.stage, item.due)
        for item in client.get(URL, params).context["items"]
    ]


@pytest.mark.django_db
def test_the_page_order_is_the_due_date_rule(client, health, operator):
    """A stage is due on the first date set of its chain (the domain's rule, in
    contracts.deadlines.due_date): Perencanaan the planned start; Pemilihan the bid deadline,
    the announcement, the planned start; Pemenang the award, the bid deadline; Kontrak the
    signature, the contract's start, the award; Implementasi the end the latest addendum set,
    the contract's end, the planned end. Most overdue first; stages without a date last, by
    package then stage."""
    d = datetime.date
    ngasem = make_process(
        health,
        method="tender",
        title="Jalan Ngasem",
        planned_start=d(2019, 1, 7),
        planned_end=d(2019, 12, 20),
        tender_announced=d(2019, 2, 4),
    )
    school = make_process(
        health,
        method="tender",
        title="Gedung Sekolah",
        planned_start=d(2019, 3, 1),
        tender_announced=d(2019, 3, 5),
        bid_deadline=d(2019, 3, 20),
        award_date=d(2019, 4, 2),
        contract_start=d(2019, 4, 15),
        contract_end=d(2019, 9, 30),
    )
    # Two addenda: the later one's end is the one in force.
    school.amendments.create(number="1", date=d(2019, 8, 1), new_end=d(2019, 10, 20))
    school.amendments.create(number="2", date=d(2019, 9, 1), new_end=d(2019, 11, 15))
    school.amendments.create(number="3", date=d(2019, 9, 10), new_amount=5)  # no end set
    make_process(
        health,
        method="tender",
        title="Pasar Desa",
        award_date=d(2019, 5, 1),
        contract_signed=d(2019, 5, 6),
        contract_start=d(2019, 5, 20),
        contract_end=d(2019, 10, 10),
        planned_end=d(2019, 12, 31),
    )
    make_process(health, method="tender", title="Puskesmas")
    client.force_login(operator)

    expected = [
        ("Jalan Ngasem", "perencanaan", d(2019, 1, 7)),
        ("Jalan Ngasem", "pemilihan", d(2019, 2, 4)),
        ("Gedung Sekolah", "perencanaan", d(2019, 3, 1)),
        ("Gedung Sekolah", "pemilihan", d(2019, 3, 20)),
        ("Gedung Sekolah", "pemenang", d(2019, 4, 2)),
        ("Gedung Sekolah", "kontrak", d(2019, 4, 15)),
        ("Pasar Desa", "pemenang", d(2019, 5, 1)),
        ("Pasar Desa", "kontrak", d(2019, 5, 6)),
        ("Pasar Desa", "implementasi", d(2019, 10, 10)),
        ("Gedung Sekolah", "implementasi", d(2019, 11, 15)),
        ("Jalan Ngasem", "implementasi", d(2019, 12, 20)),
        # No date in their chain: by package, then stage.
        ("Jalan Ngasem", "pemenang", None),
        ("Jalan Ngasem", "kontrak", None),
        ("Pasar Desa", "perencanaan", None),
        ("Pasar Desa", "pemilihan", None),
        *(("Puskesmas", stage, None) for stage in _STAGES),
    ]
    assert _stage_items(client) == expected
    today = datetime.date.today()
    first = client.get(URL).context["items"][0]
    assert first.overdue_days == (today - d(2019, 1, 7)).days
    # A filter keeps the order of what it keeps; "terlambat" keeps the dated ones only.
    assert _stage_items(client, tahap="implementasi") == [
        e for e in expected if e[1] == "implementasi"
    ]
    assert _stage_items(client, jenis="terlambat") == [e for e in expected if e[2]]
    # The download carries the same rows in the same order, with the due dates.
    rows = _csv(client.get(URL, {"format": "csv"}))[1:]
    assert [(r[1], r[5]) for r in rows] == [
        (title, due.isoformat() if due else "") for title, _, due in expected
    ]
    assert ngasem.pk < school.pk  # the undated order above relies on it
    # The SQL rule and the Python one (the red flags use it) agree on every stage.
    packages = Process.objects.annotate(amended_end=amended_end_of()).in_bulk()
    for item in client.get(URL).context["items"]:
        process = packages[item.process.pk]
        assert item.due == due_date(process, item.row.stage, amended_end=process.amended_end)


_STAGES = ["perencanaan", "pemilihan", "pemenang", "kontrak", "implementasi"]


@pytest.mark.django_db
def test_sorts_by_name_ignoring_case_and_by_newest_year(client, health, operator):
    for title, year in [("bendungan Kali", 2019), ("Anggrek", 2018), ("Cor beton", 2020)]:
        make_process(health, method="tender", title=title, fiscal_year=year)
    make_process(health, method="tender", title="dam", fiscal_year=2019)
    client.force_login(operator)
    by_name = _stage_items(client, urut="judul")
    names = [title for title, _, _ in by_name]
    assert names == [t for t in ["Anggrek", "bendungan Kali", "Cor beton", "dam"] for _ in _STAGES]
    assert [stage for _, stage, _ in by_name[:5]] == _STAGES
    by_year = [title for title, _, _ in _stage_items(client, urut="tahun")]
    # Newest year first; within a year (no dates, nothing overdue) by package.
    assert by_year == [
        t for t in ["Cor beton", "bendungan Kali", "dam", "Anggrek"] for _ in _STAGES
    ]


@pytest.mark.django_db
def test_a_stage_lacking_only_agency_documents_is_not_an_item(client, health, operator):
    """A package with every planning field filled lacks, in Perencanaan, its KAK Perencanaan
    (its own) and the DPA, Renja SKPD and schedule (the agency's, listed once per year above
    the list): filtered to fields missing, that stage is not an item; filtered to documents,
    its item lists the KAK only."""
    from tests.factories import planning_fields

    make_process(health, **planning_fields())
    client.force_login(operator)
    page = client.get(URL, {"tahap": "perencanaan", "jenis": "isian"})
    assert page.context["items"] == []  # every field filled: nothing of the kind "isian"
    documents = client.get(URL, {"tahap": "perencanaan", "jenis": "dokumen"})
    (item,) = documents.context["items"]
    codes = {m["code"] for m in item.things}
    assert "kak-perencanaan" in codes
    assert not codes & {"dpa", "renja", "jadwal-kegiatan"}
    # The stage choices count what each stage holds under the other filters.
    counts = {value: count for value, _, count in documents.context["stages"]}
    assert counts["perencanaan"] == 1


def _bulk_packages(agency, count):
    """`count` tender packages made the way the import and the benchmark make them: one
    insert and one completeness refresh, so a test can afford hundreds."""
    from contracts import completeness
    from contracts.models import Process, make_ocid

    ids = Process.objects.allocate_ids(count)
    Process.objects.bulk_create(
        Process(
            pk=pk,
            ocid=make_ocid(pk),
            agency=agency,
            fiscal_year=2018 + number % 3,
            title=f"Rehabilitasi Saluran {number}",
            method="tender",
            planned_start=datetime.date(2018, 1, 1) + datetime.timedelta(days=number),
        )
        for number, pk in enumerate(ids)
    )
    completeness.refresh(ids, releases=False, flags=False)


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{}, {"tahun": "2019", "urut": "judul", "jenis": "dokumen"}])
def test_the_first_page_reads_the_same_queries_and_rows_at_20_and_200_packages(
    client, health, operator, params
):
    client.force_login(operator)
    _bulk_packages(health, 20)
    with CaptureQueriesContext(connection) as few:
        client.get(URL, params)
    _bulk_packages(health, 180)
    with CaptureQueriesContext(connection) as many:
        page = client.get(URL, params)
    assert len(few.captured_queries) == len(many.captured_queries)
    # Only the page's rows leave the database: the list query is limited to one page.
    listing = [q["sql"] for q in many.captured_queries if "LIMIT 50" in q["sql"]]
    assert len(listing) == 1
    assert len(page.context["items"]) == 50


@pytest.mark.django_db
def test_answered_requests_leave_the_unanswered_list_and_the_counts_match_the_matrix(
    client, health, operator
):
    from dashboards import selectors
    from followups import services
    from followups.models import FollowUp

    supervisor = make_supervisor()
    package = make_process(health, method="tender", title="Puskesmas Baureno")

    def ask(text):
        return services.ask(by=supervisor, text=text, process=package)

    waiting = ask("Unggah KAK Perencanaan")
    replied = ask("Lengkapi HPS")
    services.answer(followup=replied, by=operator, text="HPS sudah diisi")
    done = ask("Unggah SPK")
    services.answer(followup=done, by=operator, text="", done=True)
    closed = ask("Perbaiki judul")
    services.answer(followup=closed, by=operator, text="", done=True)
    services.close(followup=closed, by=supervisor)
    # Another agency's request is counted for that agency, never here.
    services.ask(
        by=supervisor, text="Unggah DPA", agency=Agency.objects.get(code="dinas-pendidikan")
    )
    client.force_login(operator)

    def lists():
        context = client.get(URL).context
        return (
            [f.text for f in context["followups"]],
            [f.text for f in context["followups_answered"]],
            context["followups_unclosed"],
        )

    matrix_count = next(
        row.open_requests for row in selectors.matrix(2018)[0] if row.agency == health
    )
    assert lists() == (["Unggah KAK Perencanaan"], ["Lengkapi HPS", "Unggah SPK"], 3)
    assert matrix_count == 3
    html = client.get(URL).content.decode()
    assert "Permintaan pengawas yang belum ditutup (3)" in html
    assert "Belum dijawab (1)" in html and "Menunggu ditutup pengawas (2)" in html
    # A supervisor's word after the answer, or opening it again, is the agency's turn again.
    services.comment(followup=replied, by=supervisor, text="Nilainya belum sesuai pagu")
    services.reopen(followup=done, by=supervisor, text="SPK belum ditandatangani")
    assert lists() == (["Unggah KAK Perencanaan", "Lengkapi HPS", "Unggah SPK"], [], 3)
    assert FollowUp.objects.get(pk=waiting.pk).answered_at is None
