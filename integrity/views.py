from django.db.models import Count
from django.shortcuts import render

from contracts import public_cache
from contracts.models import Process, shown_publicly
from contracts.views import published_years
from integrity.models import Flag, PackageFlag, Threshold
from opendata_kontrak.params import whole_number


def summary(request):
    """How many published packages carry each flag, in all and per agency."""
    years = published_years()
    chosen = whole_number(request.GET.get("tahun", ""), max_digits=4)
    year = chosen if chosen in years else None
    # Named anew when the summary's shape changes, so no cache holds the old shape after a
    # deploy (each agency's cells now carry their flag's label).
    covered = None if year is None else {year}
    context = public_cache.remember("tanda-v2", year, lambda: _summary(year), years=covered)
    return render(
        request,
        "integrity/summary.html",
        {
            **context,
            "years": years,
            "year": year,
            "thresholds": Threshold.objects.order_by("flag", "category", "method", "valid_from"),
            "fragment_key": public_cache.fragment_key("tanda", year, years=covered),
        },
    )


def _summary(year):
    flagged = PackageFlag.objects.filter(shown_publicly("process__"))
    published = Process.objects.published()
    if year:
        flagged = flagged.filter(process__fiscal_year=year)
        published = published.filter(fiscal_year=year)
    totals = dict(
        flagged.values_list("flag").annotate(n=Count("process", distinct=True)).order_by()
    )
    per_agency = {}
    for row in (
        flagged.values("process__agency__code", "process__agency__name", "flag")
        .annotate(n=Count("process", distinct=True))
        .order_by()
    ):
        entry = per_agency.setdefault(
            row["process__agency__code"],
            {"code": row["process__agency__code"], "name": row["process__agency__name"]},
        )
        entry[row["flag"]] = row["n"]
    agencies = sorted(
        per_agency.values(), key=lambda a: (-sum(a.get(f, 0) for f in Flag.values), a["name"])
    )
    for agency in agencies:
        # The label goes with each count: on a phone each cell is read under its flag's name.
        agency["cells"] = [(flag, label, agency.get(flag, 0)) for flag, label in Flag.choices]
    return {
        "packages": published.count(),
        "flagged_packages": flagged.values("process").distinct().count(),
        "flags": [(value, label, totals.get(value, 0)) for value, label in Flag.choices],
        "agencies": agencies,
    }
