"""The place pages' money as a visitor reads it: the kecamatan map readable and tappable on a
phone, amounts never parted from their "Rp" nor cut, on a phone and a desktop, and the
kecamatan chart's bars on the kecamatan's own scale, with a year shaped like the regency's
real 2018 (more than half its money in packages of no kecamatan, totals in the trillions)."""

import pytest

from agencies.models import Agency
from contracts import services
from contracts.charts import MAX_BAR
from tests.browser.test_crawl import CHECK
from tests.factories import make_operator, make_process

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def regency_year(portal):
    """2018: a 633-billion package of no kecamatan; 120 billion in Kepohbaru (the map's
    easternmost tile), 47 billion in Dander, a few hundred million in Kanor and Malo; a
    package in Bubulan with no contract. The year's pagu 1.550.758.812.418."""
    health = Agency.objects.get(code="dinas-kesehatan")
    operator = make_operator(health)
    for title, kecamatan, budget, contract in [
        ("Jalan Kabupaten Ruas Utara", "", 633_000_000_000, 600_000_000_000),
        ("Jembatan Kepohbaru", "Kepohbaru", 120_000_000_000, 118_000_000_000),
        ("Pasar Dander", "Dander", 47_000_000_000, 46_000_000_000),
        ("Polindes Kanor", "Kanor", 700_000_000, 650_000_000),
        ("Sumur Malo", "Malo", 300_000_000, 290_000_000),
        ("Talud Bubulan", "Bubulan", 749_758_812_418, None),
    ]:
        process = make_process(
            health,
            title=title,
            location_kecamatan=kecamatan,
            budget_amount=budget,
            contract_amount=contract,
        )
        services.publish_process(process=process, by=operator)


MAP_TEXT = """
() => [...document.querySelectorAll('svg.peta__svg')].flatMap((svg) => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return [...svg.querySelectorAll('a.peta__petak')].map((a) => {
    const text = a.querySelector('text');
    const tile = a.getBoundingClientRect();
    const label = text.getBoundingClientRect();
    return {
      name: a.dataset.kecamatan,
      font: parseFloat(getComputedStyle(text).fontSize) * scale,
      width: tile.width, height: tile.height,
      fits: label.width <= tile.width,
    };
  });
})
"""


@pytest.mark.parametrize("path", ["/", "/kecamatan/"])
def test_on_a_phone_the_map_reads_at_11_px_and_its_tiles_are_big_to_tap(
    portal, regency_year, browser, axe_violations, path
):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(portal.url + path)
    tiles = page.evaluate(MAP_TEXT)
    assert len(tiles) == 28
    small = [t for t in tiles if t["font"] < 11 or t["width"] < 24 or t["height"] < 24]
    assert not small, small
    assert all(t["fits"] for t in tiles), [t["name"] for t in tiles if not t["fits"]]
    # The page itself stays 360 px wide: the map scrolls sideways in its own labelled box,
    # which the keyboard can reach.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = page.locator(".peta__gulir")
    assert box.get_attribute("tabindex") == "0"
    assert "geser ke samping" in box.get_attribute("aria-label")
    assert box.evaluate("(el) => el.scrollWidth > el.clientWidth")
    # The easternmost tile, scrolled to, opens its kecamatan.
    tile = page.locator('a.peta__petak[data-kecamatan="Kepohbaru"]')
    tile.scroll_into_view_if_needed()
    tile.tap()
    page.wait_for_url("**/kecamatan/kepohbaru/?tahun=2018")
    assert page.locator("h1").inner_text() == "Kecamatan Kepohbaru"
    page.goto(portal.url + path)
    assert axe_violations(page) == []
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_amounts_stay_whole_and_inside_their_box(portal, regency_year, browser, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    problems = []
    for path in [
        "/",
        "/?tahun=2018",
        "/kecamatan/",
        "/kecamatan/kepohbaru/",
        "/kecamatan/bubulan/",
        "/angka/",
    ]:
        page.goto(portal.url + path)
        # Folded tables read too: open them.
        page.evaluate("document.querySelectorAll('details').forEach((d) => (d.open = true))")
        problems += [
            f"{path}: {p}"
            for p in page.evaluate(CHECK, viewport["width"])
            # An SVG <text> is never cut by overflow (Chromium gives it a client width all
            # the same, a few px short of its scroll width on a wide screen): the chart's
            # values are checked inside the drawing in the chart's own test below.
            if not p.startswith("amount cut in text:")
        ]
    # The home figures as the testers saw them: "Rp" and its digits on one line, in the card.
    page.goto(portal.url + "/?tahun=2018")
    figures = page.locator(".figures dd .money")
    assert figures.nth(0).inner_text() == "Rp 1.550.758.812.418"
    for index in range(figures.count()):
        amount = figures.nth(index)
        assert amount.evaluate("(el) => el.getClientRects().length") == 1
        assert amount.evaluate(
            "(el) => el.getBoundingClientRect().right"
            " <= el.closest('div').getBoundingClientRect().right + 0.5"
        ), amount.inner_text()
    context.close()
    assert not problems, "\n".join(problems)


def test_the_kecamatan_bars_use_the_charts_whole_width(portal, regency_year, page):
    page.goto(portal.url + "/angka/?tahun=2018")
    chart = page.locator("#grafik-per-kecamatan")
    # Bubulan's pagu, 749,8 billion, is the longest bar, not the 633 billion of no kecamatan
    # beside a 600-billion contract; the others on the same scale.
    longest = chart.locator('rect[data-value="749758812418"]')
    assert float(longest.get_attribute("width")) == MAX_BAR
    kepohbaru = chart.locator('rect[data-value="120000000000"]')
    assert float(kepohbaru.get_attribute("width")) == pytest.approx(
        MAX_BAR * 120_000_000_000 / 749_758_812_418, abs=0.01
    )
    # Every value written beside a bar ends inside the drawing.
    past = page.evaluate(
        "() => [...document.querySelectorAll('#grafik-per-kecamatan svg text')]"
        ".filter((t) => { const b = t.getBBox(); return b.x + b.width > 360; })"
        ".map((t) => t.textContent)"
    )
    assert past == []
    assert chart.locator('rect[data-value="633000000000"]').count() == 0
    note = chart.locator(".bar-chart__note").first.inner_text()
    assert note.startswith("Tanpa kecamatan atau di luar daftar (1 paket; pagu Rp 633.000.000.000")
    # Still a row of the table, the last.
    chart.locator("summary").click()
    last = chart.locator("tbody tr").last
    assert last.locator("th").inner_text() == "Tanpa kecamatan atau di luar daftar"
    # Bubulan has a package but no contract: its bar's value "—", its table "belum ada kontrak".
    bubulan = chart.locator("tbody tr", has_text="Bubulan")
    assert "— (belum ada kontrak)" in bubulan.inner_text()
