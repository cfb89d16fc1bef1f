"""Which stages of a package are complete, by the requirements administrators keep as data.

The result is stored in StageCompleteness rows, refreshed after every change to a package, its
documents or its rows, and in bulk when the requirements themselves change.
"""

import functools
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext

from contracts import pipeline
from contracts.models import (
    STAGE_ORDER,
    Process,
    Stage,
    StageCompleteness,
    StageExemption,
    StageRequirement,
    Status,
    stored_text,
)
from opendata_kontrak import bulk

# The process fields a requirement may name, per stage. Names of related rows (progress
# reports, payments, bidders, amendments) mean "at least one row".
REQUIREMENT_FIELDS = {
    Stage.PLANNING: [
        "program_name",
        "program_code",
        "activity_name",
        "activity_code",
        "sub_activity_name",
        "sub_activity_code",
        "account_code",
        "rup_code",
        "budget_amount",
        "funding_sources",
        "category",
        "method",
        "location_kecamatan",
        "location_desa",
        "planned_start",
        "planned_end",
        "pa_kpa_name",
        "ppk_name",
        "pptk_name",
    ],
    Stage.TENDER: [
        "tender_code",
        "hps_amount",
        "tender_announced",
        "bid_deadline",
        "number_of_tenderers",
        "procuring_entity",
        "lpse_url",
        "bidders",
    ],
    Stage.AWARD: ["supplier", "award_amount", "award_date"],
    Stage.CONTRACT: [
        "contract_number",
        "contract_amount",
        "contract_signed",
        "contract_start",
        "contract_end",
        "amendments",
    ],
    Stage.IMPLEMENTATION: ["progress_reports", "payments", "pho_date"],
}
RELATED_FIELDS = ["bidders", "amendments", "progress_reports", "payments"]


@functools.cache
def field_label(name):
    """A requirement's label (a field's verbose name, or the related rows' plural), as text."""
    field = Process._meta.get_field(name)
    # Stored in the completeness rows (and cached here): the Indonesian, whoever asks first.
    if name in RELATED_FIELDS:
        return stored_text(field.related_model._meta.verbose_name_plural)
    return stored_text(field.verbose_name)


def field_choices():
    """The requirement form's choices, grouped by stage, in the active language."""
    return [
        (gettext(Stage(stage).label), [(name, gettext(field_label(name))) for name in names])
        for stage, names in REQUIREMENT_FIELDS.items()
    ]


@dataclass
class Rules:
    requirements: list
    exemptions: set

    @classmethod
    def load(cls):
        requirements = StageRequirement.objects.filter(is_active=True).select_related(
            "document_type"
        )
        return cls(
            # What is missing reads in the order of the form: fields first, then documents.
            requirements=sorted(requirements, key=_reading_order),
            exemptions=set(StageExemption.objects.values_list("method", "stage")),
        )


def _reading_order(requirement):
    if requirement.field_name:
        fields = REQUIREMENT_FIELDS.get(requirement.stage, [])
        position = fields.index(requirement.field_name) if requirement.field_name in fields else 99
        return (0, position, requirement.pk)
    return (1, requirement.document_type.position, requirement.pk)


def _filled(process, name, related_counts):
    if name in RELATED_FIELDS:
        return related_counts.get(name, 0) > 0
    value = getattr(process, f"{name}_id" if name == "supplier" else name)
    if name == "location_kecamatan" and not value:
        # A location naming several kecamatan has them all, not none.
        value = process.location_kecamatan_all
    return value not in (None, "", [])


def evaluate(process, *, rules, document_type_ids, related_counts):
    """{stage: (is_required, is_complete, missing)} for one process."""
    result = {}
    for stage in STAGE_ORDER:
        if (process.method, stage) in rules.exemptions:
            result[stage] = (False, True, [])
            continue
        missing = []
        for requirement in rules.requirements:
            if requirement.stage != stage:
                continue
            if requirement.methods and process.method not in requirement.methods:
                continue
            if requirement.categories and process.category not in requirement.categories:
                continue
            if requirement.document_type_id:
                if requirement.document_type_id not in document_type_ids:
                    missing.append(
                        {
                            "kind": "document",
                            "code": requirement.document_type.code,
                            "label": requirement.document_type.name,
                        }
                    )
            elif not _filled(process, requirement.field_name, related_counts):
                missing.append(
                    {
                        "kind": "field",
                        "code": requirement.field_name,
                        "label": str(field_label(requirement.field_name)),
                    }
                )
        result[stage] = (True, not missing, missing)
    return result


def _related_counts(process_ids):
    """{process_id: {relation: rows}}, one grouped query per relation (no cross-join)."""
    counts = {}
    for name in RELATED_FIELDS:
        model = Process._meta.get_field(name).related_model
        for process_id, number in (
            model.objects.filter(process_id__in=process_ids)
            .values_list("process_id")
            .annotate(number=Count("pk"))
        ):
            counts.setdefault(process_id, {})[name] = number
    return counts


# The document types each package holds: its own documents, and the agency documents of its
# agency and fiscal year (of its program and kegiatan where the document names them). One
# query for any number of packages: a DPA uploaded once completes all of them.
DOCUMENT_TYPES_SQL = """
SELECT d.process_id, d.document_type_id FROM contracts_document d
WHERE d.process_id = ANY(%s)
UNION
SELECT p.id, ad.document_type_id FROM contracts_process p
JOIN contracts_agencydocument ad
  ON ad.agency_id = p.agency_id AND ad.fiscal_year = p.fiscal_year
 AND (ad.program_code = '' OR ad.program_code = p.program_code)
 AND (ad.activity_code = '' OR ad.activity_code = p.activity_code)
WHERE p.id = ANY(%s)
"""

COMPLETENESS_COLUMNS = [
    "process_id",
    "stage",
    "is_required",
    "is_complete",
    "missing",
    "completed_at",
    "updated_at",
]


@transaction.atomic
def refresh(process_ids, *, rules=None, releases=True, flags=True, known=None):
    """Recompute and store the completeness of these processes (any number, in one pass).

    Also the stage reached and the search text; then it announces the change
    (contracts.pipeline.packages_changed), whose steps store a new OCDS release for published
    packages whose public data changed, the red flags of their agencies' years, the alerts'
    changes and a new data version for the cache. `releases=False` skips the releases when only the
    requirements changed; `flags=False` leaves the flags to a caller refreshing many chunks,
    who recomputes them once at the end. `known`: {id: package} the caller holds as just saved
    (an import's), used instead of reading them again.
    """
    rules = rules or Rules.load()
    process_ids = list(process_ids)
    if not process_ids:
        return
    documents = {}
    with connection.cursor() as cursor:
        cursor.execute(DOCUMENT_TYPES_SQL, [process_ids, process_ids])
        for process_id, type_id in cursor.fetchall():
            documents.setdefault(process_id, set()).add(type_id)
    related = _related_counts(process_ids)
    stored = StageCompleteness.objects.filter(process_id__in=process_ids).values_list(
        "process_id", "stage", "completed_at"
    )
    completed_since, seen = {}, set()
    for process_id, stage, completed_at in stored:
        seen.add(process_id)
        if completed_at is not None:
            completed_since[(process_id, stage)] = completed_at
    now = timezone.now()
    rows = []
    processes = _packages(process_ids, known or {})
    for process in processes:
        counts = related.get(process.pk, {})
        outcome = evaluate(
            process,
            rules=rules,
            document_type_ids=documents.get(process.pk, set()),
            related_counts=counts,
        )
        process.stage_reached = stage_reached(process, counts)
        process.all_complete = all(complete for _, complete, _ in outcome.values())
        for stage, (is_required, is_complete, missing) in outcome.items():
            since = (completed_since.get((process.pk, stage)) or now) if is_complete else None
            rows.append((process.pk, stage, is_required, is_complete, missing, since, now))
    # Packages seen before are upserted; new ones (a big import's) are streamed in as they are.
    again = [
        StageCompleteness(**dict(zip(COMPLETENESS_COLUMNS, row, strict=True)))
        for row in rows
        if row[0] in seen
    ]
    if len(again) > 1000:
        bulk.copy_upsert(
            again,
            unique_fields=["process", "stage"],
            update_fields=["is_required", "is_complete", "missing", "completed_at", "updated_at"],
        )
    else:  # an operator's save: one statement, no staging table
        StageCompleteness.objects.bulk_create(
            again,
            update_conflicts=True,
            unique_fields=["process", "stage"],
            update_fields=["is_required", "is_complete", "missing", "completed_at", "updated_at"],
        )
    bulk.copy_values(
        StageCompleteness, COMPLETENESS_COLUMNS, (row for row in rows if row[0] not in seen)
    )
    _store_derived(processes)
    # What follows (releases, flags, alerts, the cache version): contracts.pipeline, in order.
    pipeline.packages_changed(
        process_ids,
        packages=processes,
        # A draft that was never public changes only what supervisors see.
        public=any(process.status != Status.DRAFT for process in processes),
        years={process.fiscal_year for process in processes},
        releases=releases,
        flags=flags,
    )


def stage_reached(process, related_counts):
    """The furthest stage the package has data for, as citizens filter by it."""
    if process.pho_date or related_counts.get("progress_reports") or related_counts.get("payments"):
        return Stage.IMPLEMENTATION
    if process.contract_number or process.contract_signed or process.contract_amount:
        return Stage.CONTRACT
    if process.supplier_id or process.award_amount:
        return Stage.AWARD
    if process.tender_code or process.hps_amount or process.tender_announced:
        return Stage.TENDER
    return Stage.PLANNING


# Title and codes weigh most, then names and places, then the description, then the text of
# the documents (bounded: a tsvector holds at most 1 MB).
# The search text of package p (agency a joined).
SEARCH_VECTOR = """
    setweight(to_tsvector('indonesian_unaccent', p.title), 'A')
    || setweight(to_tsvector('simple', concat_ws(' ', p.ocid, p.rup_code, p.tender_code,
                                                  p.contract_number)), 'A')
    || setweight(to_tsvector('indonesian_unaccent', concat_ws(' ',
        (SELECT s.name FROM contracts_supplier s WHERE s.id = p.supplier_id),
        p.program_name, p.activity_name, p.sub_activity_name, p.location_kecamatan,
        p.location_desa, a.name, a.short_name)), 'B')
    || setweight(to_tsvector('indonesian_unaccent', concat_ws(' ', p.description,
        (SELECT string_agg(s.name, ' ') FROM contracts_bidder b
         JOIN contracts_supplier s ON s.id = b.supplier_id WHERE b.process_id = p.id))), 'C')
    || setweight(to_tsvector('indonesian_unaccent', left(coalesce(
        (SELECT string_agg(d.text, ' ') FROM contracts_document d WHERE d.process_id = p.id),
        ''), 300000)), 'D')
"""
SEARCH_SQL = """
UPDATE contracts_process AS p SET search_vector = SEARCH_VECTOR
FROM agencies_agency AS a
WHERE a.id = p.agency_id AND p.id = ANY(%s)
""".replace("SEARCH_VECTOR", SEARCH_VECTOR)
# The stage, completeness and search text together: one new version of each row, not two.
DERIVED_SQL = """
UPDATE contracts_process AS p
SET stage_reached = v.stage, all_complete = v.complete, search_vector = SEARCH_VECTOR
FROM agencies_agency AS a,
     unnest(%s::bigint[], %s::varchar[], %s::boolean[]) AS v(id, stage, complete)
WHERE a.id = p.agency_id AND p.id = v.id
""".replace("SEARCH_VECTOR", SEARCH_VECTOR)


def _packages(process_ids, known):
    """The packages, by id, with their agency and supplier: those `known` as they are (their
    agency and supplier read at once where not attached), the others from the database."""
    held = [known[pk] for pk in process_ids if pk in known]
    for relation in ("agency", "supplier"):
        field = Process._meta.get_field(relation)
        wanted = {
            getattr(p, field.attname)
            for p in held
            if getattr(p, field.attname) is not None and not field.is_cached(p)
        }
        if wanted:
            found = field.related_model.objects.in_bulk(wanted)
            for p in held:
                if not field.is_cached(p) and getattr(p, field.attname) is not None:
                    setattr(p, relation, found[getattr(p, field.attname)])
    others = [pk for pk in process_ids if pk not in known]
    read = list(
        Process.objects.filter(pk__in=others)
        .without_bookkeeping()
        .select_related("agency", "supplier")
    )
    return sorted(held + read, key=lambda process: process.pk)


def _store_derived(processes):
    with connection.cursor() as cursor:
        cursor.execute(
            DERIVED_SQL,
            [
                [p.pk for p in processes],
                [p.stage_reached for p in processes],
                [p.all_complete for p in processes],
            ],
        )


def refresh_all(*, chunk_size=2000):
    """After a change of the requirements: every process, in chunks, with the rules read once."""
    rules = Rules.load()
    ids = list(Process.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk_size):
        refresh(ids[start : start + chunk_size], rules=rules, releases=False, flags=False)
    # Missing documents feed a red flag: recompute them all once, not per chunk.
    pipeline.all_flags_changed()
    return len(ids)
