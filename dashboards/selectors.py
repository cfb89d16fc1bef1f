"""The supervisors' numbers, read from the stored completeness (never re-evaluated per package).

A stage counts where it applies to the package's method (`is_required`); withdrawn packages do
not count; drafts do, since supervisors chase what is not published yet too.
"""

import calendar
import datetime
import json
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    Func,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.functions import Collate, Greatest, Lower
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from agencies.models import KIND_ORDER, Agency, AgencyKind
from contracts.deadlines import due_date_expression
from contracts.models import (
    STAGE_ORDER,
    DocumentType,
    Process,
    Stage,
    StageCompleteness,
    Status,
)
from contracts.search import package_search
from followups import selectors as followup_selectors
from opendata_kontrak import chunked


@dataclass
class Cell:
    required: int = 0
    complete: int = 0

    @property
    def share(self):
        return round(100 * self.complete / self.required) if self.required else None

    @property
    def missing(self):
        return self.required - self.complete

    def add(self, other):
        self.required += other.required
        self.complete += other.complete


@dataclass
class Row:
    label: str
    agency: Agency = None
    cells: dict = field(default_factory=dict)
    total: Cell = field(default_factory=Cell)
    # Supervisors' requests to the agency not yet closed (followups).
    open_requests: int = 0


def counted_stages(year):
    return StageCompleteness.objects.filter(process__fiscal_year=year, is_required=True).exclude(
        process__status=Status.WITHDRAWN
    )


def years():
    return Process.objects.fiscal_years()


def matrix(year, sort="jenis"):
    """Rows of agencies by stages, with totals per kind and for the regency, and each agency's
    requests not yet closed (three queries)."""
    counts = (
        counted_stages(year)
        .values("process__agency_id", "stage")
        .annotate(required=Count("pk"), complete=Count("pk", filter=Q(is_complete=True)))
        .order_by()
    )
    cells = {
        (c["process__agency_id"], c["stage"]): Cell(c["required"], c["complete"]) for c in counts
    }
    requests = followup_selectors.open_counts()
    rows = []
    for agency in Agency.objects.active():
        row = Row(label=agency.name, agency=agency, open_requests=requests.get(agency.pk, 0))
        for stage in STAGE_ORDER:
            cell = cells.get((agency.pk, stage), Cell())
            row.cells[stage] = cell
            row.total.add(cell)
        rows.append(row)
    if sort == "terburuk":
        rows.sort(key=lambda r: (r.total.share is None, r.total.share or 0, -r.total.required))
    else:
        rows.sort(key=lambda r: (KIND_ORDER[r.agency.kind], r.label))
    kinds = []
    for kind, label in AgencyKind.choices:
        total = Row(label=label)
        for stage in STAGE_ORDER:
            total.cells[stage] = Cell()
        for row in rows:
            if row.agency.kind == kind:
                for stage in STAGE_ORDER:
                    total.cells[stage].add(row.cells[stage])
                total.total.add(row.total)
        total.open_requests = sum(r.open_requests for r in rows if r.agency.kind == kind)
        kinds.append(total)
    # Kept untranslated (the rows are cached for both languages); the page translates it.
    regency = Row(label=gettext_noop("Kabupaten"))
    for stage in STAGE_ORDER:
        regency.cells[stage] = Cell()
        for row in rows:
            regency.cells[stage].add(row.cells[stage])
        regency.total.add(regency.cells[stage])
    regency.open_requests = sum(row.open_requests for row in rows)
    return rows, kinds, regency


class _DaysBetween(Func):
    """Whole days from the second date to the first: PostgreSQL's date - date, an integer."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()


def overdue_days_expression(due, today):
    """Days past `due` (the name of a date annotation) on `today` (a date), 0 when not past or
    not known (PostgreSQL's GREATEST skips a NULL)."""
    return Greatest(_DaysBetween(Value(today), F(due)), Value(0), output_field=IntegerField())


def _stage_position():
    return Case(
        *(When(stage=stage, then=Value(i)) for i, stage in enumerate(STAGE_ORDER)),
        output_field=IntegerField(),
    )


# Orders of the to-do, on rows annotated with `overdue` and `stage_position`. The default
# puts the most overdue first, then the package and the stage in their order; the others keep
# that order among equals. Titles compare lower-cased by code point (COLLATE "C"), whatever
# the database's collation.
_TODO_ORDERS = {
    "terlambat": ["-overdue", "process_id", "stage_position"],
    "judul": ["title_key", "process_id", "-overdue", "stage_position"],
    "tahun": ["-process__fiscal_year", "-overdue", "process_id", "stage_position"],
}


@dataclass
class Missing:
    row: StageCompleteness
    due: datetime.date = None
    # What this package lacks of its own; None: all of row.missing.
    own: list = None

    @property
    def things(self):
        return self.row.missing if self.own is None else self.own

    @property
    def process(self):
        return self.row.process

    @property
    def overdue_days(self):
        today = timezone.localdate()
        return (today - self.due).days if self.due and self.due < today else 0


def _with_due(rows, today):
    """Rows with `due` (selected), `overdue` and `stage_position` (for filters and order)."""
    return rows.annotate(due=due_date_expression()).alias(
        overdue=overdue_days_expression("due", today), stage_position=_stage_position()
    )


def incomplete(rows):
    """[Missing] of these completeness rows, most overdue first (the due date and the order
    computed by the database)."""
    rows = _with_due(rows, timezone.localdate()).order_by(*_TODO_ORDERS["terlambat"])
    return [Missing(row, row.due) for row in rows]


def drilldown(year, agency, stage):
    rows = (
        counted_stages(year)
        .filter(process__agency=agency, stage=stage, is_complete=False)
        .select_related("process")
    )
    return incomplete(rows)


# The to-do's filter labels, translated where the page shows them.
TODO_KINDS = {
    "dokumen": gettext_noop("Dokumen belum diunggah"),
    "isian": gettext_noop("Isian belum diisi"),
    "terlambat": gettext_noop("Terlambat"),
}
TODO_SORTS = {
    "terlambat": gettext_noop("Paling lama terlambat"),
    "judul": gettext_noop("Nama paket"),
    "tahun": gettext_noop("Tahun terbaru"),
}
_TODO_THING_KIND = {"dokumen": "document", "isian": "field"}
# What an item of the to-do shows of its package; the due-date fields stay in the database.
_TODO_PROCESS_FIELDS = ["id", "ocid", "title", "fiscal_year", "status"]


class _LacksOwnThing(Func):
    """True when the stage's `missing` list holds a thing the package lacks of its own: not
    an agency document (codes in `per_agency`), and of `kind` ("document"/"field") if given.
    One jsonb_path_exists call per row; no JSON leaves the database."""

    output_field = BooleanField()

    def __init__(self, per_agency, kind=None):
        self.per_agency, self.kind = list(per_agency), kind
        super().__init__(F("missing"))

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        wanted = "@.kind == $kind && " if self.kind else ""
        path = f'$[*] ? ({wanted}!(@.kind == "document" && @.code == $agency[*]))'
        variables = json.dumps({"agency": self.per_agency, "kind": self.kind})
        sql = f"jsonb_path_exists({column}, %s::jsonpath, %s::jsonb)"
        return sql, (*params, path, variables)


class TodoItems:
    """The operator's to-do as a lazy sequence for a Paginator: `count()` and
    `stage_counts()` come from one grouped query, a slice reads only its rows (the ids of one
    LIMIT/OFFSET query, then those rows) and builds their Missing, iteration streams every row
    in chunks (the downloads)."""

    def __init__(self, rows, grouped, per_agency, kind, stage):
        self._rows, self._grouped = rows, grouped
        self._per_agency, self._kind, self._stage = per_agency, kind, stage

    @cached_property
    def _counts(self):
        return {
            row["stage"]: row["items"]
            for row in self._grouped.values("stage").annotate(items=Count("pk")).order_by()
        }

    def stage_counts(self):
        """{stage: items} under every filter but the stage one (for the stage choices)."""
        return self._counts

    def count(self):
        if self._stage:
            return self._counts.get(self._stage, 0)
        return sum(self._counts.values())

    def __len__(self):
        return self.count()

    def _item(self, row):
        own = [
            m
            for m in row.missing
            if not (m["kind"] == "document" and m["code"] in self._per_agency)
            and (self._kind is None or m["kind"] == self._kind)
        ]
        return Missing(row, row.due, own)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        # The order is found over ids only (a narrow sort), then the page's rows are read.
        ids = list(self._rows.values_list("pk", flat=True)[index])
        rows = {row.pk: row for row in self._rows.filter(pk__in=ids).order_by()}
        return [self._item(rows[pk]) for pk in ids]

    def __iter__(self):
        return (self._item(row) for row in chunked.in_order(self._rows, 2000))


def todo(agency, limit=None, *, year=None, stage=None, kind=None, query="", sort="terlambat"):
    """What each package of the agency lacks of its own, most overdue first. Agency documents
    (DPA, Renja SKPD, …) missing are not repeated on every package: see
    missing_agency_documents, one item per agency-year.

    Filters, each optional: ``year`` (fiscal year), ``stage`` (a STAGE_ORDER value), ``kind``
    (a TODO_KINDS key: a document or a field missing, or the stage's date passed), ``query``
    (every word in the package, or a code as written: contracts.search.package_search);
    ``sort`` a TODO_SORTS key. Returns a TodoItems of Missing (a list of at most ``limit`` of
    them when a limit is given). The due dates, the filters and the order are computed by the
    database, so a page reads only its own rows.
    """
    today = timezone.localdate()
    per_agency = dict(DocumentType.objects.per_agency().values_list("code", "stage"))
    lacks_own = Q(_LacksOwnThing(per_agency, _TODO_THING_KIND.get(kind)))
    if kind not in _TODO_THING_KIND:
        # An incomplete stage lacks something (is_complete is "nothing missing"); only where
        # an agency document type belongs can that something be the agency's alone. Other
        # stages skip reading their list.
        lacks_own |= ~Q(stage__in=set(per_agency.values()))
    rows = (
        StageCompleteness.objects.filter(
            process__agency=agency, is_required=True, is_complete=False
        )
        .exclude(process__status=Status.WITHDRAWN)
        .filter(lacks_own)
    )
    if year:
        rows = rows.filter(process__fiscal_year=year)
    if query:
        rows = rows.filter(package_search(query, prefix="process__", codes=True))
    rows = _with_due(rows, today)
    if kind == "terlambat":
        rows = rows.filter(overdue__gt=0)
    grouped = rows
    if stage:
        rows = rows.filter(stage=stage)
    rows = rows.select_related("process").only(
        "stage", "missing", *(f"process__{name}" for name in _TODO_PROCESS_FIELDS)
    )
    if sort == "judul":
        rows = rows.alias(title_key=Collate(Lower("process__title"), "C"))
    rows = rows.order_by(*_TODO_ORDERS.get(sort, _TODO_ORDERS["terlambat"]))
    items = TodoItems(rows, grouped, per_agency, _TODO_THING_KIND.get(kind), stage)
    return items[:limit] if limit else items


@dataclass
class MissingAgencyDocument:
    fiscal_year: int
    document_type: DocumentType
    packages: int  # how many of the agency's packages of that year it would complete

    def __str__(self):
        # In the language of the page that shows it; the type's name is the register's.
        return gettext("%(document)s %(year)s belum diunggah") % {
            "document": self.document_type.name,
            "year": self.fiscal_year,
        }


def missing_agency_documents(agency, *, year=None, stage=None, kind=None):
    """One item per fiscal year and agency document type the agency's packages still lack
    ("DPA 2019 belum diunggah"), newest year first: one grouped query per such type.

    The to-do's filters (see todo) apply: ``year`` keeps that fiscal year, ``stage`` the types
    of that stage (DPA, Renja SKPD and the schedule are Perencanaan documents), ``kind``
    "isian" keeps nothing (they are documents, not fields) and "terlambat" only packages whose
    Perencanaan date has passed (due_date: the planned start)."""
    if kind == "isian":
        return []
    rows = StageCompleteness.objects.filter(process__agency=agency, is_required=True).exclude(
        process__status=Status.WITHDRAWN
    )
    if year:
        rows = rows.filter(process__fiscal_year=year)
    if stage:
        rows = rows.filter(stage=stage)
    if kind == "terlambat":
        # Only Perencanaan's due date is one column; agency documents are planning documents.
        rows = rows.filter(stage=Stage.PLANNING, process__planned_start__lt=timezone.localdate())
    lacking = _lacking_agency_documents(rows)
    items = [
        MissingAgencyDocument(fiscal_year, document_type, packages)
        for (_, fiscal_year, document_type), packages in lacking.items()
    ]
    items.sort(key=lambda m: (-m.fiscal_year, m.document_type.position, m.document_type.pk))
    return items


def agencies_missing_documents(year):
    """For the supervisors' matrix: [(agency, [MissingAgencyDocument, ...])] of the agencies
    whose packages of this year still lack an agency document, one entry per agency (not one
    per package), in the matrix's order of kinds and names."""
    lacking = _lacking_agency_documents(counted_stages(year))
    by_agency = {}
    for (agency_id, fiscal_year, document_type), packages in lacking.items():
        by_agency.setdefault(agency_id, []).append(
            MissingAgencyDocument(fiscal_year, document_type, packages)
        )
    agencies = Agency.objects.in_bulk(list(by_agency))
    result = [
        (agencies[agency_id], sorted(items, key=lambda m: m.document_type.position))
        for agency_id, items in by_agency.items()
    ]
    result.sort(key=lambda pair: (KIND_ORDER[pair[0].kind], pair[0].name))
    return result


def _lacking_agency_documents(rows):
    """{(agency id, fiscal year, document type): packages lacking it} among these completeness
    rows: the agency document types, then one query grouped by agency and year that counts each
    type's lacking packages side by side."""
    types = list(DocumentType.objects.per_agency())
    if not types:
        return {}
    counts = {
        f"lacking_{document_type.pk}": Count(
            "pk",
            filter=Q(
                stage=document_type.stage,
                missing__contains=[{"kind": "document", "code": document_type.code}],
            ),
        )
        for document_type in types
    }
    grouped = (
        rows.filter(is_complete=False, stage__in={t.stage for t in types})
        .values("process__agency_id", "process__fiscal_year")
        .annotate(**counts)
        .order_by()
    )
    lacking = {}
    for row in grouped:
        for document_type in types:
            packages = row[f"lacking_{document_type.pk}"]
            if packages:
                key = (row["process__agency_id"], row["process__fiscal_year"], document_type)
                lacking[key] = packages
    return lacking


def trend(year, agency=None):
    """Share of required stages complete at the end of each month of the year, so far."""
    today = timezone.localdate()
    last_month = 12 if year < today.year else today.month if year == today.year else 0
    rows = counted_stages(year)
    if agency is not None:
        rows = rows.filter(process__agency=agency)
    ends = {}
    for month in range(1, last_month + 1):
        day = calendar.monthrange(year, month)[1]
        ends[month] = timezone.make_aware(datetime.datetime(year, month, day, 23, 59, 59))
    counts = rows.aggregate(
        required=Count("pk"),
        **{
            f"m{month}": Count("pk", filter=Q(is_complete=True, completed_at__lte=end))
            for month, end in ends.items()
        },
    )
    required = counts["required"]
    return [
        {
            "month": month,
            "label": datetime.date(year, month, 1),
            "complete": counts[f"m{month}"],
            "required": required,
            "share": round(100 * counts[f"m{month}"] / required) if required else None,
        }
        for month in ends
    ]


def public_openness(year):
    """Per agency, the share of published packages with every required stage complete."""
    rows = (
        Process.objects.published()
        .filter(fiscal_year=year)
        .values("agency__code", "agency__name")
        .annotate(packages=Count("pk"), complete=Count("pk", filter=Q(all_complete=True)))
        .order_by()
    )
    result = [{**row, "share": round(100 * row["complete"] / row["packages"])} for row in rows]
    result.sort(key=lambda r: (-r["share"], -r["packages"], r["agency__name"]))
    return result
