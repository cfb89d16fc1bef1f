"""Where the money goes, as the public charts show it: published packages' pagu and contract
value grouped by fiscal year, method, agency kind and kecamatan, and a supplier's wins per
year. Each grouping is one grouped query over `Process.objects.published()` (samples hidden
beside real data), cached at the public data version like the pages' other figures; each
chart function turns its rows into a `contracts.charts.BarChart`.

Rows are dicts: `packages` (a count), `budget` and `contracts` (sums in Rupiah, None when no
package of the group has the amount).
"""

from urllib.parse import urlencode

from django.db.models import Count, F, Sum
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext_lazy as _

from agencies.models import KIND_ORDER, AgencyKind
from contracts import public_cache
from contracts.charts import Series, bar_chart
from contracts.kecamatan import spending_map, totals_per_kecamatan
from contracts.models import Method, Process
from contracts.templatetags.rupiah import money, number

# The charts' words are lazy translations, read in the language of the page that draws them
# (the charts are built while a page renders, inside fragments cached per language).
PAGU = Series("budget", _("Pagu"))
CONTRACTS = Series("contracts", _("Nilai kontrak"))
PACKAGES = Series("packages", _("Paket"), money=False)
# What a place's money is best known as, the figure of the map, its table and each kecamatan
# page: the same label and the same one-line definition wherever it is shown.
SPENDING_NAME = _("Belanja")
SPENDING_DEFINITION = _("nilai kontrak, atau pagu bila belum berkontrak")
SPENDING = Series("spending", SPENDING_NAME)
# A kecamatan's packages that have no contract yet: the bar reads "—", the table says why.
NO_CONTRACT_YET = _("— (belum ada kontrak)")
# The year's packages whose place names no kecamatan of the register (blank or unresolved):
# one name on the map's table, the kecamatan index and this page's chart. Lazy: compared with
# the rows' names as its text, shown in the page's language.
NO_KECAMATAN = _("Tanpa kecamatan atau di luar daftar")
# A method's row when the package has none: kept in the cached rows as written (Indonesian, as
# every vocabulary label there), translated where a chart shows it.
NO_METHOD = gettext_noop("Tanpa metode")


def _sums():
    return {
        "packages": Count("pk"),
        "budget": Sum("budget_amount"),
        "contracts": Sum("contract_amount"),
    }


def _list_url(**params):
    return f"{reverse('contracts:process-list')}?{urlencode(params)}"


@public_cache.computation("belanja-tahun")
def _per_year(parts):
    return list(
        Process.objects.published()
        .order_by("fiscal_year")
        .values("fiscal_year")
        .annotate(**_sums())
    )


def per_year():
    """Every fiscal year's rows, oldest first: [{fiscal_year, packages, budget, contracts}].
    Registered (as are the per-year groupings below): after a change the previous rows are
    served while a job recomputes them, not grouped over every package in a visitor's
    request."""
    return public_cache.remember("belanja-tahun", ())


def _year_grouped_by(year, *fields, **expressions):
    """The year's published packages in one grouped query by `fields` (names) or
    `expressions` (name=expression): [{name, packages, budget, contracts}]."""
    return list(
        Process.objects.published()
        .filter(fiscal_year=year)
        .order_by()
        .values(*fields, **expressions)
        .annotate(**_sums())
    )


@public_cache.computation("belanja-metode")
def _per_method(year):
    rows = _year_grouped_by(year, "method")
    for row in rows:
        row["label"] = _label(Method, row["method"]) or NO_METHOD
    return sorted(rows, key=lambda row: (-(row["budget"] or 0), row["label"]))


def per_method(year):
    """The year's rows per method (metode pemilihan), largest pagu first:
    [{method, label, packages, budget, contracts}]; a package without a method is counted
    under "Tanpa metode"."""
    return public_cache.remember("belanja-metode", year, years={year})


@public_cache.computation("belanja-jenis-pd")
def _per_agency_kind(year):
    rows = _year_grouped_by(year, kind=F("agency__kind"))
    for row in rows:
        row["label"] = _label(AgencyKind, row["kind"])
    last = len(KIND_ORDER)
    return sorted(rows, key=lambda row: (KIND_ORDER.get(row["kind"], last), row["kind"]))


def per_agency_kind(year):
    """The year's rows per agency kind (jenis perangkat daerah), in the register's order:
    [{kind, label, packages, budget, contracts}]; kinds without a package are left out."""
    return public_cache.remember("belanja-jenis-pd", year, years={year})


def per_kecamatan(year):
    """The year's rows for every kecamatan of the place register, largest pagu first, then
    one row for the packages whose location names no kecamatan of the register (left out
    when there are none): [{name, packages, budget, contracts}], a kecamatan without a
    package at 0 packages and Rp 0. A package counts for a kecamatan as the list's
    kecamatan filter counts it: its kecamatan is the register's name, in any case, or its
    location names it among several (then it counts in each; the last row holds only the
    packages naming none)."""

    totals = totals_per_kecamatan(year)  # the kecamatan pages' and map's own figures
    rows = [
        {key: row[key] for key in ("name", "packages", "budget", "contracts", "spending")}
        for row in totals["rows"]
    ]
    rows.sort(key=lambda row: (-(row["budget"] or 0), row["name"]))
    if totals["unplaced"]:
        rows.append(
            {
                "name": NO_KECAMATAN,
                "packages": totals["unplaced"],
                "budget": totals["unplaced_budget"],
                "contracts": totals["unplaced_contracts"],
                "spending": totals["unplaced_spending"],
            }
        )
    return rows


def place_map(year):
    """`contracts.kecamatan.spending_map(year)` with the names and definition its footer and
    legend use. Its "unplaced_spending" and "spending" (every package of the year, each once)
    come from the same grouped query as the kecamatan's rows: a package naming several
    kecamatan counts in each of them, so the year's figures are never their difference."""
    return {
        **spending_map(year),
        "unplaced_name": NO_KECAMATAN,
        "spending_name": SPENDING_NAME,
        "spending_definition": SPENDING_DEFINITION,
    }


def _label(choices, value):
    """The choice's label; a value the choices do not know (no constraint holds the column to
    them: an import's own word) as it is stored, rather than a page that fails."""
    return choices(value).label if value in choices.values else value


def _total(amounts):
    """A sum of sums as SQL sums them: None when every one is unknown."""
    known = [amount for amount in amounts if amount is not None]
    return sum(known) if known else None


def supplier_wins_per_year(totals):
    """A supplier's wins per fiscal year, newest first as the page's table and its packages,
    from the supplier page's rows per year and agency ({fiscal_year, agency__name, packages,
    awarded}): [{fiscal_year, packages, awarded}]."""
    years = {}
    for row in totals:
        years.setdefault(row["fiscal_year"], []).append(row)
    return [
        {
            "fiscal_year": year,
            "packages": sum(row["packages"] for row in rows),
            "awarded": _total(row["awarded"] for row in rows),
        }
        for year, rows in sorted(years.items(), reverse=True)
    ]


def _no_package_in(year):
    return gettext("Belum ada paket tahun anggaran %(year)s yang dipublikasikan.") % {"year": year}


def year_chart():
    """Pagu and contract value per fiscal year, for the home page."""
    return bar_chart(
        per_year(),
        slug="grafik-per-tahun",
        title=gettext("Pagu dan nilai kontrak per tahun anggaran"),
        series=[PAGU, CONTRACTS],
        label=lambda row: str(row["fiscal_year"]),
        href=lambda row: _list_url(tahun=row["fiscal_year"]),
        label_heading=gettext("Tahun"),
        extra_columns=[PACKAGES],
        empty_text=gettext("Belum ada paket yang dipublikasikan."),
    )


def method_chart(year):
    """Pagu and contract value per method for `year`, for the home page."""
    return bar_chart(
        per_method(year),
        slug="grafik-per-metode",
        title=gettext("Pagu dan nilai kontrak per metode pemilihan, tahun anggaran %(year)s")
        % {"year": year},
        series=[PAGU, CONTRACTS],
        # The cached rows hold the vocabulary's Indonesian label: translated as it is shown.
        label=lambda row: gettext(row["label"]),
        # The list filters by the known methods only: another word would be ignored there.
        href=lambda row: (
            _list_url(tahun=year, metode=row["method"]) if row["method"] in Method.values else ""
        ),
        label_heading=gettext("Metode pemilihan"),
        extra_columns=[PACKAGES],
        empty_text=_no_package_in(year),
    )


def agency_kind_chart(year):
    """Pagu and contract value per agency kind for `year`."""
    return bar_chart(
        per_agency_kind(year),
        slug="grafik-per-jenis-pd",
        title=gettext("Pagu dan nilai kontrak per jenis perangkat daerah, tahun anggaran %(year)s")
        % {"year": year},
        series=[PAGU, CONTRACTS],
        label=lambda row: gettext(row["label"]),
        href=lambda row: _list_url(tahun=year, jenis_pd=row["kind"]),
        label_heading=gettext("Jenis perangkat daerah"),
        extra_columns=[PACKAGES],
        empty_text=_no_package_in(year),
    )


def kecamatan_chart(year):
    """Pagu and contract value per kecamatan for `year`, with their spending in the table.

    The packages with no kecamatan (`NO_KECAMATAN`) are a row of the table and a sentence
    under the chart, not a bar: in a year where they are half the packages their bar would
    set the scale and leave the kecamatan's bars slivers. The chart's note states how a
    kecamatan without a package and one without a contract yet are written."""
    rows = per_kecamatan(year)
    placed = [row for row in rows if row["name"] != NO_KECAMATAN]
    unplaced = [row for row in rows if row["name"] == NO_KECAMATAN]
    notes = [
        format_html(
            gettext(
                '{name} ({packages} paket; pagu <span class="money">{budget}</span>, nilai '
                'kontrak <span class="money">{contracts}</span>) tidak digambar, agar batang '
                "kecamatan memakai seluruh lebar grafik; angkanya ada di baris terakhir tabel."
            ),
            name=NO_KECAMATAN,
            packages=number(row["packages"]),
            budget=money(row["budget"]),
            contracts=(
                money(row["contracts"]) if row["contracts"] is not None else gettext("belum ada")
            ),
        )
        for row in unplaced
    ]
    notes.append(
        gettext(
            "Kecamatan tanpa paket ditulis “tidak ada paket” (%(zero)s). Kecamatan yang punya "
            "paket tetapi belum ada kontraknya: nilai kontrak “—”, di tabel “belum ada "
            "kontrak”. %(name)s = %(definition)s, seperti di peta kecamatan."
        )
        % {"zero": money(0), "name": SPENDING_NAME, "definition": SPENDING_DEFINITION}
    )
    return bar_chart(
        placed,
        slug="grafik-per-kecamatan",
        title=gettext("Pagu dan nilai kontrak per kecamatan, tahun anggaran %(year)s")
        % {"year": year},
        series=[PAGU, Series("contracts", CONTRACTS.name, unknown=NO_CONTRACT_YET)],
        label=lambda row: row["name"],
        href=lambda row: (
            "" if row["name"] == NO_KECAMATAN else _list_url(tahun=year, kecamatan=row["name"])
        ),
        label_heading=gettext("Kecamatan"),
        extra_columns=[SPENDING, PACKAGES],
        zero_row_text=gettext("tidak ada paket"),
        aside=unplaced,
        notes=notes,
        empty_text=_no_package_in(year),
    )


def agency_year_chart(agency, per_year_rows):
    """An agency's pagu and contract value per year, oldest first, from the agency page's
    cached rows (`ProcessQuerySet.figures_per_year`, newest first): no query of its own."""
    return bar_chart(
        sorted(per_year_rows, key=lambda row: row["fiscal_year"]),
        slug="grafik-pd-per-tahun",
        title=gettext("Pagu dan nilai kontrak %(name)s per tahun anggaran") % {"name": agency.name},
        series=[PAGU, CONTRACTS],
        label=lambda row: str(row["fiscal_year"]),
        href=lambda row: _list_url(pd=agency.code, tahun=row["fiscal_year"]),
        label_heading=gettext("Tahun"),
        extra_columns=[PACKAGES],
        empty_text=gettext("%(name)s belum mempublikasikan paket.") % {"name": agency.name},
    )


def supplier_chart(supplier, totals):
    """A supplier's wins per year (count and award value), from the supplier page's cached
    rows: no query of its own."""
    wins = Series("awarded", gettext("Nilai penetapan"))
    return bar_chart(
        supplier_wins_per_year(totals),
        slug="grafik-penyedia-per-tahun",
        title=gettext("Kemenangan %(name)s per tahun anggaran") % {"name": supplier.name},
        series=[wins],
        label=lambda row: (
            ngettext("%(year)s · %(count)s paket", "%(year)s · %(count)s paket", row["packages"])
            % {"year": row["fiscal_year"], "count": number(row["packages"])}
        ),
        label_heading=gettext("Tahun"),
        extra_columns=[Series("packages", gettext("Paket dimenangkan"), money=False)],
        empty_text=gettext("%(name)s belum memenangkan paket yang dipublikasikan.")
        % {"name": supplier.name},
    )
