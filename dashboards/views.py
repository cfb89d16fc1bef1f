from functools import cache, wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.views.decorators.http import require_POST

from agencies.models import Agency
from contracts import public_cache
from contracts.models import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR, STAGE_ORDER, Stage
from contracts.views import published_years
from dashboards import exports, selectors
from dashboards.charts import trend_svg
from followups import selectors as followup_selectors
from opendata import quality
from opendata_kontrak.params import whole_number


def supervisors_only(view):
    """Supervisors and administrators; others are refused, visitors asked to log in."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), "/admin/login/")
        if not (user.is_supervisor or user.is_administrator):
            raise PermissionDenied(
                gettext(
                    "Halaman ini untuk pengawas (Bagian Pembangunan, Kominfo, Inspektorat, tim "
                    "OGP): masuk dengan akun pengawas. Operator perangkat daerah: buka daftar "
                    "tugas Anda."
                )
            )
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
            years={year},
        )

    export = request.GET.get("format")
    if export in {"csv", "xlsx"}:
        rows = data()[0]
        # The titles in the reader's language; the values (names, kinds) as the data has them,
        # the same in both files.
        header = [gettext("Perangkat daerah"), gettext("Jenis")]
        for _, label in _stages():
            header += [
                gettext("%(stage)s lengkap") % {"stage": gettext(label)},
                gettext("%(stage)s wajib") % {"stage": gettext(label)},
            ]
        header += [
            gettext("Total lengkap"),
            gettext("Total wajib"),
            gettext("Persen"),
            gettext("Permintaan belum ditutup"),
        ]
        table = [
            [row.label, row.agency.get_kind_display()]
            + [
                n
                for stage in STAGE_ORDER
                for n in (row.cells[stage].complete, row.cells[stage].required)
            ]
            + [row.total.complete, row.total.required, row.total.share, row.open_requests]
            for row in rows
        ]
        if export == "csv":
            return exports.csv_response(f"kelengkapan-{year}", header, table)
        return exports.xlsx_response(
            f"kelengkapan-{year}",
            header,
            table,
            sheet=gettext("kelengkapan-%(year)s") % {"year": year},
        )

    def trend():
        return public_cache.remember(
            "tren", year, lambda: selectors.trend(year), scope=public_cache.INTERNAL, years={year}
        )

    def chart():
        return trend_svg(
            trend(), gettext("Kelengkapan kabupaten per bulan %(year)s") % {"year": year}
        )

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
            "missing_documents": lambda: selectors.agencies_missing_documents(year),
            "trend": trend,
            "chart": chart,
            "fragment_key": public_cache.fragment_key(
                "matriks", year, sort, scope=public_cache.INTERNAL, years={year}
            ),
        },
    )


@supervisors_only
def cell(request, year, code, stage):
    # Every part of the address is checked before it reaches a query or a date: a year no
    # package can have (0, 99999999999) or an unknown stage is a page that does not exist.
    if not MIN_FISCAL_YEAR <= year <= MAX_FISCAL_YEAR or stage not in STAGE_ORDER:
        raise Http404(gettext("Tahun atau tahap ini tidak ada."))
    agency = get_object_or_404(Agency, code=code)
    items = selectors.drilldown(year, agency, stage)
    if request.GET.get("format") in {"csv", "xlsx"}:
        return _missing_export(
            request,
            f"kurang-{agency.code}-{stage}-{year}",
            items,
            sheet=gettext("kurang-%(agency)s-%(stage)s-%(year)s")
            % {"agency": agency.code, "stage": stage, "year": year},
        )
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
            "chart": trend_svg(
                trend,
                gettext("Kelengkapan %(agency)s per bulan %(year)s")
                % {"agency": agency.name, "year": year},
            ),
        },
    )


def _missing_export(request, filename, items, *, sheet):
    """CSV (streamed while the items are read) or XLSX (its one sheet named `sheet`) of `items`
    (an iterable of Missing). The titles in the reader's language; the values (the stage, what
    is missing, as stored) the same in both."""
    header = [
        "ocid",
        pgettext("satu paket", "Paket"),
        gettext("Tahun"),
        gettext("Tahap"),
        gettext("Yang belum ada"),
        gettext("Batas"),
        gettext("Terlambat (hari)"),
    ]
    data = (
        [
            item.process.ocid,
            item.process.title,
            item.process.fiscal_year,
            Stage(item.row.stage).label,
            "; ".join(m["label"] for m in item.things),
            item.due.isoformat() if item.due else "",
            item.overdue_days,
        ]
        for item in items
    )
    if request.GET["format"] == "csv":
        return exports.csv_stream(filename, header, data)
    return exports.xlsx_response(filename, header, data, sheet=sheet)


TODO_PER_PAGE = 50


def _todo_filters(request):
    """The to-do's filters from the query string, each unknown or malformed value dropped."""
    year = whole_number(request.GET.get("tahun", ""), max_digits=4)
    stage = request.GET.get("tahap", "")
    kind = request.GET.get("jenis", "")
    sort = request.GET.get("urut", "")
    return {
        "year": year if year and MIN_FISCAL_YEAR <= year <= MAX_FISCAL_YEAR else None,
        "stage": stage if stage in STAGE_ORDER else None,
        "kind": kind if kind in selectors.TODO_KINDS else None,
        "query": request.GET.get("q", "").strip()[:200],
        "sort": sort if sort in selectors.TODO_SORTS else "terlambat",
    }


def todo(request):
    """An operator's list of what their agency still lacks, most overdue first: filtered by
    year, stage, kind and words, TODO_PER_PAGE items a page; the downloads take every item the
    filters keep."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path(), "/admin/login/")
    if not user.is_operator:
        raise PermissionDenied(
            gettext(
                "Daftar tugas ada untuk operator perangkat daerah: masuk dengan akun operator. "
                "Pengawas: buka halaman Pengawasan."
            )
        )
    filters = _todo_filters(request)
    items = selectors.todo(user.agency, **filters)
    if request.GET.get("format") in {"csv", "xlsx"}:
        return _missing_export(
            request,
            f"tugas-{user.agency.code}",
            items,
            sheet=gettext("tugas-%(agency)s") % {"agency": user.agency.code},
        )
    page = Paginator(items, TODO_PER_PAGE).get_page(request.GET.get("halaman"))
    unanswered, answered = followup_selectors.operator_unclosed(user)
    kept = {
        key: value
        for key, value in {
            "tahun": filters["year"] or "",
            "tahap": filters["stage"] or "",
            "jenis": filters["kind"] or "",
            "q": filters["query"],
            "urut": "" if filters["sort"] == "terlambat" else filters["sort"],
        }.items()
        if value
    }
    return render(
        request,
        "dashboards/todo.html",
        {
            "agency": user.agency,
            "page": page,
            "items": page.object_list,
            "filters": filters,
            "filtered": any(key != "urut" for key in kept),
            "query_string": urlencode(kept),
            "years": user.agency.processes.order_by("-fiscal_year")
            .values_list("fiscal_year", flat=True)
            .distinct(),
            # Each stage with its items under the other filters (the count query's groups).
            "stages": [
                (stage, Stage(stage).label, items.stage_counts().get(stage, 0))
                for stage in STAGE_ORDER
            ],
            "kinds": selectors.TODO_KINDS,
            "sorts": selectors.TODO_SORTS,
            "agency_documents": selectors.missing_agency_documents(
                user.agency, year=filters["year"], stage=filters["stage"], kind=filters["kind"]
            ),
            "followups": unanswered,
            "followups_answered": answered,
            # The agency's count in the supervisors' matrix: every request not yet closed.
            "followups_unclosed": len(unanswered) + len(answered),
        },
    )


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


# --- the data-quality report (opendata/quality.py) -----------------------------------------

FAILURES_PER_PAGE = 50


def _quality_year(request):
    """The fiscal year asked for among those the last run counted; None = every year."""
    years = quality.years()
    chosen = whole_number(request.GET.get("tahun", ""), max_digits=4)
    return (chosen if chosen in years else None), years


@supervisors_only
def quality_report(request):
    """Per agency and check: how many of its published packages pass, the weakest first."""
    year, years = _quality_year(request)
    return render(
        request,
        "dashboards/quality.html",
        {
            "year": year,
            "years": years,
            "run": quality.last_run(),
            "pending": quality.pending(),
            "checks": list(quality.CHECKS.values()),
            "summary": quality.summary(year),
            "rows": quality.per_agency(year),
        },
    )


@supervisors_only
def quality_failures(request, code):
    """The packages failing one check (of one agency, of one year, if asked), paged, with
    what failed and a link to each package in the workspace."""
    item = quality.CHECKS.get(code)
    if item is None:
        raise Http404(gettext("Pemeriksaan ini tidak ada."))
    year, years = _quality_year(request)
    agency = None
    if request.GET.get("pd"):
        agency = Agency.objects.filter(code=request.GET["pd"]).first()
        if agency is None:
            raise Http404(gettext("Perangkat daerah ini tidak ada."))
    found = quality.failures(code, year=year, agency=agency)
    page = Paginator(found, FAILURES_PER_PAGE).get_page(
        whole_number(request.GET.get("halaman", 1), max_digits=9) or 1
    )
    page.at_limit = False
    query = urlencode(
        {
            key: value
            for key, value in {"tahun": year, "pd": agency and agency.code}.items()
            if value
        }
    )
    return render(
        request,
        "dashboards/quality_failures.html",
        {
            "check": item,
            "year": year,
            "years": years,
            "agency": agency,
            "page": page,
            "query": query,
            "run": quality.last_run(),
        },
    )


@require_POST
@supervisors_only
def quality_refresh(request):
    """An administrator asks for the report again; it is computed in the job queue."""
    if not request.user.is_administrator:
        raise PermissionDenied(
            gettext("Hanya administrator yang dapat meminta penghitungan ulang.")
        )
    if quality.request_refresh(by=request.user):
        messages.success(
            request,
            gettext(
                "Penghitungan ulang kualitas data masuk antrean; hasilnya tampil di sini setelah "
                "selesai (biasanya beberapa menit)."
            ),
        )
    else:
        messages.info(request, gettext("Penghitungan ulang kualitas data sudah ada di antrean."))
    return redirect("dashboards:quality")
