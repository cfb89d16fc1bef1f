"""Every public page on a phone held upright (360 by 740 px): a crawl from the home page through the
links a visitor can follow, with the regency's real 2018 data (plans, tenders, bidders) and one
package carried through to its payments, so that every table has rows and every amount is real.

On each page: nothing is wider than the screen, every table fits its container or reads as
stacked rows, and no amount ("Rp …") is cut by the box it sits in.
"""

import datetime
import re
from collections import deque
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db.models import Count

from agencies.models import Agency
from contracts.models import Amendment, Payment, PlannedProgress, Process, ProgressReport
from imports import lpse, sirup
from imports.models import ImportKind
from imports.services import run_import
from integrity import flags
from participation.models import PollVote
from tests.factories import answered_report, make_operator

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
MAX_PAGES = 60
# Each address stands for its kind: an id or a name in the path and the values of a query do
# not make a new kind of page ("/paket/12/" is "/paket/#/", "/paket/?tahun=2019" is
# "/paket/?tahun", "/perangkat-daerah/dinas-sosial/" is "/perangkat-daerah/#/").
PER_KIND = 2
NAMED = re.compile(r"^/(perangkat-daerah|kecamatan|laporan)/[^/]+/")

# Not pages: the workspace, files, feeds, machine-readable data, and the supervisors' pages
# (they send a visitor to the sign-in). Nor the English pages (/en/, behind every page's
# language link): the same layouts, walked on a phone by tests/browser/test_languages.py, and
# here they would spend the crawl's budget before it reaches every kind of Indonesian page.
SKIPPED = re.compile(
    r"^/en/"
    r"|^/(admin|pengawasan|dokumen|dokumen-opd|foto-kemajuan|laporan/foto|feed|ocds|api/v1)/"
    r"|^/data-terbuka/(?!kebijakan/$|kode-lokal/$|ekstensi/tanda/$)[^/]+/"
    r"|^/sitemap\.xml$|^/favicon\.ico$|\.(json|csv|xlsx|xml|zip|pdf|jpg|png|svg)$"
)

CHECK = r"""
(width) => {
  const problems = [];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\s+/).join('.') : '');
  const root = document.documentElement;
  if (root.scrollWidth > width) problems.push(`page ${root.scrollWidth} px wide`);
  for (const table of document.querySelectorAll('table')) {
    if (!table.getClientRects().length) continue;
    const parent = table.parentElement;
    if (table.scrollWidth > table.clientWidth + 1 || table.scrollWidth > parent.clientWidth + 1) {
      const label = table.caption ? table.caption.textContent.trim().slice(0, 40) : name(table);
      problems.push(`table "${label}" ${table.scrollWidth} px in ${parent.clientWidth} px`);
    }
  }
  for (const el of document.body.querySelectorAll('*')) {
    if (!el.textContent.includes('Rp') || el.clientWidth <= 1) continue;
    const text = el.textContent.replace(/\s+/g, ' ').trim().slice(0, 60);
    if (el.scrollWidth > el.clientWidth + 1) problems.push(`amount cut in ${name(el)}: ${text}`);
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.includes('Rp'));
    if (own && el.getBoundingClientRect().right > width + 1) {
      problems.push(`amount past the screen's edge in ${name(el)}: ${text}`);
    }
  }
  // An amount broken over two lines ("Rp" at a line's end, the figure on the next; or the
  // figure itself split) is misread as surely as one cut at the edge.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.textContent.matchAll(/Rp\s?[\d.]+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      if (tops.size > 1) {
        problems.push(`amount wrapped in ${name(node.parentElement)}: ${match[0]}`);
      }
    }
  }
  return problems;
}
"""

LINKS = """
() => [...document.querySelectorAll('a[href]')]
  .filter((a) => !a.hasAttribute('download'))
  // An SVG link (the kecamatan map's tiles) holds its address in href.baseVal.
  .map((a) => new URL(a.getAttribute('href'), document.baseURI).href)
"""


def kind(path, query):
    """'/paket/1234/', 'tahun=2019&pd=x' -> '/paket/#/?pd&tahun'."""
    keys = sorted({key for key, _ in parse_qsl(query, keep_blank_values=True)})
    path = NAMED.sub(r"/\1/#/", re.sub(r"\d+", "#", path))
    return path + ("?" + "&".join(keys) if keys else "")


@pytest.fixture
def regency(portal, media_root):
    """The regency's 2018 plans, tenders and bidders as LPSE and SiRUP publish them; the most
    contested package followed to its contract's end (amendment, kurva S, progress, payments)
    with a citizen's answered report; the flags computed; the poll answered."""
    tenders, bidders = lpse.shared_files()
    for kind_, path in [
        (ImportKind.SIRUP, sirup.shared_file()),
        (ImportKind.LPSE_TENDER, tenders),
        (ImportKind.LPSE_BIDDER, bidders),
    ]:
        run_import(kind=kind_, content=path.read_bytes(), filename=path.name, commit=True)
    package = (
        Process.objects.published()
        .exclude(supplier=None)
        .exclude(award_amount=None)
        .annotate(n=Count("bidders"))
        .order_by("-n", "pk")
        .first()
    )
    assert package is not None and package.n > 1, "the import gave no contested award"
    # LPSE's export stops at the award: the contract as the operator would enter it.
    start = datetime.date(2018, 6, 4)
    Process.objects.filter(pk=package.pk).update(
        contract_number="027/SPK/PPK/2018",
        contract_amount=package.award_amount,
        contract_signed=start,
        contract_start=start,
        contract_end=start + datetime.timedelta(days=120),
    )
    package.refresh_from_db()
    Amendment.objects.create(
        process=package,
        number="ADD-01/PPK/2018",
        date=start + datetime.timedelta(days=60),
        description="Tambah volume pekerjaan drainase",
        new_amount=package.contract_amount + 125_000_000,
        new_end=start + datetime.timedelta(days=150),
    )
    for weeks, planned in [(4, 20), (8, 55), (12, 100)]:
        PlannedProgress.objects.create(
            process=package,
            date=start + datetime.timedelta(weeks=weeks),
            period=f"Minggu ke-{weeks}",
            planned_percent=Decimal(planned),
        )
    for weeks, physical, financial in [(4, 18, 0), (8, 50, 30), (12, 100, 95)]:
        ProgressReport.objects.create(
            process=package,
            date=start + datetime.timedelta(weeks=weeks),
            physical_percent=Decimal(physical),
            financial_percent=Decimal(financial),
            note="Pekerjaan pondasi dan saluran tepi jalan",
        )
    for label, share, days in [("Uang muka (30%)", 30, 20), ("Termin 1 (65%)", 65, 90)]:
        Payment.objects.create(
            process=package,
            label=label,
            sp2d_number=f"0{days}/SP2D/LS/412.204/2018",
            date=start + datetime.timedelta(days=days),
            amount=package.contract_amount * share // 100,
        )
    operator = make_operator(package.agency)
    answered_report(
        package,
        operator,
        "Penyedia sudah diminta memperbaiki saluran pada masa pemeliharaan.",
        body="Saluran tepi jalan di dekat balai desa tergenang setelah hujan.",
        place="Balai desa",
        name="Pak Darmo",
    )
    flags.refresh_all(today=datetime.date(2026, 1, 15))
    for visitor, rating in enumerate(["puas", "puas", "sangat_puas", "tidak_puas"]):
        PollVote.objects.create(
            month=datetime.date(2026, 1, 1), rating=rating, visitor=f"pengunjung-{visitor}"
        )
    return {"package": package, "agency": Agency.objects.get(pk=package.agency_id)}


def test_no_public_page_is_wider_than_a_phone_nor_cuts_an_amount(portal, regency, browser):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    origin = portal.url
    package = regency["package"]
    # Each of these seeds is reached by links too; naming them makes sure the richest page of
    # each kind is among those read (the crawl takes the first of a kind it meets).
    queue = deque(
        [
            "/",
            f"/paket/{package.pk}/",
            f"/perangkat-daerah/{regency['agency'].code}/",
            f"/penyedia/{package.supplier_id}/",
        ]
    )
    seen, kinds, crawled, problems = set(queue), {}, [], []
    while queue and len(crawled) < MAX_PAGES:
        path = queue.popleft()
        response = page.goto(origin + path)  # "load": the stylesheet applied
        assert response is not None and response.status == 200, f"{path}: {response.status}"
        crawled.append(path)
        problems.extend(f"{path}: {p}" for p in page.evaluate(CHECK, PHONE["width"]))
        for href in page.evaluate(LINKS):
            parts = urlsplit(href)
            if f"{parts.scheme}://{parts.netloc}" != origin:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target in seen or SKIPPED.search(parts.path):
                continue
            seen.add(target)
            key = kind(parts.path, parts.query)
            if kinds.get(key, 0) >= PER_KIND:
                continue
            kinds[key] = kinds.get(key, 0) + 1
            queue.append(target)
    context.close()
    crawled_list = "\n  ".join(crawled)
    assert not problems, "\n".join(problems) + f"\n\nPages crawled:\n  {crawled_list}"
    # The crawl reached every kind of public page, not only the home page.
    for expected in [
        "/paket/",
        "/perangkat-daerah/",
        "/tanda/",
        "/keterbukaan/",
        "/data-terbuka/",
        "/api/",
        "/survei-kepuasan/",
    ]:
        assert expected in crawled, f"{expected} not reached; crawled:\n  {crawled_list}"
    # The published report's own page, linked from its package's page by its reference.
    assert any(path.startswith("/laporan/LAP-") for path in crawled), crawled_list
