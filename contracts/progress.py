"""Planned physical progress (the kurva S) beside the progress reports: the deviation per period.

The deviation of a period is the actual cumulative physical progress minus the planned one, in
percentage points (realisasi - rencana): -12.5 means the works are 12.5 points behind plan.

A kurva S compares plan and actual at the same date, so a period has a deviation only once its
end (the planned date) has come, today in Asia/Jakarta included: until then its planned percent
is where the works should be at that end, not now, and a report dated within it is shown beside
the plan but not measured against it ("belum jatuh tempo"). The package's current deviation is
that of the latest period that has ended and has a report, dated by that period's end.
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
    (after the previous planned date, up to and including this one), or None; `ended`: whether
    the period's end (plan.date) is on or before the day of reading; `deviation`: report's
    physical percent - plan's, as a Decimal in percentage points, or None when there is no report
    or the period has not ended."""

    plan: object
    report: object
    ended: bool

    @property
    def deviation(self):
        if self.report is None or not self.ended:
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


def periods(planned, reports, *, today):
    """[Period] for each planned point (PlannedProgress rows, any order), by date, as read on
    `today` (a datetime.date, the day in Asia/Jakarta: contracts.models.jakarta_today).

    Each period runs from the day after the previous planned date to its own date; its actual
    progress is the last report dated within it (reports are cumulative), so an old report is
    never read as this period's progress. A period whose date is after `today` has not ended."""
    reports = sorted(reports, key=lambda r: (r.date, r.pk or 0))
    result, previous = [], None
    for plan in sorted(planned, key=lambda p: (p.date, p.pk or 0)):
        within = [
            r for r in reports if r.date <= plan.date and (previous is None or r.date > previous)
        ]
        result.append(
            Period(plan=plan, report=within[-1] if within else None, ended=plan.date <= today)
        )
        previous = plan.date
    return result


def latest_measured(periods_):
    """The latest period that has ended and has a report (its deviation is the package's current
    one), or None."""
    measured = [p for p in periods_ if p.deviation is not None]
    return measured[-1] if measured else None
