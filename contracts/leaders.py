"""Who leads the list's current selection: the suppliers who won most of its packages and the
agencies whose packages in it are worth most.

The value of a package is its contract value, or its winning (award) value when it has no
contract yet: what was committed to be paid, as far as the package got. Packages with neither
count in the number but add nothing to the value.
"""

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce

from contracts.filters import with_lookups
from contracts.models import Process

LIMIT = 5


def _value():
    return Sum(Coalesce("contract_amount", "award_amount"), default=0)


def selection_leaders(package_filter, *, limit=LIMIT):
    """{"suppliers": [{"supplier_id", "supplier__name", "packages", "value"}],
    "agencies": [{"agency__code", "agency__name", "agency__short_name", "packages", "value"}]}
    for the packages the filters choose (the public ones only); at most `limit` of each.

    Suppliers by packages won (then value, then name); agencies by value (then packages, then
    name); value in Rupiah. One grouped query each. The list caches them in its summary's
    entry (per data version and filters: the sort does not change them), so a warm list page
    reads them with its facet counts, at no extra query.
    """
    matching = with_lookups(Process.objects.published()).filter(package_filter.conditions())
    matching = matching.order_by()
    suppliers = (
        matching.filter(supplier__isnull=False)
        .values("supplier_id", "supplier__name")
        .annotate(packages=Count("pk"), value=_value())
        .order_by("-packages", "-value", "supplier__name", "supplier_id")[:limit]
    )
    agencies = (
        matching.values("agency__code", "agency__name", "agency__short_name")
        .annotate(packages=Count("pk"), value=_value())
        .order_by("-value", "-packages", "agency__name")[:limit]
    )
    return {"suppliers": list(suppliers), "agencies": list(agencies)}


def selection_box(package_filter, found):
    """The leaders `found` (selection_leaders) with each row's link: the same selection
    narrowed to that supplier (`penyedia`: packages it won or bid for) or agency (`pd`)."""
    return {
        "suppliers": [
            {**row, "query": package_filter.query_string(penyedia=row["supplier_id"])}
            for row in found["suppliers"]
        ],
        "agencies": [
            {**row, "query": package_filter.query_string(pd=row["agency__code"])}
            for row in found["agencies"]
        ],
    }
