"""The release history of packages in open data: one stored OCDS release per change.

After any change to packages (by an operator, an import, a publication or a withdrawal),
`capture` builds each such package's current state and stores a release only if that state
differs from the last one stored. Its tags say which stages are new (`award`), changed
(`awardUpdate`) or cancelled (`tenderCancellation`); a field cleared since the last release is
published as an explicit null, OCDS's deletion.
"""

import hashlib
import json

from django.db.models import Max
from django.utils import timezone

from contracts import pipeline
from contracts.models import Process, Release, Status
from contracts.ocds import (
    in_time_convention,
    package_state,
    related_lists_of,
    release,
    release_tags,
    with_deletions,
    without_deletions,
)
from opendata_kontrak import bulk, chunked


def _content(data):
    return {key: value for key, value in data.items() if key not in ("id", "date", "tag")}


def digest(data):
    """SHA-256 of a release's published state (without its id, date, tags and nulls)."""
    text = json.dumps(
        without_deletions(_content(data)), sort_keys=True, ensure_ascii=False, default=str
    )
    return hashlib.sha256(text.encode()).hexdigest()


RELEASE_COLUMNS = ["process_id", "sequence", "date", "tags", "stage_reached", "digest", "data"]


def capture(process_ids, *, now=None, packages=None, record_changes=True):
    """Store a new release for each package in open data among these whose state changed.

    `packages`: these packages already read (with their agency and supplier), to save reading
    them again; those in open data among them are captured. Each new release also records
    what its followers are told (alerts.changes.release_changes: one COPY for the whole
    call), unless `record_changes` is false (first releases of data published before the
    releases existed: nothing happened to it now). The alerts app, above contracts, hears of
    the new releases through contracts.pipeline's `releases_captured`."""
    now = now or timezone.now()
    process_ids = list(process_ids)
    if packages is None:
        packages = chunked.by_pk(
            Process.objects.filter(pk__in=process_ids)
            .open_data()
            .without_bookkeeping()
            .select_related("agency", "supplier"),
            500,
        )
    else:
        # The one rule decides, not the status alone: a sample beside real data is out. Only
        # a batch holding a sample asks the database (an operator's save never does).
        packages = list(packages)
        if any(p.is_sample for p in packages):
            opened = set(
                Process.objects.filter(pk__in=[p.pk for p in packages])
                .open_data()
                .values_list("pk", flat=True)
            )
        else:
            opened = {p.pk for p in packages if p.status in (Status.PUBLISHED, Status.WITHDRAWN)}
        packages = [p for p in packages if p.pk in opened]
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
    new, captured = [], []
    for process, lists in with_lists(packages):
        current = package_state(process, as_of=now, **lists)
        last = previous.get(process.pk)
        fingerprint = digest(current)
        if last is not None and last.digest == fingerprint:
            continue
        # The last release as the portal writes it now (its times in WIB): a release stored in
        # an older spelling of the same instants is no change of the package.
        before = in_time_convention(without_deletions(_content(last.data))) if last else None
        if before is not None and digest(before) == fingerprint:
            continue
        sequence = (last.sequence if last else 0) + 1
        tags = release_tags(before, current, process)
        if record_changes:
            captured.append(
                pipeline.Captured(process, before, current, last.stage_reached if last else None)
            )
        data = {
            "ocid": process.ocid,
            "id": f"{process.ocid}-{sequence:04d}",
            "date": timezone.localtime(now).isoformat(),
            "tag": tags,
            **(with_deletions(before, current) if before else current),
        }
        new.append((process.pk, sequence, now, tags, process.stage_reached, fingerprint, data))
    bulk.copy_values(Release, RELEASE_COLUMNS, new)
    if captured:  # only kept when record_changes
        pipeline.announce("releases_captured", releases=captured, now=now)
    return len(new)


def with_lists(packages, chunk=500):
    """(package, its related_lists) for each package of an iterable, a chunk's rows read at
    once (one query per kind of row per chunk)."""
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
    """A first release for packages in open data that have none (data from before releases)."""
    missing = Process.objects.open_data().filter(releases__isnull=True).values_list("pk", flat=True)
    return capture(list(missing), record_changes=False)


def history(process, lists):
    """The stored releases, oldest first; a package never captured shows its current state.

    Reads `process.releases`: prefetch it ordered by sequence when reading many packages.
    """
    return [stored.data for stored in process.releases.all()] or [release(process, **lists)]
