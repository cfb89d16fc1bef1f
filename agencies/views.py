from itertools import groupby

from django.db.models import Count
from django.shortcuts import render

from agencies.models import KIND_ORDER, Agency, AgencyKind


def agency_list(request):
    from contracts.models import shown_publicly

    # Each agency with its published packages (the one public rule), in the same query.
    agencies = sorted(
        Agency.objects.active().annotate(
            published=Count("processes", filter=shown_publicly("processes__"))
        ),
        key=lambda a: (KIND_ORDER[a.kind], a.name),
    )
    groups = [
        {"kind": kind, "label": AgencyKind(kind).label, "agencies": list(members)}
        for kind, members in groupby(agencies, key=lambda a: a.kind)
    ]
    return render(
        request,
        "agencies/agency_list.html",
        {
            "groups": groups,
            "total": len(agencies),
            "publishing": sum(1 for agency in agencies if agency.published),
        },
    )
