"""A report from the real form to the author's mailbox, with nothing in between faked: the
form posted by the test client, the job queue's worker sending, a real SMTP server receiving."""

import re
import uuid
import zoneinfo
from urllib.parse import urlsplit

from django.test import Client
from django.urls import reverse

from agencies.models import Agency
from alerts.models import OutgoingMail
from contracts import services as contract_services
from participation.models import Report
from tests.factories import make_operator, make_process, planning_fields
from tests.mailserver import text_part
from tests.workers import jobs_db, load_migrated_data, run_queued_jobs

AUTHOR = "Warga.Dander@Contoh.id"
BODY = "Aspal di depan balai desa sudah mengelupas sebulan setelah selesai."


@jobs_db
def test_a_report_sent_from_the_form_brings_its_receipt_then_its_answer(smtp_server):
    load_migrated_data()
    health = Agency.objects.get(code="dinas-kesehatan")
    operator = make_operator(health)
    package = make_process(health, **planning_fields(title="Pengaspalan Jalan Desa Dander"))
    contract_services.publish_process(process=package, by=operator)
    run_queued_jobs()  # whatever publishing queued, so that only the mail is left
    citizen = Client()

    response = citizen.post(
        reverse("participation:report", args=[package.pk]),
        {
            "topic": "kualitas_pekerjaan",
            "body": BODY,
            "place": "Desa Dander",
            "name": "",
            "contact": AUTHOR,
            "key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    report = Report.objects.get()
    sent = report.created_at.astimezone(zoneinfo.ZoneInfo("Asia/Jakarta"))
    reference = f"LAP-{sent.year}-{report.pk:06d}"
    # Queued with the report, not sent by the request.
    assert smtp_server.messages == []
    assert OutgoingMail.objects.get().status == OutgoingMail.Status.WAITING

    run_queued_jobs()

    (receipt,) = smtp_server.to(AUTHOR)
    assert receipt["To"] == AUTHOR.lower()
    assert receipt["Subject"] == f"Laporan {reference} sudah kami terima"
    text = text_part(receipt)
    assert f"Nomor laporan: {reference}\n" in text
    assert "Paket: Pengaspalan Jalan Desa Dander\n" in text
    # The link in the mail is the one the confirmation page gave.
    (link,) = re.findall(r"https?://\S+", text)
    parts = urlsplit(link)
    landing = urlsplit(response["Location"])
    assert parts.path == landing.path
    assert f"{parts.query}&surel=1&terkirim=1" == landing.query
    page = citizen.get(f"{parts.path}?{parts.query}")
    assert page.status_code == 200 and BODY in page.content.decode()
    assert OutgoingMail.objects.get().status == OutgoingMail.Status.SENT

    # The operator publishes and answers from the admin; the worker sends one mail for both.
    desk = Client()
    desk.force_login(operator)
    answer = "Penyedia akan mengaspal ulang dalam masa pemeliharaan."
    response = desk.post(
        reverse("admin:participation_report_change", args=[report.pk]),
        {
            "moderation": "terbit",
            "rejection_reason": "",
            "status": "ditindaklanjuti",
            "answer": answer,
        },
    )
    assert response.status_code == 302
    run_queued_jobs()

    _, status_mail = smtp_server.to(AUTHOR)
    assert status_mail["Subject"] == f"Laporan {reference} diterbitkan dan dijawab perangkat daerah"
    assert answer in text_part(status_mail)
    public_page = citizen.get(reverse("participation:follow", args=[reference])).content.decode()
    assert answer in public_page and AUTHOR.lower() not in public_page.lower()
