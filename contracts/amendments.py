"""A contract as its addenda (adendum) left it: the value and end date in force after the
latest addendum that changed each, and what each addendum changed.

Read by the public package page, the OCDS contract (`contracts[].value`, `period.endDate`,
`amendments[]`) and the checks that judge a hand-over late: a BAST after the original end but
before the amended one is on time.
"""

from dataclasses import dataclass, field


def spans_fiscal_years(start, end):
    """Whether a period from `start` to `end` (dates, either may be None) runs over more than
    one fiscal year (1 January to 31 December in Indonesia)."""
    return bool(start and end and end.year > start.year)


@dataclass(frozen=True)
class Change:
    """One term an addendum changed: `what` ("nilai kontrak" / "akhir kontrak"), `before` and
    `after` (Rupiah as int, or datetime.date)."""

    what: str
    before: object
    after: object


@dataclass(frozen=True)
class AmendedContract:
    """`amount` (Rupiah) and `end` (date) in force; `original_amount` / `original_end` as signed;
    `history`: [(Amendment, [Change])] in the order the addenda were made (date, then entry)."""

    amount: int | None
    end: object
    original_amount: int | None
    original_end: object
    history: list = field(default_factory=list)
    start: object = None

    @property
    def is_amended(self):
        return self.amount != self.original_amount or self.end != self.original_end

    @property
    def is_multi_year(self):
        """A kontrak tahun jamak (Perpres 16/2018 Pasal 27: work over more than one fiscal
        year, which in Indonesia is the calendar year): the period as signed runs into a later
        year. An addendum that only pushes the end past 31 December (a late single-year
        contract) does not make one; `crosses_year_by_amendment` says that."""
        return spans_fiscal_years(self.start, self.original_end)

    @property
    def years(self):
        """(first, last) fiscal year the period as amended covers, or None without dates."""
        if not (self.start and self.end):
            return None
        return self.start.year, self.end.year

    @property
    def crosses_year_by_amendment(self):
        return bool(
            not self.is_multi_year and self.start and self.end and self.end.year > self.start.year
        )


def amended_contract(process, amendments):
    """The contract of `process` as amended by `amendments` (its Amendment rows, any order).

    An addendum that leaves the value or the end date empty keeps the one in force."""
    amount, end = process.contract_amount, process.contract_end
    history = []
    for amendment in sorted(amendments, key=lambda a: (a.date, a.pk or 0)):
        changes = []
        if amendment.new_amount is not None and amendment.new_amount != amount:
            changes.append(Change("nilai kontrak", amount, amendment.new_amount))
            amount = amendment.new_amount
        if amendment.new_end is not None and amendment.new_end != end:
            changes.append(Change("akhir kontrak", end, amendment.new_end))
            end = amendment.new_end
        history.append((amendment, changes))
    return AmendedContract(
        amount=amount,
        end=end,
        original_amount=process.contract_amount,
        original_end=process.contract_end,
        history=history,
        start=process.contract_start,
    )


def amended_end_of(process_ref="pk"):
    """A subquery for annotations: the end date set by the package's latest addendum that set
    one (None without such an addendum). `process_ref`: the outer query's path to the
    package's id ("pk" on Process, "process_id" on a row of the package)."""
    from django.db.models import OuterRef, Subquery

    from contracts.models import Amendment

    return Subquery(
        Amendment.objects.filter(process_id=OuterRef(process_ref), new_end__isnull=False)
        .order_by("-date", "-pk")
        .values("new_end")[:1]
    )


def amended_amount_of(process_ref="pk"):
    """A subquery for annotations: the contract value set by the package's latest addendum
    that set one (None without such an addendum), as `amended_contract` reads it. Wrap it in
    Coalesce with `contract_amount` for the value in force."""
    from django.db.models import OuterRef, Subquery

    from contracts.models import Amendment

    return Subquery(
        Amendment.objects.filter(process_id=OuterRef(process_ref), new_amount__isnull=False)
        .order_by("-date", "-pk")
        .values("new_amount")[:1]
    )
