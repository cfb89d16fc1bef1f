"""The satisfaction poll: one vote per visitor per month, results with percentages and counts."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from participation import views
from participation.models import PollVote

URL = "/survei-kepuasan/"


def vote(client, rating, **extra):
    return client.post(URL, {"rating": rating, "next": "/"}, **extra)


@pytest.mark.django_db
def test_one_vote_per_visitor_per_month(client, monkeypatch):
    assert vote(client, "puas").status_code == 302
    second = vote(client, "tidak_puas")
    assert second.status_code == 302
    assert PollVote.objects.count() == 1
    assert "sudah memberi penilaian bulan ini" in client.get("/").content.decode()
    assert "sudah memberi penilaian bulan ini" in client.get(URL).content.decode()

    # Next month the same visitor may answer again.
    monkeypatch.setattr(views, "this_month", lambda: datetime.date(2099, 1, 1))
    assert vote(client, "sangat_puas").status_code == 302
    assert PollVote.objects.count() == 2
    assert PollVote.objects.filter(month=datetime.date(2099, 1, 1)).count() == 1


@pytest.mark.django_db
def test_a_forged_visitor_cookie_is_not_taken(client):
    vote(client, "puas")
    cookie = client.cookies[views.VISITOR_COOKIE].value
    visitor = PollVote.objects.get().visitor
    assert visitor in cookie  # the id travels signed, not in the clear alone
    forger = Client()
    forger.cookies[views.VISITOR_COOKIE] = visitor  # the id without its signature
    vote(forger, "tidak_puas")
    assert PollVote.objects.count() == 2
    assert PollVote.objects.exclude(visitor=visitor).count() == 1


@pytest.mark.django_db
def test_results_show_percentages_and_the_number_of_votes(client):
    for rating in ["puas", "puas", "tidak_puas"]:
        assert vote(Client(), rating).status_code == 302
    html = client.get(URL).content.decode()
    assert "3 penilaian" in html
    cells = dict(
        re.findall(r"<td>([A-Za-z ]+)</td><td>\d+</td><td data-percent=\"([\d.]+)\"", html)
    )
    assert cells["Puas"] == "66.7" and cells["Tidak Puas"] == "33.3"
    assert cells["Sangat Puas"] == "0.0" and cells["Cukup Puas"] == "0.0"


@pytest.mark.django_db
def test_a_bad_answer_counts_nothing(client):
    response = vote(client, "luar_biasa")
    assert response.status_code == 400
    assert "Pilih salah satu penilaian" in response.content.decode()
    assert PollVote.objects.count() == 0


@pytest.mark.django_db
def test_one_address_cannot_stuff_the_poll_by_clearing_cookies(settings):
    settings.POLL_RATE_LIMIT = (2, 86400)
    for _ in range(4):
        vote(Client(), "sangat_puas")  # a new cookie jar each time
    assert PollVote.objects.count() == 2
    vote(Client(REMOTE_ADDR="10.9.8.7"), "puas")
    assert PollVote.objects.count() == 3


@pytest.mark.django_db
def test_the_form_goes_back_only_to_this_site(client):
    response = client.post(URL, {"rating": "puas", "next": "https://jahat.example/"})
    assert response["Location"] == reverse("participation:poll")
