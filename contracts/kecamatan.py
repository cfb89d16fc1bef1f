"""Packages by place: each kecamatan of the register, its packages and its spending in a year.

A kecamatan's packages are exactly those the public list finds for `?kecamatan=<its name>`
(`contracts.filters.in_kecamatan`): both compare the package's stored kecamatan, upper-cased,
and the kecamatan its location names (one or several), with the register's name, so a page,
the map, its table and the list never disagree. Sources'
spellings ("Kec. Sumberrejo") become the register's name when a package's place is resolved
(`contracts.locations`), not here.

Spending is what the money of a package is best known as: its contract value once it has one,
else its pagu (a package with neither counts Rp 0).
"""

import csv
import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils.text import slugify

from agencies.models import Agency, AgencyKind, Kecamatan
from agencies.places import KECAMATAN_MARKERS, name_key, normalise
from contracts import public_cache
from contracts.filters import in_kecamatan, with_lookups
from contracts.models import Process
from contracts.status import card_figures

MAP_FILE = settings.BASE_DIR / "contracts" / "data" / "kecamatan_peta.csv"


def slug(kecamatan):
    """The kecamatan's address part: its register name, lower case, words joined by '-'."""
    return slugify(kecamatan.name)


def _key(text):
    words = [w for w in normalise(text.replace("-", " ")).split() if w not in KECAMATAN_MARKERS]
    return name_key(" ".join(words))


def find(text):
    """The register's kecamatan that `text` names in any common spelling ("sumberrejo",
    "Kec. Sumber Rejo", "sumberejo"), or None. One query."""
    key = _key(text)
    if not key:
        return None
    return Kecamatan.objects.filter(key=key).first()


def office(kecamatan):
    """The kecamatan's own office among the active agencies (kind kecamatan), or None. The
    agency register spells some names otherwise ("Kecamatan Sumberrejo" for Sumberejo)."""
    agencies = Agency.objects.active().filter(kind=AgencyKind.KECAMATAN).only("code", "name")
    return next((a for a in agencies if _key(a.name) == kecamatan.key), None)


def _spending():
    return Sum(Coalesce("contract_amount", "budget_amount"))


def _known_sum(amounts):
    """A sum of sums as SQL sums them: None when every one is unknown."""
    known = [amount for amount in amounts if amount is not None]
    return sum(known) if known else None


@public_cache.computation("kecamatan-tahun")
def _totals_per_kecamatan(year):
    """totals_per_kecamatan's value, computed (registered: a job recomputes it)."""
    # One group per stored kecamatan and list of kecamatan named (a few dozen a year); each
    # package is in exactly one group, and each group counts in every kecamatan it names.
    groups = list(
        with_lookups(Process.objects.published().filter(fiscal_year=year))
        .order_by()
        .values("kecamatan_upper", "location_kecamatan_all")
        .annotate(
            packages=Count("pk"),
            budget=Sum("budget_amount"),
            contracts=Sum("contract_amount"),
            spending=_spending(),
        )
    )
    register = list(Kecamatan.objects.order_by("name").only("name"))
    names = {kecamatan.name.upper() for kecamatan in register}
    per_name, rest = {}, []
    for group in groups:
        named = {name.upper() for name in group["location_kecamatan_all"]} & names
        if group["kecamatan_upper"] in names:
            named.add(group["kecamatan_upper"])
        if not named:
            rest.append(group)
        for name in named:
            per_name.setdefault(name, []).append(group)
    rows = []
    for kecamatan in register:
        found = per_name.get(kecamatan.name.upper(), [])
        rows.append(
            {
                "name": kecamatan.name,
                "slug": slug(kecamatan),
                "packages": sum(group["packages"] for group in found),
                "budget": _known_sum(group["budget"] for group in found) or 0,
                "contracts": _known_sum(group["contracts"] for group in found) if found else 0,
                "spending": _known_sum(group["spending"] for group in found) or 0,
            }
        )
    return {
        "rows": rows,
        "unplaced": sum(group["packages"] for group in rest),
        "unplaced_budget": _known_sum(group["budget"] for group in rest),
        "unplaced_contracts": _known_sum(group["contracts"] for group in rest),
        "unplaced_spending": _known_sum(group["spending"] for group in rest) or 0,
        # Distinct: a package naming several kecamatan is one of the year's packages.
        "packages": sum(group["packages"] for group in groups),
        "spending": _known_sum(group["spending"] for group in groups) or 0,
    }


def totals_per_kecamatan(year):
    """Every kecamatan of the register with its published packages of fiscal year `year`.

    Returns {"rows": [{"name", "slug", "packages", "budget", "contracts", "spending"}, ...] in
    the register's order (by name; a kecamatan without packages has zeros; `contracts` None
    when its packages have no contract yet, as SQL sums it), "unplaced": the year's packages
    naming no kecamatan of the register (blank, the whole regency or unresolved), with their
    "unplaced_budget", "unplaced_contracts" and "unplaced_spending", "packages": all the
    year's packages and "spending" theirs, each once}. A package whose location names several
    kecamatan counts in each of them (as `in_kecamatan` finds it there), so the rows may add
    up to more than "packages". Amounts in whole Rupiah.
    Cached per data version and year; the public charts (contracts.spending) read it too.
    """

    return public_cache.remember("kecamatan-tahun", year, years=None if year is None else {year})


@public_cache.computation("kecamatan")
def _figures(parts):
    """The figures of `figures` for parts [kecamatan pk, year] (a worker's recompute)."""
    kecamatan_id, year = parts
    return _figures_of(Kecamatan.objects.values_list("name", flat=True).get(pk=kecamatan_id), year)


def _figures_of(name, year):
    packages = with_lookups(Process.objects.published()).filter(
        in_kecamatan(name), fiscal_year=year
    )
    result = packages.aggregate(
        packages=Count("pk"),
        budget=Sum("budget_amount"),
        contracts=Sum("contract_amount"),
        spending=_spending(),
    )
    result["desa"] = list(
        packages.exclude(location_desa="")
        .order_by("location_desa")
        .values_list("location_desa")
        .annotate(n=Count("pk"))
    )
    return result


def figures(kecamatan, year):
    """One kecamatan's published packages of `year`: {"packages", "budget", "contracts",
    "spending", "desa": [(desa name, packages), ...] by name}; cached per data version.
    Registered: after a change the previous figures are served while a job recomputes them;
    computed here (never cached yet), from the kecamatan at hand, without reading it again."""
    return public_cache.remember(
        "kecamatan",
        (kecamatan.pk, year),
        lambda: _figures_of(kecamatan.name, year),
        years=None if year is None else {year},
    )


def packages(kecamatan, year):
    """The kecamatan's published packages of `year`, newest first, for its cards."""
    return (
        with_lookups(
            Process.objects.published()
            .select_related("agency", "supplier")
            .annotate(**card_figures())  # the cards' money and sentences, as on the list
        )
        .filter(in_kecamatan(kecamatan.name), fiscal_year=year)
        .order_by("-published_at", "-pk")
    )


# --- the schematic map ---------------------------------------------------------------------

# The fill of each spending band and the text colour that reads on it (WCAG AA: at least
# 4.5:1, from 5.4:1 on band 3 to 15:1 on band 0). Band 0: no package that year.
BAND_CLASSES = 5
HEX_RADIUS = 40  # centre to corner, in the SVG's own units
PADDING = 6


@dataclass(frozen=True)
class Tile:
    name: str
    slug: str
    packages: int
    spending: int
    band: int
    shade: int
    points: str
    x: float
    y: float


def layout(path=None):
    """{register name: (column, row)} from the map's data file (see its header)."""
    with open(path or MAP_FILE, newline="", encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {row["nama"]: (int(row["kolom"]), int(row["baris"])) for row in rows}


def band_limits(values):
    """Upper bounds (Rupiah, rounded up to two significant digits) of bands 1 to 4 splitting the
    positive `values` into four groups of about equal size; [] when none is positive."""
    positive = sorted(v for v in values if v > 0)
    if not positive:
        return []
    limits = []
    for quarter in (1, 2, 3):
        value = positive[math.ceil(len(positive) * quarter / 4) - 1]
        rounded = _round_up(value)
        if not limits or rounded > limits[-1]:
            limits.append(rounded)
    top = _round_up(positive[-1])
    if not limits or top > limits[-1]:
        limits.append(top)
    return limits


def _round_up(value):
    digits = max(len(str(value)) - 2, 0)
    step = 10**digits
    return -(-value // step) * step


def band(value, limits):
    """0 for no spending, else 1 + the first limit `value` does not exceed."""
    if value <= 0:
        return 0
    for index, limit in enumerate(limits):
        if value <= limit:
            return index + 1
    return len(limits)


def shade(band_number, bands):
    """The colour class (0 to 4) of band `band_number` of `bands`: spread over the scale, so
    the top band is always the darkest, however few bands a year's spending makes."""
    if band_number == 0 or bands == 0:
        return 0
    return round(band_number * (BAND_CLASSES - 1) / bands)


def hexagon(x, y, radius=HEX_RADIUS):
    """The SVG points of a pointy-top hexagon centred on (x, y)."""
    corners = []
    for corner in range(6):
        angle = math.radians(60 * corner - 30)
        corners.append(f"{x + radius * math.cos(angle):.1f},{y + radius * math.sin(angle):.1f}")
    return " ".join(corners)


def spending_map(year):
    """The map, legend and table of `year`: {"year", "tiles": [Tile], "legend": [(band,
    colour class, from, to)], "width", "height", "rows" (the table, as
    `totals_per_kecamatan`), "unplaced", "packages", "missing"}. A kecamatan missing from the
    layout file is still in the table, never dropped; "missing" names them."""
    totals = totals_per_kecamatan(year)
    positions = layout()
    limits = band_limits([row["spending"] for row in totals["rows"]])
    width = math.sqrt(3) * HEX_RADIUS
    tiles = []
    for row in totals["rows"]:
        if row["name"] not in positions:
            continue
        column, line = positions[row["name"]]
        number = band(row["spending"], limits)
        x = PADDING + width / 2 + column * width + (width / 2 if line % 2 else 0)
        y = PADDING + HEX_RADIUS + line * 1.5 * HEX_RADIUS
        tiles.append(
            Tile(
                name=row["name"],
                slug=row["slug"],
                packages=row["packages"],
                spending=row["spending"],
                band=number,
                shade=shade(number, len(limits)),
                points=hexagon(x, y),
                x=round(x, 1),
                y=round(y, 1),
            )
        )
    columns = max((c + (0.5 if r % 2 else 0) for c, r in positions.values()), default=0) + 1
    lines = max((r for _, r in positions.values()), default=0) + 1
    legend = [(0, 0, None, 0)]
    lower = 1
    for index, limit in enumerate(limits):
        legend.append((index + 1, shade(index + 1, len(limits)), lower, limit))
        lower = limit + 1
    return {
        "year": year,
        "tiles": tiles,
        "legend": legend,
        "width": round(2 * PADDING + columns * width),
        "height": round(2 * PADDING + 2 * HEX_RADIUS + (lines - 1) * 1.5 * HEX_RADIUS),
        "rows": totals["rows"],
        "unplaced": totals["unplaced"],
        "unplaced_spending": totals["unplaced_spending"],
        "packages": totals["packages"],
        "spending": totals["spending"],
        "missing": [row["name"] for row in totals["rows"] if row["name"] not in positions],
    }
