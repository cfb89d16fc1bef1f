"""What a tester found in the citizens' reports: a receipt (mailed to whatever contact was
typed) quoting what was typed, an address counted twice under two spellings of its domain,
the author's private page open to indexing and Referers, a 429 without Retry-After, and a
contact with two ways to reach someone refused without saying why."""

import uuid

import pytest
from django.urls import reverse

from agencies.models import Agency
from alerts import mail
from alerts.models import OutgoingMail
from contracts import services as contract_services
from participation import follow, services
from participation.models import Report
from tests.factories import make_operator, make_process, planning_fields
from tests.mailserver import html_part, text_part

pytestmark = pytest.mark.django_db

SPAM = "SELAMAT Anda menang hadiah Rp 50 juta, klaim di https://bit.ly/hadiah-bjn"


@pytest.fixture
def package():
    health = Agency.objects.get(code="dinas-kesehatan")
    process = make_process(health, **planning_fields(title="Rehabilitasi Puskesmas Dander"))
    contract_services.publish_process(process=process, by=make_operator(health))
    return process


def send(client, process, follow=False, **fields):
    data = {
        "topic": "komentar",
        "body": "Aspal sudah retak dua minggu setelah selesai dikerjakan.",
        "place": "",
        "name": "",
        "contact": "",
        "key": str(uuid.uuid4()),
        **fields,
    }
    return client.post(reverse("participation:report", args=[process.pk]), data, follow=follow)


def test_the_receipt_quotes_nothing_the_sender_typed(smtp_server, package):
    # Anyone can type a stranger's address as the contact: the regency's mail to it must not
    # carry their words, whether in the name, the body or the place.
    report, _ = services.submit_report(
        process=package,
        topic="komentar",
        body=f"Isi: {SPAM}",
        place=f"Lokasi: {SPAM}",
        name=SPAM,
        contact="orang.lain@contoh.id",
        key=uuid.uuid4(),
        photos=[],
    )
    mail.send(list(OutgoingMail.objects.values_list("pk", flat=True)))
    (receipt,) = smtp_server.to("orang.lain@contoh.id")
    for part in (text_part(receipt), html_part(receipt), receipt["Subject"]):
        assert "bit.ly" not in part and "hadiah" not in part and "SELAMAT" not in part
    assert text_part(receipt).startswith("Yth. Pelapor,\n")
    # What it does say is the agency's and the portal's: the package's title and the topic.
    assert "Paket: Rehabilitasi Puskesmas Dander\n" in text_part(receipt)
    assert f"Nomor laporan: {report.reference}\n" in text_part(receipt)


def test_receipts_to_one_address_count_once_however_its_domain_is_spelt(client, settings, package):
    settings.REPORT_RECEIPT_RATE_LIMIT = (1, 86400)
    settings.REPORT_RATE_LIMIT = (10, 3600)
    # The same mailbox: the domain in Unicode and in its IDNA ASCII form.
    pages = [
        send(client, package, contact=contact, follow=True).content.decode()
        for contact in ("warga@bojonegöro.id", "Warga@XN--BOJONEGRO-67A.ID")
    ]
    assert 'data-receipt="dikirim"' in pages[0]
    assert 'data-receipt="dibatasi"' in pages[1]
    assert Report.objects.count() == 2 and OutgoingMail.objects.count() == 1


def test_the_authors_page_is_never_indexed_and_its_address_in_no_referer(client, package):
    response = send(client, package)
    report = Report.objects.get()
    private = client.get(follow.author_url(report))
    assert response.status_code == 302 and private.status_code == 200
    assert private["X-Robots-Tag"] == "noindex, nofollow"
    assert private["Referrer-Policy"] == "strict-origin"
    html = private.content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert '<meta name="referrer" content="strict-origin">' in html


@pytest.mark.parametrize("contact", ["warga@contoh.id / 0812 3456 7890", "Email: warga@contoh.id"])
def test_a_contact_with_more_than_an_address_says_to_give_one_address_or_one_number(
    client, package, contact
):
    response = send(client, package, contact=contact)
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        "Alamat surel tidak valid. Tulis satu alamat surel saja (misalnya warga@contoh.id) "
        "atau satu nomor telepon, tanpa tulisan lain."
    ) in html
    assert not Report.objects.exists()


def test_a_refused_report_says_when_to_try_again_in_seconds(
    client, package, settings, one_rate_limit_window
):
    settings.REPORT_RATE_LIMIT = (1, 3600)
    assert send(client, package).status_code == 302
    refused = send(client, package)
    assert refused.status_code == 429
    # The limit counts in fixed hours (opendata.ratelimit): the wait is what is left of this
    # hour, 3600 - (seconds since the hour began), on the rate limits' clock the test holds.
    held = int(one_rate_limit_window.timestamp())
    assert int(refused["Retry-After"]) == 3600 - held % 3600


def test_the_workspace_names_a_report_by_the_number_its_author_was_given(package):
    from django.utils import timezone

    report = Report.objects.create(process=package, topic="kualitas_pekerjaan", body="Retak.")
    year = timezone.localtime(report.created_at).year
    assert str(report) == f"Laporan LAP-{year}-{report.pk:06d} — Kualitas pekerjaan"
    assert str(Report(process=package, topic="komentar")) == "Laporan baru — Komentar"
