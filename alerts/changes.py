"""What happened to published packages, recorded for the alerts (alerts.models.Change).

Changes are recorded where they happen, in the transaction that made them, by listening to
contracts.pipeline (registered in alerts.apps):
- a new stored release (contracts.releases.capture, event `releases_captured`) is compared
  with the release before it:
  `release_changes` says what a follower is told (a first release: `baru`; the stage reached
  moved: `tahap`; a contract signed: `kontrak`; documents added: `dokumen`; withdrawn:
  `ditarik`), and `store` writes them all in one COPY per capture;
- flags newly raised (integrity.flags, event `flags_raised`) are `tanda` (`flag_changes`);
- a citizen's report answered is recorded by its service with `record`.

Only packages in open data are captured, so samples beside real data never produce a change.
The instant alerts and the daily digest read them (alerts.dispatch).
"""

import contextlib
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from alerts.models import Change, ChangeKind
from contracts.models import STAGE_ORDER

CHANGE_COLUMNS = ["process_id", "kind", "detail", "created_at"]

# tenderStatus of a package withdrawn (contracts.ocds.tender_status).
WITHDRAWN_STATUSES = ("withdrawn", "cancelled")


def record(process_id, kind, detail=None):
    """Store one Change of `kind` (alerts.models.ChangeKind) for the package `process_id`,
    with `detail` (a JSON-able dict, e.g. {"laporan": "LAP-2026-000123"})."""
    change = Change.objects.create(process_id=process_id, kind=kind, detail=detail or {})
    dispatch_soon()
    return change


def store(rows, *, now=None):
    """Write changes given as (process_id, kind, detail) in one COPY; returns how many. The
    instant alerts are asked to run once the caller's transaction commits."""
    now = now or timezone.now()
    rows = [(process_id, kind, detail, now) for process_id, kind, detail in rows]
    if rows:
        from opendata_kontrak import bulk

        bulk.copy_values(Change, CHANGE_COLUMNS, rows)
        dispatch_soon()
    return len(rows)


def dispatch_soon():
    """Ask for the instant alerts once the current transaction commits (the job every minute
    would find the changes anyway; this only saves the wait), when anyone follows anything
    at once. One job waits at most: a second request while it waits is dropped by its
    queueing lock."""

    def defer():
        from procrastinate.exceptions import AlreadyEnqueued

        from alerts.models import Frequency, Subscription
        from alerts.tasks import DISPATCH_LOCK, dispatch_alerts

        # No one to tell at once (most installs, most of the time): the minute's job suffices.
        if not Subscription.objects.active().filter(frequency=Frequency.INSTANT).exists():
            return
        with contextlib.suppress(AlreadyEnqueued):
            dispatch_alerts.configure(queueing_lock=DISPATCH_LOCK).defer(timestamp=0)

    transaction.on_commit(defer)


def _documents(state):
    """{document id: title} of every section of a release's content (planning, tender,
    awards, contracts and their implementation)."""
    found = {}
    sections = [state.get("planning") or {}, state.get("tender") or {}]
    sections += state.get("awards") or []
    for contract in state.get("contracts") or []:
        sections += [contract, contract.get("implementation") or {}]
    for section in sections:
        for document in section.get("documents") or []:
            if "id" in document:
                found[document["id"]] = document.get("title") or document["id"]
    return found


def _signed(state):
    return {
        contract["id"]: contract
        for contract in state.get("contracts") or []
        if contract.get("dateSigned")
    }


def _withdrawn(state):
    return (state.get("tender") or {}).get("status") in WITHDRAWN_STATUSES


def _further(stage, previous):
    """Whether `stage` lies beyond `previous`: a stage cleared back (a correction) is no
    news to tell."""
    order = STAGE_ORDER
    return stage in order and (previous not in order or order.index(stage) > order.index(previous))


def release_changes(process, before, current, *, previous_stage):
    """[(kind, detail)] a follower is told about a new release of `process`.

    `before`: the previous release's content without its deletions (None for the first);
    `current`: the new content (contracts.ocds.package_state); `previous_stage`: the stage
    reached stored with the previous release. A withdrawal says only that (and why); a stage
    reached is told only forward."""
    if before is None:
        if _withdrawn(current):
            return []  # never public before: no one followed it
        return [(ChangeKind.NEW, {"tahap": process.stage_reached})]
    if _withdrawn(current):
        if _withdrawn(before):
            return []
        return [(ChangeKind.WITHDRAWN, {"alasan": process.withdrawn_reason})]
    found = []
    if _further(process.stage_reached, previous_stage):
        found.append((ChangeKind.STAGE, {"tahap": process.stage_reached}))
    signed_before = _signed(before)
    for contract_id, contract in _signed(current).items():
        if contract_id not in signed_before:
            value = contract.get("value") or {}
            found.append(
                (
                    ChangeKind.CONTRACT,
                    {
                        # The number as entered; a contract without one has a made-up id.
                        "nomor": process.contract_number,
                        "tanggal": contract["dateSigned"][:10],
                        "nilai": value.get("amount"),
                    },
                )
            )
    documents_before = _documents(before)
    added = [title for id_, title in _documents(current).items() if id_ not in documents_before]
    if added:
        found.append((ChangeKind.DOCUMENT, {"dokumen": added}))
    return found


def flag_changes(old_pairs, new_pairs, labels):
    """[(process_id, "tanda", detail)] for each package with flags in `new_pairs` but not in
    `old_pairs` (sets of (process_id, flag code)); `labels`: {flag code: its label}."""
    raised = defaultdict(list)
    for process_id, flag in sorted(new_pairs - old_pairs):
        raised[process_id].append(flag)
    return [
        (process_id, ChangeKind.FLAG, {"tanda": flags, "label": [labels[f] for f in flags]})
        for process_id, flags in raised.items()
    ]


# Listeners of contracts.pipeline (registered in alerts.apps.AlertsConfig.ready).


def releases_captured(*, releases, now):
    """New releases (contracts.pipeline.Captured, each with the state before and now): what
    their followers are told, all in one COPY."""
    store(
        [
            (item.process.pk, kind, detail)
            for item in releases
            for kind, detail in release_changes(
                item.process, item.before, item.current, previous_stage=item.previous_stage
            )
        ],
        now=now,
    )


def flags_raised(*, pairs, labels):
    """Flags newly raised on public packages ((process_id, flag code) pairs; `labels`: {flag
    code: its label}): a `tanda` change for each package."""
    store(flag_changes(set(), pairs, labels))
