"""Planned physical progress (the kurva S) beside the progress reports: the deviation per period.

The deviation of a period is the actual cumulative physical progress minus the planned one, in
percentage points (realisasi - rencana): -12.5 means the works are 12.5 points behind plan.
"""

from dataclasses import dataclass
from decimal import Decimal

# "Kontrak kritis" as LKPP's guidelines define it (Peraturan LKPP 9/2018 and its successor 12/2021,
# Lampiran, penanganan kontrak kritis; Permen PUPR 14/2020 for works says the same): the actual
# physical progress more than 10% behind plan while the plan is 0-70% of the contract, or more
# than 5% behind once it is 70-100%. (Their third case, less than 5% behind but running past the
# fiscal year, needs a forecast the portal does not make.) Shown as a reason to look, not as the
# PPK's formal declaration, which follows a show cause meeting.
CRITICAL_PLAN_SPLIT = Decimal(70)
CRITICAL_BEHIND = {"below_split": Decimal(-10), "from_split": Decimal(-5)}


@dataclass(frozen=True)
class Period:
    """One planned point and what the reports say of it.

    `plan`: the PlannedProgress row; `report`: the latest ProgressReport dated in the period
    (after the previous planned date, up to and including this one), or None; `deviation`:
    report's physical percent - plan's, as a Decimal in percentage points, or None."""

    plan: object
    report: object

    @property
    def deviation(self):
        if self.report is None:
            return None
        return self.report.physical_percent - self.plan.planned_percent

    @property
    def is_critical(self):
        """Behind plan by more than the kontrak kritis margin for this planned percentage."""
        if self.deviation is None:
            return False
        key = "from_split" if self.plan.planned_percent >= CRITICAL_PLAN_SPLIT else "below_split"
        return self.deviation < CRITICAL_BEHIND[key]

    @property
    def critical_margin(self):
        key = "from_split" if self.plan.planned_percent >= CRITICAL_PLAN_SPLIT else "below_split"
        return -CRITICAL_BEHIND[key]


def periods(planned, reports):
    """[Period] for each planned point (PlannedProgress rows, any order), by date.

    Each period runs from the day after the previous planned date to its own date; its actual
    progress is the last report dated within it (reports are cumulative), so an old report is
    never read as this period's progress."""
    reports = sorted(reports, key=lambda r: (r.date, r.pk or 0))
    result, previous = [], None
    for plan in sorted(planned, key=lambda p: (p.date, p.pk or 0)):
        within = [
            r for r in reports if r.date <= plan.date and (previous is None or r.date > previous)
        ]
        result.append(Period(plan=plan, report=within[-1] if within else None))
        previous = plan.date
    return result


def latest_measured(periods_):
    """The latest period with a report (its deviation is the package's current one), or None."""
    measured = [p for p in periods_ if p.report is not None]
    return measured[-1] if measured else None
