"""The mail a report's author receives at the address they gave: the receipt, then one message
per moderation that publishes, rejects, answers or closes the report — through a real SMTP
server (aiosmtpd), read back as the author would."""

import re
import uuid
import zoneinfo
from urllib.parse import urlsplit

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from procrastinate.contrib.django.models import ProcrastinateJob

from agencies.models import Agency
from alerts import mail
from alerts.models import Change, ChangeKind, OutgoingMail
from contracts import services as contract_services
from participation import services
from participation.models import FollowUp, Moderation, Report
from tests.factories import make_operator, make_process, planning_fields
from tests.mailserver import html_part, text_part

pytestmark = pytest.mark.django_db

AUTHOR = "pelapor.rahasia@contoh.id"
PHONE = "+62 812 3456 7890"
TITLE = 'Rehabilitasi Jalan & Jembatan "Dander-Ngumpakdalem"'
BODY = "Talud sungai di belakang SD ambrol sepanjang lima meter."
BASE_URL = "https://lpse.contoh.go.id"
URL = re.compile(r"https?://\S+")


@pytest.fixture(autouse=True)
def public_address(settings):
    settings.PORTAL = {**settings.PORTAL, "BASE_URL": BASE_URL}


@pytest.fixture
def package():
    health = Agency.objects.get(code="dinas-kesehatan")
    process = make_process(health, **planning_fields(title=TITLE))
    contract_services.publish_process(process=process, by=make_operator(health))
    return process


@pytest.fixture
def operator(package):
    return make_operator(package.agency)


def submit(package, contact=AUTHOR, **fields):
    report, created = services.submit_report(
        process=package,
        topic=fields.pop("topic", "kualitas_pekerjaan"),
        body=BODY,
        place="Desa Sumberarum",
        name=fields.pop("name", "Bu Lastri"),
        contact=contact,
        key=uuid.uuid4(),
        photos=[],
    )
    assert created
    return report


def moderate(report, by, moderation, *, status=FollowUp.NEW, answer="", reason=""):
    return services.moderate(
        report=report,
        by=by,
        moderation=moderation,
        rejection_reason=reason,
        status=status,
        answer=answer,
    )


def deliver(smtp_server, address=AUTHOR):
    """Send every message waiting (what the queue's worker does) and return what `address`
    received, oldest first."""
    waiting = OutgoingMail.objects.filter(status=OutgoingMail.Status.WAITING)
    mail.send(list(waiting.values_list("pk", flat=True)))
    return smtp_server.to(address)


def reference_by_hand(report):
    """LAP-, the year it was sent in Bojonegoro (UTC+7), the id on six digits."""
    sent = report.created_at.astimezone(zoneinfo.ZoneInfo("Asia/Jakarta"))
    return f"LAP-{sent.year}-{report.pk:06d}"


def path_of(url):
    assert url.startswith(BASE_URL + "/"), url
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def test_the_receipt_gives_the_reference_the_package_the_link_and_what_happens_next(
    smtp_server, package
):
    report = submit(package)

    (receipt,) = deliver(smtp_server)
    reference = reference_by_hand(report)
    assert receipt["Subject"] == f"Laporan {reference} sudah kami terima"
    # Transactional, yet automatic (RFC 3834): no unsubscribe header, an Auto-Submitted one.
    assert receipt["Auto-Submitted"] == "auto-generated"
    assert receipt["List-Unsubscribe"] is None
    assert receipt["To"] == AUTHOR
    # A receipt is no subscription: nothing to unsubscribe from.
    assert receipt["List-Unsubscribe"] is None
    text = text_part(receipt)
    # The receipt goes to whatever contact was typed: it quotes nothing typed (name included).
    assert text.startswith("Yth. Pelapor,\n") and "Lastri" not in text
    assert f"Nomor laporan: {reference}\n" in text
    # The title as written, not HTML-escaped, in the plain-text part.
    assert f"Paket: {TITLE}\n" in text
    assert "Perangkat daerah: Dinas Kesehatan\n" in text
    assert "Jenis: Kualitas pekerjaan\n" in text
    assert "diperiksa perangkat daerah" in text and "tidak diterbitkan" in text
    assert "Surel atau nomor telepon Anda tidak pernah dipublikasikan." in text
    # Why the author receives it, and where the address is kept.
    assert f"karena mengirim laporan warga {reference}" in text
    assert "Alamat Anda dipakai hanya untuk laporan ini: disimpan bersama laporan" in text
    html = html_part(receipt)
    assert reference in html and "Rehabilitasi Jalan &amp; Jembatan" in html
    assert "Apa selanjutnya" in html


def test_the_receipts_link_opens_the_authors_page_before_publication(smtp_server, package):
    report = submit(package)
    (receipt,) = deliver(smtp_server)
    links = URL.findall(text_part(receipt))
    assert len(links) == 1
    html_links = re.findall(r'href="([^"]+)"', html_part(receipt))
    assert [link.replace("&amp;", "&") for link in html_links] == links

    page = Client().get(path_of(links[0]))
    assert page.status_code == 200
    content = page.content.decode()
    assert reference_by_hand(report) in content
    assert BODY in content  # the author reads their unpublished text
    assert "Menunggu pemeriksaan perangkat daerah" in content
    assert AUTHOR not in content
    # Without the key, an unpublished report is nobody's business.
    assert Client().get(path_of(links[0]).split("?")[0]).status_code == 404


def test_publishing_then_answering_then_closing_sends_one_mail_each(smtp_server, package, operator):
    report = submit(package)
    reference = reference_by_hand(report)

    moderate(report, operator, Moderation.PUBLISHED)
    _, published = deliver(smtp_server)
    assert published["Subject"] == f"Laporan {reference} diterbitkan"
    text = text_part(published)
    assert "DITERBITKAN" in text and "atas nama Bu Lastri" in text
    assert "JAWABAN" not in text and "SELESAI" not in text
    assert published["List-Unsubscribe"] is None

    answer = "Penyedia kami minta memperbaiki talud dalam masa pemeliharaan."
    moderate(report, operator, Moderation.PUBLISHED, status=FollowUp.IN_PROGRESS, answer=answer)
    answered = deliver(smtp_server)[2]
    assert answered["Subject"] == f"Laporan {reference} dijawab perangkat daerah"
    text = text_part(answered)
    assert f"JAWABAN DINAS KESEHATAN\n{answer}\n" in text
    assert "DITERBITKAN" not in text
    assert answer in html_part(answered)

    moderate(report, operator, Moderation.PUBLISHED, status=FollowUp.DONE, answer=answer)
    closed = deliver(smtp_server)[3]
    assert closed["Subject"] == f"Laporan {reference} selesai ditindaklanjuti"
    text = text_part(closed)
    assert "TINDAK LANJUT SELESAI" in text and "JAWABAN" not in text
    assert len(smtp_server.to(AUTHOR)) == 4


def test_answering_and_closing_in_one_save_is_one_mail_saying_both(smtp_server, package, operator):
    report = submit(package)
    moderate(report, operator, Moderation.PUBLISHED)
    deliver(smtp_server)
    answer = "Perbaikan sudah selesai pada 3 Juni."

    moderate(report, operator, Moderation.PUBLISHED, status=FollowUp.DONE, answer=answer)

    received = deliver(smtp_server)
    assert len(received) == 3  # receipt, published, this one
    both = received[2]
    reference = reference_by_hand(report)
    assert both["Subject"] == (
        f"Laporan {reference} dijawab perangkat daerah dan selesai ditindaklanjuti"
    )
    text = text_part(both)
    assert answer in text and "TINDAK LANJUT SELESAI" in text


def test_publishing_with_an_answer_already_written_says_both(smtp_server, package, operator):
    report = submit(package)
    answer = "Sudah kami teruskan ke pengawas lapangan."
    # Answered while still waiting: not readable by anyone yet, so nothing is said.
    moderate(report, operator, Moderation.PENDING, answer=answer)
    assert len(deliver(smtp_server)) == 1
    assert not Change.objects.filter(process=package, kind=ChangeKind.REPORT).exists()

    moderate(report, operator, Moderation.PUBLISHED, answer=answer)

    (_, published) = deliver(smtp_server)
    reference = reference_by_hand(report)
    assert published["Subject"] == f"Laporan {reference} diterbitkan dan dijawab perangkat daerah"
    assert answer in text_part(published)
    (change,) = Change.objects.filter(process=package, kind=ChangeKind.REPORT)
    assert change.kind == ChangeKind.REPORT
    assert change.detail == {
        "laporan": reference,
        "jenis": "kualitas_pekerjaan",
        "tindak_lanjut": "baru",
        "diperbarui": False,
    }


def test_a_rejection_gives_the_reason_and_closes_the_report(smtp_server, package, operator):
    report = submit(package)
    reason = "Laporan memuat nomor telepon orang lain; kirim ulang tanpa data pribadi."

    # Rejected and marked done at once: the rejection already says it is closed.
    moderate(report, operator, Moderation.REJECTED, status=FollowUp.DONE, reason=reason)

    (_, rejected) = deliver(smtp_server)
    reference = reference_by_hand(report)
    assert rejected["Subject"] == f"Laporan {reference} tidak diterbitkan"
    text = text_part(rejected)
    assert f"Alasannya:\n{reason}\n" in text
    assert "laporan Anda ditutup" in text
    assert "SELESAI" not in text
    assert reason in html_part(rejected)
    # The reason is for the author only: the report is not public, its page shows nothing.
    assert Client().get(f"/laporan/{reference}/").status_code == 404
    package_page = Client().get(reverse("contracts:process-detail", args=[package.pk]))
    assert reason not in package_page.content.decode()
    assert not Change.objects.filter(process=package, kind=ChangeKind.REPORT).exists()


def test_a_save_that_changes_nothing_sends_nothing(smtp_server, package, operator):
    report = submit(package)
    answer = "Sedang kami periksa."
    moderate(report, operator, Moderation.PUBLISHED, status=FollowUp.IN_PROGRESS, answer=answer)
    assert len(deliver(smtp_server)) == 2
    changes = Change.objects.count()

    moderate(report, operator, Moderation.PUBLISHED, status=FollowUp.IN_PROGRESS, answer=answer)
    # Trailing blanks are stripped by the service: the same answer again.
    moderate(
        report, operator, Moderation.PUBLISHED, status=FollowUp.IN_PROGRESS, answer=answer + "  "
    )
    # A status that is neither done nor a verdict is not news for the author.
    moderate(report, operator, Moderation.PUBLISHED, status=FollowUp.NEW, answer=answer)

    assert not OutgoingMail.objects.filter(status=OutgoingMail.Status.WAITING).exists()
    assert len(deliver(smtp_server)) == 2
    assert Change.objects.count() == changes


def test_a_phone_number_or_a_broken_address_gets_no_mail_and_breaks_nothing(
    smtp_server, package, operator
):
    by_phone = submit(package, contact=PHONE)
    # An older row whose contact looks like an address but is not one.
    broken = Report.objects.create(
        process=package, topic="lainnya", body=BODY, contact="warga@@contoh"
    )
    for report in (by_phone, broken):
        moderate(report, operator, Moderation.PUBLISHED, status=FollowUp.DONE, answer="Beres.")
        report.refresh_from_db()
        assert report.moderation == Moderation.PUBLISHED and report.answer == "Beres."

    assert not OutgoingMail.objects.exists()
    # Followers still learn of both answers: the change does not depend on the author's mail.
    assert Change.objects.filter(process=package, kind=ChangeKind.REPORT).count() == 2
    deliver(smtp_server)
    assert smtp_server.messages == []


def test_a_rolled_back_moderation_or_submission_queues_nothing(smtp_server, package, operator):
    report = submit(package)
    deliver(smtp_server)
    jobs = ProcrastinateJob.objects.filter(task_name="alerts.tasks.send_mail").count()

    class Refused(Exception):
        pass

    with pytest.raises(Refused), transaction.atomic():
        moderate(report, operator, Moderation.PUBLISHED, status=FollowUp.DONE, answer="Beres.")
        assert OutgoingMail.objects.filter(status=OutgoingMail.Status.WAITING).count() == 1
        raise Refused
    with pytest.raises(Refused), transaction.atomic():
        submit(package)
        raise Refused

    assert not OutgoingMail.objects.filter(status=OutgoingMail.Status.WAITING).exists()
    assert ProcrastinateJob.objects.filter(task_name="alerts.tasks.send_mail").count() == jobs
    assert not Change.objects.filter(kind=ChangeKind.REPORT).exists()
    report.refresh_from_db()
    assert report.moderation == Moderation.PENDING
    assert len(deliver(smtp_server)) == 1  # the receipt only


def test_the_status_mails_links_open_the_report_and_its_package(smtp_server, package, operator):
    report = submit(package)
    answer = "Sudah diperbaiki."
    moderate(report, operator, Moderation.PUBLISHED, status=FollowUp.DONE, answer=answer)
    status_mail = deliver(smtp_server)[1]

    follow_url, package_url = URL.findall(text_part(status_mail))
    assert package_url == BASE_URL + reverse("contracts:process-detail", args=[package.pk])
    visitor = Client()
    report_page = visitor.get(path_of(follow_url)).content.decode()
    assert reference_by_hand(report) in report_page and answer in report_page
    assert "Selesai" in report_page
    package_page = visitor.get(path_of(package_url)).content.decode()
    assert "Rehabilitasi Jalan &amp; Jembatan" in package_page and answer in package_page
    # The mail went to the contact; no public page shows it.
    for page in (
        report_page,
        package_page,
        visitor.get(f"/laporan/{reference_by_hand(report)}/").content.decode(),
    ):
        assert AUTHOR not in page and "pelapor.rahasia" not in page


def test_every_moderation_path_of_the_admin_sends_the_same_mail(smtp_server, package, operator):
    by_form = submit(package, name="Pak Budi")
    first, second = submit(package, name="Bu Sri"), submit(package, name="")
    client = Client()
    client.force_login(operator)
    change_url = reverse("admin:participation_report_change", args=[by_form.pk])
    answer = "Tim kami turun ke lokasi minggu ini."

    response = client.post(
        change_url,
        {"moderation": "terbit", "rejection_reason": "", "status": "selesai", "answer": answer},
    )
    assert response.status_code == 302
    # Saved again unchanged from the admin: nothing more.
    client.post(
        change_url,
        {"moderation": "terbit", "rejection_reason": "", "status": "selesai", "answer": answer},
    )
    response = client.post(
        reverse("admin:participation_report_changelist"),
        {"action": "publish_selected", "_selected_action": [first.pk, second.pk]},
    )
    assert response.status_code == 302

    waiting = OutgoingMail.objects.filter(status=OutgoingMail.Status.WAITING)
    assert waiting.count() == 6  # three receipts, three status mails
    received = deliver(smtp_server)
    subjects = [message["Subject"] for message in received]
    assert subjects == [
        f"Laporan {reference_by_hand(by_form)} sudah kami terima",
        f"Laporan {reference_by_hand(first)} sudah kami terima",
        f"Laporan {reference_by_hand(second)} sudah kami terima",
        f"Laporan {reference_by_hand(by_form)} diterbitkan, dijawab perangkat daerah "
        "dan selesai ditindaklanjuti",
        f"Laporan {reference_by_hand(first)} diterbitkan",
        f"Laporan {reference_by_hand(second)} diterbitkan",
    ]
    assert "Yth. Pelapor," in text_part(received[5])  # never the name typed
    assert answer in text_part(received[3])


def test_a_published_report_rejected_later_says_it_is_no_longer_shown(
    smtp_server, package, operator
):
    report = submit(package)
    moderate(report, operator, Moderation.PUBLISHED)
    reason = "Ternyata menyebut nama warga lain."

    moderate(report, operator, Moderation.REJECTED, reason=reason)

    withdrawn = deliver(smtp_server)[2]
    reference = reference_by_hand(report)
    assert withdrawn["Subject"] == f"Laporan {reference} tidak lagi diterbitkan"
    text = text_part(withdrawn)
    assert "TIDAK LAGI DITERBITKAN" in text and f"Alasannya:\n{reason}\n" in text
    # Published again after a correction: the author hears of it.
    moderate(report, operator, Moderation.PUBLISHED)
    assert deliver(smtp_server)[3]["Subject"] == f"Laporan {reference} diterbitkan"


def test_what_the_citizen_wrote_is_text_in_the_mail_never_markup(smtp_server, package, operator):
    name = '<img src=x onerror="alert(1)"> Rina'
    report = submit(package, name=name)
    moderate(report, operator, Moderation.PUBLISHED, answer="Baik & segera <b>diperbaiki</b>.")

    receipt, status_mail = deliver(smtp_server)
    # The receipt (before moderation) quotes no name at all; once published, the status mail
    # says the name shown, as text.
    assert "Rina" not in text_part(receipt) and "Rina" not in html_part(receipt)
    assert f"atas nama {name}." in text_part(status_mail)
    html = html_part(status_mail)
    assert "<img" not in html and "&lt;img src=x" in html
    assert "Baik & segera <b>diperbaiki</b>." in text_part(status_mail)
    assert "Baik &amp; segera &lt;b&gt;diperbaiki&lt;/b&gt;." in html_part(status_mail)


def send_form(client, package, contact):
    """Post the package page's report form as a browser would; the page where it lands."""
    response = client.post(
        reverse("participation:report", args=[package.pk]),
        {
            "topic": "komentar",
            "body": BODY,
            "place": "",
            "name": "",
            "contact": contact,
            "key": str(uuid.uuid4()),
        },
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_after_sending_says_a_receipt_was_mailed_without_showing_the_address(
    client, package
):
    by_mail = send_form(client, package, AUTHOR)
    assert 'data-receipt="dikirim"' in by_mail and AUTHOR not in by_mail
    by_phone = send_form(client, package, PHONE)
    assert "data-receipt" not in by_phone and "3456" not in by_phone
    assert OutgoingMail.objects.filter(to=AUTHOR).count() == 1
    assert OutgoingMail.objects.count() == 1


def test_one_address_gets_a_limited_number_of_receipts_a_day_but_every_status_mail(
    client, settings, smtp_server, package, operator
):
    settings.REPORT_RECEIPT_RATE_LIMIT = (2, 86400)
    settings.REPORT_RATE_LIMIT = (10, 3600)
    pages = [send_form(client, package, address) for address in (AUTHOR, AUTHOR.upper(), AUTHOR)]

    assert ['data-receipt="dikirim"' in page for page in pages] == [True, True, False]
    assert 'data-receipt="dibatasi"' in pages[2] and "Simpan tautan di atas" in pages[2]
    assert Report.objects.filter(process=package).count() == 3  # the report itself is kept
    assert len(deliver(smtp_server)) == 2
    # The count is kept under a keyed hash, never the address.
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM opendata_ratecounter WHERE key LIKE 'laporan-tanda%%'")
        (key,) = [row[0] for row in cursor.fetchall()]
    assert "contoh" not in key.lower() and "pelapor" not in key.lower()

    third = Report.objects.filter(process=package).order_by("pk").last()
    moderate(third, operator, Moderation.PUBLISHED)
    assert deliver(smtp_server)[-1]["Subject"] == f"Laporan {reference_by_hand(third)} diterbitkan"


def test_a_rewritten_answer_is_sent_again_as_updated(smtp_server, package, operator):
    report = submit(package)
    moderate(report, operator, Moderation.PUBLISHED, answer="Akan kami cek minggu depan.")
    corrected = "Sudah kami cek: talud diperbaiki penyedia mulai Senin."

    moderate(report, operator, Moderation.PUBLISHED, answer=corrected)

    updated = deliver(smtp_server)[2]
    assert updated["Subject"] == f"Laporan {reference_by_hand(report)} jawabannya diperbarui"
    assert f"JAWABAN DINAS KESEHATAN (DIPERBARUI)\n{corrected}\n" in text_part(updated)
    # Followers hear of each answer they can read on the package's page.
    first, second = Change.objects.filter(process=package, kind=ChangeKind.REPORT).order_by("pk")
    assert (first.detail["diperbarui"], second.detail["diperbarui"]) == (False, True)
