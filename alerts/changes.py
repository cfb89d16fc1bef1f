"""What happened to published packages, recorded for the alerts (alerts.models.Change).

`record(process_id, kind, detail)` stores one change in the caller's transaction; the instant
alerts and the daily digest read them (alerts.dispatch).
"""

from alerts.models import Change


def record(process_id, kind, detail=None):
    """Store one Change of `kind` (alerts.models.ChangeKind) for the package `process_id`,
    with `detail` (a JSON-able dict, e.g. {"laporan": "LAP-2026-000123"})."""
    return Change.objects.create(process_id=process_id, kind=kind, detail=detail or {})
