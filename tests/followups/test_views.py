"""The round trip through the pages: a supervisor asks, the operator's to-do shows it, the
operator answers and marks it done, the supervisor closes it; the matrix counts it."""

import re

import pytest
from django.urls import reverse

from agencies.models import Agency
from contracts.models import AuditEntry
from followups import services
from followups.models import FollowUp
from tests.factories import make_operator, make_process, make_supervisor


@pytest.fixture
def world():
    health = Agency.objects.get(code="dinas-kesehatan")
    roads = Agency.objects.get(code="dinas-pu-bina-marga-penataan-ruang")
    return {
        "health": health,
        "roads": roads,
        "op_health": make_operator(health),
        "op_roads": make_operator(roads),
        "supervisor": make_supervisor(),
        "process": make_process(health, title="Rehab Puskesmas Dander", fiscal_year=2018),
    }


def requests_cell(html, code):
    found = re.search(rf'data-requests="{code}"><a [^>]*>(\d+)</a>', html)
    return int(found.group(1))


@pytest.mark.django_db
def test_round_trip_from_request_to_close(client, world):
    process, health = world["process"], world["health"]

    client.force_login(world["supervisor"])
    matrix = client.get(reverse("dashboards:matrix"), {"tahun": "2018"}).content.decode()
    assert requests_cell(matrix, health.code) == 0
    form = client.get(reverse("followups:new"), {"paket": process.pk})
    assert "Rehab Puskesmas Dander" in form.content.decode()
    response = client.post(
        reverse("followups:new"),
        {"paket": process.pk, "stage": "perencanaan", "text": "Unggah KAK Perencanaan"},
    )
    followup = FollowUp.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("followups:detail", args=[followup.pk])
    assert (followup.agency, followup.process, followup.stage) == (health, process, "perencanaan")
    matrix = client.get(reverse("dashboards:matrix"), {"tahun": "2018"}).content.decode()
    assert requests_cell(matrix, health.code) == 1  # the cached matrix is retired
    assert requests_cell(matrix, world["roads"].code) == 0

    # The operator finds it on the to-do, the workspace's front page and the package page.
    client.force_login(world["op_health"])
    detail_url = reverse("followups:detail", args=[followup.pk])
    for page in [
        reverse("dashboards:todo"),
        reverse("admin:index"),
        reverse("admin:contracts_process_change", args=[process.pk]),
    ]:
        html = client.get(page).content.decode()
        assert "Unggah KAK Perencanaan" in html, page
        assert detail_url in html, page
    html = client.get(detail_url).content.decode()
    assert 'action="' + reverse("followups:answer", args=[followup.pk]) in html
    assert reverse("followups:close", args=[followup.pk]) not in html  # not the operator's

    client.post(
        reverse("followups:answer", args=[followup.pk]),
        {"jawab-text": "Sudah diunggah hari ini.", "tindakan": "selesai"},
    )
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.DONE
    todo = client.get(reverse("dashboards:todo")).context
    # Answered: off the list still to answer, under the one waiting for the supervisor.
    assert todo["followups"] == [] and todo["followups_answered"] == [followup]

    # The supervisor sees the answer, waiting on the front page, and closes it.
    client.force_login(world["supervisor"])
    home = client.get(reverse("admin:index")).content.decode()
    assert "Unggah KAK Perencanaan" in home
    html = client.get(detail_url).content.decode()
    assert "Sudah diunggah hari ini." in html
    client.post(reverse("followups:close", args=[followup.pk]), {"tutup-text": ""})
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.CLOSED
    matrix = client.get(reverse("dashboards:matrix"), {"tahun": "2018"}).content.decode()
    assert requests_cell(matrix, health.code) == 0
    assert list(
        AuditEntry.objects.filter(process=process)
        .filter(action__startswith="request")
        .order_by("pk")
        .values_list("action", "user")
    ) == [
        ("request", world["supervisor"].pk),
        ("request_done", world["op_health"].pk),
        ("request_close", world["supervisor"].pk),
    ]


@pytest.mark.django_db
def test_reopening_sends_it_back_to_the_operators_to_do(client, world):
    followup = services.ask(by=world["supervisor"], agency=world["health"], text="Unggah DPA")
    services.answer(followup=followup, by=world["op_health"], text="", done=True)
    client.force_login(world["supervisor"])
    client.post(
        reverse("followups:reopen", args=[followup.pk]), {"buka-text": "DPA yang salah tahun."}
    )
    client.force_login(world["op_health"])
    todo = client.get(reverse("dashboards:todo")).content.decode()
    assert "Unggah DPA" in todo and "Seluruh perangkat daerah" in todo


@pytest.mark.django_db
def test_another_agencys_operator_neither_sees_nor_answers(client, world):
    followup = services.ask(by=world["supervisor"], process=world["process"], text="Unggah KAK")
    client.force_login(world["op_roads"])
    assert client.get(reverse("followups:detail", args=[followup.pk])).status_code == 404
    response = client.post(
        reverse("followups:answer", args=[followup.pk]),
        {"jawab-text": "x", "tindakan": "selesai"},
    )
    assert response.status_code == 404
    assert "Unggah KAK" not in client.get(reverse("followups:list")).content.decode()
    assert "Unggah KAK" not in client.get(reverse("dashboards:todo")).content.decode()
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.OPEN and not followup.entries.exists()


@pytest.mark.django_db
def test_an_operator_cannot_close_or_ask(client, world):
    followup = services.ask(by=world["supervisor"], process=world["process"], text="Unggah KAK")
    client.force_login(world["op_health"])
    assert client.post(reverse("followups:close", args=[followup.pk])).status_code == 403
    response = client.post(
        reverse("followups:new"), {"agency": world["roads"].pk, "text": "Saya minta"}
    )
    assert response.status_code == 403
    assert FollowUp.objects.count() == 1


@pytest.mark.django_db
def test_an_empty_reply_is_refused_with_a_reason_and_nothing_changes(client, world):
    followup = services.ask(by=world["supervisor"], process=world["process"], text="Unggah KAK")
    client.force_login(world["op_health"])
    response = client.post(
        reverse("followups:answer", args=[followup.pk]), {"jawab-text": " ", "tindakan": "jawab"}
    )
    assert response.status_code == 400
    assert "Tuliskan isinya." in response.content.decode()
    assert not followup.entries.exists()


@pytest.mark.django_db
def test_an_overlong_request_is_refused_not_cut(client, world):
    client.force_login(world["supervisor"])
    response = client.post(
        reverse("followups:new"), {"agency": world["health"].pk, "text": "x" * 2001}
    )
    assert response.status_code == 200
    assert "2000" in response.content.decode()
    assert not FollowUp.objects.exists()


def _many(world, n):
    for i in range(n):
        process = make_process(world["health"], title=f"Paket {i}")
        services.ask(by=world["supervisor"], process=process, text=f"Permintaan {i}")


@pytest.mark.django_db
def test_the_lists_run_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    _many(world, 2)
    client.force_login(world["supervisor"])
    url = reverse("followups:list")
    client.get(url)
    # session, user, groups; count; the page's requests with agency, package and asker
    with django_assert_num_queries(5):
        client.get(url)
    # The operator's page names their agency: one more.
    client.force_login(world["op_health"])
    client.get(url)
    with django_assert_num_queries(6):
        client.get(url)
    _many(world, 8)
    with django_assert_num_queries(6):
        assert client.get(url).content.decode().count('class="followup ') == 10
    client.force_login(world["supervisor"])
    with django_assert_num_queries(5):
        client.get(url)


@pytest.mark.django_db
def test_the_operators_to_do_reads_requests_in_one_query(client, world, django_assert_num_queries):
    client.force_login(world["op_health"])
    url = reverse("dashboards:todo")
    _many(world, 2)
    client.get(url)
    # session, user, groups, agency; the agency document codes left out of the package items;
    # the stages still missing counted by stage, the page's ids, its rows; the agency document
    # types and their lacking packages grouped by year; the open requests; the years offered
    with django_assert_num_queries(12):
        client.get(url)
    _many(world, 8)
    with django_assert_num_queries(12):
        html = client.get(url).content.decode()
    assert html.count('class="followup ') == 10


@pytest.mark.django_db
def test_a_request_about_a_whole_agency_from_the_matrix_link(client, world):
    client.force_login(world["supervisor"])
    form = client.get(reverse("followups:new"), {"pd": world["roads"].code, "tahap": "kontrak"})
    html = form.content.decode()
    assert f'<option value="{world["roads"].pk}" selected>' in html
    assert '<option value="kontrak" selected>' in html
    client.post(
        reverse("followups:new"),
        {"agency": world["roads"].pk, "stage": "", "text": "DPA 2019 belum diunggah"},
    )
    followup = FollowUp.objects.get()
    assert (followup.agency, followup.process, followup.stage) == (world["roads"], None, "")
    client.force_login(world["op_roads"])
    todo = client.get(reverse("dashboards:todo")).content.decode()
    assert "DPA 2019 belum diunggah" in todo and "Seluruh perangkat daerah" in todo


@pytest.mark.django_db
def test_the_list_filters_by_status_and_agency(client, world):
    kept = services.ask(by=world["supervisor"], process=world["process"], text="Masih terbuka")
    closed = services.ask(by=world["supervisor"], agency=world["roads"], text="Sudah beres")
    services.close(followup=closed, by=world["supervisor"])
    client.force_login(world["supervisor"])
    url = reverse("followups:list")
    default = client.get(url).content.decode()
    assert kept.text in default and closed.text not in default  # not yet closed, by default
    done = client.get(url, {"status": "ditutup"}).content.decode()
    assert closed.text in done and kept.text not in done
    everything = client.get(url, {"status": "semua", "pd": world["roads"].code}).content.decode()
    assert closed.text in everything and kept.text not in everything


@pytest.mark.django_db
def test_only_those_who_ask_are_offered_to_ask_on_the_package_page(client, world):
    page = reverse("admin:contracts_process_change", args=[world["process"].pk])
    ask = f"{reverse('followups:new')}?paket={world['process'].pk}"
    client.force_login(world["supervisor"])
    assert ask in client.get(page).content.decode()
    client.force_login(world["op_health"])
    assert ask not in client.get(page).content.decode()


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_the_front_pages_and_package_page_read_requests_without_a_query_each(client, world):
    def ask_and_finish(n):
        for i in range(n):
            followup = services.ask(
                by=world["supervisor"], process=world["process"], text=f"Perbaiki {i}"
            )
            if i % 2:
                services.answer(followup=followup, by=world["op_health"], text="", done=True)

    package = reverse("admin:contracts_process_change", args=[world["process"].pk])
    ask_and_finish(2)
    pages = [
        (world["supervisor"], reverse("admin:index")),
        (world["op_health"], reverse("admin:index")),
        (world["op_health"], package),
    ]
    before = []
    for user, url in pages:
        client.force_login(user)
        client.get(url)
        before.append(_queries(client, url))
    ask_and_finish(6)
    after = []
    for user, url in pages:
        client.force_login(user)
        client.get(url)
        after.append(_queries(client, url))
    assert after == before


@pytest.mark.django_db
def test_a_supervisor_comments_without_changing_the_status(client, world):
    followup = services.ask(by=world["supervisor"], process=world["process"], text="Unggah SPK")
    services.answer(followup=followup, by=world["op_health"], text="SPK yang mana?")
    client.force_login(world["supervisor"])
    html = client.get(reverse("followups:detail", args=[followup.pk])).content.decode()
    assert "Kirim tanggapan" in html and "Tandai selesai" not in html
    client.post(
        reverse("followups:answer", args=[followup.pk]),
        {"jawab-text": "SPK pekerjaan fisik.", "tindakan": "selesai"},  # cannot mark done
    )
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.OPEN
    assert list(followup.entries.values_list("action", "text", "by")) == [
        ("jawab", "SPK yang mana?", world["op_health"].pk),
        ("jawab", "SPK pekerjaan fisik.", world["supervisor"].pk),
    ]
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.REQUEST_REPLY, user=world["supervisor"]
    ).exists()
