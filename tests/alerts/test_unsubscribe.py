"""Leaving a subscription from its mail: RFC 8058 one-click POST, a page with a button for a
person, nothing done by a GET, and the address forgotten with its last subscription."""

import re

import pytest
from django.test import Client

from alerts import links, mail, services
from alerts.models import OutgoingMail, Subscriber, Subscription
from tests.alerts.subscribing import deliver

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"


def follow(email, **params):
    subscription, _ = services.subscribe(email=email, scope="perubahan", params=params)
    return services.confirm(subscription)


def one_click(url):
    """What a mail client does with List-Unsubscribe-Post: a POST of the one line, without
    cookies or a CSRF token."""
    client = Client(enforce_csrf_checks=True)
    return client.post(url, ONE_CLICK, content_type="application/x-www-form-urlencoded")


def test_a_mail_clients_one_click_post_ends_the_subscription_and_forgets_the_address(
    smtp_server,
):
    subscription = follow("warga@contoh.id", pd="dinas-kesehatan")
    # The URL as an alert carries it (alerts.mail.unsubscribe_headers), read back from the
    # message the server received.
    url = links.unsubscribe_url(subscription)
    mail.send(
        [
            mail.queue(
                to="warga@contoh.id",
                subject="Kabar",
                text="Isi\n",
                headers=mail.unsubscribe_headers(url),
                subscriber=subscription.subscriber,
            ).pk
        ]
    )
    (received,) = smtp_server.to("warga@contoh.id")
    assert received["List-Unsubscribe-Post"] == ONE_CLICK
    target = re.fullmatch(r"\s*<(\S+)>\s*", str(received["List-Unsubscribe"])).group(1)
    assert target == url

    response = one_click(target)
    assert response.status_code == 200
    assert "data-forgotten" in response.content.decode()
    assert not Subscription.objects.exists()
    # The address went with its last subscription, and its mail log with it.
    assert not Subscriber.objects.exists()
    assert not OutgoingMail.objects.exists()

    # A second click (mail clients retry) is still a 200, and says it had ended.
    again = one_click(target)
    assert again.status_code == 200
    assert "sudah berhenti sebelumnya" in again.content.decode()


def test_opening_the_link_only_shows_a_button(client):
    subscription = follow("warga@contoh.id", pd="dinas-kesehatan", tahun=2018)
    url = links.unsubscribe_url(subscription)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Paket Dinas Kesehatan, TA 2018" in html
    assert ">Berhenti</button>" in html
    assert Subscription.objects.filter(pk=subscription.pk).exists()
    # The button posts the same line a mail client would.
    assert 'name="List-Unsubscribe" value="One-Click"' in html
    assert page["Referrer-Policy"] == "strict-origin"
    assert "no-store" in page["Cache-Control"]


def test_the_address_stays_while_it_follows_something_else(client):
    first = follow("warga@contoh.id", pd="dinas-kesehatan")
    second = follow("warga@contoh.id", tahun=2019)
    response = one_click(links.unsubscribe_url(first))
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-forgotten" not in html
    # The way to the others: the address's manage page.
    # Read back rather than remade: the token carries the second it was signed.
    token = re.search(r'href="/langganan/kelola/([^"/]+)/"', html)[1]
    assert links.subscriber_for(token) == second.subscriber
    assert list(Subscription.objects.all()) == [second]
    assert Subscriber.objects.get().email == "warga@contoh.id"


def test_an_altered_link_ends_nothing(client):
    subscription = follow("warga@contoh.id", pd="dinas-kesehatan")
    token = links.unsubscribe_token(subscription)
    assert one_click(f"/langganan/berhenti/{token[:-2]}xx/").status_code == 404
    # Nor does a confirmation or manage token of the same subscription.
    assert one_click(f"/langganan/berhenti/{links.confirm_token(subscription)}/").status_code == 404
    manage = links.manage_token(subscription.subscriber)
    assert one_click(f"/langganan/berhenti/{manage}/").status_code == 404
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_an_unconfirmed_request_left_alone_is_deleted_after_its_hours(smtp_server, client):
    from datetime import timedelta

    from django.utils import timezone

    waiting, _ = services.subscribe(
        email="lupa@contoh.id", scope="perubahan", params={"tahun": 2018}
    )
    kept = follow("aktif@contoh.id", tahun=2018)
    deliver(smtp_server, "lupa@contoh.id")
    assert services.purge_unconfirmed(now=timezone.now() + timedelta(hours=47)) == 0
    assert services.purge_unconfirmed(now=timezone.now() + timedelta(hours=49)) == 1
    assert list(Subscription.objects.all()) == [kept]
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["aktif@contoh.id"]
    assert not Subscription.objects.filter(pk=waiting.pk).exists()


def test_the_mail_log_is_kept_thirty_days_and_waiting_mail_until_sent():
    from datetime import timedelta

    from django.utils import timezone

    from alerts.models import OutgoingMail

    now = timezone.now()
    rows = {
        (status, age): OutgoingMail.objects.create(
            to="warga@contoh.id", subject="s", text="t", status=status
        )
        for status in (OutgoingMail.Status.SENT, OutgoingMail.Status.WAITING)
        for age in (29, 31)
    }
    for (_, age), row in rows.items():
        OutgoingMail.objects.filter(pk=row.pk).update(created_at=now - timedelta(days=age))
    assert services.purge_mail_log(now=now) == 1
    left = set(OutgoingMail.objects.values_list("pk", flat=True))
    assert rows[(OutgoingMail.Status.SENT, 31)].pk not in left
    assert len(left) == 3
