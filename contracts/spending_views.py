"""The public page "Belanja dalam angka": a year's pagu and contract value per agency kind and
per kecamatan, as charts with their tables."""

from django.shortcuts import render
from django.utils.translation import gettext

from contracts import spending
from contracts.views import published_years
from opendata_kontrak.params import whole_number


def spending_overview(request):
    """/angka/?tahun=YYYY: the year asked for when packages of it are published, else the
    newest year; with no published package, the page says so."""
    years = published_years()
    asked = request.GET.get("tahun", "").strip()
    chosen = whole_number(asked, max_digits=4)
    year = chosen if chosen in years else (years[0] if years else None)
    notice = ""
    if asked and year and chosen != year:
        if chosen is not None:
            notice = gettext(
                "Tahun anggaran %(chosen)s belum punya paket yang dipublikasikan; yang "
                "ditampilkan tahun anggaran %(year)s."
            ) % {"chosen": chosen, "year": year}
        else:
            notice = gettext(
                "“%(asked)s” bukan tahun; yang ditampilkan tahun anggaran %(year)s."
            ) % {
                "asked": asked[:10],
                "year": year,
            }
    return render(
        request,
        "contracts/spending.html",
        {
            "years": years,
            "year": year,
            "notice": notice,
            "kind_chart": spending.agency_kind_chart(year) if year else None,
            "kecamatan_chart": spending.kecamatan_chart(year) if year else None,
        },
    )
