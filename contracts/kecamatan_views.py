"""Browse by place: the kecamatan index with its map, and one page per kecamatan."""

from urllib.parse import urlencode

from django.http import Http404, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext

from contracts import kecamatan as places
from contracts import public_cache, spending
from contracts.views import MAX_LIST_PAGES, _page, published_years
from opendata_kontrak.params import whole_number


def _year(request, years):
    """The fiscal year asked for when it has published packages, else the latest one."""
    chosen = whole_number(request.GET.get("tahun", ""), max_digits=4)
    return chosen if chosen in years else (years[0] if years else None)


def _detail_url(kecamatan, year=None):
    url = reverse("contracts:kecamatan-detail", args=[places.slug(kecamatan)])
    return f"{url}?{urlencode({'tahun': year})}" if year else url


def kecamatan_list(request):
    """Every kecamatan with its packages and spending in a year, as a map and a table.

    `?nama=` (the home page's choice, any common spelling) redirects to that kecamatan's page;
    a name outside the register is said so above the list.
    """
    years = published_years()
    year = _year(request, years)
    asked = request.GET.get("nama", "").strip()
    unknown = None
    if asked:
        found = places.find(asked)
        if found is not None:
            return HttpResponseRedirect(
                _detail_url(found, year if "tahun" in request.GET else None)
            )
        unknown = asked[:100]
    return render(
        request,
        "contracts/kecamatan_list.html",
        {
            "years": years,
            "year": year,
            "unknown": unknown,
            # Read only when the cached map and table are rendered anew.
            "peta": (lambda: spending.place_map(year)) if year else None,
            "fragment_key": public_cache.fragment_key("kecamatan", year, years={year}),
        },
    )


def kecamatan_detail(request, nama):
    """One kecamatan's packages of a fiscal year (default the latest), with its totals.

    Any spelling of the name the register resolves answers 301 to the page's own address
    (`/kecamatan/sumberejo/`), keeping the query; a name outside the register, 404.
    """
    kecamatan = places.find(nama)
    if kecamatan is None:
        raise Http404(gettext("Kecamatan tidak dikenal."))
    if nama != places.slug(kecamatan):
        url = _detail_url(kecamatan)
        query = request.GET.urlencode()
        return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)
    years = published_years()
    year = _year(request, years)
    figures = places.figures(kecamatan, year) if year else {"packages": 0, "desa": []}
    page = _page(
        request,
        places.packages(kecamatan, year),
        count=figures["packages"],
        max_pages=MAX_LIST_PAGES,
    )
    list_query = urlencode({"kecamatan": kecamatan.name, **({"tahun": year} if year else {})})
    return render(
        request,
        "contracts/kecamatan_detail.html",
        {
            "kecamatan": kecamatan,
            "years": years,
            "year": year,
            "figures": figures,
            "page": page,
            "page_query": urlencode({"tahun": year}) if year else "",
            "list_query": list_query,
            "spending_name": spending.SPENDING_NAME,
            "spending_definition": spending.SPENDING_DEFINITION,
            # The kecamatan's own office, an agency of the register: read only when rendered.
            "office": lambda: places.office(kecamatan),
            "fragment_key": public_cache.fragment_key(
                "kecamatan", kecamatan.pk, year, years={year}
            ),
        },
    )
