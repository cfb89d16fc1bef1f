"""What the SiRUP and LPSE importers share: finding the agency, and writing packages in bulk
with their audit trail and completeness, so that 10 000 rows take seconds, not minutes.
"""

from django.utils import timezone

from agencies.models import Agency
from contracts import completeness
from contracts.models import AuditEntry, Process, make_ocid
from contracts.services import plain
from imports.values import text
from integrity import flags

BATCH = 1000


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


class ProcessWriter:
    """Collects new and changed packages, then writes them in batches with their trail."""

    def __init__(self, *, by, source):
        self.by = by if by is not None and by.is_authenticated else None
        self.source = source
        self.new = []
        self.changed = []

    def create(self, **fields):
        process = Process(**fields)
        self.new.append(process)
        return process

    def update(self, process, fields):
        """Apply `fields`; return True if anything changed."""
        changed = [name for name, value in fields.items() if getattr(process, name) != value]
        if not changed:
            return False
        changes = {}
        for name in changed:
            label = str(Process._meta.get_field(name.removesuffix("_id")).verbose_name)
            changes[label] = [plain(getattr(process, name)), plain(fields[name])]
            setattr(process, name, fields[name])
        self.changed.append((process, changed, changes))
        return True

    def save(self):
        now = timezone.now()
        for start in range(0, len(self.new), BATCH):
            batch = self.new[start : start + BATCH]
            for pk, process in zip(Process.objects.allocate_ids(len(batch)), batch, strict=True):
                process.pk = pk
                process.ocid = make_ocid(pk)
            Process.objects.bulk_create(batch)
        fields = sorted({name for _, names, _ in self.changed for name in names} | {"updated_at"})
        for process, _, _ in self.changed:
            process.updated_at = now
        changed_processes = [process for process, _, _ in self.changed]
        for start in range(0, len(changed_processes), BATCH):
            Process.objects.bulk_update(changed_processes[start : start + BATCH], fields)
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
        AuditEntry.objects.bulk_create(entries, batch_size=BATCH)
        touched = [p.pk for p in self.new] + [p.pk for p, _, _ in self.changed]
        rules = completeness.Rules.load()
        for start in range(0, len(touched), 2000):
            completeness.refresh(touched[start : start + 2000], rules=rules, flags=False)
        # Flags are computed per agency and year: once for all chunks, not once per chunk.
        flags.refresh(touched)
        return touched
