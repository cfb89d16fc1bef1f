"""Following a list, an agency or a package by e-mail: double opt-in through a real SMTP
server, the confirmation's expiry, no second mail within the hour, nothing revealed."""

import datetime
import time

import pytest
from django.core import signing
from django.utils import timezone

from agencies.models import Agency
from alerts.models import Frequency, OutgoingMail, Scope, Subscriber, Subscription
from tests.alerts.subscribing import checked, deliver, form_value, link, published_package
from tests.mailserver import html_part, text_part

pytestmark = pytest.mark.django_db

LIST_QUERY = "pd=dinas-kesehatan&tahun=2018&urut=nilai&halaman=2"


@pytest.fixture
def health():
    return Agency.objects.get(code="dinas-kesehatan")


def ask(client, query, **data):
    fields = {"email": "Warga@Contoh.id", "frequency": "harian", "scope": "perubahan", **data}
    return client.post(f"/langganan/ikuti/?{query}", fields)


def test_a_filtered_list_is_followed_after_the_mailed_link_is_confirmed(client, smtp_server):
    page = client.get(f"/langganan/ikuti/?{LIST_QUERY}")
    assert page.status_code == 200
    html = page.content.decode()
    # What is followed, in the list's own words (sort and page are no filters).
    assert '<p class="alerts-what" data-what>Paket Dinas Kesehatan, TA 2018</p>' in html
    # Daily is chosen unless the citizen says otherwise.
    assert checked(html, "frequency") == "harian"
    assert checked(html, "scope") == "perubahan"

    response = ask(client, LIST_QUERY)
    # The page after it knows what was followed (to link back), never the sort or page.
    assert response.status_code == 302
    assert response["Location"] == "/langganan/ikuti/terkirim/?tahun=2018&pd=dinas-kesehatan"
    subscription = Subscription.objects.get()
    assert subscription.subscriber.email == "warga@contoh.id"
    assert subscription.params == {"pd": "dinas-kesehatan", "tahun": 2018}
    assert subscription.scope == Scope.CHANGES and subscription.frequency == Frequency.DAILY
    assert subscription.confirmed_at is None

    (received,) = deliver(smtp_server, "warga@contoh.id")
    assert received["Subject"] == "Konfirmasi langganan: paket Dinas Kesehatan, TA 2018"
    text = text_part(received)
    assert "  Paket Dinas Kesehatan, TA 2018\n" in text
    assert "Ringkasan harian." in text
    assert "(48 jam)" in text
    assert "Abaikan surel ini jika Anda tidak meminta" in text
    assert "Buka halaman konfirmasi" in html_part(received)
    confirm_path = link(received, "konfirmasi")

    # Opening the link (as a mail scanner would) confirms nothing ...
    opened = client.get(confirm_path)
    assert opened.status_code == 200
    assert ">Konfirmasi</button>" in opened.content.decode()
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None
    # ... the button does.
    before = timezone.now()
    confirmed = client.post(confirm_path)
    assert confirmed.status_code == 200 and "Langganan aktif" in confirmed.content.decode()
    # And the way back to what is now followed: the list with its two filters.
    assert (
        'href="/paket/?pd=dinas-kesehatan&amp;tahun=2018" data-followed'
        in confirmed.content.decode()
    )
    subscription.refresh_from_db()
    assert subscription.confirmed_at >= before
    assert subscription.digest_from == subscription.confirmed_at
    # A second click changes nothing.
    client.post(confirm_path)
    subscription.refresh_from_db()
    assert subscription.digest_from == subscription.confirmed_at


def test_the_expiry_the_mail_names_is_the_confirmation_hours_from_now(smtp_server, client):
    asked_at = timezone.localtime()
    ask(client, "pd=dinas-kesehatan")
    (received,) = deliver(smtp_server, "warga@contoh.id")
    sent_by = timezone.localtime()
    months = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus"]
    months += ["September", "Oktober", "November", "Desember"]

    def written(moment):
        expires = moment + datetime.timedelta(hours=48)
        day = f"{expires.day} {months[expires.month - 1]} {expires.year}"
        return f"berlaku sampai {day}, {expires:%H.%M} WIB"

    # The mail is written between the two readings of the clock (a minute may turn between).
    text = text_part(received)
    assert written(asked_at) in text or written(sent_by) in text


def test_a_confirmation_link_older_than_its_hours_has_expired(client, smtp_server, monkeypatch):
    # The link signed 49 hours ago: the signer's clock, not the subscription, is moved back.
    real = signing.TimestampSigner.timestamp
    signed_at = int(time.time()) - 49 * 3600
    monkeypatch.setattr(
        signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(signed_at)
    )
    ask(client, "pd=dinas-kesehatan&tahun=2018")
    (received,) = deliver(smtp_server, "warga@contoh.id")
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", real)
    path = link(received, "konfirmasi")

    for response in (client.get(path), client.post(path)):
        assert response.status_code == 410
        html = response.content.decode()
        assert "Tautan konfirmasi sudah kedaluwarsa" in html
        # A way to ask again for the same thing.
        assert 'href="/langganan/ikuti/?pd=dinas-kesehatan&amp;tahun=2018" data-again' in html
    assert Subscription.objects.get().confirmed_at is None

    # Once the hourly clean-up deleted the request, the page still says what to do.
    from alerts import services

    Subscription.objects.update(mailed_at=timezone.now() - datetime.timedelta(hours=49))
    assert services.purge_unconfirmed() == 1
    gone = client.get(path)
    assert gone.status_code == 410
    assert "Permintaannya sudah dihapus" in gone.content.decode()
    assert not Subscriber.objects.exists()


def test_an_altered_confirmation_link_is_a_page_not_found(client, smtp_server):
    ask(client, "pd=dinas-kesehatan")
    (received,) = deliver(smtp_server, "warga@contoh.id")
    path = link(received, "konfirmasi")
    response = client.post(path.replace("/konfirmasi/", "/konfirmasi/x"))
    assert response.status_code == 404
    assert "Tautan tidak berlaku" in response.content.decode()
    # A link of another purpose opens nothing here either.
    from alerts import links

    other = links.unsubscribe_url(Subscription.objects.get()).split("/berhenti/")[1]
    assert client.post(f"/langganan/konfirmasi/{other}").status_code == 404
    assert Subscription.objects.get().confirmed_at is None


def test_asking_again_sends_no_second_mail_within_the_hour_and_shows_the_same_page(
    client, smtp_server
):
    first = ask(client, "pd=dinas-kesehatan", frequency="segera")
    again = ask(client, "pd=dinas-kesehatan&urut=nilai", frequency="harian")
    assert first["Location"] == again["Location"] == "/langganan/ikuti/terkirim/?pd=dinas-kesehatan"
    assert OutgoingMail.objects.count() == 1
    subscription = Subscription.objects.get()
    assert subscription.frequency == Frequency.INSTANT  # nothing changed by the second ask

    # An hour later the link is mailed again, with what was asked last.
    Subscription.objects.update(mailed_at=timezone.now() - datetime.timedelta(minutes=61))
    ask(client, "pd=dinas-kesehatan", frequency="harian")
    _, second_mail = deliver(smtp_server, "warga@contoh.id")
    assert second_mail["Subject"] == "Konfirmasi langganan: paket Dinas Kesehatan"
    subscription.refresh_from_db()
    assert subscription.frequency == Frequency.DAILY

    # Confirmed, a later ask tells the mailbox it follows this already, and changes nothing.
    client.post(link(second_mail, "konfirmasi"))
    Subscription.objects.update(mailed_at=timezone.now() - datetime.timedelta(minutes=61))
    ask(client, "pd=dinas-kesehatan", frequency="segera")
    *_, note = deliver(smtp_server, "warga@contoh.id")
    assert note["Subject"] == "Sudah diikuti: paket Dinas Kesehatan"
    assert "  Paket Dinas Kesehatan\n" in text_part(note)
    assert "/langganan/kelola/" in text_part(note)
    subscription.refresh_from_db()
    assert subscription.frequency == Frequency.DAILY
    assert Subscription.objects.count() == 1


def test_the_page_after_asking_is_the_same_for_a_known_and_an_unknown_address(client):
    ask(client, "pd=dinas-kesehatan", email="lama@contoh.id")
    Subscription.objects.update(confirmed_at=timezone.now())
    known = ask(client, "pd=dinas-kesehatan", email="lama@contoh.id")
    unknown = ask(client, "pd=dinas-kesehatan", email="baru@contoh.id")
    assert known["Location"] == unknown["Location"]
    first, second = client.get(known["Location"]), client.get(unknown["Location"])
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert "Periksa kotak masuk Anda" in first.content.decode()


def test_a_bad_address_shows_the_form_again_with_everything_kept(client):
    response = ask(client, "pd=dinas-kesehatan", email="warga@contoh", frequency="segera")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Alamat surel ini tidak valid; tulis seperti nama@contoh.id." in html
    assert form_value(html, "email") == "warga@contoh"
    assert checked(html, "frequency") == "segera"
    # The form posts back to the same selection.
    assert 'action="/langganan/ikuti/?pd=dinas-kesehatan"' in html
    assert not Subscriber.objects.exists()


def test_a_filter_the_list_would_ignore_is_not_followed_wider_than_asked(client):
    page = client.get("/langganan/ikuti/?pd=tidak-ada&tahun=2018")
    assert page.status_code == 400
    assert "Perangkat daerah “tidak-ada” tidak dikenal" in page.content.decode()
    # Nothing is followed here, so nothing is "ignored" as on the list: the link is to mend.
    assert "diabaikan" not in page.content.decode()
    assert "perbaiki tautannya lalu coba lagi" in page.content.decode()
    response = ask(client, "pd=tidak-ada&tahun=2018")
    assert response.status_code == 400
    assert form_value(response.content.decode(), "email") is None  # no form to send
    assert not Subscription.objects.exists()


def test_one_package_is_followed_at_once_by_default_and_a_draft_cannot_be(client, health):
    package = published_package(health, title="Rehabilitasi Puskesmas Dander")
    page = client.get(f"/langganan/ikuti/?paket={package.pk}")
    html = page.content.decode()
    assert "Paket “Rehabilitasi Puskesmas Dander”" in html
    assert checked(html, "frequency") == "segera"
    assert 'name="scope"' not in html  # a package is followed whole
    client.post(
        f"/langganan/ikuti/?paket={package.pk}", {"email": "a@contoh.id", "frequency": "segera"}
    )
    subscription = Subscription.objects.get()
    assert subscription.process == package and subscription.params == {}

    from tests.factories import make_process

    draft = make_process(health, title="Draf rahasia")
    refused = client.get(f"/langganan/ikuti/?paket={draft.pk}")
    assert refused.status_code == 400
    assert "Draf rahasia" not in refused.content.decode()
    assert "Paket ini tidak ditemukan atau tidak dipublikasikan." in refused.content.decode()


def test_suppliers_follow_opportunities_by_kind_and_place(client, smtp_server):
    page = client.get("/langganan/peluang/")
    html = page.content.decode()
    assert '<option value="pekerjaan_konstruksi">Pekerjaan Konstruksi</option>' in html
    assert '<option value="Dander">Dander</option>' in html
    assert 'value="swakelola"' not in html  # no supplier is chosen for those
    response = client.post(
        "/langganan/peluang/",
        {
            "email": "cv.maju@contoh.id",
            "jenis": "pekerjaan_konstruksi",
            "kecamatan": "Dander",
            "metode": "",
            "pd": "",
            "frequency": "harian",
        },
    )
    assert response.status_code == 302
    subscription = Subscription.objects.get()
    assert subscription.scope == Scope.OPPORTUNITIES
    assert subscription.params == {"jenis": "pekerjaan_konstruksi", "kecamatan": "Dander"}
    (received,) = deliver(smtp_server, "cv.maju@contoh.id")
    assert (
        "Peluang usaha, yaitu rencana dan tender baru, untuk paket di Kecamatan Dander, "
        "Pekerjaan Konstruksi" in text_part(received)
    )
    assert "Hanya peluang usaha: rencana dan tender baru (dan penarikannya)." in text_part(received)


def test_an_unknown_choice_on_the_opportunities_page_is_said_and_the_rest_kept(client):
    response = client.post(
        "/langganan/peluang/",
        {
            "email": "cv.maju@contoh.id",
            "jenis": "kapal",
            "kecamatan": "Dander",
            "frequency": "harian",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Jenis pengadaan: “kapal” tidak ada dalam daftar; pilih dari daftar." in html
    assert '<option value="Dander" selected>Dander</option>' in html
    assert form_value(html, "email") == "cv.maju@contoh.id"
    assert not Subscription.objects.exists()


def test_an_address_follows_at_most_so_many_things(client, smtp_server, settings):
    settings.ALERT_MAX_SUBSCRIPTIONS = 2
    for year in (2018, 2019, 2020, 2021):
        response = ask(client, f"pd=dinas-kesehatan&tahun={year}")
        # The same answer past the limit.
        assert response["Location"] == f"/langganan/ikuti/terkirim/?tahun={year}&pd=dinas-kesehatan"
    assert Subscription.objects.count() == 2
    messages = deliver(smtp_server, "warga@contoh.id")
    # Two confirmations, and one note (not two) that the limit is reached.
    assert [m["Subject"] for m in messages][2:] == [
        "Langganan baru tidak dibuat: batas 2 langganan"
    ]
    assert len(messages) == 3


def test_rate_limits_per_client_and_per_address_answer_429_with_the_form_kept(client, settings):
    settings.ALERT_SUBSCRIBE_RATE_LIMIT = (3, 3600)
    settings.ALERT_ADDRESS_RATE_LIMIT = (1, 86400)
    assert ask(client, "pd=dinas-kesehatan", email="satu@contoh.id").status_code == 302
    refused = ask(client, "tahun=2019", email="satu@contoh.id", frequency="segera")
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "Terlalu banyak permintaan untuk alamat surel ini. Coba lagi dalam" in html
    assert form_value(html, "email") == "satu@contoh.id"
    assert checked(html, "frequency") == "segera"
    # Another address from the same client passes, until the client's own limit.
    assert ask(client, "tahun=2019", email="dua@contoh.id").status_code == 302
    refused = ask(client, "tahun=2019", email="tiga@contoh.id")
    assert refused.status_code == 429
    assert "Terlalu banyak permintaan dari perangkat Anda." in refused.content.decode()
    assert form_value(refused.content.decode(), "email") == "tiga@contoh.id"
    assert Subscriber.objects.count() == 2


@pytest.mark.parametrize(
    "url",
    [
        "/langganan/ikuti/?pd=dinas-kesehatan",
        "/langganan/ikuti/terkirim/",
        "/langganan/peluang/",
        "/langganan/kelola/",
        "/langganan/kelola/terkirim/",
        "/langganan/konfirmasi/palsu/",
    ],
)
def test_every_subscription_page_is_private_unindexed_and_keeps_its_path_out_of_referers(
    client, url
):
    response = client.get(url)
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    # The origin alone in a Referer, never the path (alerts.views: not no-referrer, which
    # would send "Origin: null" with the page's own forms).
    assert response["Referrer-Policy"] == "strict-origin"
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()


def test_the_form_needs_its_csrf_token(health):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/langganan/ikuti/?pd=dinas-kesehatan", {"email": "a@contoh.id", "frequency": "harian"}
    )
    assert response.status_code == 403
    assert not Subscriber.objects.exists()


def test_the_opportunities_page_past_the_client_limit_keeps_every_choice(client, settings):
    settings.ALERT_SUBSCRIBE_RATE_LIMIT = (1, 3600)
    choices = {"email": "cv@contoh.id", "jenis": "barang", "kecamatan": "Dander"}
    assert client.post("/langganan/peluang/", {**choices, "frequency": "harian"}).status_code == 302
    refused = client.post(
        "/langganan/peluang/", {**choices, "metode": "tender", "frequency": "segera"}
    )
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "Terlalu banyak permintaan dari perangkat Anda." in html
    assert '<option value="tender" selected>Tender</option>' in html
    assert '<option value="Dander" selected>Dander</option>' in html
    assert checked(html, "frequency") == "segera"
    assert Subscription.objects.count() == 1


def test_the_rate_counters_never_hold_an_address(client):
    from django.db import connection

    ask(client, "pd=dinas-kesehatan", email="Rahasia.Warga@Contoh.id")
    client.post("/langganan/kelola/", {"email": "rahasia.warga@contoh.id"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM opendata_ratecounter")
        keys = [key for (key,) in cursor.fetchall()]
    assert any(key.startswith("langganan-alamat:") for key in keys)
    assert not [key for key in keys if "rahasia" in key.lower() or "@" in key]
