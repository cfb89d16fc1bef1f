from functools import cache, wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from agencies.models import Agency
from contracts import public_cache
from contracts.models import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR, STAGE_ORDER, Stage
from contracts.views import published_years
from dashboards import exports, selectors
from dashboards.charts import trend_svg
from opendata_kontrak.params import whole_number


def supervisors_only(view):
    """Supervisors and administrators; others are refused, visitors asked to log in."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), "/admin/login/")
        if not (user.is_supervisor or user.is_administrator):
            raise PermissionDenied("Halaman ini untuk pengawas.")
        return view(request, *args, **kwargs)

    return wrapped


def _year(request):
    years = public_cache.remember("tahun-semua", (), selectors.years, scope=public_cache.INTERNAL)
    chosen = whole_number(request.GET.get("tahun", ""), max_digits=4)
    if chosen in years:
        return chosen, years
    current = timezone.localdate().year
    return (current if current in years else (years[0] if years else current)), years


def _stages():
    return [(stage, Stage(stage).label) for stage in STAGE_ORDER]


@supervisors_only
def matrix(request):
    year, years = _year(request)
    sort = "terburuk" if request.GET.get("urut") == "terburuk" else "jenis"

    @cache  # rows, kinds and regency: one cache read, not three
    def data():
        return public_cache.remember(
            "matriks",
            (year, sort),
            lambda: selectors.matrix(year, sort),
            scope=public_cache.INTERNAL,
        )

    export = request.GET.get("format")
    if export in {"csv", "xlsx"}:
        rows = data()[0]
        header = ["Perangkat daerah", "Jenis"]
        for _, label in _stages():
            header += [f"{label} lengkap", f"{label} wajib"]
        header += ["Total lengkap", "Total wajib", "Persen"]
        table = [
            [row.label, row.agency.get_kind_display()]
            + [
                n
                for stage in STAGE_ORDER
                for n in (row.cells[stage].complete, row.cells[stage].required)
            ]
            + [row.total.complete, row.total.required, row.total.share]
            for row in rows
        ]
        respond = exports.csv_response if export == "csv" else exports.xlsx_response
        return respond(f"kelengkapan-{year}", header, table)

    def trend():
        return public_cache.remember(
            "tren", year, lambda: selectors.trend(year), scope=public_cache.INTERNAL
        )

    def chart():
        return trend_svg(trend(), f"Kelengkapan kabupaten per bulan {year}")

    # Rows, trend and chart are read by the template only when its cached fragment is stale.
    return render(
        request,
        "dashboards/matrix.html",
        {
            "year": year,
            "years": years,
            "sort": sort,
            "rows": lambda: data()[0],
            "kinds": lambda: data()[1],
            "regency": lambda: data()[2],
            "stages": _stages(),
            "trend": trend,
            "chart": chart,
            "fragment_key": public_cache.fragment_key(
                "matriks", year, sort, scope=public_cache.INTERNAL
            ),
        },
    )


@supervisors_only
def cell(request, year, code, stage):
    # Every part of the address is checked before it reaches a query or a date: a year no
    # package can have (0, 99999999999) or an unknown stage is a page that does not exist.
    if not MIN_FISCAL_YEAR <= year <= MAX_FISCAL_YEAR or stage not in STAGE_ORDER:
        raise Http404("Tahun atau tahap ini tidak ada.")
    agency = get_object_or_404(Agency, code=code)
    items = selectors.drilldown(year, agency, stage)
    if request.GET.get("format") in {"csv", "xlsx"}:
        return _missing_export(request, f"kurang-{agency.code}-{stage}-{year}", items)
    trend = selectors.trend(year, agency)
    return render(
        request,
        "dashboards/cell.html",
        {
            "year": year,
            "agency": agency,
            "stage": stage,
            "stage_label": Stage(stage).label,
            "items": items,
            "trend": trend,
            "chart": trend_svg(trend, f"Kelengkapan {agency.name} per bulan {year}"),
        },
    )


def _missing_export(request, filename, items):
    header = ["ocid", "Paket", "Tahun", "Tahap", "Yang belum ada", "Batas", "Terlambat (hari)"]
    data = [
        [
            item.process.ocid,
            item.process.title,
            item.process.fiscal_year,
            Stage(item.row.stage).label,
            "; ".join(m["label"] for m in item.row.missing),
            item.due.isoformat() if item.due else "",
            item.overdue_days,
        ]
        for item in items
    ]
    respond = exports.csv_response if request.GET["format"] == "csv" else exports.xlsx_response
    return respond(filename, header, data)


def todo(request):
    """An operator's list of what their agency still lacks, most overdue first."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path(), "/admin/login/")
    if not user.is_operator:
        raise PermissionDenied("Daftar tugas ada untuk operator perangkat daerah.")
    items = selectors.todo(user.agency)
    if request.GET.get("format") in {"csv", "xlsx"}:
        return _missing_export(request, f"tugas-{user.agency.code}", items)
    return render(request, "dashboards/todo.html", {"agency": user.agency, "items": items})


def openness(request):
    """Public: per agency, the share of its published packages with every stage complete."""
    # The public page offers the years of published packages only: a year that only a
    # draft has is not the public's to know.
    years = published_years()
    chosen = whole_number(request.GET.get("tahun", ""), max_digits=4)
    year = chosen if chosen in years else (years[0] if years else None)
    return render(
        request,
        "dashboards/openness.html",
        {
            "year": year,
            "years": years,
            "rows": selectors.public_openness(year) if year else [],
        },
    )
