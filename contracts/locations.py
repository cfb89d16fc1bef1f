"""Packages' kecamatan and desa, resolved against the place register (agencies.places).

The stored `location_detail` is the source's own words and never changes here; only
`location_kecamatan` and `location_desa` do, and only when the text resolves.
"""

from django.db import transaction
from django.utils import timezone

from agencies.models import PlaceAlias, UnresolvedPlace
from agencies.places import PlaceResolver, Resolved, normalise
from contracts import completeness
from contracts.models import AuditEntry, Process

BATCH = 1000


def place_for(process_values, resolver):
    """The fields a package's location gives: its stated kecamatan first (an operator's choice
    or an earlier import's), then its detail text; {} when neither resolves.

    `process_values`: (kecamatan, desa, detail)."""
    kecamatan, desa, detail = process_values
    stated = resolver.resolve(kecamatan)
    if stated is None:
        found = resolver.resolve(detail)
        return found.fields() if found else {}
    from_detail = resolver.resolve(detail)
    if (
        from_detail
        and from_detail.kecamatan_name == stated.kecamatan_name
        and (from_detail.desa_name)
    ):
        desa = from_detail.desa_name
    else:
        desa = stated.desa_name or _desa_in(resolver, stated.kecamatan_name, desa)
    return Resolved(stated.kecamatan_name, desa).fields()


def _desa_in(resolver, kecamatan, desa):
    """The register's spelling of `desa` if it is a desa of `kecamatan`; else as written."""
    found = resolver.resolve(f"Desa {desa} Kec. {kecamatan}") if desa else None
    return found.desa_name if found and found.desa_name else desa


@transaction.atomic
def resolve_packages(*, texts=None, by=None):
    """Re-resolve every package (or those whose location text normalises to one of `texts`);
    return how many changed. With texts=None the unresolved list is rebuilt from scratch."""
    resolver = PlaceResolver()
    rows = Process.objects.values_list(
        "pk", "location_kecamatan", "location_desa", "location_detail"
    ).order_by("pk")
    changed = []
    for pk, kecamatan, desa, detail in rows.iterator(chunk_size=2000):
        text = detail or kecamatan
        if texts is not None and normalise(text) not in texts:
            continue
        fields = place_for((kecamatan, desa, detail), resolver)
        if not fields:
            resolver.fields_for(text)  # remembered as unresolved
            continue
        new = (fields["location_kecamatan"], fields["location_desa"])
        if new != (kecamatan, desa):
            audit = {"kecamatan": [kecamatan, new[0]], "desa/kelurahan": [desa, new[1]]}
            changed.append((pk, fields, audit))
    _save(changed, by)
    if texts is None:
        UnresolvedPlace.objects.exclude(text__in=list(resolver.unresolved)).delete()
        # A full pass counts every package: the counts are exact, not the importers' maxima.
        for key, (_example, count) in resolver.unresolved.items():
            UnresolvedPlace.objects.filter(text=key).update(package_count=count)
    resolver.record_unresolved()
    return len(changed)


def _save(changed, by):
    if not changed:
        return
    processes = Process.objects.in_bulk([pk for pk, _, _ in changed])
    now = timezone.now()
    updated = []
    for pk, fields, _ in changed:
        process = processes[pk]
        for name, value in fields.items():
            setattr(process, name, value)
        process.updated_at = now
        updated.append(process)
    Process.objects.bulk_update(
        updated, ["location_kecamatan", "location_desa", "updated_at"], batch_size=BATCH
    )
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                process=processes[pk],
                process_label=str(processes[pk])[:500],
                agency_id=processes[pk].agency_id,
                user=by if by is not None and by.is_authenticated else None,
                action=AuditEntry.Action.CHANGE,
                changes={"sumber": "register wilayah", **changes},
            )
            for pk, _, changes in changed
        ],
        batch_size=BATCH,
    )
    # The stage completeness, search text, cache version and releases follow the new place.
    rules = completeness.Rules.load()
    ids = list(processes)
    for start in range(0, len(ids), 2000):
        completeness.refresh(ids[start : start + 2000], rules=rules, flags=False)


@transaction.atomic
def map_place(*, unresolved, kecamatan, desa=None, by):
    """An administrator's answer for a location text: an alias the next imports use too, the
    packages carrying the text re-resolved, and the text off the unresolved list."""
    PlaceAlias.objects.update_or_create(
        text=unresolved.text,
        defaults={"kecamatan": kecamatan, "desa": desa, "created_by": by},
    )
    changed = resolve_packages(texts={unresolved.text}, by=by)
    UnresolvedPlace.objects.filter(pk=unresolved.pk).delete()
    return changed
