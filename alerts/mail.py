"""Composing, queueing and sending the portal's mail (alerts, confirmations, report receipts).

`render(name, context)` composes a message from templates/alerts/mail/<name>_subject.txt,
<name>.txt (the plain-text part every message has) and <name>.html. `queue(...)` stores it as
an OutgoingMail and defers its sending on the job queue (alerts.tasks.send_mail) in the caller's
transaction: a request never talks to the mail server, and a rolled-back change sends nothing.
`queue_many(...)` does the same for thousands at once (one COPY-like bulk insert, one job per
SEND_BATCH messages). `send(ids)` runs in the worker, over one connection per batch.

Failures: a recipient the server refuses for good (SMTP 5xx) fails the message at once; any
other error (the server down, a 4xx) is retried by the queue (MAIL_ATTEMPTS in all) before the
message fails. Each failed message counts against its subscriber (`record_failure`); after
ALERT_MAX_FAILURES in a row the address is suspended and nothing more is sent to it. A delivery
resets the count. Bounces that arrive later as delivery reports go through `record_failure`
too (manage.py catat_pantulan).
"""

import contextlib
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from alerts.models import OutgoingMail, Subscriber
from opendata_kontrak.text import printable

MAIL_ATTEMPTS = 5
SEND_BATCH = 100


def render(name, context):
    """(subject, text, html) of the mail `name` with `context` (plus the portal's settings
    as `portal`). The subject is one line of printable text."""
    context = {"portal": settings.PORTAL, **context}
    subject = " ".join(render_to_string(f"alerts/mail/{name}_subject.txt", context).split())
    text = render_to_string(f"alerts/mail/{name}.txt", context)
    html = render_to_string(f"alerts/mail/{name}.html", context)
    return printable(subject), text, html


def unsubscribe_headers(url):
    """RFC 2369 / RFC 8058 one-click unsubscribe: a POST of "List-Unsubscribe=One-Click" to
    `url` ends the subscription, without a page in between."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _row(to, subject, text, html="", headers=None, subscriber=None):
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


def _message(mail, connection):
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.text,
        to=[mail.to],
        headers=mail.headers,
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
    """Send the waiting messages among `mail_ids`. Raises TemporaryFailure after trying them
    all when any could be sent later (MAIL_ATTEMPTS not yet reached)."""
    pending = list(
        OutgoingMail.objects.filter(pk__in=mail_ids, status=OutgoingMail.Status.WAITING)
        .select_related("subscriber")
        .order_by("pk")
    )
    if not pending:
        return
    retry = False
    connection = get_connection(fail_silently=False)
    try:
        for mail in pending:
            if mail.subscriber is not None and mail.subscriber.suspended_at is not None:
                _finish(mail, OutgoingMail.Status.CANCELLED, "alamat ditangguhkan")
                continue
            try:
                if connection.connection is None and hasattr(connection, "open"):
                    connection.open()
                _message(mail, connection).send()
            except (smtplib.SMTPException, OSError) as error:
                attempts = mail.attempts + 1
                if _permanent(error) or attempts >= MAIL_ATTEMPTS:
                    _finish(mail, OutgoingMail.Status.FAILED, _describe(error), attempts)
                    if mail.subscriber_id:
                        record_failure(mail.to, _describe(error))
                else:
                    retry = True
                    OutgoingMail.objects.filter(pk=mail.pk).update(
                        attempts=attempts, last_error=_describe(error)
                    )
                # A refused recipient may leave the session unusable: start a fresh one.
                _close(connection)
            else:
                _finish(mail, OutgoingMail.Status.SENT, "", mail.attempts + 1)
                if mail.subscriber_id and mail.subscriber.failures:
                    Subscriber.objects.filter(pk=mail.subscriber_id).update(failures=0)
    finally:
        _close(connection)
    if retry:
        raise TemporaryFailure(f"sebagian surel belum terkirim: {mail_ids[:5]}…")


def _close(connection):
    with contextlib.suppress(smtplib.SMTPException, OSError):
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
