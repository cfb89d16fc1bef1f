from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from agencies.models import Agency, Kecamatan
from contracts import kecamatan
from contracts.models import Process


class PackageSitemap(Sitemap):
    changefreq = "weekly"
    limit = 10000

    def items(self):
        return Process.objects.published().only("pk", "updated_at").order_by("pk")

    def location(self, item):
        return reverse("contracts:process-detail", args=[item.pk])

    def lastmod(self, item):
        return item.updated_at


class AgencySitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Agency.objects.active().order_by("code")

    def location(self, item):
        return reverse("contracts:agency-detail", args=[item.code])


class KecamatanSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Kecamatan.objects.order_by("name")

    def location(self, item):
        return reverse("contracts:kecamatan-detail", args=[kecamatan.slug(item)])


class PageSitemap(Sitemap):
    def items(self):
        return [
            "home",
            "contracts:process-list",
            "contracts:kecamatan-list",
            "agencies:agency-list",
            "about",
        ]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "halaman": PageSitemap,
    "paket": PackageSitemap,
    "perangkat-daerah": AgencySitemap,
    "kecamatan": KecamatanSitemap,
}
