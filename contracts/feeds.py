"""Atom feed of newly published packages, for everyone or one agency (?pd=code)."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from agencies.models import Agency
from contracts.templatetags.rupiah import rupiah
from contracts.views import public_packages
from opendata_kontrak.text import printable


class LatestPackagesFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request):
        code = request.GET.get("pd", "")
        return Agency.objects.active().filter(code=code).first() if code else None

    def title(self, agency):
        where = agency.name if agency else settings.PORTAL["REGION_NAME"]
        return printable(f"Paket terbaru — {where}")

    def link(self, agency):
        url = reverse("contracts:process-list")
        return f"{url}?pd={agency.code}" if agency else url

    def subtitle(self, agency):
        return "Paket pengadaan yang baru dipublikasikan di Open Data Kontrak."

    def items(self, agency):
        packages = public_packages().order_by("-published_at", "-pk")
        if agency:
            packages = packages.filter(agency=agency)
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
