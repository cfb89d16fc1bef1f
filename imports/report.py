from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
SKIPPED = "skipped"

# Shown in the reader's language (the workspace's choice); the outcomes themselves (the keys)
# are what the reports and ImportRun.counts store.
OUTCOME_LABELS = {
    CREATED: _("baru"),
    UPDATED: _("diperbarui"),
    UNCHANGED: _("tidak berubah"),
    SKIPPED: _("dilewati"),
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
        """[(label in the active language, outcome, count)] in the order of OUTCOME_LABELS."""
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
        """One line in the active language: "rup.csv: 3 baris — 1 baru, …; 1 baris dengan
        catatan. Perhatian: …". The warnings are the report's own (stored) sentences."""
        counts = self.counts
        parts = [f"{counts[o]} {OUTCOME_LABELS[o]}" for o in OUTCOME_LABELS]
        warned = len([r for r in self.with_messages if r.outcome != SKIPPED])
        rows = ngettext(
            "%(filename)s: %(rows)s baris — %(outcomes)s",
            "%(filename)s: %(rows)s baris — %(outcomes)s",
            self.total,
        ) % {"filename": self.filename, "rows": self.total, "outcomes": ", ".join(parts)}
        noted = (
            ngettext("; %(rows)s baris dengan catatan", "; %(rows)s baris dengan catatan", warned)
            % {"rows": warned}
            if warned
            else ""
        )
        return (
            rows
            + noted
            + "".join(
                gettext(". Perhatian: %(warning)s") % {"warning": warning}
                for warning in self.warnings
            )
        )
