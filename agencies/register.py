"""Loading the agency register (the regency's list of Perangkat Daerah) from its CSV file.

The file is the starting point, the database is the truth: administrators correct the register
in the admin, so a later load adds agencies that are missing and leaves existing ones alone
unless asked to overwrite them.
"""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

REQUIRED_COLUMNS = ["code", "name", "short_name", "kind", "sirup_id_satker", "sirup_name"]
FIELD_FOR_COLUMN = {
    "name": "name",
    "short_name": "short_name",
    "kind": "kind",
    "sirup_id_satker": "sirup_id",
    "sirup_name": "sirup_name",
    "source": "source",
}


class RegisterError(Exception):
    pass


@dataclass
class RegisterLoad:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    # Codes whose database values differ from the file and were kept (update=False).
    differing: list = field(default_factory=list)

    @property
    def total(self):
        return len(self.created) + len(self.updated) + len(self.unchanged) + len(self.differing)


def read_register(path: Path) -> list[dict]:
    """Read and check every row; raise RegisterError naming the line of the first problem."""
    from agencies.models import AgencyKind

    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise RegisterError(f"{path.name}: kolom wajib tidak ada: {', '.join(missing)}")
            rows = []
            seen = {}
            for line, raw in enumerate(reader, start=2):
                row = {
                    model_field: (raw.get(column) or "").strip()
                    for column, model_field in FIELD_FOR_COLUMN.items()
                }
                row["code"] = (raw.get("code") or "").strip()
                if not row["code"] or not row["name"]:
                    raise RegisterError(f"{path.name} baris {line}: kode dan nama wajib diisi")
                if row["kind"] not in AgencyKind.values:
                    raise RegisterError(
                        f"{path.name} baris {line}: jenis {row['kind']!r} tidak dikenal "
                        f"(yang dikenal: {', '.join(AgencyKind.values)})"
                    )
                if row["code"] in seen:
                    raise RegisterError(
                        f"{path.name} baris {line}: kode {row['code']!r} sudah ada di baris "
                        f"{seen[row['code']]}"
                    )
                seen[row["code"]] = line
                rows.append(row)
    except UnicodeDecodeError as error:
        raise RegisterError(f"{path.name}: bukan teks UTF-8 ({error.reason})") from error
    return rows


@transaction.atomic
def load_register(*, path: Path, agency_model=None, update: bool = False) -> RegisterLoad:
    """Create missing agencies from the register; with update=True also overwrite changed ones.

    `agency_model` lets a data migration pass its historical model.
    """
    if agency_model is None:
        from agencies.models import Agency as agency_model

    rows = read_register(path)
    existing = {agency.code: agency for agency in agency_model.objects.all()}
    result = RegisterLoad()
    to_create = []
    for row in rows:
        agency = existing.get(row["code"])
        if agency is None:
            to_create.append(agency_model(**row))
            result.created.append(row["code"])
            continue
        changed = [name for name, value in row.items() if getattr(agency, name) != value]
        if not changed:
            result.unchanged.append(row["code"])
        elif update:
            for name in changed:
                setattr(agency, name, row[name])
            agency.save(update_fields=[*changed, "updated_at"])
            result.updated.append(row["code"])
        else:
            result.differing.append(row["code"])
    agency_model.objects.bulk_create(to_create)
    return result
