"""When each stage of a package should have been done, from the package's own dates.

Read by the supervisors' pages (dashboards.selectors: what is overdue) and by the red flags
(integrity.flags: a document missing long after its stage was due), so it sits in contracts,
below both.
"""

from django.db.models import Case, DateField, F, When
from django.db.models.functions import Coalesce

from contracts.amendments import amended_end_of
from contracts.models import Stage


def due_date(process, stage, *, amended_end=None):
    """When the stage should have been done, from the package's own dates. `amended_end`: the
    contract's end as its latest addendum set it (contracts.amendments.amended_end_of), which
    replaces the signed end: a BAST before the amended end is on time."""
    candidates = {
        Stage.PLANNING: [process.planned_start],
        Stage.TENDER: [process.bid_deadline, process.tender_announced, process.planned_start],
        Stage.AWARD: [process.award_date, process.bid_deadline],
        Stage.CONTRACT: [process.contract_signed, process.contract_start, process.award_date],
        Stage.IMPLEMENTATION: [amended_end, process.contract_end, process.planned_end],
    }[stage]
    return next((date for date in candidates if date), None)


def due_date_expression():
    """`due_date` as an SQL expression (a date, or NULL) on a StageCompleteness query: the same
    candidates in the same order, the first one set. The implementation stage's amended end is
    looked up only for that stage's rows (CASE evaluates one branch)."""
    process = "process__"
    branches = {
        Stage.PLANNING: ["planned_start"],
        Stage.TENDER: ["bid_deadline", "tender_announced", "planned_start"],
        Stage.AWARD: ["award_date", "bid_deadline"],
        Stage.CONTRACT: ["contract_signed", "contract_start", "award_date"],
        Stage.IMPLEMENTATION: [amended_end_of("process_id"), "contract_end", "planned_end"],
    }

    def first_set(candidates):
        expressions = [F(process + c) if isinstance(c, str) else c for c in candidates]
        if len(expressions) == 1:
            return expressions[0]
        return Coalesce(*expressions, output_field=DateField())

    return Case(
        *(When(stage=stage, then=first_set(c)) for stage, c in branches.items()),
        output_field=DateField(),
    )
