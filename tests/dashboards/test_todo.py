"""The operator's to-do: filters, paging, downloads that follow the filters, bounded pages."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency
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


@pytest.mark.django_db
def test_downloads_follow_the_filters_and_carry_every_row(client, health, operator):
    _packages(health, 12, fiscal_year=2018)
    _packages(health, 1, fiscal_year=2019)
    client.force_login(operator)
    response = client.get(URL, {"tahun": "2018", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + 60  # header and every item, not one page
    assert {row[2] for row in rows[1:]} == {"2018"}
    response = client.get(URL, {"tahun": "2018", "tahap": "kontrak", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
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
