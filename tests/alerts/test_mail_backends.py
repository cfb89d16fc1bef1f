"""Sending over any Django backend, and no message left waiting silently: an unexpected error
is counted and retried, two jobs never send one message twice, a message whose job was lost is
deferred again."""

import datetime
import email
import email.policy
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from alerts import mail
from alerts.models import OutgoingMail
from tests.mailserver import html_part, text_part
from tests.workers import jobs_db, run_queued_jobs

SEND = "alerts.tasks.send_mail"


def _queue(to, **extra):
    return mail.queue(
        to=to, subject="Kabar paket", text="Isi teks\n", html="<p>Isi HTML</p>", **extra
    )


@pytest.mark.django_db
def test_the_file_backend_of_a_local_run_writes_the_message(settings, tmp_path):
    # What `make run` uses without EMAIL_URL: files under var/mail (here tmp_path).
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path
    settings.DEFAULT_FROM_EMAIL = "Open Data Kontrak <noreply@bojonegorokab.go.id>"
    first = _queue("Warga@Contoh.id", headers=mail.unsubscribe_headers("https://p.example/x/"))
    second = _queue("tetangga@contoh.id")

    mail.send([first.pk, second.pk])

    (written,) = tmp_path.iterdir()  # one file per connection: both messages, one after other
    raw = written.read_bytes()
    parts = [chunk for chunk in raw.split(b"-" * 79 + b"\n") if chunk.strip()]
    assert len(parts) == 2
    received = [email.message_from_bytes(part, policy=email.policy.default) for part in parts]
    assert [str(m["To"]) for m in received] == ["warga@contoh.id", "tetangga@contoh.id"]
    assert received[0]["Subject"] == "Kabar paket"
    assert text_part(received[0]) == "Isi teks\n"
    assert html_part(received[0]).strip() == "<p>Isi HTML</p>"
    assert received[0]["List-Unsubscribe"] == "<https://p.example/x/>"
    assert str(received[0]["Message-ID"]).endswith("@bojonegorokab.go.id>")
    assert set(OutgoingMail.objects.values_list("status", "attempts")) == {("terkirim", 1)}


@pytest.mark.django_db
def test_the_message_id_names_the_senders_domain_not_the_machine(smtp_server, settings):
    settings.DEFAULT_FROM_EMAIL = "Portal Uji <kabar@kontrak.contoh.id>"
    mail.send([_queue("warga@contoh.id").pk])
    (received,) = smtp_server.to("warga@contoh.id")
    message_id = str(received["Message-ID"])
    assert message_id.startswith("<") and message_id.endswith("@kontrak.contoh.id>")


@pytest.mark.django_db
def test_an_unexpected_error_is_counted_kept_and_retried_until_the_last_attempt(smtp_server):
    # A header holding a line break: Django refuses to compose it (BadHeaderError), an error
    # no SMTP exception covers. It used to leave the message waiting, untried, unexplained.
    broken = _queue("rusak@contoh.id", headers={"X-Catatan": "satu\nDua: dua"})
    fine = _queue("lancar@contoh.id")

    with pytest.raises(mail.TemporaryFailure):
        mail.send([broken.pk, fine.pk])

    broken.refresh_from_db()
    assert broken.status == OutgoingMail.Status.WAITING and broken.attempts == 1
    assert broken.last_error.startswith("BadHeaderError: ")
    assert len(smtp_server.to("lancar@contoh.id")) == 1  # the rest of the batch went
    for _ in range(2, mail.MAIL_ATTEMPTS):
        with pytest.raises(mail.TemporaryFailure):
            mail.send([broken.pk])
    mail.send([broken.pk])  # the fifth attempt gives up for good, without raising
    broken.refresh_from_db()
    assert broken.status == OutgoingMail.Status.FAILED and broken.attempts == 5
    assert smtp_server.to("rusak@contoh.id") == []


@jobs_db
def test_a_message_another_job_is_sending_is_left_to_it(smtp_server):
    queued = _queue("sekali@contoh.id")
    locked, release = threading.Event(), threading.Event()

    def other_job():
        # Another worker holding the row, as send() does while it sends the message.
        try:
            with transaction.atomic():
                OutgoingMail.objects.select_for_update().get(pk=queued.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=other_job)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        mail.send([queued.pk])  # skips the locked row: does not wait, does not send
        assert smtp_server.to("sekali@contoh.id") == []
        queued.refresh_from_db()
        assert queued.status == OutgoingMail.Status.WAITING and queued.attempts == 0
    finally:
        release.set()
        holder.join()
    mail.send([queued.pk])
    mail.send([queued.pk])  # a second job given it later finds it sent
    assert len(smtp_server.to("sekali@contoh.id")) == 1


@jobs_db
def test_a_message_whose_job_was_lost_is_deferred_again_after_an_hour(smtp_server):
    lost = _queue("hilang-job@contoh.id")
    held = _queue("masih-antre@contoh.id")
    recent = _queue("baru@contoh.id")
    # The first message's job died (a worker killed mid-job: marked failed, never retried).
    ProcrastinateJob.objects.filter(task_name=SEND, args={"mail_ids": [lost.pk]}).update(
        status="failed"
    )
    ProcrastinateJob.objects.filter(task_name=SEND, args={"mail_ids": [recent.pk]}).delete()
    two_hours_ago = timezone.now() - datetime.timedelta(hours=2)
    OutgoingMail.objects.filter(pk__in=[lost.pk, held.pk]).update(created_at=two_hours_ago)

    # `recent` lost its job too, but is younger than an hour: not yet.
    assert mail.requeue_stalled() == 1
    todo = ProcrastinateJob.objects.filter(task_name=SEND, status="todo")
    ours = [lost.pk, held.pk, recent.pk]
    assert sorted(job.args["mail_ids"] for job in todo if job.args["mail_ids"][0] in ours) == [
        [lost.pk],
        [held.pk],
    ]
    assert mail.requeue_stalled() == 0  # now held by a live job

    run_queued_jobs()
    assert len(smtp_server.to("hilang-job@contoh.id")) == 1
    assert len(smtp_server.to("masih-antre@contoh.id")) == 1
    assert smtp_server.to("baru@contoh.id") == []
    # An hour on, its turn comes.
    later = timezone.now() + datetime.timedelta(hours=1, minutes=1)
    assert mail.requeue_stalled(now=later) == 1
    run_queued_jobs()
    assert len(smtp_server.to("baru@contoh.id")) == 1


def test_the_stalled_mail_is_looked_for_every_ten_minutes_one_job_at_a_time():
    from procrastinate.contrib.django import app

    (periodic,) = [
        task
        for task in app.periodic_registry.periodic_tasks.values()
        if task.task.name == "alerts.tasks.requeue_stalled_mail"
    ]
    assert periodic.cron == "*/10 * * * *"
    assert periodic.task.queueing_lock == "alerts-requeue-mail"


def test_a_message_is_retried_within_two_hours_not_days():
    from procrastinate.jobs import Job

    from alerts.tasks import SEND_RETRY

    def wait(attempts):
        job = Job(
            id=1, queue="default", lock=None, queueing_lock=None, task_name=SEND, attempts=attempts
        )
        decision = SEND_RETRY.get_retry_decision(exception=mail.TemporaryFailure("x"), job=job)
        return decision and decision.retry_at

    now = timezone.now()
    waits = [(wait(n) - now).total_seconds() for n in range(4)]
    # 8 s, 64 s, 8 min 32 s, 68 min 16 s: the fifth attempt about 78 minutes after the first.
    assert [round(w) for w in waits] == [8, 64, 512, 4096]
    assert wait(mail.MAIL_ATTEMPTS) is None  # then no more: send() failed it for good
