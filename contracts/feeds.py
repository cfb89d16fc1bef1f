"""Atom feed of newly published packages, for everyone, one agency (?pd=code) or one
kecamatan (?kecamatan=name, any spelling: the packages located there, as its page lists
them, including those whose location names it among several kecamatan)."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import urlencode

from agencies.models import Agency, Kecamatan
from contracts import kecamatan as places
from contracts.filters import in_kecamatan, with_lookups
from contracts.models import Process
from contracts.templatetags.rupiah import rupiah
from opendata_kontrak.text import printable


@dataclass(frozen=True)
class Followed:
    """What a feed follows: an active agency (an unknown code is left out), a kecamatan of
    the register (an unknown name answers 404), both or neither."""

    agency: Agency | None = None
    kecamatan: Kecamatan | None = None


class LatestPackagesFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request):
        code = request.GET.get("pd", "").strip()
        name = request.GET.get("kecamatan", "").strip()[:100]
        kecamatan = places.find(name) if name else None
        if name and kecamatan is None:
            # Not the whole regency's feed under a name that is none of its kecamatan.
            raise Http404("Kecamatan tidak dikenal.")
        return Followed(
            agency=Agency.objects.active().filter(code=code).first() if code else None,
            kecamatan=kecamatan,
        )

    def title(self, followed):
        where = [settings.PORTAL["REGION_NAME"]] if followed.agency is None else []
        if followed.agency:
            where.append(followed.agency.name)
        if followed.kecamatan:
            where.append(f"Kecamatan {followed.kecamatan.name}")
        return printable(f"Paket terbaru — {', '.join(where)}")

    def link(self, followed):
        url = reverse("contracts:process-list")
        query = {}
        if followed.agency:
            query["pd"] = followed.agency.code
        if followed.kecamatan:
            query["kecamatan"] = followed.kecamatan.name
        return f"{url}?{urlencode(query)}" if query else url

    def subtitle(self, followed):
        if followed.kecamatan:
            return (
                "Paket pengadaan yang baru dipublikasikan dengan lokasi di Kecamatan "
                f"{followed.kecamatan.name} (termasuk paket yang lokasinya menyebut beberapa "
                "kecamatan)."
            )
        return "Paket pengadaan yang baru dipublikasikan di Open Data Kontrak."

    def items(self, followed):
        # The entries name title, agency and supplier: not the cards' money subqueries.
        packages = (
            Process.objects.published()
            .select_related("agency", "supplier")
            .order_by("-published_at", "-pk")
        )
        if followed.agency:
            packages = packages.filter(agency=followed.agency)
        if followed.kecamatan:
            packages = with_lookups(packages).filter(in_kecamatan(followed.kecamatan.name))
        return packages[:50]

    def item_title(self, item):
        return printable(item.title)

    def item_description(self, item):
        return printable(
            f"{item.agency.name} · TA {item.fiscal_year} · pagu {rupiah(item.budget_amount)}"
        )

    def item_link(self, item):
        return reverse("contracts:process-detail", args=[item.pk])

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at
