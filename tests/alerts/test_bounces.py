"""manage.py catat_pantulan: delivery status notifications that arrive after the sending."""

import io
import sys
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest
from django.core.management import CommandError, call_command

from alerts.models import Subscriber

pytestmark = pytest.mark.django_db


def _block(**fields):
    block = Message()
    for name, value in fields.items():
        block[name.replace("_", "-")] = value
    return block


def delivery_report():
    """A DSN as Postfix returns it (RFC 3464): one recipient failed for good, one delayed."""
    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"] = "MAILER-DAEMON@mx.contoh.id (Mail Delivery System)"
    report["To"] = "noreply@bojonegorokab.go.id"
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report.attach(MIMEText("Pesan Anda tidak dapat dikirim ke satu penerima atau lebih.\n"))
    status = Message()
    status.set_type("message/delivery-status")
    status.set_payload(
        [
            _block(Reporting_MTA="dns; mx.contoh.id", Arrival_Date="Tue, 1 Dec 2026 06:00:00"),
            _block(
                Final_Recipient="rfc822; Hilang@Contoh.id",
                Original_Recipient="rfc822;hilang@contoh.id",
                Action="failed",
                Status="5.1.1",
                Diagnostic_Code="smtp; 550 5.1.1 <hilang@contoh.id>: User unknown",
            ),
            _block(
                Final_Recipient="rfc822; lambat@contoh.id",
                Action="delayed",
                Status="4.4.1",
            ),
        ]
    )
    report.attach(status)
    original = MIMEText("Ringkasan harian ...\n")
    original["To"] = "hilang@contoh.id"
    headers = Message()
    headers.set_type("text/rfc822-headers")
    headers.set_payload(original.as_string().split("\n\n")[0] + "\n")
    report.attach(headers)
    return report.as_bytes()


def test_a_failed_recipient_of_a_bounce_read_from_a_file_is_counted_and_suspended(
    tmp_path, settings
):
    settings.ALERT_MAX_FAILURES = 3
    gone = Subscriber.objects.create(email="hilang@contoh.id", failures=2)
    late = Subscriber.objects.create(email="lambat@contoh.id")
    path = tmp_path / "pantulan.eml"
    path.write_bytes(delivery_report())
    out = io.StringIO()

    call_command("catat_pantulan", str(path), stdout=out)

    gone.refresh_from_db()
    assert gone.failures == 3 and gone.suspended_at is not None
    assert gone.last_failure == "5.1.1 smtp; 550 5.1.1 <hilang@contoh.id>: User unknown"
    late.refresh_from_db()
    assert late.failures == 0  # a delay is no failure
    assert out.getvalue() == (
        "Hilang@Contoh.id: gagal ke-3, alamat ditangguhkan "
        "(5.1.1 smtp; 550 5.1.1 <hilang@contoh.id>: User unknown).\n"
    )


def test_a_bounce_piped_on_standard_input_is_read(monkeypatch):
    Subscriber.objects.create(email="hilang@contoh.id")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(delivery_report())))
    out = io.StringIO()
    call_command("catat_pantulan", stdout=out)
    assert Subscriber.objects.get(email="hilang@contoh.id").failures == 1
    assert out.getvalue().startswith("Hilang@Contoh.id: gagal ke-1 (5.1.1")


def test_an_ordinary_mail_or_a_missing_file_is_named_and_records_nothing(tmp_path, monkeypatch):
    Subscriber.objects.create(email="hilang@contoh.id")
    ordinary = MIMEText("Terima kasih atas kabarnya.\n")
    ordinary["From"] = "hilang@contoh.id"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(ordinary.as_bytes())))
    err = io.StringIO()
    call_command("catat_pantulan", stderr=err)
    assert "Bukan laporan kegagalan pengiriman" in err.getvalue()
    assert Subscriber.objects.get(email="hilang@contoh.id").failures == 0
    with pytest.raises(CommandError, match="tidak dapat dibaca"):
        call_command("catat_pantulan", str(tmp_path / "tidak-ada.eml"))
