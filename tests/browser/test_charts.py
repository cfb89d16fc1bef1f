"""The public charts in a real browser with JavaScript switched off: the SVG is drawn, its text
readable and nothing wider than a 360 px phone; the table of its numbers opens with no script."""

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from agencies.models import Agency
from contracts.models import Supplier
from tests.factories import make_process

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
NOW = datetime.datetime(2019, 3, 4, tzinfo=datetime.UTC)
VIEWBOX_WIDTH, FONT_SIZE = 360, 13


@pytest.fixture
def spent(portal):
    health = Agency.objects.get(code="dinas-kesehatan")
    kapas = Agency.objects.get(code="kecamatan-kapas")
    supplier = Supplier.objects.create(name="CV Jaya Abadi Sentosa Makmur Sejahtera")
    common = {"status": "published", "published_at": NOW}
    make_process(
        health,
        fiscal_year=2018,
        method="tender",
        location_kecamatan="Dander",
        budget_amount=1_250_000_000_000,  # the widest figure a regency's package reaches
        award_amount=1_100_000_000_000,
        contract_amount=1_100_000_000_000,
        supplier=supplier,
        **common,
    )
    make_process(
        health,
        fiscal_year=2019,
        method="pengadaan_langsung",
        location_kecamatan="Dander",
        budget_amount=150_000_000,
        award_amount=140_000_000,
        contract_amount=140_000_000,
        supplier=supplier,
        **common,
    )
    make_process(
        kapas,
        fiscal_year=2019,
        method="penunjukan_langsung",
        location_kecamatan="Kapas",
        budget_amount=600_000_000,
        **common,
    )
    return {"health": health, "supplier": supplier}


def chart_pages(spent):
    return [
        ("/?tahun=2019", ["grafik-per-tahun", "grafik-per-metode"]),
        ("/angka/?tahun=2019", ["grafik-per-jenis-pd", "grafik-per-kecamatan"]),
        (f"/perangkat-daerah/{spent['health'].code}/", ["grafik-pd-per-tahun"]),
        (f"/penyedia/{spent['supplier'].pk}/", ["grafik-penyedia-per-tahun"]),
    ]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["ponsel", "desktop"])
def test_charts_draw_without_javascript_and_fit_the_screen(portal, browser, spent, viewport):
    context = browser.new_context(viewport=viewport, java_script_enabled=False)
    page = context.new_page()
    for path, slugs in chart_pages(spent):
        page.goto(portal.url + path)
        for slug in slugs:
            chart = page.locator(f"#{slug}")
            svg = chart.locator("svg[role=img]")
            expect(svg).to_be_visible()
            expect(svg.locator("rect").first).to_be_visible()
            box = svg.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (path, slug)
            # 13-unit text drawn at 11 px or more, near the body's 16 px on a wide screen.
            scale = box["width"] / VIEWBOX_WIDTH
            assert 11 <= FONT_SIZE * scale <= 17, (path, slug, scale)
            # Every text of the chart (values at the bars' ends) inside the drawing.
            for text in svg.locator("text").all():
                inner = text.bounding_box()
                assert inner["x"] + inner["width"] <= box["x"] + box["width"] + 0.5, (
                    path,
                    slug,
                    text.text_content(),
                )
                assert inner["y"] + inner["height"] <= box["y"] + box["height"] + 0.5, (
                    path,
                    slug,
                    text.text_content(),
                )
            # The table of the same numbers opens with no script (<details>).
            chart.locator("summary", has_text="Lihat tabel").click()
            table = chart.locator("table")
            expect(table).to_be_visible()
            for cell in table.locator("td").all():
                cell_box = cell.bounding_box()
                assert cell_box["x"] + cell_box["width"] <= viewport["width"], (
                    path,
                    cell.text_content(),
                )
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], path
    context.close()


def test_a_chart_names_its_numbers_for_a_screen_reader(portal, page, spent):
    page.goto(portal.url + "/?tahun=2019")
    chart = page.get_by_role("img", name="Pagu dan nilai kontrak per tahun anggaran")
    expect(chart).to_have_count(1)
    description = page.locator("#grafik-per-tahun-uraian").text_content()
    assert "2018: Pagu Rp 1.250.000.000.000, Nilai kontrak Rp 1.100.000.000.000" in description
    assert "2019: Pagu Rp 750.000.000, Nilai kontrak Rp 140.000.000" in description


def charts_violations(page):
    """axe-core's WCAG A and AA violations inside the page's charts (figures and tables)."""
    import axe_playwright_python

    script = Path(axe_playwright_python.__file__).with_name("axe.min.js").read_text()
    page.evaluate("() => {" + script + "\n}")
    result = page.evaluate(
        """() => axe.run({include: [['.bar-chart']]},
                         {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"""
    )
    return [
        f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
        for v in result["violations"]
    ]


def test_chart_pages_pass_axe_wcag_aa(portal, browser, spent, axe_violations):
    for viewport in (PHONE, DESKTOP):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        for path, slugs in chart_pages(spent):
            page.goto(portal.url + path)
            for slug in slugs:
                page.locator(f"#{slug} summary").click()  # the tables too
            assert charts_violations(page) == [], (path, viewport)
            assert axe_violations(page) == [], (path, viewport)
        context.close()
