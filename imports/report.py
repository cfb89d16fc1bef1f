from collections import Counter
from dataclasses import dataclass, field

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
SKIPPED = "skipped"

OUTCOME_LABELS = {
    CREATED: "baru",
    UPDATED: "diperbarui",
    UNCHANGED: "tidak berubah",
    SKIPPED: "dilewati",
}


@dataclass
class RowResult:
    line: int
    key: str
    outcome: str
    messages: list = field(default_factory=list)
    # An updated row's field-by-field changes: [label, value before, value after].
    changes: list = field(default_factory=list)
    # Fields an operator corrected that the source changed too, kept as the operator wrote
    # them unless an administrator takes the source's: [field name, label, operator's, source's].
    conflicts: list = field(default_factory=list)

    @property
    def outcome_label(self):
        return OUTCOME_LABELS[self.outcome]


@dataclass
class ImportReport:
    """What happened to every row of one file: each row has exactly one outcome."""

    kind: str
    filename: str
    rows: list = field(default_factory=list)
    committed: bool = False
    # About the file as a whole (a name that says another year than its rows...).
    warnings: list = field(default_factory=list)

    def add(self, line, key, outcome, messages=(), *, changes=(), conflicts=()):
        self.rows.append(
            RowResult(line, key, outcome, list(messages), list(changes), list(conflicts))
        )

    def add_update(self, line, key, change, messages=()):
        """An existing package's row: updated if `change` (imports.common.Change) changed a
        field, else unchanged; with its field-by-field changes and conflicts."""
        self.add(
            line,
            key,
            UPDATED if change else UNCHANGED,
            messages,
            changes=change.changes,
            conflicts=change.conflicts,
        )

    @property
    def counts(self):
        counter = Counter(row.outcome for row in self.rows)
        return {outcome: counter.get(outcome, 0) for outcome in OUTCOME_LABELS}

    @property
    def labelled_counts(self):
        """[(Indonesian label, outcome, count)] in the order of OUTCOME_LABELS."""
        return [(OUTCOME_LABELS[o], o, number) for o, number in self.counts.items()]

    @property
    def total(self):
        return len(self.rows)

    @property
    def with_messages(self):
        return [row for row in self.rows if row.messages]

    @property
    def skipped_rows(self):
        return [row for row in self.rows if row.outcome == SKIPPED]

    @property
    def noted_rows(self):
        """Rows imported, with a note."""
        return [row for row in self.rows if row.messages and row.outcome != SKIPPED]

    def summary(self):
        counts = self.counts
        parts = [f"{counts[o]} {OUTCOME_LABELS[o]}" for o in OUTCOME_LABELS]
        warned = len([r for r in self.with_messages if r.outcome != SKIPPED])
        return (
            f"{self.filename}: {self.total} baris — "
            + ", ".join(parts)
            + (f"; {warned} baris dengan catatan" if warned else "")
            + "".join(f". Perhatian: {warning}" for warning in self.warnings)
        )
