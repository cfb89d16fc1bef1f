"""Packages' kecamatan and desa, resolved against the place register (agencies.places).

The stored `location_detail` is the source's own words and never changes here; only
`location_kecamatan` and `location_desa` do, and only when the text resolves to one kecamatan.
`location_kecamatan_all` lists every kecamatan the location names: that one, or the several
of a text like "Kecamatan Sumberrejo, Balen, Kedungadem" (whose `location_kecamatan` stays
empty), so the package is found on each one's page.
"""

from operator import itemgetter

from django.db import transaction
from django.utils import timezone

from agencies.models import PlaceAlias, UnresolvedPlace
from agencies.places import PlaceResolver, Resolved, kecamatan_with, normalise
from contracts import completeness
from contracts.models import AuditEntry, Process
from opendata_kontrak import chunked

BATCH = 1000


def kecamatan_named(process_values, resolver):
    """Every register kecamatan a package's location names, sorted (what
    `Process.location_kecamatan_all` holds): its stated kecamatan when the register knows it,
    with the others its detail text names when that names several; else those its detail
    names (one or several); [] for none.

    `process_values`: (kecamatan, desa, detail)."""
    kecamatan, _desa, detail = process_values
    stated = resolver.resolve(kecamatan)
    return kecamatan_with(stated.kecamatan_name if stated else "", resolver.kecamatan_named(detail))


def place_for(process_values, resolver):
    """The fields a package's location gives: its stated kecamatan first (an operator's choice
    or an earlier import's), then its detail text; with `location_kecamatan_all`
    (`kecamatan_named`). {} when nothing resolves; only `location_kecamatan_all` when the
    detail names several kecamatan and none is stated.

    `process_values`: (kecamatan, desa, detail)."""
    kecamatan, desa, detail = process_values
    stated = resolver.resolve(kecamatan)
    named = kecamatan_named(process_values, resolver)
    if stated is None:
        found = resolver.resolve(detail)
        if found:
            return found.fields()
        return {"location_kecamatan_all": named} if named else {}
    from_detail = resolver.resolve(detail)
    if (
        from_detail
        and from_detail.kecamatan_name == stated.kecamatan_name
        and (from_detail.desa_name)
    ):
        desa = from_detail.desa_name
    else:
        desa = stated.desa_name or _desa_in(resolver, stated.kecamatan_name, desa)
    return Resolved(stated.kecamatan_name, desa).fields() | {"location_kecamatan_all": named}


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
        "pk", "location_kecamatan", "location_desa", "location_detail", "location_kecamatan_all"
    ).order_by("pk")
    changed = []
    for pk, kecamatan, desa, detail, named in chunked.by_pk(rows, 2000, pk_of=itemgetter(0)):
        text = detail or kecamatan
        if texts is not None and normalise(text) not in texts:
            continue
        fields = place_for((kecamatan, desa, detail), resolver)
        if "location_kecamatan" not in fields:
            resolver.fields_for(text)  # remembered as unresolved
            # A text naming several kecamatan: the package is in each, none stored alone.
            fields = {"location_kecamatan": kecamatan, "location_desa": desa, **fields}
        fields.setdefault("location_kecamatan_all", named)
        new = (fields["location_kecamatan"], fields["location_desa"])
        if new != (kecamatan, desa):
            audit = {"kecamatan": [kecamatan, new[0]], "desa/kelurahan": [desa, new[1]]}
            changed.append((pk, fields, audit))
        elif fields["location_kecamatan_all"] != named:
            audit = {"kecamatan yang disebut": [named, fields["location_kecamatan_all"]]}
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
        updated,
        ["location_kecamatan", "location_desa", "location_kecamatan_all", "updated_at"],
        batch_size=BATCH,
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
