"""Turning recorded changes into mail: the instant alerts and the daily digest.

`dispatch_instant()` (every minute, and soon after a capture) takes the changes not yet
dispatched, locked so two workers never take the same ones, matches them against the
confirmed instant subscriptions of addresses not suspended (alerts.matching), queues one mail
per subscription — so its List-Unsubscribe ends exactly that subscription — and marks the
changes dispatched, all in one transaction.

An address told of a change once in a run is not told again: its subscriptions are read most
specific first (`specificity`) and a later one leaves out the changes an earlier mail of the
same address already carries; a subscription left with nothing gets no mail.

`send_digests()` (daily at ALERT_DIGEST_HOUR WIB) gives each confirmed daily subscription the
changes recorded since its `digest_from`, one mail grouped by package, and moves `digest_from`
on; a subscription nothing happened to gets no mail.

A mail lists at most MAX_PACKAGES packages; beyond them it says how many changes and packages
are left out and links to the list they are in (an import of thousands never makes a mail of
thousands, and nothing is cut without saying so). Each package's part is rendered once per
run and language and shared by every mail that lists it.

Each mail is written in its subscription's language (`Subscription.language`): its sentences,
amounts and dates, and its links to the pages in that language (`/en/…` for English).
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext

from alerts import mail
from alerts.links import absolute, in_language, manage_url, unsubscribe_url
from alerts.matching import match, params_key
from alerts.models import Change, ChangeKind, Frequency, Scope, Subscription
from alerts.services import describe_target
from contracts.filters import PackageFilter
from contracts.list_heading import names_for
from contracts.models import Process, Stage
from contracts.templatetags.rupiah import money, number
from opendata_kontrak.languages import canonical_reverse
from opendata_kontrak.text import page_date, printable

# Packages listed in one mail; the rest are counted and linked.
MAX_PACKAGES = 30
# Mails composed and stored at a time (a multiple of mail.SEND_BATCH: full send jobs).
QUEUE_CHUNK = 1000
# Documents named in one change's line; the rest are counted.
MAX_DOCUMENTS = 10
# Characters of an agency's answer quoted under a report's line ("…" when cut).
ANSWER_QUOTE = 200


def _label(label):
    """A vocabulary's label (kept Indonesian in the data, gettext_noop) in the active
    language."""
    return gettext(str(label))


def _stage(code):
    return _label(Stage(code).label) if code in Stage.values else code


def describe_change(change, process=None):
    """What `change` (a Change) means, in one sentence of the active language for the mail;
    `process` (its Process, supplier read) names the winner of a contract. What was typed or
    stored (document titles, a withdrawal's reason, names) is quoted as it is."""
    detail = change.detail or {}
    kind = change.kind
    if kind == ChangeKind.NEW:
        return gettext("Paket baru diumumkan, tahap %(stage)s.") % {
            "stage": _stage(detail.get("tahap"))
        }
    if kind == ChangeKind.STAGE:
        return gettext("Mencapai tahap %(stage)s.") % {"stage": _stage(detail.get("tahap"))}
    if kind == ChangeKind.CONTRACT:
        return _contract_signed(detail, process)
    if kind == ChangeKind.DOCUMENT:
        titles = detail.get("dokumen") or []
        named = ", ".join(titles[:MAX_DOCUMENTS])
        if len(titles) > MAX_DOCUMENTS:
            more = len(titles) - MAX_DOCUMENTS
            named += ngettext(
                ", dan %(count)s dokumen lain", ", dan %(count)s dokumen lain", more
            ) % {"count": number(more)}
        return gettext("Dokumen baru: %(documents)s.") % {"documents": named}
    if kind == ChangeKind.FLAG:
        # The labels stored with the change are the flags' Indonesian labels (gettext_noop).
        labels = [_label(label) for label in detail.get("label") or detail.get("tanda")]
        return gettext("Tanda untuk dicermati: %(flags)s.") % {"flags": "; ".join(labels)}
    if kind == ChangeKind.WITHDRAWN:
        reason = (detail.get("alasan") or "").strip()
        if reason:
            return gettext("Paket ditarik dari publikasi. Alasan: %(reason)s") % {"reason": reason}
        return gettext("Paket ditarik dari publikasi.")
    if kind == ChangeKind.REPORT:
        return _report_answered(detail)
    return f"{change.get_kind_display()}."


def _contract_signed(detail, process):
    """ "Kontrak ditandatangani dengan CV X nomor 1/2019 pada 12 Mei 2019, nilai Rp …." with
    whichever of the supplier, number, date and value are known."""
    text = gettext("Kontrak ditandatangani")
    if process is not None and process.supplier_id is not None:
        text += gettext(" dengan %(supplier)s") % {"supplier": process.supplier.name}
    if detail.get("nomor"):
        text += gettext(" nomor %(number)s") % {"number": detail["nomor"]}
    if detail.get("tanggal"):
        signed = page_date(datetime.date.fromisoformat(detail["tanggal"]))
        text += gettext(" pada %(date)s") % {"date": signed}
    if detail.get("nilai") is not None:
        text += gettext(", nilai %(amount)s") % {"amount": money(detail["nilai"])}
    return text + "."


def _report_answered(detail):
    # participation.mail.report_moderated: reference, topic, follow-up, answer rewritten.
    from participation.models import FollowUp, Topic

    reference = detail.get("laporan", "")
    if detail.get("diperbarui"):
        text = gettext("Perangkat daerah memperbarui jawaban atas laporan warga %(reference)s")
    else:
        text = gettext("Perangkat daerah menjawab laporan warga %(reference)s")
    text %= {"reference": reference}
    if detail.get("jenis") in Topic.values:
        text += f" ({_label(Topic(detail['jenis']).label).lower()})"
    if detail.get("tindak_lanjut") in FollowUp.values:
        text += gettext("; tindak lanjut: %(state)s") % {
            "state": _label(FollowUp(detail["tindak_lanjut"]).label).lower()
        }
    return text + "."


def _page(name, *args, query=""):
    """The absolute address of the public page `name` in the active language (a mail is
    composed under its reader's language, dispatch's Composer.message)."""
    path = in_language(canonical_reverse(name, args=list(args)), translation.get_language())
    return absolute(path + (f"?{query}" if query else ""))


def package_url(process_id):
    return _page("contracts:process-detail", process_id)


def list_url(params):
    return _page("contracts:process-list", query=PackageFilter(params=params).query_string())


# An amount as the mails write it: "Rp 1.150.000.000" (id), "IDR 1,150,000,000" (en).
AMOUNT = re.compile(r"-?Rp [0-9]{1,3}(?:\.[0-9]{3})*|-?IDR [0-9]{1,3}(?:,[0-9]{3})*")


def nowrap_amounts(text):
    """`text` escaped for HTML, each amount ("Rp 1.150.000.000", "IDR 1,150,000,000") in a
    span that a narrow screen never breaks between the currency and its digits."""
    return mark_safe(  # noqa: S308 (escaped here)
        AMOUNT.sub(
            lambda found: f'<span style="white-space:nowrap">{found.group(0)}</span>',
            str(escape(text)),
        )
    )


def facts(process):
    """[{"label", "value", "amount"}] of a package's part beside its agency and pagu: its
    method, HPS (when set), the bid deadline while at Pemilihan, and its supplier with the
    award's value (when there is one)."""
    found = []
    if process.method:
        found.append({"label": gettext("Metode"), "value": _label(process.get_method_display())})
    if process.hps_amount is not None:
        found.append({"label": gettext("HPS"), "value": money(process.hps_amount), "amount": True})
    if process.stage_reached == Stage.TENDER and process.bid_deadline:
        found.append(
            {"label": gettext("Batas penawaran"), "value": page_date(process.bid_deadline)}
        )
    if process.supplier_id is not None:
        found.append({"label": gettext("Penyedia"), "value": process.supplier.name})
        if process.award_amount is not None:
            found.append(
                {
                    "label": gettext("Nilai penetapan"),
                    "value": money(process.award_amount),
                    "amount": True,
                }
            )
    return found


def quote(answer):
    """The start of an agency's answer on one line, printable, at most ANSWER_QUOTE
    characters, ended by "…" when cut."""
    return Truncator(" ".join(printable(answer or "").split())).chars(ANSWER_QUOTE, truncate="…")


def specificity(subscription):
    """The rank of a subscription among an address's, most specific first: its own package
    (0) says most why the change matters, then a supplier (1: a handful of contracts), an
    agency (2: one office's packages), a kecamatan (3: every agency's work in one place), a
    search or other filters (4: words that may match anything), and last the opportunities
    (5: a narrow kind of change, over any of those filters)."""
    if subscription.process_id is not None:
        return 0
    if subscription.scope == Scope.OPPORTUNITIES:
        return 5
    params = subscription.params or {}
    for rank, name in enumerate(("penyedia", "pd", "kecamatan"), start=1):
        if params.get(name) not in (None, ""):
            return rank
    return 4


def once_per_address(pairs):
    """(subscription, changes) of `pairs` with each change given to an address once: an
    address's subscriptions in `specificity` order, each without the changes an earlier one
    of the same address carries; a subscription left with none is left out."""
    given = defaultdict(set)
    ordered = sorted(pairs, key=lambda pair: (specificity(pair[0]), pair[0].pk))
    for subscription, changes in ordered:
        told = given[subscription.subscriber_id]
        left = [change for change in changes if change.pk not in told]
        if left:
            told.update(change.pk for change in left)
            yield subscription, left


@dataclass
class Part:
    """One package's part of a mail: rendered once, shared by every mail listing it."""

    process_id: int
    changes: int
    text: str
    html: str


class Composer:
    """Builds the mails of one run: packages read once, each package's part rendered once
    per distinct set of its changes, each filter described once."""

    def __init__(self, changes, subscriptions):
        ids = {change.process_id for change in changes}
        self.processes = Process.objects.select_related("agency", "supplier").in_bulk(ids)
        self.answers = self._answers(changes)
        self.parts = {}
        self.descriptions = {}
        # The agencies', suppliers' and kecamatan's names of every filter, read at once.
        self.names = names_for(s.params for s in subscriptions if s.process_id is None)

    @staticmethod
    def _answers(changes):
        """{report reference: its public answer} of the reports answered among `changes`
        (one query, none without them); a report no longer public has none."""
        from participation import follow
        from participation.models import Report

        references = {
            change.detail.get("laporan")
            for change in changes
            if change.kind == ChangeKind.REPORT and change.detail
        }
        pks = {follow.parse(reference): reference for reference in references if reference}
        pks.pop(None, None)
        if not pks:
            return {}
        return {
            pks[pk]: answer
            for pk, answer in Report.objects.public()
            .filter(pk__in=list(pks))
            .values_list("pk", "answer")
        }

    def line(self, change, process):
        """One change's line: {"text", "html", "reference", "url", "quote"} (a report's
        reference, public page and the start of its answer)."""
        text = describe_change(change, process)
        line = {"text": text, "html": nowrap_amounts(text), "url": "", "quote": ""}
        reference = (change.detail or {}).get("laporan")
        if change.kind == ChangeKind.REPORT and reference in self.answers:
            line["reference"] = reference
            line["url"] = _page("participation:follow", reference)
            line["quote"] = quote(self.answers[reference])
        return line

    def part(self, process_id, changes):
        """The part of `process_id` listing `changes`, in the active language."""
        key = (translation.get_language(), process_id, tuple(change.pk for change in changes))
        if key not in self.parts:
            process = self.processes[process_id]
            context = {
                "process": process,
                "url": package_url(process_id),
                "facts": facts(process),
                "lines": [self.line(change, process) for change in changes],
            }
            self.parts[key] = Part(
                process_id,
                len(changes),
                render_to_string("alerts/mail/_package.txt", context),
                render_to_string("alerts/mail/_package.html", context),
            )
        return self.parts[key]

    def follows(self, subscription):
        """What the subscription follows, in words ("Paket Dinas Kesehatan, TA 2019")."""
        if subscription.process_id is not None:
            process = self.processes.get(subscription.process_id)
            if process is None:
                return gettext("satu paket")
            return gettext("paket “%(title)s”") % {"title": process.title}
        key = (translation.get_language(), subscription.scope, params_key(subscription.params))
        if key not in self.descriptions:
            # The subscription pages' own words, mid-sentence in the mail ("… paket yang Anda
            # ikuti: paket di Kecamatan Dander.").
            described = describe_target(
                subscription.scope, subscription.params, None, names=self.names
            )
            self.descriptions[key] = described[:1].lower() + described[1:]
        return self.descriptions[key]

    def message(self, name, subscription, changes, **extra):
        """The queue_many() dict of one mail `name` (alert|digest) to `subscription` listing
        `changes` (in order) grouped by package, written in the subscription's language."""
        with translation.override(subscription.language or settings.LANGUAGE_CODE):
            return self._message(name, subscription, changes, **extra)

    def _message(self, name, subscription, changes, **extra):
        grouped = defaultdict(list)
        for change in changes:
            grouped[change.process_id].append(change)
        parts = [self.part(process_id, listed) for process_id, listed in grouped.items()]
        shown, left = parts[:MAX_PACKAGES], parts[MAX_PACKAGES:]
        unsubscribe = unsubscribe_url(subscription)
        context = {
            "follows": self.follows(subscription),
            "parts_text": [part.text for part in shown],
            "parts_html": [mark_safe(part.html) for part in shown],  # noqa: S308 (rendered)
            "first": self.processes[shown[0].process_id],
            "changes": len(changes),
            # One change: its kind names the mail ("Kontrak ditandatangani: …").
            "only_kind": changes[0].get_kind_display() if len(changes) == 1 else "",
            "packages": len(parts),
            "left_changes": sum(part.changes for part in left),
            "left_packages": len(left),
            "list_url": list_url(subscription.params) if left else "",
            "unsubscribe_url": unsubscribe,
            "manage_url": manage_url(subscription.subscriber, subscription.language),
            **extra,
        }
        subject, text, html = mail.render(name, context)
        return {
            "to": subscription.subscriber.email,
            "subject": subject,
            "text": text,
            "html": html,
            # RFC 3834: sent by a program, so that auto-responders stay quiet.
            "headers": {
                **mail.unsubscribe_headers(unsubscribe),
                "Auto-Submitted": "auto-generated",
            },
            "subscriber": subscription.subscriber,
        }


def _queue_in_chunks(messages):
    """queue_many a chunk at a time: thousands of composed mails are never all held at once."""
    queued, chunk = 0, []
    for message in messages:
        chunk.append(message)
        if len(chunk) == QUEUE_CHUNK:
            queued += mail.queue_many(chunk)
            chunk = []
    return queued + (mail.queue_many(chunk) if chunk else 0)


def dispatch_instant(*, now=None):
    """Match the changes not yet dispatched and queue one mail per instant subscription they
    concern; mark them dispatched. Returns (changes dispatched, mails queued)."""
    now = now or timezone.now()
    with transaction.atomic():
        changes = list(
            Change.objects.filter(dispatched_at__isnull=True)
            .select_for_update(skip_locked=True)
            .order_by("pk")
        )
        if not changes:
            return 0, 0
        changed = {change.process_id for change in changes}
        subscriptions = list(
            Subscription.objects.active()
            .filter(frequency=Frequency.INSTANT)
            # Every filter (they are evaluated), and only the packages that changed.
            .filter(Q(process__isnull=True) | Q(process_id__in=sorted(changed)))
            .select_related("subscriber")
            .order_by("pk")
        )
        matched = match(changes, subscriptions)
        queued = 0
        if matched:
            receiving = list(
                once_per_address((s, matched[s.pk]) for s in subscriptions if s.pk in matched)
            )
            composer = Composer(changes, [subscription for subscription, _ in receiving])
            queued = _queue_in_chunks(
                composer.message("alert", subscription, given) for subscription, given in receiving
            )
        Change.objects.filter(pk__in=[change.pk for change in changes]).update(dispatched_at=now)
    return len(changes), queued


def send_digests(*, now=None):
    """Queue each confirmed daily subscription's digest of the changes recorded since its
    `digest_from` (its confirmation, for a first digest) up to `now`, and move `digest_from`
    to `now`. Returns (subscriptions read, mails queued)."""
    now = now or timezone.now()
    with transaction.atomic():
        subscriptions = list(
            Subscription.objects.active()
            .filter(frequency=Frequency.DAILY)
            .select_related("subscriber")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")
        )
        if not subscriptions:
            return 0, 0
        since = {s.pk: s.digest_from or s.confirmed_at for s in subscriptions}
        changes = list(
            Change.objects.filter(created_at__gt=min(since.values()), created_at__lte=now).order_by(
                "pk"
            )
        )
        matched = match(changes, subscriptions)
        queued = 0
        if matched:
            composer = Composer(changes, [s for s in subscriptions if s.pk in matched])
            # Written in each mail's language (the templates' date filter).
            day = timezone.localdate(now)
            digests = once_per_address(
                (subscription, recent)
                for subscription in subscriptions
                if (
                    recent := [
                        change
                        for change in matched.get(subscription.pk, ())
                        if change.created_at > since[subscription.pk]
                    ]
                )
            )
            queued = _queue_in_chunks(
                composer.message("digest", subscription, recent, day=day)
                for subscription, recent in digests
            )
        Subscription.objects.filter(pk__in=[s.pk for s in subscriptions]).update(digest_from=now)
    return len(subscriptions), queued
