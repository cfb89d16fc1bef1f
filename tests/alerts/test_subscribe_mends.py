"""What two testers found following things on a real portal: attacker text in the regency's
mail, follows wider than asked or of unknown things, equivalent follows stored twice, an
address's domain spelt two ways, a suspended address that could never recover, a 429
without Retry-After, and pages that could not tell one subscription from another."""

import re

import pytest
from django.utils import timezone

from agencies.models import Agency
from alerts import links, services
from alerts.keys import subscription_key
from alerts.models import OutgoingMail, Scope, Subscriber, Subscription
from tests.alerts.subscribing import checked, deliver, form_value, link, published_package
from tests.mailserver import html_part, text_part

pytestmark = pytest.mark.django_db

SPAM = "SELAMAT Anda menang hadiah Rp 50 juta klaim di https://bit.ly/hadiah-bjn"


@pytest.fixture
def health():
    return Agency.objects.get(code="dinas-kesehatan")


def ask(client, query, **data):
    fields = {"email": "korban@contoh.id", "frequency": "harian", "scope": "perubahan", **data}
    return client.post(f"/langganan/ikuti/?{query}", fields)


def assert_no_spam(message):
    for part in (message["Subject"], text_part(message), html_part(message)):
        assert "bit.ly" not in part and "hadiah" not in part and "SELAMAT" not in part


# --- 1. mail to an address not confirmed quotes no typed text -------------------------------


def test_a_typed_search_is_never_quoted_in_mail_only_on_the_confirmation_page(client, smtp_server):
    assert ask(client, f"kecamatan=Dander&q={SPAM}").status_code == 302
    (confirmation,) = deliver(smtp_server, "korban@contoh.id")
    assert_no_spam(confirmation)
    assert confirmation["Subject"] == (
        "Konfirmasi langganan: paket di Kecamatan Dander, "
        "dengan kata pencarian (tampil di halaman konfirmasi)"
    )
    assert (
        "  Paket di Kecamatan Dander, dengan kata pencarian (tampil di halaman konfirmasi)\n"
        in text_part(confirmation)
    )
    # Whoever opens the link sees the search whole before confirming anything.
    page = client.get(link(confirmation, "konfirmasi")).content.decode()
    assert f"Paket di Kecamatan Dander, untuk “{SPAM}”" in page

    # Confirmed, a new request gets the "already following" note: no words either.
    client.post(link(confirmation, "konfirmasi"))
    Subscription.objects.update(mailed_at=None)
    ask(client, f"kecamatan=Dander&q={SPAM}")
    _, note = deliver(smtp_server, "korban@contoh.id")
    assert_no_spam(note)
    assert note["Subject"] == (
        "Sudah diikuti: paket di Kecamatan Dander, "
        "dengan kata pencarian (tampil di halaman konfirmasi)"
    )


def test_subjects_tell_subscriptions_apart_by_their_filters_or_the_packages_title(
    client, smtp_server, health
):
    package = published_package(health, title="Rehabilitasi Puskesmas Dander")
    ask(client, "kecamatan=Dander")
    ask(client, f"paket={package.pk}", frequency="segera")
    # Stripped: Django folds a non-ASCII subject after "Subject:", which Python's parser
    # reads back with the folding space in front (mail clients drop it).
    subjects = [m["Subject"].strip() for m in deliver(smtp_server, "korban@contoh.id")]
    assert subjects == [
        "Konfirmasi langganan: paket di Kecamatan Dander",
        "Konfirmasi langganan: paket “Rehabilitasi Puskesmas Dander”",
    ]


# --- 3. refused rather than followed wider than asked ---------------------------------------


@pytest.mark.parametrize(
    "query, message",
    [
        ("q=%F0%9F%98%80%F0%9F%94%A5+%21%21", "Kata pencarian tidak memuat huruf atau angka"),
        (f"q={'jalan ' * 40}", "Kata pencarian terlalu panjang (239 karakter); paling banyak 200"),
        (f"q={'a ' * 17}", "Kata pencarian paling banyak 16 kata"),
        ("kecamatan=Atlantis", "Kecamatan “Atlantis” tidak ada dalam daftar kecamatan"),
        ("penyedia=987654", "Penyedia nomor 987654 tidak ditemukan."),
    ],
)
def test_a_follow_wider_than_asked_or_of_nothing_known_is_refused(client, query, message):
    page = client.get(f"/langganan/ikuti/?{query}")
    assert page.status_code == 400 and message in page.content.decode()
    refused = ask(client, query, email="tetap@contoh.id", frequency="segera")
    assert refused.status_code == 400
    assert message in refused.content.decode()
    assert not Subscription.objects.exists() and not OutgoingMail.objects.exists()


def test_the_sort_and_page_are_ignored_even_malformed_and_left_off_the_follow_link(client):
    page = client.get("/langganan/ikuti/?pd=dinas-kesehatan&urut=%3Cbad%3E&halaman=x")
    assert page.status_code == 200
    assert '<p class="alerts-what" data-what>Paket Dinas Kesehatan</p>' in page.content.decode()
    assert ask(client, "pd=dinas-kesehatan&urut=%3Cbad%3E&halaman=x").status_code == 302
    assert Subscription.objects.get().params == {"pd": "dinas-kesehatan"}

    listed = client.get("/paket/?pd=dinas-kesehatan&urut=nilai&halaman=2").content.decode()
    (href,) = re.findall(r'<a href="([^"]*)" rel="nofollow" data-follow>', listed)
    assert href == "/langganan/ikuti/?pd=dinas-kesehatan"


# --- 4. equivalent follows are one ----------------------------------------------------------


def test_spellings_of_one_kecamatan_and_of_one_search_are_one_subscription(client, smtp_server):
    ask(client, "kecamatan=Sumberejo")
    ask(client, "kecamatan=Kec.%20Sumberrejo")
    ask(client, "q=Jalan+Baureno")
    ask(client, "q=jalan++baureno")
    ask(client, "q=Baureno-Jalan")
    rows = list(Subscription.objects.order_by("pk"))
    assert [row.params for row in rows] == [{"kecamatan": "Sumberejo"}, {"q": "Jalan Baureno"}]
    # The key of a search is its words (lower case, sorted): the same as typed canonically.
    assert rows[1].key == subscription_key(Scope.CHANGES, {"q": "baureno jalan"}, None)
    # One confirmation each; the repeats within the hour send nothing more.
    assert len(deliver(smtp_server, "korban@contoh.id")) == 2


def test_the_migration_rekeys_stored_searches_and_kecamatan_and_merges_duplicates(client):
    from importlib import import_module

    from django.apps import apps

    migration = import_module(
        "alerts.migrations.0003_subscription_keys_by_search_words_and_register_kecamatan"
    )
    subscriber = Subscriber.objects.create(email="lama@contoh.id")
    now = timezone.now()

    def stored(params, confirmed_at=None):
        # As the old code stored them: params as typed, the key of those params, word order.
        old_key = subscription_key(Scope.CHANGES, {"x": repr(params)}, None)
        return Subscription.objects.create(
            subscriber=subscriber,
            scope=Scope.CHANGES,
            params=params,
            key=old_key,
            confirmed_at=confirmed_at,
        )

    waiting = stored({"kecamatan": "Kec. Sumberrejo"})
    confirmed = stored({"kecamatan": "Sumberejo"}, confirmed_at=now)
    search = stored({"q": "Jalan Baureno"})
    other = Subscription.objects.create(
        subscriber=subscriber,
        scope=Scope.CHANGES,
        params={"pd": "dinas-kesehatan"},
        key=subscription_key(Scope.CHANGES, {"pd": "dinas-kesehatan"}, None),
    )
    migration.rekey(apps, None)

    left = {row.pk: row for row in Subscription.objects.all()}
    # The confirmed one of the two kecamatan spellings stays; the waiting duplicate goes.
    assert set(left) == {confirmed.pk, search.pk, other.pk} and waiting.pk not in left
    assert left[confirmed.pk].key == subscription_key(
        Scope.CHANGES, {"kecamatan": "Sumberejo"}, None
    )
    assert left[search.pk].key == subscription_key(Scope.CHANGES, {"q": "baureno jalan"}, None)
    assert left[other.pk].key == other.key  # neither a search nor a kecamatan: untouched


# --- 5. one spelling of an address ----------------------------------------------------------


def test_an_addresss_domain_in_unicode_or_idna_is_one_address(client, smtp_server, settings):
    settings.ALERT_ADDRESS_RATE_LIMIT = (3, 86400)
    assert services.normalise_email(" Warga@Bojonegöro.ID ") == "warga@xn--bojonegro-67a.id"
    assert ask(client, "tahun=2019", email="warga@bojonegöro.id").status_code == 302
    assert ask(client, "tahun=2020", email="WARGA@xn--bojonegro-67a.id").status_code == 302
    assert Subscriber.objects.get().email == "warga@xn--bojonegro-67a.id"
    # The manage link goes to the same mailbox for either spelling.
    assert client.post("/langganan/kelola/", {"email": "warga@BOJONEGÖRO.id"}).status_code == 302
    subjects = [m["Subject"] for m in deliver(smtp_server, "warga@xn--bojonegro-67a.id")]
    assert subjects == [
        "Konfirmasi langganan: paket TA 2019",
        "Konfirmasi langganan: paket TA 2020",
        "Tautan untuk mengelola langganan Anda",
    ]
    # The fourth request for this mailbox, however spelt, is past the address's limit (3).
    assert ask(client, "tahun=2021", email="warga@xn--bojonegro-67a.id").status_code == 429


# --- 6. a suspended address can recover ------------------------------------------------------


def suspended(email, settings):
    subscription, _ = services.subscribe(
        email=email, scope=Scope.CHANGES, params={"pd": "dinas-kesehatan"}
    )
    services.confirm(subscription)
    subscriber = subscription.subscriber
    subscriber.failures = settings.ALERT_MAX_FAILURES
    subscriber.suspended_at = timezone.now()
    subscriber.save()
    OutgoingMail.objects.all().delete()
    return subscriber


def test_a_suspended_address_asking_again_gets_one_more_try_a_day(client, smtp_server, settings):
    subscriber = suspended("pulih@contoh.id", settings)
    assert ask(client, "tahun=2019", email="pulih@contoh.id").status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.suspended_at is None
    assert subscriber.failures == settings.ALERT_MAX_FAILURES - 1  # 3 - 1 = 2
    # The mail arrives: the count starts again.
    (confirmation,) = deliver(smtp_server, "pulih@contoh.id")
    assert confirmation["Subject"] == "Konfirmasi langganan: paket TA 2019"
    subscriber.refresh_from_db()
    assert subscriber.failures == 0 and subscriber.suspended_at is None


def test_one_more_failure_suspends_again_and_no_second_try_that_day(client, smtp_server, settings):
    subscriber = suspended("mati@contoh.id", settings)
    smtp_server.refuse_for_good.add("mati@contoh.id")
    client.post("/langganan/kelola/", {"email": "mati@contoh.id"})
    assert deliver(smtp_server, "mati@contoh.id") == []
    subscriber.refresh_from_db()
    assert subscriber.suspended_at is not None
    assert subscriber.failures == settings.ALERT_MAX_FAILURES

    # Asking again the same day (subscribe or manage link) queues nothing.
    ask(client, "tahun=2019", email="mati@contoh.id")
    client.post("/langganan/kelola/", {"email": "mati@contoh.id"})
    assert not OutgoingMail.objects.filter(status=OutgoingMail.Status.WAITING).exists()
    subscriber.refresh_from_db()
    assert subscriber.suspended_at is not None

    page = client.get(f"/langganan/kelola/{links.manage_token(subscriber)}/").content.decode()
    assert "kami mencoba mengirim sekali lagi (paling banyak sekali sehari)" in page
    assert "bila ditolak lagi, pengiriman dihentikan lagi" in page


# --- 7. 429 says when -----------------------------------------------------------------------


def test_every_429_of_the_subscription_pages_says_when_to_try_again(client, settings):
    settings.ALERT_SUBSCRIBE_RATE_LIMIT = (1, 3600)
    assert ask(client, "tahun=2019").status_code == 302
    answers = [
        ask(client, "tahun=2020"),
        client.post("/langganan/kelola/", {"email": "korban@contoh.id"}),
        client.post("/langganan/peluang/", {"email": "korban@contoh.id", "frequency": "harian"}),
    ]
    assert [a.status_code for a in answers] == [429, 429, 429]
    for answer in answers:
        # What is left of the fixed hour the limit counts in: 1 to 3600 seconds.
        assert 1 <= int(answer["Retry-After"]) <= 3600
    assert form_value(answers[0].content.decode(), "email") == "korban@contoh.id"


# --- 8. pages that tell subscriptions apart --------------------------------------------------


def test_the_page_after_asking_links_back_to_what_was_followed(client, health):
    package = published_package(health, title="Rehabilitasi Puskesmas Dander")
    cases = [
        ("kecamatan=Dander", "/kecamatan/dander/"),
        ("pd=dinas-kesehatan", "/perangkat-daerah/dinas-kesehatan/"),
        (f"paket={package.pk}", f"/paket/{package.pk}/"),
        ("tahun=2019&kecamatan=Dander&urut=nilai", "/paket/?tahun=2019&amp;kecamatan=Dander"),
    ]
    for query, back in cases:
        Subscription.objects.all().delete()
        sent = client.get(ask(client, query, frequency="segera")["Location"])
        assert f'<a href="{back}" data-back>' in sent.content.decode(), query


def test_each_subscription_on_the_manage_page_is_named_and_linked(client, health):
    package = published_package(health, title="Rehabilitasi Puskesmas Dander")
    first, _ = services.subscribe(
        email="warga@contoh.id", scope=Scope.CHANGES, params={"kecamatan": "Dander"}
    )
    services.subscribe(email="warga@contoh.id", scope=Scope.CHANGES, process=package)
    html = client.get(f"/langganan/kelola/{links.manage_token(first.subscriber)}/")
    html = html.content.decode()
    assert '<a href="/kecamatan/dander/" data-followed>Paket di Kecamatan Dander</a>' in html
    assert (
        f'<a href="/paket/{package.pk}/" data-followed>Paket “Rehabilitasi Puskesmas Dander”</a>'
    ) in html
    assert 'aria-label="Frekuensi: Paket di Kecamatan Dander"' in html
    assert 'aria-label="Tindakan: Paket “Rehabilitasi Puskesmas Dander”"' in html
    assert "Frekuensi langganan 1" not in html
    assert checked(html, "frekuensi") is None  # a select, not radios: nothing else changed


def test_a_refused_search_is_corrected_in_the_form_with_what_was_typed_kept(client):
    long_search = "jalan " * 40  # 239 characters once the space at its end is dropped
    refused = ask(client, f"kecamatan=Dander&q={long_search}", email="tetap@contoh.id")
    assert refused.status_code == 400
    html = refused.content.decode()
    assert form_value(html, "email") == "tetap@contoh.id"
    assert form_value(html, "q") == long_search  # as typed
    # The form posts to the other filters; the search travels in its own field.
    assert 'action="/langganan/ikuti/?kecamatan=Dander"' in html
    fixed = client.post(
        "/langganan/ikuti/?kecamatan=Dander",
        {"email": "tetap@contoh.id", "frequency": "harian", "scope": "perubahan", "q": "jalan"},
    )
    assert fixed.status_code == 302
    assert Subscription.objects.get().params == {"kecamatan": "Dander", "q": "jalan"}


def test_the_page_after_asking_reads_one_query_per_filter_it_checks(
    client, health, django_assert_max_num_queries
):
    from contracts.models import Supplier
    from tests.factories import make_process

    supplier = Supplier.objects.create(name="CV Bangun Desa", npwp="0012345678901000")
    published_package(health, title="Rehabilitasi Puskesmas Dander", supplier=supplier)
    make_process(health)  # more packages change nothing
    query = f"pd=dinas-kesehatan&kecamatan=Dander&penyedia={supplier.pk}"
    # The agency's code, the kecamatan in the register, the supplier public: three.
    with django_assert_max_num_queries(3):
        page = client.get(f"/langganan/ikuti/terkirim/?{query}")
    assert page.status_code == 200
    assert (
        f'<a href="/paket/?pd=dinas-kesehatan&amp;kecamatan=Dander&amp;penyedia={supplier.pk}"'
        in page.content.decode()
    )
