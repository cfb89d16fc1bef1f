"""Turning recorded changes into mail: the instant alerts and the daily digest.

`dispatch_instant()` (every minute, and soon after a capture) takes the changes not yet
dispatched, locked so two workers never take the same ones, matches them against the
confirmed instant subscriptions of addresses not suspended (alerts.matching), queues one mail
per subscription — so its List-Unsubscribe ends exactly that subscription — and marks the
changes dispatched, all in one transaction.

`send_digests()` (daily at ALERT_DIGEST_HOUR WIB) gives each confirmed daily subscription the
changes recorded since its `digest_from`, one mail grouped by package, and moves `digest_from`
on; a subscription nothing happened to gets no mail.

A mail lists at most MAX_PACKAGES packages; beyond them it says how many changes and packages
are left out and links to the list they are in (an import of thousands never makes a mail of
thousands, and nothing is cut without saying so). Each package's part is rendered once per
run and shared by every mail that lists it.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from alerts import mail
from alerts.links import absolute, manage_url, unsubscribe_url
from alerts.matching import match, params_key
from alerts.models import Change, ChangeKind, Frequency, Scope, Subscription
from contracts.filters import PackageFilter
from contracts.list_heading import describe as describe_filters
from contracts.list_heading import names_for
from contracts.models import Process, Stage
from contracts.templatetags.rupiah import angka, rupiah
from opendata_kontrak.text import long_date

# Packages listed in one mail; the rest are counted and linked.
MAX_PACKAGES = 30
# Mails composed and stored at a time (a multiple of mail.SEND_BATCH: full send jobs).
QUEUE_CHUNK = 1000
# Documents named in one change's line; the rest are counted.
MAX_DOCUMENTS = 10


def _stage(code):
    return Stage(code).label if code in Stage.values else code


def describe_change(change):
    """What `change` (a Change) means, in one Indonesian sentence for the mail."""
    detail = change.detail or {}
    kind = change.kind
    if kind == ChangeKind.NEW:
        return f"Paket baru diumumkan, tahap {_stage(detail.get('tahap'))}."
    if kind == ChangeKind.STAGE:
        return f"Mencapai tahap {_stage(detail.get('tahap'))}."
    if kind == ChangeKind.CONTRACT:
        text = "Kontrak ditandatangani"
        if detail.get("nomor"):
            text += f" nomor {detail['nomor']}"
        if detail.get("tanggal"):
            text += f" pada {long_date(datetime.date.fromisoformat(detail['tanggal']))}"
        if detail.get("nilai") is not None:
            text += f", nilai {rupiah(detail['nilai'])}"
        return text + "."
    if kind == ChangeKind.DOCUMENT:
        titles = detail.get("dokumen") or []
        named = ", ".join(titles[:MAX_DOCUMENTS])
        if len(titles) > MAX_DOCUMENTS:
            named += f", dan {angka(len(titles) - MAX_DOCUMENTS)} dokumen lain"
        return f"Dokumen baru: {named}."
    if kind == ChangeKind.FLAG:
        return f"Tanda untuk dicermati: {'; '.join(detail.get('label') or detail.get('tanda'))}."
    if kind == ChangeKind.WITHDRAWN:
        reason = (detail.get("alasan") or "").strip()
        return "Paket ditarik dari publikasi" + (f". Alasan: {reason}" if reason else ".")
    if kind == ChangeKind.REPORT:
        # participation.mail.report_moderated: reference, topic, follow-up, answer rewritten.
        from participation.models import FollowUp, Topic

        what = "memperbarui jawaban atas" if detail.get("diperbarui") else "menjawab"
        text = f"Perangkat daerah {what} laporan warga {detail.get('laporan', '')}"
        if detail.get("jenis") in Topic.values:
            text += f" ({Topic(detail['jenis']).label.lower()})"
        if detail.get("tindak_lanjut") in FollowUp.values:
            text += f"; tindak lanjut: {FollowUp(detail['tindak_lanjut']).label.lower()}"
        return text + "."
    return change.get_kind_display() + "."


def package_url(process_id):
    return absolute(reverse("contracts:process-detail", args=[process_id]))


def list_url(params):
    query = PackageFilter(params=params).query_string()
    return absolute(reverse("contracts:process-list") + (f"?{query}" if query else ""))


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
        self.processes = Process.objects.select_related("agency").in_bulk(ids)
        self.parts = {}
        self.descriptions = {}
        # The agencies', suppliers' and kecamatan's names of every filter, read at once.
        self.names = names_for(s.params for s in subscriptions if s.process_id is None)

    def part(self, process_id, changes):
        key = (process_id, tuple(change.pk for change in changes))
        if key not in self.parts:
            process = self.processes[process_id]
            context = {
                "process": process,
                "url": package_url(process_id),
                "lines": [describe_change(change) for change in changes],
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
            return f"paket “{process.title}”" if process else "satu paket"
        key = (subscription.scope, params_key(subscription.params))
        if key not in self.descriptions:
            described = describe_filters(subscription.params, names=self.names)
            if subscription.scope == Scope.OPPORTUNITIES:
                described = f"peluang usaha (rencana dan tender baru): {described}"
            self.descriptions[key] = described
        return self.descriptions[key]

    def message(self, name, subscription, changes, **extra):
        """The queue_many() dict of one mail `name` (alert|digest) to `subscription` listing
        `changes` (in order) grouped by package."""
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
            "manage_url": manage_url(subscription.subscriber),
            **extra,
        }
        subject, text, html = mail.render(name, context)
        return {
            "to": subscription.subscriber.email,
            "subject": subject,
            "text": text,
            "html": html,
            "headers": mail.unsubscribe_headers(unsubscribe),
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
            receiving = [s for s in subscriptions if s.pk in matched]
            composer = Composer(changes, receiving)
            queued = _queue_in_chunks(
                composer.message("alert", subscription, matched[subscription.pk])
                for subscription in receiving
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
            day = long_date(timezone.localdate(now))
            digests = (
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
