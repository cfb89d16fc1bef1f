"""Following by e-mail in both languages (issue #23): a follower who asks on an /en/ page gets
the confirmation and every later alert and digest in English, with links to the English pages;
one who asks on the Indonesian page, in Indonesian, as before. The pages under /en/ in English.

Mail goes through the real SMTP server of the alerts' tests (tests/mailserver.py). The English
expected here is the catalogue's (locale/en/LC_MESSAGES/django.po), written by hand; the words
of a list's heading ("Paket Dinas Kesehatan Uji") belong to contracts.list_heading and are not
asserted here beyond the mail's own sentences around them.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from alerts import dispatch
from alerts.models import Subscription
from tests.alerts.following import BASE, publish, send_waiting
from tests.i18n.pages import html_of
from tests.mailserver import html_part, text_part

pytestmark = pytest.mark.django_db

ADDRESS = "reader@example.org"
ENGLISH_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
)


@pytest.fixture(autouse=True)
def _on_the_public_address(portal_address):
    """The mails' links on BASE, as in tests/alerts."""


def ask(client, prefix, frequency="segera", address=ADDRESS):
    """Follow the agency dinkes-uji from the subscribe page under `prefix` ("" or "/en")."""
    return client.post(
        f"{prefix}/langganan/ikuti/?pd=dinkes-uji",
        {"email": address, "frequency": frequency, "scope": "perubahan"},
    )


def delivered(smtp_server, address=ADDRESS):
    send_waiting()
    return smtp_server.to(address)


def link(message, kind):
    """The path of the /langganan/<kind>/ link in the message's text part (any prefix)."""
    found = re.search(rf"https?://\S+?/langganan/{kind}/\S+/", text_part(message))
    assert found, text_part(message)
    return urlsplit(found.group(0)).path


# --- the whole journey ------------------------------------------------------------------


def test_subscribing_on_an_english_page_confirms_and_alerts_in_english(client, smtp_server, health):
    agency, operator = health
    page = html_of(client.get("/en/langganan/ikuti/?pd=dinkes-uji"))
    assert '<html lang="en">' in page
    assert "<h1>Follow by e-mail</h1>" in page
    assert "<p>What will be followed:</p>" in page
    assert "Back to the package list" in page
    assert "<span>Daily digest</span>" in page and "<span>At once, on every change</span>" in page
    assert "Business opportunities only: new plans and tenders" in page
    assert "We send a confirmation link to that address." in page
    for indonesian in ["Ikuti lewat surel", "Yang akan diikuti", "Ringkasan harian", "Kembali"]:
        assert indonesian not in page

    response = ask(client, "/en")
    assert response.status_code == 302
    assert response["Location"] == "/en/langganan/ikuti/terkirim/?pd=dinkes-uji"
    sent = html_of(client.get(response["Location"]))
    assert "<h1>Check your inbox</h1>" in sent
    assert "the link is valid for 48 hours." in sent
    subscription = Subscription.objects.get()
    assert subscription.language == "en"

    (confirmation,) = delivered(smtp_server)
    assert confirmation["Subject"].startswith("Confirm subscription: ")
    assert "Konfirmasi" not in confirmation["Subject"]
    text = text_part(confirmation)
    assert text.startswith("Hello,\n\nSomeone (we hope you) asked for this e-mail address")
    assert "Every change: new packages, new stages, contracts, documents, red flags" in text
    assert "  At once, on every change.\n" in text
    assert 'open this link and press the "Confirm" button:' in text
    # The expiry in English: day, month in words, 24-hour time with a colon.
    assert re.search(
        rf"This link is valid until \d{{1,2}} ({ENGLISH_MONTHS}) \d{{4}}, \d\d:\d\d WIB "
        r"\(48 hours\)\.",
        text,
    ), text
    assert "Ignore this e-mail if you did not ask for it" in text
    for indonesian in ["Halo", "Abaikan", "Tautan ini berlaku", "Semua perubahan", "jam)"]:
        assert indonesian not in text
    html = html_part(confirmation)
    assert '<html lang="en">' in html and ">Open the confirmation page</a>" in html
    confirm_path = link(confirmation, "konfirmasi")
    assert confirm_path.startswith("/en/langganan/konfirmasi/")
    assert f"Every subscription of this address: {BASE}/en/langganan/kelola/" in text

    # The page the mail opens is English; only its button confirms.
    opened = html_of(client.get(confirm_path))
    assert "<h1>Confirm subscription</h1>" in opened
    assert "Your address will receive alerts (at once, on every change) for:" in opened
    assert ">Confirm</button>" in opened
    done = html_of(client.post(confirm_path))
    assert "<h1>Subscription active</h1>" in done
    assert "From now on your address receives alerts (at once, on every change) for:" in done
    # Back to what is now followed: the agency's own page, in English.
    assert re.search(r'href="/en/[^"]+/" data-followed>See what you follow</a>', done)
    assert 'href="/en/langganan/kelola/' in done and ">Manage all your subscriptions</a>" in done

    # A new package of the agency: the alert in English, its links to the English pages.
    process = publish(
        agency, operator, title="Pengadaan Obat Puskesmas Dander", budget_amount=1_250_000_000
    )
    dispatch.dispatch_instant()
    alert = delivered(smtp_server)[-1]
    assert alert["Subject"] == "New package: Pengadaan Obat Puskesmas Dander"
    text = text_part(alert)
    assert text.startswith("There is 1 change to 1 package you follow: ")
    assert (
        "Pengadaan Obat Puskesmas Dander\n"
        "Dinas Kesehatan Uji · budget ceiling IDR 1,250,000,000\n"
        "Method: Open tender\n"
        "- New package announced, at stage Planning.\n"
        f"{BASE}/en/paket/{process.pk}/\n"
    ) in text
    assert "You receive this e-mail because you follow " in text
    unsubscribe = link(alert, "berhenti")
    assert unsubscribe.startswith("/en/langganan/berhenti/")
    assert f"Unsubscribe from this: {BASE}{unsubscribe}\n" in text
    assert f"Manage every subscription of this address: {BASE}/en/langganan/kelola/" in text
    assert alert["List-Unsubscribe"].strip() == f"<{BASE}{unsubscribe}>"
    for indonesian in ["perubahan", "pagu", "Rp ", "Metode", "Paket baru", "Berhenti"]:
        assert indonesian not in text
    html = html_part(alert)
    assert '<span style="white-space:nowrap">IDR 1,250,000,000</span>' in html
    assert f'<a href="{BASE}/en/paket/{process.pk}/"' in html
    assert "<title>Changes to packages you follow</title>" in html

    # Leaving from the mail: the English page, and one click ends it.
    leave = html_of(client.get(unsubscribe))
    assert "<h1>Unsubscribe</h1>" in leave and "<p>Stop receiving alerts for:</p>" in leave
    left = html_of(client.post(unsubscribe))
    assert "<h1>Subscription ended</h1>" in left
    assert (
        "That was your address\N{RIGHT SINGLE QUOTATION MARK}s last subscription: "
        "we have deleted your e-mail address."
    ) in left


def test_the_same_journey_on_the_indonesian_page_stays_indonesian(client, smtp_server, health):
    agency, operator = health
    page = html_of(client.get("/langganan/ikuti/?pd=dinkes-uji"))
    assert '<html lang="id">' in page and "<h1>Ikuti lewat surel</h1>" in page
    assert "<p>Yang akan diikuti:</p>" in page and "Follow by e-mail" not in page

    response = ask(client, "")
    assert response["Location"] == "/langganan/ikuti/terkirim/?pd=dinkes-uji"
    assert Subscription.objects.get().language == "id"
    (confirmation,) = delivered(smtp_server)
    assert confirmation["Subject"] == "Konfirmasi langganan: paket Dinas Kesehatan Uji"
    text = text_part(confirmation)
    assert text.startswith("Halo,\n\nSeseorang (semoga Anda) meminta alamat surel ini")
    assert "  Segera setiap ada perubahan.\n" in text
    assert re.search(r"berlaku sampai \d{1,2} \w+ \d{4}, \d\d\.\d\d WIB \(48 jam\)\.", text)
    assert "Hello" not in text and "/en/" not in text
    confirm_path = link(confirmation, "konfirmasi")
    assert confirm_path.startswith("/langganan/konfirmasi/")
    assert "<h1>Langganan aktif</h1>" in html_of(client.post(confirm_path))

    process = publish(
        agency, operator, title="Pengadaan Obat Puskesmas Dander", budget_amount=1_250_000_000
    )
    dispatch.dispatch_instant()
    alert = delivered(smtp_server)[-1]
    assert alert["Subject"] == "Paket baru: Pengadaan Obat Puskesmas Dander"
    assert text_part(alert).startswith(
        "Ada 1 perubahan pada 1 paket yang Anda ikuti: paket Dinas Kesehatan Uji.\n\n"
        "Pengadaan Obat Puskesmas Dander\n"
        "Dinas Kesehatan Uji · pagu Rp 1.250.000.000\n"
        "Metode: Tender\n"
        "- Paket baru diumumkan, tahap Perencanaan.\n"
        f"{BASE}/paket/{process.pk}/\n"
    )
    assert f"Berhenti berlangganan ini: {BASE}/langganan/berhenti/" in text_part(alert)
    assert '<html lang="id">' in html_part(alert)


def test_one_change_reaches_each_follower_in_their_own_language(client, smtp_server, health):
    """The package's part of a mail is rendered once per run and language: an English and an
    Indonesian follower of the same agency each read the same change in their own."""
    agency, operator = health
    for prefix, address in [("/en", "reader@example.org"), ("", "warga@contoh.id")]:
        assert ask(client, prefix, address=address).status_code == 302
    for address in ["reader@example.org", "warga@contoh.id"]:
        (confirmation,) = delivered(smtp_server, address)
        client.post(link(confirmation, "konfirmasi"))
    assert Subscription.objects.filter(confirmed_at__isnull=False).count() == 2

    publish(agency, operator, title="Rehabilitasi Puskesmas Kalitidu", budget_amount=300_000_000)
    dispatch.dispatch_instant()
    english = text_part(delivered(smtp_server, "reader@example.org")[-1])
    indonesian = text_part(delivered(smtp_server, "warga@contoh.id")[-1])
    assert "· budget ceiling IDR 300,000,000\nMethod: Open tender\n" in english
    assert "- New package announced, at stage Planning." in english
    assert "· pagu Rp 300.000.000\nMetode: Tender\n" in indonesian
    assert "- Paket baru diumumkan, tahap Perencanaan." in indonesian
    assert "budget ceiling" not in indonesian and "pagu" not in english


def test_the_daily_digest_of_an_english_subscription_is_english(client, smtp_server, health):
    agency, operator = health
    ask(client, "/en", frequency="harian")
    (confirmation,) = delivered(smtp_server)
    client.post(link(confirmation, "konfirmasi"))
    publish(agency, operator, title="Pengadaan Alat Kesehatan", budget_amount=2_000_000)

    now = timezone.now()
    assert dispatch.send_digests(now=now) == (1, 1)
    digest = delivered(smtp_server)[-1]
    day = timezone.localdate(now)
    # "Digest 1 December 2026: 1 change to 1 package", the date in English.
    english_day = f"{day.day} {day.strftime('%B')} {day.year}"
    assert digest["Subject"] == f"Digest {english_day}: 1 change to 1 package"
    text = text_part(digest)
    assert text.startswith(f"Daily digest {english_day}: 1 change to 1 package you follow: ")
    assert "· budget ceiling IDR 2,000,000\n" in text
    assert f"<title>Daily digest {english_day}</title>" in html_part(digest)


def test_asking_again_in_indonesian_is_answered_in_indonesian_and_keeps_the_english(
    client, smtp_server, health
):
    """A confirmed subscription keeps its language (only its mailbox may change it); the note
    that it is followed already goes in the language of the page that asked."""
    ask(client, "/en")
    (confirmation,) = delivered(smtp_server)
    client.post(link(confirmation, "konfirmasi"))
    Subscription.objects.update(mailed_at=None)  # past the hour between two such mails

    ask(client, "")
    note = delivered(smtp_server)[-1]
    assert note["Subject"] == "Sudah diikuti: paket Dinas Kesehatan Uji"
    assert "Alamat ini sudah mengikutinya (segera setiap ada perubahan)" in text_part(note)
    assert Subscription.objects.get().language == "en"

    Subscription.objects.update(mailed_at=None)
    ask(client, "/en")
    note = delivered(smtp_server)[-1]
    assert note["Subject"].startswith("Already followed: ")
    assert (
        "This address already follows it (at once, on every change); nothing was changed."
        in text_part(note)
    )
    assert link(note, "kelola").startswith("/en/langganan/kelola/")


# --- the other pages and mails under /en/ ---------------------------------------------------


def test_the_manage_link_asked_in_english_opens_the_english_manage_page(
    client, smtp_server, health
):
    ask(client, "/en")
    delivered(smtp_server)
    asked = client.post("/en/langganan/kelola/", {"email": ADDRESS})
    assert asked["Location"] == "/en/langganan/kelola/terkirim/"
    assert "<h1>Check your inbox</h1>" in html_of(client.get(asked["Location"]))
    mail = delivered(smtp_server)[-1]
    assert mail["Subject"] == "A link to manage your subscriptions"
    assert text_part(mail).startswith(
        "Hello,\n\nSomeone asked for a link to manage the subscriptions of this e-mail address"
    )
    manage = html_of(client.get(link(mail, "kelola")))
    assert "<h1>Manage subscriptions</h1>" in manage
    assert "Waiting for confirmation: no alert sent yet" in manage
    assert "Every change · At once, on every change" in manage
    assert '<option value="harian">Daily digest</option>' in manage
    assert ">Save frequency<" in manage and ">Unsubscribe from all and delete my address<" in manage
    assert 'aria-label="Frequency: ' in manage
    for indonesian in ["Kelola langganan", "Menunggu konfirmasi", "Simpan frekuensi"]:
        assert indonesian not in manage


def test_the_subscription_pages_under_en_are_english(client, health):
    opportunities = html_of(client.get("/en/langganan/peluang/"))
    assert "<h1>Business opportunities</h1>" in opportunities
    assert "Opportunities to follow (leave empty for all)" in opportunities
    assert '<option value="" selected>All</option>' in opportunities
    # The vocabularies' labels, Indonesian in the data, in English on the page.
    assert '<option value="barang">Goods</option>' in opportunities
    assert '<option value="pekerjaan_konstruksi">Construction works</option>' in opportunities
    assert ">Follow these opportunities</button>" in opportunities
    assert "Peluang usaha" not in opportunities and "Jenis pengadaan" not in opportunities

    invalid = html_of(client.get("/en/langganan/kelola/not-a-token/"), status=404)
    assert "<h1>Link not valid</h1>" in invalid
    assert 'href="/en/langganan/kelola/">Ask for a link to manage your subscriptions</a>' in (
        invalid
    )

    expired_or_gone = html_of(client.get("/en/langganan/berhenti/not-a-token/"), status=404)
    assert "We do not recognise this link" in expired_or_gone

    refused = html_of(client.post("/en/langganan/ikuti/?pd=dinkes-uji", {"email": "x"}), 400)
    assert "This e-mail address is not valid; write it like name@example.id." in refused
    assert "The request was not sent. Check the fields marked below" in refused

    unknown = html_of(client.get("/en/langganan/ikuti/?paket=999999"), status=400)
    assert "This package was not found or is not published." in unknown

    # The Indonesian pages are as they were.
    indonesian = html_of(client.get("/langganan/peluang/"))
    assert "<h1>Peluang usaha</h1>" in indonesian and "Business opportunities" not in indonesian


def test_the_follow_link_and_the_privacy_note_in_english(client, health):
    listing = html_of(client.get("/en/paket/"))
    assert ">Follow by e-mail</a>" in listing
    assert 'href="/en/langganan/ikuti/' in listing
    policy = html_of(client.get("/en/data-terbuka/kebijakan/"))
    assert '<h2 id="langganan-surel">E-mail alerts: what is kept</h2>' in policy
    assert "Requests not confirmed are deleted after 48 hours." in policy
    assert "Langganan surel: apa yang disimpan" not in html_of(
        client.get("/en/data-terbuka/kebijakan/")
    )
    assert "Langganan surel: apa yang disimpan" in html_of(client.get("/data-terbuka/kebijakan/"))


def test_past_the_limits_the_note_and_the_refusal_are_english(client, smtp_server, settings):
    settings.ALERT_MAX_SUBSCRIPTIONS = 1
    for year in (2019, 2020):
        client.post(
            f"/en/langganan/ikuti/?pd=dinas-kesehatan&tahun={year}",
            {"email": ADDRESS, "frequency": "harian", "scope": "perubahan"},
        )
    confirmation, note = delivered(smtp_server)
    assert confirmation["Subject"].startswith("Confirm subscription: ")
    assert note["Subject"] == "New subscription not made: limit of 1 subscription"
    assert "but this address has reached the limit of 1 subscription." in text_part(note)
    assert link(note, "kelola").startswith("/en/langganan/kelola/")

    settings.ALERT_ADDRESS_RATE_LIMIT = (1, 86400)
    refused = client.post(
        "/en/langganan/ikuti/?pd=dinas-kesehatan",
        {"email": "other@example.org", "frequency": "harian", "scope": "perubahan"},
    )
    assert refused.status_code == 302
    refused = client.post(
        "/en/langganan/ikuti/?pd=dinas-kesehatan&tahun=2021",
        {"email": "other@example.org", "frequency": "harian", "scope": "perubahan"},
    )
    html = html_of(refused, status=429)
    assert "Too many requests for this e-mail address. Try again in " in html
    assert " minutes; what you entered is still below." in html
