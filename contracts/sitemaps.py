"""The sitemap (/sitemap.xml): every public page in both languages, each with its
alternates (hreflang id, en and x-default, the Indonesian address)."""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from agencies.models import Agency, Kecamatan
from contracts import kecamatan
from contracts.models import Process


class _EachLanguage:
    """A sitemap's items in (item, language) pairs, read a page at a time.

    Django's i18n sitemap builds the pairs as a list of every item (`Sitemap._items`), which
    for the packages would read every published row on every sitemap page; this sequence
    counts them with one COUNT and reads only the rows of the page asked for.
    """

    def __init__(self, items, languages):
        self.items = items
        self.languages = languages

    def count(self):
        # A queryset counts in the database; a list (the plain pages) by its length.
        count = len(self.items) if isinstance(self.items, list) else self.items.count()
        return count * len(self.languages)

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        size = len(self.languages)
        first = start // size
        last = None if stop is None else -(-stop // size)
        rows = self.items[first:last]
        pairs = [(item, code) for item in rows for code in self.languages]
        return pairs[start - first * size : None if stop is None else stop - first * size]


class BothLanguages(Sitemap):
    """A sitemap listing each page in every language, with its hreflang alternates."""

    i18n = True
    alternates = True
    x_default = True

    def _items(self):
        # Django's own reads every item into a list (see _EachLanguage).
        return _EachLanguage(self.items(), [code for code, _name in settings.LANGUAGES])


class PackageSitemap(BothLanguages):
    changefreq = "weekly"
    limit = 10000

    def items(self):
        return Process.objects.published().only("pk", "updated_at").order_by("pk")

    def location(self, item):
        return reverse("contracts:process-detail", args=[item.pk])

    def lastmod(self, item):
        return item.updated_at


class AgencySitemap(BothLanguages):
    changefreq = "weekly"

    def items(self):
        return Agency.objects.active().order_by("code")

    def location(self, item):
        return reverse("contracts:agency-detail", args=[item.code])


class KecamatanSitemap(BothLanguages):
    changefreq = "weekly"

    def items(self):
        return Kecamatan.objects.order_by("name")

    def location(self, item):
        return reverse("contracts:kecamatan-detail", args=[kecamatan.slug(item)])


class PageSitemap(BothLanguages):
    def items(self):
        return [
            "home",
            "contracts:process-list",
            "contracts:kecamatan-list",
            "agencies:agency-list",
            "about",
            "glossary",
        ]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "halaman": PageSitemap,
    "paket": PackageSitemap,
    "perangkat-daerah": AgencySitemap,
    "kecamatan": KecamatanSitemap,
}
