"""The release history of published packages: one stored OCDS release per publication change.

After any change to packages (by an operator, an import or a publication), `capture` builds
each published package's current release and stores it only if its public content differs from
the last one stored. Its tags say which sections are new (`award`) or changed (`awardUpdate`).
"""

import hashlib
import json

from django.db.models import Max
from django.utils import timezone

from contracts.models import STAGE_ORDER, Process, Release, Status
from contracts.ocds import (
    compiled_release,
    related_lists_of,
    release,
    release_tags,
)
from opendata_kontrak import bulk

# The sections of a release, in stage order, and the tag each one earns.
SECTIONS = [
    ("planning", "planning"),
    ("tender", "tender"),
    ("awards", "award"),
    ("contracts", "contract"),
    ("implementation", "implementation"),
]


def _sections(data):
    contracts = [
        {key: value for key, value in contract.items() if key != "implementation"}
        for contract in data.get("contracts", [])
    ]
    implementation = [contract.get("implementation") for contract in data.get("contracts", [])]
    return {
        "planning": data.get("planning"),
        "tender": data.get("tender"),
        "awards": data.get("awards"),
        "contracts": contracts or None,
        "implementation": [item for item in implementation if item] or None,
    }


def _content(data):
    return {key: value for key, value in data.items() if key not in ("id", "date", "tag")}


def digest(data):
    text = json.dumps(_content(data), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def tags_between(previous, current, process):
    """Tags for `current` after the release `previous` (None for a package's first release).

    A stage reached since the last release earns its tag (`award`); a stage reached before
    whose section changed earns its update tag (`tenderUpdate`).
    """
    if previous is None:
        return release_tags(process)
    reached_before = STAGE_ORDER.index(previous.stage_reached)
    reached_now = STAGE_ORDER.index(process.stage_reached)
    before, after = _sections(previous.data), _sections(current)
    tags = []
    for index, (section, tag) in enumerate(SECTIONS):
        if reached_before < index <= reached_now:
            tags.append(tag)
        elif index <= min(reached_before, reached_now) and after[section] != before[section]:
            tags.append(f"{tag}Update")
    if not tags:
        # Only the parties or the buyer changed: an update of the furthest stage reached.
        tags = [release_tags(process)[-1] + "Update"]
    return tags


RELEASE_COLUMNS = ["process_id", "sequence", "date", "tags", "stage_reached", "digest", "data"]


def capture(process_ids, *, now=None, packages=None):
    """Store a new release for each published package among these whose data changed.

    `packages`: these packages already read (with their agency and supplier), to save reading
    them again; the published ones among them are captured."""
    now = now or timezone.now()
    process_ids = list(process_ids)
    if packages is None:
        packages = (
            Process.objects.filter(pk__in=process_ids, status=Status.PUBLISHED)
            .without_bookkeeping()
            .select_related("agency", "supplier")
            .order_by("pk")
            .iterator(chunk_size=500)
        )
    else:
        packages = [p for p in packages if p.status == Status.PUBLISHED]
    latest_sequence = dict(
        Release.objects.filter(process_id__in=process_ids)
        .values("process_id")
        .annotate(last=Max("sequence"))
        .values_list("process_id", "last")
    )
    previous = {
        release.process_id: release
        for release in Release.objects.filter(
            process_id__in=list(latest_sequence),
            sequence__in=set(latest_sequence.values()),
        )
        if latest_sequence.get(release.process_id) == release.sequence
    }
    new = []
    for process, lists in _with_lists(packages):
        current = compiled_release(process, **lists)
        last = previous.get(process.pk)
        fingerprint = digest(current)
        if last is not None and last.digest == fingerprint:
            continue
        sequence = (last.sequence if last else 0) + 1
        tags = tags_between(last, current, process)
        current.update(
            {"id": f"{process.ocid}-{sequence:04d}", "date": now.isoformat(), "tag": tags}
        )
        new.append((process.pk, sequence, now, tags, process.stage_reached, fingerprint, current))
    bulk.copy_values(Release, RELEASE_COLUMNS, new)
    return len(new)


def _with_lists(packages, chunk=500):
    """(package, its related_lists) for each package, a chunk's rows read at once."""
    batch = []
    for process in packages:
        batch.append(process)
        if len(batch) == chunk:
            yield from _zip_lists(batch)
            batch = []
    yield from _zip_lists(batch)


def _zip_lists(batch):
    lists = related_lists_of([process.pk for process in batch]) if batch else {}
    for process in batch:
        yield process, lists[process.pk]


def capture_missing():
    """A first release for published packages that have none (data from before releases)."""
    missing = Process.objects.published().filter(releases__isnull=True).values_list("pk", flat=True)
    return capture(list(missing))


def history(process, lists):
    """The stored releases, oldest first; a package never captured shows its current state.

    Reads `process.releases`: prefetch it ordered by sequence when reading many packages.
    """
    return [stored.data for stored in process.releases.all()] or [release(process, **lists)]
