"""Sending through a real SMTP server (aiosmtpd): delivery, retries, refusals, suspension."""

import pytest

from alerts import mail
from alerts.models import OutgoingMail, Subscriber
from tests.mailserver import text_part

pytestmark = pytest.mark.django_db


def _queue(to, subscriber=None, **extra):
    return mail.queue(
        to=to,
        subject="Kabar paket",
        text="Isi teks\n",
        html="<p>Isi HTML</p>",
        subscriber=subscriber,
        **extra,
    )


def test_a_queued_message_arrives_with_both_parts_and_its_headers(smtp_server):
    queued = _queue(
        "Warga@Contoh.id",
        headers=mail.unsubscribe_headers("https://portal.example/langganan/berhenti/x/"),
    )
    mail.send([queued.pk])

    (received,) = smtp_server.to("warga@contoh.id")
    assert received["Subject"] == "Kabar paket"
    assert text_part(received) == "Isi teks\n"
    assert received.get_body(preferencelist=("html",)).get_content().strip() == "<p>Isi HTML</p>"
    assert received["List-Unsubscribe"] == "<https://portal.example/langganan/berhenti/x/>"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Automatic mail (RFC 3834), whatever kind: auto-responders stay quiet.
    assert received["Auto-Submitted"] == "auto-generated"
    queued.refresh_from_db()
    assert queued.status == OutgoingMail.Status.SENT and queued.attempts == 1
    # Sent once: a second run of the same job sends nothing again.
    mail.send([queued.pk])
    assert len(smtp_server.to("warga@contoh.id")) == 1


def test_a_recipient_refused_for_good_fails_at_once_and_counts_against_the_address(
    smtp_server, settings
):
    settings.ALERT_MAX_FAILURES = 3
    subscriber = Subscriber.objects.create(email="hilang@contoh.id")
    smtp_server.refuse_for_good.add("hilang@contoh.id")
    ok = Subscriber.objects.create(email="ada@contoh.id")
    batch = [_queue("hilang@contoh.id", subscriber).pk, _queue("ada@contoh.id", ok).pk]

    mail.send(batch)  # no retry: the refusal is final

    refused, delivered = OutgoingMail.objects.filter(pk__in=batch).order_by("pk")
    assert refused.status == OutgoingMail.Status.FAILED and "550" in refused.last_error
    assert delivered.status == OutgoingMail.Status.SENT
    subscriber.refresh_from_db()
    assert subscriber.failures == 1 and subscriber.suspended_at is None


def test_the_third_failure_in_a_row_suspends_the_address_and_cancels_its_waiting_mail(
    smtp_server, settings
):
    settings.ALERT_MAX_FAILURES = 3
    subscriber = Subscriber.objects.create(email="penuh@contoh.id")
    smtp_server.refuse_for_good.add("penuh@contoh.id")
    for _ in range(3):
        mail.send([_queue("penuh@contoh.id", subscriber).pk])
        subscriber.refresh_from_db()
    assert subscriber.failures == 3 and subscriber.suspended_at is not None
    assert _queue("penuh@contoh.id", subscriber) is None  # nothing more is queued
    smtp_server.refuse_for_good.clear()
    assert smtp_server.to("penuh@contoh.id") == []


def test_a_delivery_resets_the_count_of_failures(smtp_server):
    subscriber = Subscriber.objects.create(email="kadang@contoh.id", failures=2)
    mail.send([_queue("kadang@contoh.id", subscriber).pk])
    subscriber.refresh_from_db()
    assert subscriber.failures == 0


def test_a_temporary_refusal_is_retried_and_sends_only_what_is_still_waiting(smtp_server):
    smtp_server.refuse_for_now.add("sibuk@contoh.id")
    batch = [_queue("sibuk@contoh.id").pk, _queue("lancar@contoh.id").pk]
    with pytest.raises(mail.TemporaryFailure):
        mail.send(batch)
    waiting, sent = OutgoingMail.objects.filter(pk__in=batch).order_by("pk")
    assert waiting.status == OutgoingMail.Status.WAITING and waiting.attempts == 1
    assert "451" in waiting.last_error
    assert sent.status == OutgoingMail.Status.SENT

    smtp_server.refuse_for_now.clear()
    mail.send(batch)  # the queue's retry
    assert len(smtp_server.to("sibuk@contoh.id")) == 1
    assert len(smtp_server.to("lancar@contoh.id")) == 1


def test_a_server_that_is_down_leaves_the_mail_waiting_until_the_last_attempt(smtp_server):
    queued = _queue("sabar@contoh.id")
    smtp_server.server.stop()
    for attempt in range(1, mail.MAIL_ATTEMPTS):
        with pytest.raises(mail.TemporaryFailure):
            mail.send([queued.pk])
        queued.refresh_from_db()
        assert queued.status == OutgoingMail.Status.WAITING and queued.attempts == attempt
    mail.send([queued.pk])  # the last attempt gives up, without raising
    queued.refresh_from_db()
    assert queued.status == OutgoingMail.Status.FAILED
    assert queued.attempts == mail.MAIL_ATTEMPTS


def test_queueing_defers_one_job_per_batch(settings):
    from procrastinate.contrib.django.models import ProcrastinateJob

    before = ProcrastinateJob.objects.filter(task_name="alerts.tasks.send_mail").count()
    count = mail.queue_many(
        {"to": f"warga{n}@contoh.id", "subject": "s", "text": "t"}
        for n in range(mail.SEND_BATCH * 2 + 1)
    )
    assert count == mail.SEND_BATCH * 2 + 1
    jobs = ProcrastinateJob.objects.filter(task_name="alerts.tasks.send_mail")
    assert jobs.count() - before == 3
    # Every message stored is in exactly one job, a hundred to a job.
    batches = [job.args["mail_ids"] for job in jobs.order_by("id")][-3:]
    assert [len(batch) for batch in batches] == [100, 100, 1]
    queued = set(OutgoingMail.objects.filter(to__startswith="warga").values_list("pk", flat=True))
    assert sorted(pk for batch in batches for pk in batch) == sorted(queued)
