from itertools import groupby

from django.shortcuts import render

from agencies.models import KIND_ORDER, Agency, AgencyKind


def agency_list(request):
    agencies = sorted(Agency.objects.active(), key=lambda a: (KIND_ORDER[a.kind], a.name))
    groups = [
        {"kind": kind, "label": AgencyKind(kind).label, "agencies": list(members)}
        for kind, members in groupby(agencies, key=lambda a: a.kind)
    ]
    return render(
        request,
        "agencies/agency_list.html",
        {"groups": groups, "total": len(agencies)},
    )
