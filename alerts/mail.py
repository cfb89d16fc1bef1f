"""Composing, queueing and sending the portal's mail (alerts, confirmations, report receipts).

`render(name, context)` composes a message from templates/alerts/mail/<name>_subject.txt,
<name>.txt (the plain-text part every message has) and <name>.html. `queue(...)` stores it as
an OutgoingMail and defers its sending on the job queue (alerts.tasks.send_mail) in the caller's
transaction: a request never talks to the mail server, and a rolled-back change sends nothing.
`queue_many(...)` does the same for thousands at once (one COPY-like bulk insert, one job per
SEND_BATCH messages). `send(ids)` runs in the worker, over one connection per batch.

Failures: a recipient the server refuses for good (SMTP 5xx) fails the message at once; any
other error (the server down, a 4xx, an unexpected one) is counted and kept on the message and
retried by the queue (MAIL_ATTEMPTS in all) before the message fails. A message whose job was
lost is deferred again after an hour (requeue_stalled, every ten minutes): none waits forever.
Each failed message counts against its subscriber (`record_failure`); after ALERT_MAX_FAILURES
in a row the address is suspended and nothing more is sent to it. A delivery
resets the count. Bounces that arrive later as delivery reports go through `record_failure`
too (manage.py catat_pantulan).
"""

import contextlib
import datetime
import email.utils
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from alerts.models import OutgoingMail, Subscriber
from opendata_kontrak.text import printable

MAIL_ATTEMPTS = 5
SEND_BATCH = 100


def render(name, context, *, language=None):
    """(subject, text, html) of the mail `name` with `context` (plus the portal's settings
    as `portal`), all three written in `language` ("id", "en"; the active language when
    None): a mail goes in the language its reader asked in, whatever the language of the
    request or worker composing it. The subject is one line of printable text; the text and
    HTML parts keep their line breaks and tabs but no other control character (an old
    title's ESC or NEL)."""
    context = {"portal": settings.PORTAL, **context}
    with translation.override(language or translation.get_language()):
        subject = " ".join(render_to_string(f"alerts/mail/{name}_subject.txt", context).split())
        text = render_to_string(f"alerts/mail/{name}.txt", context)
        html = render_to_string(f"alerts/mail/{name}.html", context)
    return printable(subject), printable(text), printable(html)


def unsubscribe_headers(url):
    """RFC 2369 / RFC 8058 one-click unsubscribe: a POST of "List-Unsubscribe=One-Click" to
    `url` ends the subscription, without a page in between."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


# Every message the portal sends is automatic (RFC 3834): auto-responders stay quiet.
AUTOMATIC = {"Auto-Submitted": "auto-generated"}


def _row(to, subject, text, html="", headers=None, subscriber=None):
    headers = {**AUTOMATIC, **(headers or {})}
    return OutgoingMail(
        to=to.strip().lower(),
        subscriber=subscriber,
        subject=subject[:300],
        text=text,
        html=html,
        headers=headers or {},
    )


def queue(*, to, subject, text, html="", headers=None, subscriber=None):
    """Store one message and defer its sending; returns the OutgoingMail. Nothing is queued
    for a suspended subscriber (returns None)."""
    if subscriber is not None and subscriber.suspended_at is not None:
        return None
    mail = _row(to, subject, text, html, headers, subscriber)
    mail.save()
    _defer([mail.pk])
    return mail


def queue_many(messages):
    """Store many messages (dicts of queue()'s arguments) and defer them SEND_BATCH to a job;
    returns how many were stored. Suspended subscribers' messages are left out."""
    rows = [
        _row(**message)
        for message in messages
        if message.get("subscriber") is None or message["subscriber"].suspended_at is None
    ]
    created = OutgoingMail.objects.bulk_create(rows, batch_size=1000)
    ids = [mail.pk for mail in created]
    _defer(ids)
    return len(ids)


def _defer(ids):
    from alerts.tasks import send_mail

    batches = [ids[start : start + SEND_BATCH] for start in range(0, len(ids), SEND_BATCH)]
    if len(batches) == 1:
        send_mail.defer(mail_ids=batches[0])
    elif batches:
        send_mail.batch_defer(*({"mail_ids": batch} for batch in batches))


class TemporaryFailure(Exception):
    """Some messages of a batch could not be sent yet; the queue retries the batch (those
    sent or failed for good are not sent again)."""


def sender_domain():
    """The domain of DEFAULT_FROM_EMAIL ("bojonegorokab.go.id"): the Message-ID's right-hand
    side, so a message's id names the portal that sent it, not the worker's host name."""
    address = email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "localhost"


def _message(mail, connection):
    headers = dict(mail.headers)
    headers.setdefault("Message-ID", email.utils.make_msgid(domain=sender_domain()))
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.text,
        to=[mail.to],
        headers=headers,
        connection=connection,
    )
    if mail.html:
        message.attach_alternative(mail.html, "text/html")
    return message


def _permanent(error):
    """Whether the server refused the recipient for good (5xx), not just for now."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500 and not isinstance(error, smtplib.SMTPServerDisconnected)
    return False


def send(mail_ids):
    """Send the waiting messages among `mail_ids`, over any Django mail backend (SMTP, the
    file backend of a local run, …). Raises TemporaryFailure after trying them all when any
    could be sent later (MAIL_ATTEMPTS not yet reached).

    Each message is taken in a short transaction of its own, its row locked (skip_locked): two
    jobs given the same message (a retry beside a re-deferred job) never both send it. Any
    error — a refusal, the server down, a bug in a backend — counts an attempt and is kept in
    `last_error`; only a recipient refused for good (5xx) or the last attempt fails it."""
    retry = False
    connection = get_connection(fail_silently=False)
    try:
        for pk in sorted(mail_ids):
            with transaction.atomic():
                mail = (
                    OutgoingMail.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("subscriber")
                    .filter(pk=pk, status=OutgoingMail.Status.WAITING)
                    .first()
                )
                if mail is not None:
                    retry |= _send_one(mail, connection)
    finally:
        _close(connection)
    if retry:
        raise TemporaryFailure(f"sebagian surel belum terkirim: {list(mail_ids)[:5]}…")


def _send_one(mail, connection):
    """Send one locked, waiting message; returns whether it is left to be retried."""
    if mail.subscriber is not None and mail.subscriber.suspended_at is not None:
        _finish(mail, OutgoingMail.Status.CANCELLED, "alamat ditangguhkan")
        return False
    try:
        # Idempotent on Django's backends (SMTP, file, memory): a session is opened once and
        # reused for the batch, and opened again after a failure closed it.
        connection.open()
        _message(mail, connection).send()
    except Exception as error:  # any error is recorded, never lost
        attempts = mail.attempts + 1
        # A refused recipient may leave the session unusable: start a fresh one.
        _close(connection)
        if _permanent(error) or attempts >= MAIL_ATTEMPTS:
            _finish(mail, OutgoingMail.Status.FAILED, _describe(error), attempts)
            if mail.subscriber_id:
                record_failure(mail.to, _describe(error))
            return False
        OutgoingMail.objects.filter(pk=mail.pk).update(
            attempts=attempts, last_error=_describe(error)
        )
        return True
    _finish(mail, OutgoingMail.Status.SENT, "", mail.attempts + 1)
    if mail.subscriber_id and mail.subscriber.failures:
        Subscriber.objects.filter(pk=mail.subscriber_id).update(failures=0)
    return False


# A message still waiting this long after it was stored has lost its job (a worker killed, a
# job removed by hand): requeue_stalled() defers it again.
STALLED_AFTER = datetime.timedelta(hours=1)


def requeue_stalled(*, now=None):
    """Defer again the messages still waiting STALLED_AFTER after they were stored that no
    live send_mail job (waiting or running) holds. Returns how many were deferred."""
    from procrastinate.contrib.django.models import ProcrastinateJob

    now = now or timezone.now()
    held = set()
    for args in ProcrastinateJob.objects.filter(
        task_name="alerts.tasks.send_mail", status__in=("todo", "doing")
    ).values_list("args", flat=True):
        held.update((args or {}).get("mail_ids") or ())
    stalled = [
        pk
        for pk in OutgoingMail.objects.filter(
            status=OutgoingMail.Status.WAITING, created_at__lt=now - STALLED_AFTER
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        if pk not in held
    ]
    _defer(stalled)
    return len(stalled)


def _close(connection):
    with contextlib.suppress(Exception):
        connection.close()


def _describe(error):
    return f"{type(error).__name__}: {error}"[:1000]


def _finish(mail, status, error, attempts=None):
    # Settled: the body and headers go (they hold the address's live links); the log keeps
    # who, what subject, when and how it ended.
    OutgoingMail.objects.filter(pk=mail.pk).update(
        text="",
        html="",
        headers={},
        status=status,
        last_error=error,
        attempts=attempts if attempts is not None else mail.attempts,
        sent_at=timezone.now() if status == OutgoingMail.Status.SENT else None,
    )


def record_failure(address, reason):
    """Count a failure against the subscriber of `address` (a refused recipient, a bounce);
    suspend it at ALERT_MAX_FAILURES. Returns the Subscriber, or None for an address that
    follows nothing."""
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update().filter(email=address.strip().lower()).first()
        )
        if subscriber is None:
            return None
        Subscriber.objects.filter(pk=subscriber.pk).update(
            failures=F("failures") + 1, last_failure=reason[:1000]
        )
        subscriber.refresh_from_db()
        if subscriber.suspended_at is None and subscriber.failures >= settings.ALERT_MAX_FAILURES:
            subscriber.suspended_at = timezone.now()
            subscriber.save(update_fields=["suspended_at"])
            OutgoingMail.objects.filter(
                subscriber=subscriber, status=OutgoingMail.Status.WAITING
            ).update(
                status=OutgoingMail.Status.CANCELLED,
                last_error="alamat ditangguhkan",
                text="",
                html="",
                headers={},
            )
    return subscriber
