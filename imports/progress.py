"""How far an import has got, told to whoever asked (the job page, through imports.jobs)."""


class Progress:
    """Calls `callback(rows_done, total, counts)` at most once every EVERY rows.

    Rows done are rows that have their outcome in the report, so the number only grows and ends
    at the total. Importers call `row(report)` once per row of their main loop; counting the
    outcomes each time would cost a pass over the report, so that waits for the EVERY-th row.
    """

    EVERY = 500

    def __init__(self, callback=None, *, total=0):
        self.callback = callback
        self.total = total
        self.reported = 0

    def row(self, report):
        if self.callback and len(report.rows) - self.reported >= self.EVERY:
            self.tell(report)

    def tell(self, report):
        if self.callback:
            self.reported = len(report.rows)
            self.callback(self.reported, self.total, report.counts)


QUIET = Progress()
