"""The mail a report's author receives when their contact is an e-mail address: a receipt on
sending (at most REPORT_RECEIPT_RATE_LIMIT a day to one address), and one message per
moderation that changes what they would want to know.

Events (`events(before, after)`, in the order a message tells them):
- "diterbitkan": the report became public on its package's page;
- "ditolak": it was rejected, with the reason (only the author reads it); a rejection ends the
  report, so no "selesai" follows it;
- "dijawab": the agency's public answer became readable — written or changed on a published
  report, or already written when the report is published;
- "selesai": the follow-up was marked done.

A save that changes none of these queues nothing; several at once make one message. Messages
go through alerts.mail.queue in the caller's transaction (a rolled-back moderation sends
nothing) and carry no List-Unsubscribe: they are the answer to something the author sent, not
a subscription. The address is read from the report; besides it, only the queued message
(alerts.models.OutgoingMail) holds it. Every message is written in the report's language (the
page it was sent from, `Report.language`), its links to that language's pages, whatever
language the moderator's workspace is in.

For the package's followers, an answer on a public report is also recorded as an
alerts.changes Change ("laporan"), in the same transaction.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext, gettext_noop

from alerts import changes, links
from alerts import mail as outgoing
from alerts.models import ChangeKind
from alerts.services import normalise_email
from contracts.models import Process
from opendata import ratelimit
from participation import follow
from participation.models import FollowUp, Moderation, Report

PUBLISHED, REJECTED, ANSWERED, CLOSED = "diterbitkan", "ditolak", "dijawab", "selesai"
RECEIPT_QUEUED, RECEIPT_LIMITED = "dikirim", "dibatasi"
_RECEIPT_SALT = "participation.tanda-terima"

_is_email = EmailValidator()


def email_of(contact):
    """The report's contact as an address to write to, or None (empty, a phone number, or
    anything Django's EmailValidator refuses)."""
    contact = (contact or "").strip()
    if "@" not in contact:
        return None
    try:
        _is_email(contact)
    except ValidationError:
        return None
    return contact


@dataclass(frozen=True)
class State:
    """What the author is told about: a report's verdict, follow-up status and answer."""

    moderation: str
    status: str
    answer: str

    @classmethod
    def of(cls, report):
        return cls(report.moderation, report.status, report.answer)


def events(before, after):
    """The events between two States of one report, as a tuple of PUBLISHED, REJECTED,
    ANSWERED, CLOSED (possibly empty)."""
    found = []
    if after.moderation != before.moderation:
        if after.moderation == Moderation.PUBLISHED:
            found.append(PUBLISHED)
        elif after.moderation == Moderation.REJECTED:
            found.append(REJECTED)
    if (
        after.moderation == Moderation.PUBLISHED
        and after.answer
        and (before.moderation != Moderation.PUBLISHED or before.answer != after.answer)
    ):
        found.append(ANSWERED)
    if (
        after.status == FollowUp.DONE
        and before.status != FollowUp.DONE
        and after.moderation != Moderation.REJECTED
    ):
        found.append(CLOSED)
    return tuple(found)


# Translated when a subject is written, in the report's language (headline).
_SAID = {
    PUBLISHED: gettext_noop("diterbitkan"),
    REJECTED: gettext_noop("tidak diterbitkan"),
    ANSWERED: gettext_noop("dijawab perangkat daerah"),
    CLOSED: gettext_noop("selesai ditindaklanjuti"),
}


def headline(happened, *, answer_changed=False, withdrawn=False):
    """The events in words for a subject line, e.g. "diterbitkan dan dijawab perangkat
    daerah", in the active language. `answer_changed`: an answer the author already read was
    rewritten; `withdrawn`: the rejected report had been published."""
    said = []
    for event in happened:
        if event == ANSWERED and answer_changed:
            said.append(gettext("jawabannya diperbarui"))
        elif event == REJECTED and withdrawn:
            said.append(gettext("tidak lagi diterbitkan"))
        else:
            said.append(gettext(_SAID[event]))
    if len(said) <= 1:
        return "".join(said)
    # Translators: the last of a list of events, e.g. "diterbitkan, dijawab dan selesai".
    return gettext("%(first)s dan %(last)s") % {"first": ", ".join(said[:-1]), "last": said[-1]}


def _context(report):
    """What both templates read; never the author's contact (the mail goes to it, it need
    not say it)."""
    process = report.process
    return {
        "report": report,
        "reference": report.reference,
        "process": process,
        "agency": process.agency,
        "follow_url": links.absolute(follow.author_url(report)),
    }


def queue_receipt(report):
    """Queue the receipt of a report just sent, when its contact is an e-mail address and
    that address has had fewer than REPORT_RECEIPT_RATE_LIMIT receipts today (anyone may type
    any address into the form). Returns RECEIPT_QUEUED, RECEIPT_LIMITED or None (no address).
    """
    address = email_of(report.contact)
    if address is None:
        return None
    limit, window = settings.REPORT_RECEIPT_RATE_LIMIT
    # Counted under a keyed hash: the counters table never holds the address itself.
    # One spelling however typed (alerts.services.normalise_email: case, IDNA domain).
    counted = salted_hmac(_RECEIPT_SALT, normalise_email(address)).hexdigest()[:32]
    if not ratelimit.hit("laporan-tanda-terima", counted, limit=limit, window=window).allowed:
        return RECEIPT_LIMITED
    with translation.override(report.language):
        subject, text, html = outgoing.render("report_receipt", _context(report))
    outgoing.queue(to=address, subject=subject, text=text, html=html)
    return RECEIPT_QUEUED


def report_moderated(report, before):
    """After a moderation of `report` (saved, in the caller's transaction) from the State
    `before`: queue the author's one message for what changed, and record an answer on a
    public report for the package's followers (detail: "laporan" the reference, "jenis" the
    topic, "tindak_lanjut" the status, "diperbarui" whether an answer was rewritten).
    Returns the OutgoingMail, or None."""
    happened = events(before, State.of(report))
    if not happened:
        return None
    answer_changed = (
        ANSWERED in happened and before.moderation == Moderation.PUBLISHED and bool(before.answer)
    )
    if ANSWERED in happened and Report.objects.public().filter(pk=report.pk).exists():
        changes.record(
            report.process_id,
            ChangeKind.REPORT,
            {
                "laporan": report.reference,
                "jenis": report.topic,
                "tindak_lanjut": report.status,
                "diperbarui": answer_changed,
            },
        )
    address = email_of(report.contact)
    if address is None:
        return None
    withdrawn = REJECTED in happened and before.moderation == Moderation.PUBLISHED
    package_public = Process.objects.published().filter(pk=report.process_id).exists()
    # The author's language, not the moderator's: the headline, the page and the links.
    with translation.override(report.language):
        subject, text, html = _render_status(
            report,
            happened,
            answer_changed=answer_changed,
            withdrawn=withdrawn,
            package_public=package_public,
        )
    return outgoing.queue(to=address, subject=subject, text=text, html=html)


def _render_status(report, happened, *, answer_changed, withdrawn, package_public):
    context = {
        **_context(report),
        "headline": headline(happened, answer_changed=answer_changed, withdrawn=withdrawn),
        "withdrawn": withdrawn,
        "published": PUBLISHED in happened,
        "rejected": REJECTED in happened,
        "answered": ANSWERED in happened,
        "answer_changed": answer_changed,
        "closed": CLOSED in happened,
        "package_url": links.absolute(reverse("contracts:process-detail", args=[report.process_id]))
        if package_public
        else None,
    }
    return outgoing.render("report_status", context)
