"""What the SiRUP and LPSE importers share: finding the agency, and writing packages in bulk
with their audit trail and completeness, so that 10 000 rows take seconds, not minutes.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.contrib.postgres.fields import ArrayField
from django.db.models import Q
from django.utils import formats, timezone, translation

from agencies.models import Agency
from agencies.places import kecamatan_with
from contracts import completeness, pipeline
from contracts.models import AuditEntry, Process, Status, make_ocid, stored_text
from contracts.services import plain
from contracts.templatetags.rupiah import rupiah
from imports.values import text
from opendata_kontrak import bulk

BATCH = 1000
# Fields an import sets as data (remembered per package); status, agency and the links between
# sources are not: an import sets them by its own rules (ProcessWriter.update's `forced`).
NOT_REMEMBERED = {
    "agency",
    "agency_id",
    "fiscal_year",
    "status",
    "published_at",
    "withdrawn_at",
    "withdrawn_reason",
    "rup_code",
    "tender_code",
}


# Besides the fields, a package remembers what LPSE last said of its tender's stage (the
# export's tahap_tender): the SiRUP import weighs a plan marked inactive against it...
LPSE_STAGE = "lpse_tahap"
# ... and whether SiRUP last said its plan is active ("ya"/"tidak"): the LPSE import weighs it.
PLAN_ACTIVE = "sirup_status_aktif"

# The reason the SiRUP import withdraws a package with, and the only withdrawal an import undoes.
PLAN_CANCELLED_REASON = "Rencana dibatalkan di SiRUP (status aktif: tidak)."
LPSE_FAILED = re.compile(r"gagal|batal", re.I)
LPSE_FINISHED = re.compile(r"selesai|kontrak|penunjukan", re.I)


def lpse_overrides_inactive_plan(*, system, stage, winner):
    """The report's note when LPSE keeps published a package whose SiRUP plan is inactive,
    else "".

    system: "lelang" or "nontender" (the package's LPSE link), "" when LPSE has no record of
    it; stage: the tahap LPSE gives (None when not known); winner: whether LPSE names one.
    LPSE has the last word once its tender (or non-tender) reached a winner, or while it is
    still running; not when LPSE says it failed or was cancelled, nor when it finished without
    a winner."""
    if not system:
        return ""
    kind = "non tender" if system == "nontender" else "tender"
    stage = text(stage)
    if LPSE_FAILED.search(stage):
        return ""
    if winner:
        return (
            f"RUP tidak aktif di SiRUP, tetapi {kind} di LPSE selesai dengan pemenang: "
            "paket tetap terbit"
        )
    if stage and not LPSE_FINISHED.search(stage):
        return (
            f"RUP tidak aktif di SiRUP, tetapi {kind} di LPSE masih berjalan (tahap {stage}): "
            "paket tetap terbit; periksa RUP-nya di SiRUP"
        )
    return ""


def withdrawn_by_import(process):
    """Whether the package is withdrawn because an import found its SiRUP plan inactive: the
    import's reason, and no operator's withdrawal in its trail. An operator's withdrawal is
    never undone by an import."""
    return (
        process.status == Status.WITHDRAWN
        and process.withdrawn_reason == PLAN_CANCELLED_REASON
        and not AuditEntry.objects.filter(
            process=process, action=AuditEntry.Action.WITHDRAW
        ).exists()
    )


def plan_withdrawal(moment):
    """The status fields of a package withdrawn because its SiRUP plan is inactive."""
    return {
        "status": Status.WITHDRAWN,
        "published_at": moment,
        "withdrawn_at": moment,
        "withdrawn_reason": PLAN_CANCELLED_REASON,
    }


def republished(process):
    """The status fields that put a package withdrawn by an import back on the site."""
    return {
        "status": Status.PUBLISHED,
        "published_at": process.published_at or timezone.now(),
        "withdrawn_at": None,
        "withdrawn_reason": "",
    }


def remembered(value):
    """A field's value as source_values keeps it (JSON): dates as ISO text, lists as lists,
    every kind of empty ("", None, []) as None."""
    return None if value in (None, "", []) else plain(value)


def _field(name):
    return Process._meta.get_field(name.removesuffix("_id"))


def _label(name):
    # Stored in the import's history: the portal's Indonesian label whatever the request speaks.
    return stored_text(_field(name).verbose_name)


class AgencyMatcher:
    """Finds the agency of a row by SiRUP satker id first, then by the name SiRUP uses."""

    def __init__(self):
        agencies = list(Agency.objects.all())
        self.by_id = {a.sirup_id: a for a in agencies if a.sirup_id}
        self.by_name = {}
        for agency in agencies:
            for name in (agency.sirup_name, agency.name):
                if name:
                    self.by_name[_key(name)] = agency

    def find(self, *, satker_id="", name=""):
        satker_id = text(satker_id).split(".")[0]
        if satker_id and satker_id in self.by_id:
            return self.by_id[satker_id]
        return self.by_name.get(_key(name))


def _key(name):
    return " ".join(text(name).upper().replace(".", " ").split())


def fit_to_columns(fields, notes, *, model=Process):
    """Leave out every text longer than its column, with a note saying which and how long:
    never cut silently, never a database error for the whole file. For a new row the field
    stays empty; for an existing row it keeps its value."""
    for name, value in list(fields.items()):
        field = model._meta.get_field(name)
        if isinstance(value, str) and field.max_length and len(value) > field.max_length:
            notes.append(
                f"{field.verbose_name} {len(value)} karakter, lebih dari batas "
                f"{field.max_length}: tidak disimpan, periksa sumbernya (“{value[:60]}…”)"
            )
            del fields[name]


def method_notes(method, original, notes):
    """A method term no regulation maps is kept in its own words; say so."""
    if original and not method:
        notes.append(f"metode {original!r} tidak dikenal: disimpan dengan istilah aslinya")


def out_of_scope(agency, scope):
    """An operator imports their own agency's rows only; scope None means every agency."""
    return scope is not None and agency.pk != scope.pk


# Said to an operator whose row names a package of another agency: which agency, and whether
# it is a draft, are not theirs to learn from an import preview.
ANOTHER_AGENCYS = "kode ini dipakai paket perangkat daerah lain, bukan perangkat daerah Anda"


def findable(processes, scope):
    """The packages an import may match a RUP or tender code against.

    An administrator's import (scope None) sees every package. An operator's sees their own
    agency's and the published ones: another agency's draft is, to them, not there, as on
    every other page; a row of theirs with its code makes a package of their own, and the
    double is the administrators' to merge (manage.py merge_doubles).
    """
    if scope is None:
        return processes
    return processes.filter(Q(agency_id=scope.pk) | Q(status=Status.PUBLISHED))


@dataclass
class Change:
    """What one import row did to an existing package: truthy when a field changed.

    changes: [[label, before, after]] of the fields written; conflicts: [[field name, label,
    the operator's value, the source's value]] of fields an operator corrected that the source
    changed too (kept as the operator wrote them unless taken, then also listed in changes).
    """

    changes: list = field(default_factory=list)
    conflicts: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.changes)


class ProcessWriter:
    """Collects new and changed packages, then writes them in batches with their trail.

    Each package remembers what the last import said of every field it set
    (`Process.source_values`). A re-import then changes a field only when the source changed
    it since: an operator's correction of a field the source did not change stays; when both
    changed, the operator's value stays (a conflict in the report) unless the administrator
    chose the source's for that row and field (`take_source`, "<row key>/<field name>").
    A field no import has set yet takes the source's value, except that an empty source value
    never blanks what is there.
    """

    def __init__(self, *, by, source, take_source=frozenset()):
        self.by = by if by is not None and by.is_authenticated else None
        self.source = source
        self.take_source = take_source
        self.new = []
        self.changed = []
        self.remembered = []  # packages whose source_values alone changed
        self._names = {}  # (model, pk): name, for the preview

    def create(self, *, facts=None, **fields):
        process = Process(**fields)
        process.source_values = {
            name: remembered(value) for name, value in fields.items() if name not in NOT_REMEMBERED
        } | (facts or {})
        self.new.append(process)
        return process

    def update(self, process, fields, *, key=None, forced=None, facts=None):
        """Apply `fields` as the rules above say and `forced` (status, agency, links) as they
        are, and remember `facts` ({LPSE_STAGE: ...}: what the source said beyond the fields);
        return a Change (truthy if any field changed)."""
        last_said = process.source_values
        # A package an import of this version made or updated: a field its source left out
        # (a location it could not place) was last said empty.
        imported_before = bool(last_said)
        said = dict(last_said) | (facts or {})
        # Read from the place, not remembered: it follows the kecamatan the rules below keep.
        fields = dict(fields)
        named = fields.pop("location_kecamatan_all", None)
        # Status, agency and links follow the import's own rules, whoever passes them.
        apply = {**{n: v for n, v in fields.items() if n in NOT_REMEMBERED}, **(forced or {})}
        outcome = Change()
        for name, value in fields.items():
            if name in NOT_REMEMBERED:
                continue
            now, value_said = remembered(getattr(process, name)), remembered(value)
            said[name] = value_said
            if now == value_said:
                continue
            if name not in last_said and not imported_before:
                if value_said is None:
                    continue  # never blank what an operator (or an older import) filled in
                apply[name] = value
            elif last_said.get(name) == value_said:
                continue  # the source did not change it: whatever is there stays
            elif now == last_said.get(name) or f"{key}/{name}" in self.take_source:
                apply[name] = value
                if now != last_said.get(name):
                    outcome.conflicts.append(self._conflict(process, name, value))
            else:
                outcome.conflicts.append(self._conflict(process, name, value))
        if named is not None:
            stated = apply.get("location_kecamatan", process.location_kecamatan)
            apply["location_kecamatan_all"] = kecamatan_with(stated, named)
        changed = [name for name, value in apply.items() if getattr(process, name) != value]
        trail = {}
        for name in changed:
            before, after = getattr(process, name), apply[name]
            trail[_label(name)] = [plain(before), plain(after)]
            outcome.changes.append(
                [_label(name), self.shown(name, before), self.shown(name, after)]
            )
            setattr(process, name, after)

        if said != last_said:
            process.source_values = said
        if changed:
            self.changed.append((process, changed, trail))
        elif said != last_said:
            self.remembered.append(process)
        return outcome

    def _conflict(self, process, name, value):
        return [
            name,
            _label(name),
            self.shown(name, getattr(process, name)),
            self.shown(name, value),
        ]

    def shown(self, name, value):
        """A value as a person reads it in the preview: names for ids, labels for choices,
        Rupiah, Indonesian dates; "—" for empty."""
        if value in (None, "", []):
            return "—"
        field = _field(name)
        if field.is_relation:
            key = (field.related_model, value)
            if key not in self._names:
                found = field.related_model.objects.filter(pk=value).first()
                self._names[key] = str(found) if found else str(value)
            return self._names[key]
        if isinstance(value, list):
            return ", ".join(self.shown(name, item) for item in value)
        choices = dict(getattr(field, "base_field", field).flatchoices or ())
        if value in choices:
            return str(choices[value])
        if isinstance(value, datetime.date):
            with translation.override("id"):
                return formats.date_format(value, "j F Y")
        if isinstance(value, int) and name.endswith("_amount"):
            return rupiah(value)
        return str(value)

    def save(self):
        now = timezone.now()
        for start in range(0, len(self.new), BATCH):
            batch = self.new[start : start + BATCH]
            for pk, process in zip(Process.objects.allocate_ids(len(batch)), batch, strict=True):
                process.pk = pk
                process.ocid = make_ocid(pk)
            bulk.copy_insert(batch)
        fields = sorted(
            {name for _, names, _ in self.changed for name in names}
            | {"updated_at", "source_values"}
        )
        for process, _, _ in self.changed:
            process.updated_at = now
        changed_processes = [process for process, _, _ in self.changed]
        arrays = [name for name in fields if isinstance(_field(name), ArrayField)]
        scalars = [name for name in fields if name not in arrays]
        bulk.update_columns(
            Process,
            [(p.pk, *(getattr(p, name) for name in scalars)) for p in changed_processes],
            scalars,
        )
        if arrays:
            Process.objects.bulk_update(changed_processes, arrays, batch_size=BATCH)
        bulk.update_columns(
            Process, [(p.pk, p.source_values) for p in self.remembered], ["source_values"]
        )
        entries = [
            AuditEntry(
                process=process,
                process_label=str(process)[:500],
                agency_id=process.agency_id,
                user=self.by,
                action=AuditEntry.Action.CREATE,
                changes={"sumber": self.source},
            )
            for process in self.new
        ] + [
            AuditEntry(
                process=process,
                process_label=str(process)[:500],
                agency_id=process.agency_id,
                user=self.by,
                action=AuditEntry.Action.CHANGE,
                changes={"sumber": self.source, **changes},
            )
            for process, _, changes in self.changed
        ]
        bulk.copy_insert(entries)
        touched = [p.pk for p in self.new] + [p.pk for p, _, _ in self.changed]
        known = {p.pk: p for p in self.new} | {p.pk: p for p, _, _ in self.changed}
        rules = completeness.Rules.load()
        for start in range(0, len(touched), 2000):
            completeness.refresh(
                touched[start : start + 2000], rules=rules, flags=False, known=known
            )
        # Flags are computed per agency and year: once for all chunks, not once per chunk.
        pipeline.flags_changed(touched)
        return touched
