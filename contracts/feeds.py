"""Atom feeds of the public site, for feed readers and for anyone who follows the portal.

- `LatestPackagesFeed` (`/feed/paket/?<the list's query string>`): the newest published
  packages of any selection of the public list — its filters and its search, by the list's own
  rule (`contracts.filters.PackageFilter`), the sort and the page aside. An agency (`?pd=`), a
  kecamatan (`?kecamatan=`, any spelling; the packages located there, including those whose
  location names it among several) and a supplier (`?penyedia=`, the packages it won or bid
  for) are such selections.
- `PackageReleasesFeed` (`/feed/paket/<pk>/`): what changed in one package, one entry per stored
  OCDS release, newest first.

The feeds' words are marked for translation, but a feed is written in the data's language,
Indonesian, whatever its address (PortalFeed.__call__): its entries are the data's, and a feed
reader shows one language per feed.

Every text is passed through `opendata_kontrak.text.printable` on its way into the XML (one
feed type does it for all of them), so no title, name or search ever breaks a feed.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import conditional_page

from contracts import filter_words
from contracts import kecamatan as places
from contracts.filters import PackageFilter, with_lookups
from contracts.list_heading import describe
from contracts.models import Process, Release, Stage
from contracts.templatetags.rupiah import money, number
from opendata_kontrak.text import printable

# Entries in a feed: the newest packages, or a package's newest releases.
FEED_SIZE = 50
# The list's sort and page shape what a person reads, not what a feed follows.
NOT_FOLLOWED = ("urut", "halaman")
REFUSED = gettext_noop(
    "Umpan tidak dibuat: ada saringan yang tidak valid, dan tanpa saringan itu umpan ini "
    "berisi paket di luar pilihan Anda. Perbaiki atau hapus saringan itu pada alamat umpan."
)


def _printable(value):
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_printable(item) for item in value)
    return value


class PrintableAtom1Feed(Atom1Feed):
    """Atom 1.0 whose every text (feed and entries: titles, summaries, names, categories) has
    passed `printable`: XML 1.0 cannot carry control characters, and Django's writer refuses
    them with an exception, a server error for every reader of the feed."""

    def __init__(self, *args, **kwargs):
        super().__init__(
            *_printable(args), **{key: _printable(value) for key, value in kwargs.items()}
        )

    def add_item(self, *args, **kwargs):
        super().add_item(
            *_printable(args), **{key: _printable(value) for key, value in kwargs.items()}
        )


def _site():
    return f"{settings.PORTAL['SITE_NAME']} {settings.PORTAL['REGION_NAME']}"


class Refused(Exception):
    """A filter the list would drop: the feed would follow more than was asked."""

    def __init__(self, problems):
        super().__init__(problems)
        self.problems = problems

    def response(self):
        problems = [problem.split(";")[0].rstrip(".") + "." for problem in self.problems]
        text = "\n".join([gettext(REFUSED), "", *problems]) + "\n"
        response = HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
        response["Cache-Control"] = "no-store"
        return response


class PortalFeed(Feed):
    """A feed of the portal: Atom with printable text, the portal as its author, a refusal
    (`Refused`) answered as a 400, and no Last-Modified."""

    feed_type = PrintableAtom1Feed

    def author_name(self):
        # Atom requires an author for every entry: the portal, named once for the whole feed.
        return _site()

    def __call__(self, request, *args, **kwargs):
        # A feed carries no language (its entries are the data's, in Indonesian): under /en/ it
        # is the same feed, its entry ids and links the canonical Indonesian addresses, so a
        # reader never holds one package under two ids. (The list under /en/ links here too.)
        # Its refusal too: the problems are named in the words of the feed they refuse.
        with translation.override(settings.LANGUAGE_CODE):
            try:
                response = super().__call__(request, *args, **kwargs)
            except Refused as refusal:
                response = refusal.response()
                response["Content-Language"] = settings.LANGUAGE_CODE
                return response
        # The feed says xml:lang="id"; the header says the same under /en/ (the locale
        # middleware would name the address's language).
        response["Content-Language"] = settings.LANGUAGE_CODE
        # Django dates the answer by its newest entry; an entry that leaves the feed (a
        # withdrawn package) changes the feed, not that date. The ETag of the body decides a
        # reader's "not modified" instead.
        del response["Last-Modified"]
        return response


@dataclass(frozen=True)
class Selection:
    """What a packages feed follows: the list's filter (its `params` without sort or page), its
    heading in words ("Paket di Kecamatan Balen, TA 2019") and the register's name of the
    kecamatan it filters by, if any."""

    package_filter: PackageFilter
    heading: str
    kecamatan: str | None = None


class LatestPackagesFeed(PortalFeed):
    """The newest published packages (FEED_SIZE, newest published first) of the public list's
    selection in the query string.

    Every filter and the search of the list, read by `PackageFilter.from_query`; `urut` and
    `halaman` are ignored. A value the list would drop and name beside its results (a
    malformed year, an unknown agency code) answers 400 naming it, in plain text, as the
    selection's downloads do: a feed reader shows no notice, and would follow the whole
    regency in silence. A kecamatan outside the register answers 404.
    """

    def get_object(self, request):
        query = request.GET.copy()
        for name in NOT_FOLLOWED:
            query.pop(name, None)
        package_filter = PackageFilter.from_query(query)
        problems = filter_words.check(package_filter, notes=False)
        if problems:
            raise Refused(problems)
        kecamatan = None
        if "kecamatan" in package_filter.params:
            kecamatan = places.find(package_filter.params["kecamatan"])
            if kecamatan is None:
                # Not the whole regency's feed under a name that is none of its kecamatan.
                raise Http404(gettext("Kecamatan tidak dikenal."))
        heading = describe(package_filter.params, kecamatan=kecamatan)
        return Selection(package_filter, heading, kecamatan.name if kecamatan else None)

    def title(self, selection):
        return f"{selection.heading} — {_site()}"

    def link(self, selection):
        url = reverse("contracts:process-list")
        query = selection.package_filter.query_string()
        return f"{url}?{query}" if query else url

    def feed_url(self, selection):
        url = reverse("contracts:feed")
        query = selection.package_filter.query_string()
        return f"{url}?{query}" if query else url

    def subtitle(self, selection):
        text = gettext("Paket pengadaan yang baru dipublikasikan, terbaru lebih dulu.")
        if selection.kecamatan:
            text += " " + gettext(
                "Lokasi di Kecamatan %(kecamatan)s, termasuk paket yang lokasinya menyebut "
                "beberapa kecamatan."
            ) % {"kecamatan": selection.kecamatan}
        if "penyedia" in selection.package_filter.params:
            text += " " + gettext("Paket yang dimenangkan atau diikuti penyedia ini.")
        return text

    def items(self, selection):
        # The entries name title, agency and supplier: not the cards' money subqueries.
        packages = with_lookups(
            Process.objects.published().select_related("agency", "supplier")
        ).filter(selection.package_filter.conditions())
        return packages.order_by("-published_at", "-pk")[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        parts = [
            item.agency.name,
            gettext("TA %(year)s") % {"year": item.fiscal_year},
            gettext("pagu %(amount)s") % {"amount": money(item.budget_amount)},
        ]
        if item.supplier:
            parts.append(gettext("penyedia %(name)s") % {"name": item.supplier.name})
        return " · ".join(parts)

    def item_link(self, item):
        return reverse("contracts:process-detail", args=[item.pk])

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at


# --- one package's changes ---------------------------------------------------------------------

# A stage a release reaches (its OCDS release tag) and the portal's name for it.
REACHED = {
    "tender": Stage.TENDER,
    "award": Stage.AWARD,
    "contract": Stage.CONTRACT,
    "implementation": Stage.IMPLEMENTATION,
}
CHANGED = {
    "planningUpdate": gettext_noop("Data perencanaan diubah"),
    "tenderUpdate": gettext_noop("Data pemilihan penyedia diubah"),
    "awardUpdate": gettext_noop("Data pemenang diubah"),
    "contractUpdate": gettext_noop("Data kontrak diubah"),
    "contractAmendment": gettext_noop("Kontrak diubah (adendum)"),
    "implementationUpdate": gettext_noop("Data implementasi diperbarui"),
    "tenderCancellation": gettext_noop("Pemilihan penyedia dibatalkan"),
    "awardCancellation": gettext_noop("Penetapan pemenang dibatalkan"),
}
# tender.status of a withdrawn package (contracts.ocds): a plan is withdrawn, a selection
# under way or done is cancelled.
WITHDRAWN = ("withdrawn", "cancelled")


def _tender(data):
    tender = data.get("tender")
    return tender if isinstance(tender, dict) else {}


def published_documents(data):
    """{document id: title} of the documents a release publishes, in every section (planning,
    tender, awards, contracts and their implementation); one an operator removed (its fields
    null, as OCDS deletes) is not among them."""
    contracts = [c for c in data.get("contracts") or [] if isinstance(c, dict)]
    sections = [
        data.get("planning"),
        data.get("tender"),
        *(data.get("awards") or []),
        *contracts,
        *(contract.get("implementation") for contract in contracts),
    ]
    found = {}
    for section in sections:
        if not isinstance(section, dict):
            continue
        for document in section.get("documents") or []:
            if isinstance(document, dict) and document.get("id") and document.get("title"):
                found.setdefault(str(document["id"]), str(document["title"]))
    return found


@dataclass
class Change:
    """One release of a package as a feed entry: what it changed, in words.

    `what`: short sentences ("Tahap Kontrak tercapai", "Kontrak diubah (adendum)"); `documents`:
    the titles of documents it publishes that the previous release did not (all of them for
    the first); `reason`: why the package was withdrawn, when this release withdraws it."""

    process: Process
    release: Release
    what: list = field(default_factory=list)
    documents: list = field(default_factory=list)
    reason: str = ""

    @classmethod
    def between(cls, process, release, previous):
        """The change `release` made after `previous` (None: the package's first release)."""
        change = cls(process=process, release=release)
        status = _tender(release.data).get("status")
        withdrawn = status in WITHDRAWN and (
            previous is None or _tender(previous.data).get("status") not in WITHDRAWN
        )
        if previous is None:
            change.what.append(
                gettext("Paket diumumkan (tahap %(stage)s)")
                % {"stage": gettext(Stage(release.stage_reached).label)}
            )
        if withdrawn:
            change.what.append(gettext("Paket ditarik"))
            change.reason = str(_tender(release.data).get("statusDetails") or "")
        for tag in release.tags:
            if tag in REACHED and previous is not None:
                change.what.append(
                    gettext("Tahap %(stage)s tercapai") % {"stage": gettext(REACHED[tag].label)}
                )
            elif tag in CHANGED and previous is not None and not withdrawn:
                # A withdrawal's own updates and cancellations are the withdrawal itself.
                change.what.append(gettext(CHANGED[tag]))
        before = published_documents(previous.data) if previous is not None else {}
        now = published_documents(release.data)
        change.documents = [title for key, title in now.items() if key not in before]
        if change.documents and previous is not None:
            change.what.append(
                gettext("%(count)s dokumen baru") % {"count": number(len(change.documents))}
            )
        if not change.what:
            change.what.append(gettext("Data paket diperbarui"))
        return change

    @property
    def title(self):
        return " · ".join(self.what)

    @property
    def summary(self):
        sentences = [_sentence(sentence) for sentence in self.what]
        if self.reason:
            sentences.append(
                _sentence(gettext("Alasan penarikan: %(reason)s") % {"reason": self.reason})
            )
        if self.documents:
            label = gettext("Dokumen baru") if self.release.sequence > 1 else gettext("Dokumen")
            sentences.append(_sentence(f"{label}: {'; '.join(self.documents)}"))
        stage = gettext(Stage(self.release.stage_reached).label)
        sentences.append(_sentence(gettext("Tahap terakhir: %(stage)s") % {"stage": stage}))
        sentences.append(_sentence(gettext("Rilis OCDS %(id)s") % {"id": self.release_id}))
        return " ".join(sentences)

    @property
    def release_id(self):
        return str(self.release.data.get("id") or f"{self.process.ocid}-{self.release.sequence}")


def _sentence(text):
    """`text` ended by one full stop: none added after a reason or a document's title that
    already ends a sentence ("… APBD 2026." stays, never "APBD 2026..")."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?", "…")) else f"{text}."


class PackageReleasesFeed(PortalFeed):
    """What changed in one package in open data (published, or withdrawn: its OCDS stays
    public), one entry per stored OCDS release, newest first (FEED_SIZE): 404 for anything
    else, a draft's existence not revealed. Each entry's id is the release's own id under the
    package's OCDS address: unique, and the same every time the feed is read."""

    def get_object(self, request, pk):
        return get_object_or_404(Process.objects.open_data().select_related("agency"), pk=pk)

    def title(self, process):
        return gettext("Perubahan paket %(title)s — %(site)s") % {
            "title": process.title,
            "site": _site(),
        }

    def link(self, process):
        return reverse("contracts:process-detail", args=[process.pk])

    def feed_url(self, process):
        return reverse("contracts:package-feed", args=[process.pk])

    def subtitle(self, process):
        return gettext(
            "Setiap perubahan data terbuka paket ini (%(agency)s, TA %(year)s, ocid %(ocid)s), "
            "terbaru lebih dulu."
        ) % {"agency": process.agency.name, "year": process.fiscal_year, "ocid": process.ocid}

    def items(self, process):
        # One more than shown: the oldest entry shown says what changed since the one before.
        releases = list(process.releases.order_by("-sequence")[: FEED_SIZE + 1])
        previous = [*releases[1:], None]
        return [
            Change.between(process, release, before)
            for release, before in zip(releases, previous, strict=True)
        ][:FEED_SIZE]

    def item_title(self, change):
        return change.title

    def item_description(self, change):
        return change.summary

    def item_link(self, change):
        return reverse("contracts:process-detail", args=[change.process.pk])

    def item_guid(self, change):
        ocds = reverse("opendata:release", args=[change.process.ocid])
        return f"{settings.PORTAL['BASE_URL']}{ocds}#{change.release_id}"

    def item_guid_is_permalink(self, change):
        return False

    def item_pubdate(self, change):
        return change.release.date

    def item_updateddate(self, change):
        return change.release.date


# Readers poll, and most polls find nothing new: an unchanged body's ETag gets 304 Not Modified.
packages_feed = conditional_page(LatestPackagesFeed())
package_feed = conditional_page(PackageReleasesFeed())
