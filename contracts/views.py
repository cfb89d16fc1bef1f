from itertools import groupby

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Sum
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext
from django.views.decorators.http import conditional_page

from agencies.models import KIND_ORDER, Agency, AgencyKind, Kecamatan
from contracts import filter_words, pages, progress, public_cache, spending
from contracts.amendments import amended_contract
from contracts.filters import (
    COMPLETENESS,
    SORTS,
    PackageFilter,
    agencies_for_filter,
    involving,
    matching_agency_documents,
    similar_titles,
)
from contracts.flag_codes import Flag
from contracts.leaders import selection_box, selection_leaders
from contracts.models import (
    STAGE_ORDER,
    AgencyDocument,
    Category,
    Document,
    FundingSource,
    Method,
    Process,
    ProgressPhoto,
    Stage,
    Supplier,
    jakarta_today,
    shown_publicly,
)
from contracts.pdf import document_filename
from contracts.status import card_figures
from opendata_kontrak import storage
from opendata_kontrak.params import whole_number

PAGE_SIZE = 25


def public_packages():
    # The money and the work/data sentences of each card, in the list's own query.
    return (
        Process.objects.published().select_related("agency", "supplier").annotate(**card_figures())
    )


# The list opens at most this many pages by number (10,000 packages in any order): deeper,
# OFFSET makes the database step over every earlier row (7 s at page 30,000 of a million).
# All of it stays reachable by narrowing the filters, by the API's cursor, or in the bulk files.
MAX_LIST_PAGES = 400


def _page(request, queryset, size=PAGE_SIZE, count=None, max_pages=None):
    paginator = Paginator(queryset, size)
    if count is not None:
        paginator.count = count  # known already (cached): no COUNT(*) for this page
    asked = whole_number(request.GET.get("halaman", 1), max_digits=9) or 1
    if max_pages and asked > max_pages:
        asked = max_pages  # the page says so (at_limit) and points elsewhere
    try:
        page = paginator.page(asked)
    except PageNotAnInteger:
        page = paginator.page(1)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    page.at_limit = bool(max_pages) and page.number == max_pages and page.has_next()
    return page


@public_cache.computation("tahun")
def _published_years(parts):
    return Process.objects.published().fiscal_years()


def published_years():
    return public_cache.remember("tahun", ())


@public_cache.computation("beranda")
def _home_figures(year):
    return Process.objects.published().filter(fiscal_year=year).figures()


def _years(year):
    """The fiscal years a value of `year` covers (None, no year chosen: every year)."""
    return None if year is None else {year}


def home(request):
    years = published_years()
    chosen = whole_number(request.GET.get("tahun", ""), max_digits=4)
    year = chosen if chosen in years else (years[0] if years else None)
    figures = public_cache.remember("beranda", year, years=_years(year))
    return render(
        request,
        "contracts/home.html",
        {
            "years": years,
            "year": year,
            "figures": figures,
            "complete_share": round(100 * figures["complete"] / figures["packages"])
            if figures["packages"]
            else None,
            "latest": public_packages().order_by("-published_at", "-pk")[:8],
            "agency_count": Agency.objects.active().count,  # read only when re-rendered
            # The year's figures, charts and map (and the choice of years, part of the key):
            # another year's change leaves them cached.
            "fragment_key": public_cache.fragment_key(
                "beranda", year, list(years), years=_years(year)
            ),
            "latest_key": public_cache.fragment_key("beranda-terbaru"),
            "kecamatan": Kecamatan.objects.order_by("name"),  # read only when re-rendered
            "peta": (lambda: spending.place_map(year)) if year else None,  # likewise
            # The satisfaction poll's choices (participation, through contracts.pages).
            **pages.extras("beranda", request),
        },
    )


def process_list(request):
    if any(value.strip() == "" for value in request.GET.values()):
        # The filter form sends every field; keep shared addresses short and readable.
        kept = request.GET.copy()
        for key in [k for k, v in request.GET.items() if v.strip() == ""]:
            del kept[key]
        return HttpResponseRedirect(f"{request.path}?{kept.urlencode()}" if kept else request.path)
    package_filter = PackageFilter.from_query(request.GET)
    filter_words.check(package_filter)  # unknown agency, kecamatan, impossible pagu: said
    results = package_filter.apply(public_packages())
    # The total and the facet counts depend on the filters only, not on the sort or page.
    shape = sorted((k, v) for k, v in package_filter.params.items() if k != "urut")
    years = _years(package_filter.params.get("tahun"))
    stale_before = public_cache.served_stale()
    summary = public_cache.remember("daftar", shape, years=years)
    page = _page(request, results, count=summary["count"], max_pages=MAX_LIST_PAGES)

    def row_ids():
        return public_cache.remember(
            "daftar-baris",
            [sorted(package_filter.params.items()), package_filter.sort, page.number],
            years=years,
        )

    # A stale count is recomputed apart from the rows' ids: on the last page it must not fall
    # below the rows listed (a new package: "0 paket, Tidak ada paket yang cocok" above it);
    # then the summary is computed in this request instead.
    if (
        public_cache.served_stale() > stale_before
        and not page.has_next()
        and (page.number - 1) * PAGE_SIZE + len(row_ids()) > summary["count"]
    ):
        summary = public_cache.remember("daftar", shape, years=years, stale=False)
        page = _page(request, results, count=summary["count"], max_pages=MAX_LIST_PAGES)
    # The page's rows by the ids of a cached computation: after a change the previous ids are
    # served at once while a job finds the new ones (a search's ranked sort over most of a
    # million rows takes seconds); the rows themselves are one indexed query. Read only when
    # the cards' fragment is rendered anew.
    page.object_list = SimpleLazyObject(lambda: _rows_of(row_ids()))
    facets = summary["facets"]
    if years is not None:
        # The year facet counts every year (it counts without its own filter): kept apart, so
        # that another year's change does not retire this year's list.
        others = [[name, value] for name, value in shape if name != "tahun"]
        facets = {**facets, "tahun": public_cache.remember("daftar-tahun", others)}
    # The rendered filter form and cards, cached per data version, filters, sort and page.
    # The year facet (every year's count) is part of the key: the form shows it.
    fragment_key = public_cache.fragment_key(
        package_filter.params, package_filter.sort, sorted(facets["tahun"].items()), years=years
    )
    params = package_filter.params
    return render(
        request,
        "contracts/process_list.html",
        {
            "page": page,
            "filter": package_filter,
            "params": params,
            "facets": facets,
            "options": {
                "tahun": sorted(facets["tahun"].items(), reverse=True),
                "jenis_pd": [(k, v, facets["jenis_pd"].get(k, 0)) for k, v in AgencyKind.choices],
                "tahap": [(k, v, facets["tahap"].get(k, 0)) for k, v in Stage.choices],
                "metode": [(k, v, facets["metode"].get(k, 0)) for k, v in Method.choices],
                "jenis": [(k, v, facets["jenis"].get(k, 0)) for k, v in Category.choices],
                "dana": FundingSource.choices,
                # The register's names, read only when the filter form is rendered anew.
                "kecamatan": Kecamatan.objects.order_by("name").values_list("name", flat=True),
                "lengkap": [
                    ("ya", COMPLETENESS["ya"], facets["lengkap"].get(True, 0)),
                    ("tidak", COMPLETENESS["tidak"], facets["lengkap"].get(False, 0)),
                ],
                "tanda": [(k, v, facets["tanda"].get(k, 0)) for k, v in Flag.choices],
                "urut": [
                    (k, label) for k, (label, _) in SORTS.items() if k != "relevan" or "q" in params
                ],
            },
            "agencies": agencies_for_filter(),
            "page_query": package_filter.query_string(halaman=None),
            "leaders": lambda: selection_box(package_filter, summary["leaders"]),
            "fragment_key": fragment_key,
            # Agency documents are searched as themselves, beside the packages, never as them.
            "agency_documents": (lambda: matching_agency_documents(params["q"]))
            if "q" in params
            else (),
            "similar": similar_titles(public_packages(), params["q"])
            if "q" in params and not page.paginator.count
            else [],
        },
    )


def _filter_of(shape):
    """The PackageFilter of a cached value's parts ([[name, value], ...], as JSON gives them)."""
    return PackageFilter.from_query({name: str(value) for name, value in shape})


@public_cache.computation("daftar")
def _list_summary(shape):
    """The list's total, facet counts and leaders; with a year chosen, without the year facet
    (`daftar-tahun`, which covers every year)."""
    package_filter = _filter_of(shape)
    without = ("tahun",) if "tahun" in package_filter.params else ()
    return {
        **package_filter.summary(Process.objects.published(), without=without),
        "leaders": selection_leaders(package_filter),
    }


@public_cache.computation("daftar-baris")
def _list_row_ids(parts):
    """The ids of one page of the list, in its order: parts [[[name, value], ...] (the
    filter's cleaned params, the sort among them when chosen), sort, page number]. The sort is
    part of the key, not of the query: the params give it back."""
    shape, _sort, number = parts
    start = (number - 1) * PAGE_SIZE
    ordered = _filter_of(shape).apply(Process.objects.published())
    return list(ordered.values_list("pk", flat=True)[start : start + PAGE_SIZE])


def _rows_of(ids):
    """The list's cards of `ids`, in their order, in one query by primary key, through the one
    public rule: a package withdrawn since the ids were computed is left out, never shown."""
    rows = public_packages().in_bulk(ids)
    return [rows[pk] for pk in ids if pk in rows]


@public_cache.computation("daftar-tahun")
def _list_year_facet(shape):
    return _filter_of(shape).year_facet(Process.objects.published())


def process_detail(request, pk):
    """The package page; for a withdrawn package, whose OCDS stays public, a 410 Gone page
    with when and why it was withdrawn and links to its OCDS; 404 for anything else."""
    process = public_packages().filter(pk=pk).first()
    if process is not None:
        return render_process_detail(request, process)
    # Not on the site: public only as open data (published or withdrawn), so withdrawn.
    withdrawn = get_object_or_404(Process.objects.open_data().select_related("agency"), pk=pk)
    return render(request, "contracts/process_withdrawn.html", {"process": withdrawn}, status=410)


def render_process_detail(request, process, *, report_form=None, status=200):
    """The package page; a citizen's report form with its errors when sent back (the empty
    form is participation's, added through contracts.pages)."""

    def stages():
        # Called by the template only when its cached fragment must be rendered anew.
        documents = list(
            AgencyDocument.objects.covering(process).select_related("document_type")
        ) + list(process.documents.select_related("document_type").order_by("pk"))
        stored = {row.stage: row for row in process.completeness.all()}
        reached = STAGE_ORDER.index(process.stage_reached)
        return [
            {
                "stage": stage,
                "label": Stage(stage).label,
                "number": index + 1,
                "state": stored.get(stage),
                "reached": index <= reached,
                "documents": [d for d in documents if d.stage == stage],
            }
            for index, stage in enumerate(STAGE_ORDER)
        ]

    # One queryset, evaluated once (and only when the cached fragment is rendered anew).
    bidders = process.bidders.select_related("supplier").order_by("bid_amount", "pk")
    return render(
        request,
        "contracts/process_detail.html",
        {
            "process": process,
            "stages": stages,
            # The day is part of the key: a kurva S period's deviation appears once it ends.
            "fragment_key": public_cache.fragment_key(
                "paket", process.pk, jakarta_today(), years={process.fiscal_year}
            ),
            "bidders": bidders,
            # Bids: the bidders listed with a price (the bids extension's details), not LPSE's
            # registrations (number_of_tenderers).
            "bid_count": lambda: sum(1 for bidder in bidders if bidder.bid_amount is not None),
            # Lazy: read only when the (cached) contract stage is rendered.
            "amended": (
                amended := SimpleLazyObject(
                    lambda: amended_contract(process, process.amendments.all())
                )
            ),
            # Days the PHO came after the contract's end as amended (0: on time or unknown).
            "handover_delay": SimpleLazyObject(
                lambda: (
                    max((process.pho_date - amended.end).days, 0)
                    if process.pho_date and amended.end
                    else 0
                )
            ),
            "progress_reports": process.progress_reports.prefetch_related("photos"),
            # The kurva S beside the reports, with each period's deviation.
            "planned_periods": (
                planned_periods := SimpleLazyObject(
                    lambda: progress.periods(
                        process.planned_progress.all(),
                        process.progress_reports.all(),
                        today=jakarta_today(),
                    )
                )
            ),
            "latest_period": SimpleLazyObject(lambda: progress.latest_measured(planned_periods)),
            "payments": process.payments.all(),
            "reports": process.reports.public()
            .prefetch_related("photos")
            .order_by("-created_at", "-pk"),
            **pages.extras("paket", request, process=process),
            **({"report_form": report_form} if report_form is not None else {}),
            "flags": process.flags.select_related("threshold").order_by("flag"),
        },
        status=status,
    )


def agency_list(request):
    """The agencies by kind, each with its published packages (routed as agencies:agency-list
    by opendata_kontrak.urls: the register sits below the packages, so the page is here)."""
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


@public_cache.computation("pd-per-tahun")
def _agency_per_year(agency_id):
    return Process.objects.published().filter(agency_id=agency_id).figures_per_year()


def agency_detail(request, code):
    agency = get_object_or_404(Agency.objects.active(), code=code)
    packages = public_packages().filter(agency=agency).order_by("-published_at", "-pk")
    per_year = public_cache.remember("pd-per-tahun", agency.pk)
    return render(
        request,
        "agencies/agency_detail.html",
        {
            "agency": agency,
            "page": _page(
                request,
                packages,
                count=sum(row["packages"] for row in per_year),
                max_pages=MAX_LIST_PAGES,
            ),
            "per_year": per_year,
            "fragment_key": public_cache.fragment_key("pd", agency.pk),
        },
    )


@public_cache.computation("penyedia")
def _supplier_summary(supplier_id):
    won = Process.objects.published().filter(supplier_id=supplier_id)
    return {
        "count": public_packages().filter(involving(supplier_id)).count(),
        "won": won.count(),
        "totals": list(
            won.values("fiscal_year", "agency__name")
            .annotate(packages=Count("pk"), awarded=Sum("award_amount"))
            .order_by("-fiscal_year", "agency__name")
        ),
    }


def supplier_detail(request, pk):
    # Only a supplier named on a published package has a public page.
    supplier = get_object_or_404(Supplier.objects.public(), pk=pk)
    packages = public_packages().filter(involving(supplier.pk)).order_by("-fiscal_year", "-pk")
    summary = public_cache.remember("penyedia", supplier.pk)
    return render(
        request,
        "contracts/supplier_detail.html",
        {
            "supplier": supplier,
            "page": _page(request, packages, count=summary["count"], max_pages=MAX_LIST_PAGES),
            "totals": summary["totals"],
            "won_count": summary["won"],
            "fragment_key": public_cache.fragment_key("penyedia", supplier.pk),
        },
    )


def _shown_publicly(process_id):
    """Whether a file of this package may be kept by shared caches: by the one public rule,
    not by its status alone (a sample beside real data is published, yet not public)."""
    return Process.objects.published().filter(pk=process_id).exists()


@conditional_page  # a cache revalidating an unchanged public file gets a 304
def document_download(request, pk):
    """A package's document: for anyone once published, before that only for its own people.

    Anyone else gets 404, so a draft's existence is not revealed either.
    """
    allowed = Process.objects.public_or_visible_to(request.user)
    document = get_object_or_404(Document.objects.filter(process__in=allowed), pk=pk)
    return storage.serve(
        document.file.name,
        content_type="application/pdf",
        missing=gettext("Berkas dokumen tidak ditemukan."),
        filename=document_filename(document.original_filename),
        attachment=bool(request.GET.get("unduh")),
        public=_shown_publicly(document.process_id),
        etag=document.sha256,
    )


@conditional_page  # a cache revalidating an unchanged public photo gets a 304
def progress_photo(request, pk):
    """A progress report's photo, under the same rule as the package's documents: for anyone
    once the package is published, before that only for its own people; 404 otherwise."""
    allowed = Process.objects.public_or_visible_to(request.user)
    photo = get_object_or_404(
        ProgressPhoto.objects.filter(report__process__in=allowed).select_related("report"),
        pk=pk,
    )
    return storage.serve(
        photo.file.name,
        content_type=photo.content_type,
        missing=gettext("Foto tidak ditemukan."),
        public=_shown_publicly(photo.report.process_id),
    )


@conditional_page
def agency_document_download(request, pk):
    """An agency document (DPA, Renja SKPD, …): for anyone once a package of its agency and
    year is published, before that only for that agency's people and supervisors; 404 to
    anyone else, so a draft's existence is not revealed either."""
    document = get_object_or_404(AgencyDocument.objects.public_or_visible_to(request.user), pk=pk)
    return storage.serve(
        document.file.name,
        content_type="application/pdf",
        missing=gettext("Berkas dokumen tidak ditemukan."),
        filename=document_filename(document.original_filename),
        attachment=bool(request.GET.get("unduh")),
        public=AgencyDocument.objects.published().filter(pk=pk).exists(),
        etag=document.sha256,
    )
