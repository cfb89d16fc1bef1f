"""The lists of requests each page shows, each one query (plus the page's count)."""

from django.db.models import Count

from followups.models import FollowUp


def listed(user, *, status=None, agency=None):
    """Requests `user` may see, newest change first; `status` one of FollowUp.Status or
    "belum-ditutup" (open and marked done)."""
    found = FollowUp.objects.visible_to(user).select_related("agency", "process", "created_by")
    if status == "belum-ditutup":
        found = found.unclosed()
    elif status in FollowUp.Status.values:
        found = found.filter(status=status)
    if agency is not None:
        found = found.filter(agency=agency)
    return found


def operator_open(user, limit=None):
    """What the operator's agency still has to answer (FollowUpQuerySet.unanswered), oldest
    first (asked longest ago)."""
    found = (
        FollowUp.objects.visible_to(user)
        .unanswered()
        .select_related("process", "created_by")
        .order_by("created_at", "pk")
    )
    return list(found[:limit] if limit else found)


def operator_unclosed(user):
    """The operator's agency's requests not yet closed, in one query, as two lists: still to
    answer (FollowUp.awaits_agency; oldest asked first) and answered or marked done, waiting
    for a supervisor (oldest answer first). Together, the agency's count in the supervisors'
    matrix (open_counts)."""
    found = (
        FollowUp.objects.visible_to(user)
        .unclosed()
        .select_related("process", "created_by")
        .order_by("created_at", "pk")
    )
    unanswered, answered = [], []
    for followup in found:
        (unanswered if followup.awaits_agency else answered).append(followup)
    answered.sort(key=lambda f: (f.answered_at or f.updated_at, f.pk))
    return unanswered, answered


def for_process(user, process):
    """A package's requests not yet closed, for its workspace page."""
    return list(
        FollowUp.objects.visible_to(user)
        .unclosed()
        .filter(process=process)
        .select_related("created_by")
        .order_by("created_at", "pk")
    )


def awaiting_close(user, limit=None):
    """For a supervisor's front page: requests the operators marked done."""
    found = (
        FollowUp.objects.visible_to(user)
        .filter(status=FollowUp.Status.DONE)
        .select_related("agency", "process", "created_by")
        .order_by("updated_at", "pk")
    )
    return list(found[:limit] if limit else found)


def open_counts():
    """{agency id: requests not yet closed} for the supervisors' matrix (one query)."""
    rows = FollowUp.objects.unclosed().values("agency_id").annotate(n=Count("pk")).order_by()
    return {row["agency_id"]: row["n"] for row in rows}
