"""An address's own page: every subscription, how often, confirmed or waiting; its actions;
the link asked for by mail without revealing which addresses follow anything."""

import re

import pytest
from django.test import Client

from agencies.models import Agency
from alerts import links, services
from alerts.models import Frequency, OutgoingMail, Subscriber, Subscription
from tests.alerts.subscribing import deliver, form_value, link, published_package
from tests.factories import make_administrator, make_operator, make_supervisor
from tests.mailserver import text_part

pytestmark = pytest.mark.django_db


@pytest.fixture
def health():
    return Agency.objects.get(code="dinas-kesehatan")


@pytest.fixture
def followed(health):
    """warga@contoh.id follows Dinas Kesehatan in 2018 (confirmed, daily) and one package
    (waiting for its confirmation, instant)."""
    package = published_package(health, title="Rehabilitasi Puskesmas Dander")
    agency, _ = services.subscribe(
        email="warga@contoh.id", scope="perubahan", params={"pd": health.code, "tahun": 2018}
    )
    services.confirm(agency)
    package_subscription, _ = services.subscribe(
        email="warga@contoh.id", scope="perubahan", process=package, frequency="segera"
    )
    return agency, package_subscription


def manage_path(subscriber):
    return f"/langganan/kelola/{links.manage_token(subscriber)}/"


def csrf_post(client, path, data):
    """A POST from the page itself, with the CSRF token the page handed out."""
    html = client.get(path).content.decode()
    token = form_value(html, "csrfmiddlewaretoken")
    return client.post(path, {**data, "csrfmiddlewaretoken": token})


def test_the_page_lists_each_subscription_with_how_often_and_whether_confirmed(client, followed):
    agency, package = followed
    html = client.get(manage_path(agency.subscriber)).content.decode()
    items = re.findall(r'<li id="langganan-\d+" data-subscription="(\d+)">(.*?)</li>', html, re.S)
    assert [int(pk) for pk, _ in items] == [agency.pk, package.pk]
    first, second = (body for _, body in items)
    assert "Paket Dinas Kesehatan, TA 2018" in first
    assert "Semua perubahan · Ringkasan harian" in first and "Aktif sejak" in first
    assert "Paket “Rehabilitasi Puskesmas Dander”" in second
    assert "Segera setiap ada perubahan" in second and "Menunggu konfirmasi" in second
    assert ">Konfirmasi</button>" in second and ">Konfirmasi</button>" not in first


def test_changing_confirming_and_stopping_one_by_one(followed):
    agency, package = followed
    client = Client(enforce_csrf_checks=True)
    path = manage_path(agency.subscriber)

    response = csrf_post(
        client, path, {"aksi": "frekuensi", "langganan": agency.pk, "frekuensi": "segera"}
    )
    # It lands at the subscription changed, which says so under its own name.
    assert response.status_code == 302
    assert response["Location"] == (
        f"{path}?selesai=frekuensi&langganan={agency.pk}#langganan-{agency.pk}"
    )
    landed = client.get(response["Location"]).content.decode()
    assert (
        '<p class="message message--success" role="status" data-changed>Frekuensi disimpan. '
        "Paket Dinas Kesehatan, TA 2018: segera setiap ada perubahan.</p>"
    ) in landed
    agency.refresh_from_db()
    assert agency.frequency == Frequency.INSTANT

    csrf_post(client, path, {"aksi": "konfirmasi", "langganan": package.pk})
    package.refresh_from_db()
    assert package.confirmed_at is not None

    csrf_post(client, path, {"aksi": "berhenti", "langganan": agency.pk})
    assert list(Subscription.objects.all()) == [package]
    # The last one: the address goes too, and the link opens nothing anymore.
    last = csrf_post(client, path, {"aksi": "berhenti", "langganan": package.pk})
    assert last.status_code == 200 and "data-forgotten" in last.content.decode()
    assert not Subscriber.objects.exists()
    assert client.get(path).status_code == 404


def test_stopping_all_deletes_the_address_and_its_mail(client, followed):
    agency, _ = followed
    assert OutgoingMail.objects.filter(to="warga@contoh.id").count() == 2
    response = csrf_post(client, manage_path(agency.subscriber), {"aksi": "berhenti-semua"})
    assert response.status_code == 200
    assert "alamat surel Anda sudah kami hapus" in response.content.decode()
    assert not Subscriber.objects.exists() and not Subscription.objects.exists()
    assert not OutgoingMail.objects.filter(to="warga@contoh.id").exists()


def test_another_addresss_subscription_cannot_be_touched_from_this_page(client, followed):
    agency, _ = followed
    stranger, _ = services.subscribe(
        email="lain@contoh.id", scope="perubahan", params={"tahun": 2019}
    )
    path = manage_path(agency.subscriber)
    for action in ("berhenti", "konfirmasi", "frekuensi"):
        response = csrf_post(
            client, path, {"aksi": action, "langganan": stranger.pk, "frekuensi": "segera"}
        )
        assert response.status_code == 400
    stranger.refresh_from_db()
    assert stranger.confirmed_at is None and stranger.frequency == Frequency.DAILY
    # Nor is a made-up frequency stored.
    bad = csrf_post(client, path, {"aksi": "frekuensi", "langganan": agency.pk, "frekuensi": "x"})
    assert bad.status_code == 400
    agency.refresh_from_db()
    assert agency.frequency == Frequency.DAILY


def test_the_page_needs_its_csrf_token(followed):
    agency, _ = followed
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(manage_path(agency.subscriber), {"aksi": "berhenti-semua"})
    assert response.status_code == 403
    assert Subscriber.objects.exists()


def test_a_link_of_a_deleted_or_renamed_address_opens_nothing(client, followed):
    agency, _ = followed
    subscriber = agency.subscriber
    path = manage_path(subscriber)
    Subscriber.objects.filter(pk=subscriber.pk).update(email="ganti@contoh.id")
    assert client.get(path).status_code == 404
    assert client.get("/langganan/kelola/bukan-token/").status_code == 404


def test_the_manage_link_is_mailed_to_a_known_address_and_to_no_other(
    client, smtp_server, followed
):
    known = client.post("/langganan/kelola/", {"email": " WARGA@contoh.id "})
    unknown = client.post("/langganan/kelola/", {"email": "orang.lain@contoh.id"})
    assert known["Location"] == unknown["Location"] == "/langganan/kelola/terkirim/"
    page = client.get(known["Location"])
    assert "tautan untuk mengelola langganannya segera tiba" in page.content.decode()

    *_, received = deliver(smtp_server, "warga@contoh.id")
    assert received["Subject"] == "Tautan untuk mengelola langganan Anda"
    assert "Jangan bagikan tautan ini" in text_part(received)
    assert smtp_server.to("orang.lain@contoh.id") == []
    # The link opens the address's page.
    html = client.get(link(received, "kelola")).content.decode()
    assert "Paket Dinas Kesehatan, TA 2018" in html


def test_asking_for_the_link_too_often_is_refused_with_the_address_kept(client, settings):
    settings.ALERT_ADDRESS_RATE_LIMIT = (2, 86400)
    for _ in range(2):
        assert client.post("/langganan/kelola/", {"email": "x@contoh.id"}).status_code == 302
    refused = client.post("/langganan/kelola/", {"email": "x@contoh.id"})
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "Terlalu banyak permintaan untuk alamat surel ini" in html
    assert form_value(html, "email") == "x@contoh.id"
    bad = client.post("/langganan/kelola/", {"email": "bukan alamat"})
    assert bad.status_code == 400 and form_value(bad.content.decode(), "email") == "bukan alamat"


def test_the_new_pages_read_a_fixed_number_of_queries(client, followed, django_assert_num_queries):
    agency, _ = followed
    path = manage_path(agency.subscriber)
    # The address, its subscriptions with their packages (one query), and the agencies'
    # names for the headings (list_heading.names_for).
    with django_assert_num_queries(3):
        client.get(path)
    # A filter naming none of them costs nothing more.
    services.subscribe(email="warga@contoh.id", scope="peluang", params={"jenis": "barang"})
    with django_assert_num_queries(3):
        client.get(path)
    # However many agencies, suppliers and kecamatan the address follows: their names are
    # read once for all (agencies, kecamatan, suppliers: one query each).
    for code in ("dinas-pendidikan", "dinas-sosial", "rsud-sosodoro"):
        services.subscribe(email="warga@contoh.id", scope="perubahan", params={"pd": code})
    for name in ("Dander", "Kapas"):
        services.subscribe(email="warga@contoh.id", scope="perubahan", params={"kecamatan": name})
    with django_assert_num_queries(4):
        html = client.get(path).content.decode()
    assert "Paket Dinas Sosial" in html and "Paket di Kecamatan Kapas" in html
    # The form: the agency checked (filter_words) and named (the heading).
    with django_assert_num_queries(2):
        client.get("/langganan/ikuti/?pd=dinas-kesehatan&tahun=2018")
    # Peluang usaha: the kecamatan register and the agencies for the two selects.
    with django_assert_num_queries(2):
        client.get("/langganan/peluang/")
    with django_assert_num_queries(0):
        client.get("/langganan/ikuti/terkirim/")


def test_administrators_alone_read_subscribers_and_nobody_edits_them(client, followed, health):
    agency, _ = followed
    base = "/admin/alerts/subscriber/"
    for user, expected in (
        (make_operator(health), 403),
        (make_supervisor(), 403),
        (make_administrator(), 200),
    ):
        client.force_login(user)
        assert client.get(base).status_code == expected
        page = client.get(f"{base}{agency.subscriber_id}/change/")
        assert page.status_code == expected
        if expected == 200:
            html = page.content.decode()
            assert "warga@contoh.id" in html
            assert 'name="email"' not in html  # shown, not editable
            assert client.get(f"{base}add/").status_code == 403
            assert client.get(f"{base}{agency.subscriber_id}/delete/").status_code == 403
        else:
            assert "warga@contoh.id" not in page.content.decode()


def test_a_suspended_address_is_told_why_nothing_arrives(client, followed):
    from django.utils import timezone

    agency, _ = followed
    Subscriber.objects.update(suspended_at=timezone.now())
    html = client.get(manage_path(agency.subscriber)).content.decode()
    assert "Pengiriman ke alamat ini dihentikan sejak" in html
