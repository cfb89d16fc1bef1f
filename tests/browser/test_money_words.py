"""For how much, and is it finished? Answered on the card and atop the package page, on a phone
held upright (360 px) and on a desktop; and a header that leaves the phone's screen to them."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from agencies.models import Agency
from contracts import completeness
from contracts.models import Amendment, ProgressReport, Supplier
from tests.factories import make_process, planning_fields

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
NOW = datetime.datetime(2019, 1, 2, tzinfo=datetime.UTC)


def contracted_road():
    """A published road works package with a winner, a contract amended once and a report."""
    roads = Agency.objects.get(code="dinas-pu-bina-marga-penataan-ruang")
    supplier = Supplier.objects.create(name="CV Karya Bengawan Makmur Sejahtera Abadi")
    process = make_process(
        roads,
        status="published",
        published_at=NOW,
        **planning_fields(
            title="Peningkatan Jalan Ngumpakdalem - Kalitidu (lanjutan tahap II)",
            budget_amount=2_500_000_000,
            hps_amount=2_350_000_000,
            supplier=supplier,
            award_amount=2_180_000_000,
            award_date=datetime.date(2018, 5, 2),
            contract_number="027/15/SPK/412.204/2018",
            contract_amount=2_180_000_000,
            contract_signed=datetime.date(2018, 5, 14),
            contract_start=datetime.date(2018, 5, 15),
            contract_end=datetime.date(2018, 11, 30),
        ),
    )
    Amendment.objects.create(
        process=process, number="ADD-1", date=datetime.date(2018, 9, 1), new_amount=2_245_000_000
    )
    ProgressReport.objects.create(
        process=process,
        date=datetime.date(2018, 10, 1),
        physical_percent=Decimal("60.5"),
        financial_percent=Decimal(40),
    )
    completeness.refresh([process.pk])
    return process


def no_sideways_scroll(page, width):
    return page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "desktop"])
def test_a_card_and_the_package_page_say_how_much_who_and_how_far(
    portal, browser, axe_violations, viewport
):
    process = contracted_road()
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    page.goto(f"{portal.url}/paket/")
    card = page.locator(".package").filter(has_text="Ngumpakdalem")
    money = card.locator(".money-facts")
    expect(money).to_contain_text("Nilai kontrak setelah adendum")
    expect(money).to_contain_text("Rp 2.245.000.000")
    expect(money).to_contain_text("(semula Rp 2.180.000.000)")
    expect(money).to_contain_text("CV Karya Bengawan Makmur Sejahtera Abadi")
    expect(card.locator(".package__work")).to_have_text(
        "Pekerjaan: berjalan, progres fisik 60,5% per 1 Oktober 2018"
    )
    expect(card.locator(".package__data")).to_contain_text("Data: ")
    # Every value of the card is read whole inside the screen.
    for value in money.locator("dd").all():
        box = value.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    assert no_sideways_scroll(page, viewport["width"])
    assert axe_violations(page) == []

    card.get_by_role("link", name=process.title).click()
    summary = page.locator(".package-summary")
    expect(summary).to_be_visible()
    # The four values and the work sentence on the first screen, without scrolling.
    for label, value in [
        ("Pagu", "Rp 2.500.000.000"),
        ("HPS", "Rp 2.350.000.000"),
        ("Nilai pemenang", "Rp 2.180.000.000"),
        ("Nilai kontrak setelah adendum", "Rp 2.245.000.000"),
    ]:
        item = summary.locator(".money-facts div").filter(has=page.locator("dt", has_text=label))
        expect(item.locator("dd")).to_contain_text(value)
        box = item.bounding_box()
        assert box["y"] + box["height"] < viewport["height"], label
    work = summary.locator(".package-summary__work")
    expect(work).to_have_text("Pekerjaan: berjalan, progres fisik 60,5% per 1 Oktober 2018")
    assert work.bounding_box()["y"] < viewport["height"]
    supplier = summary.get_by_role("link", name="CV Karya Bengawan Makmur Sejahtera Abadi")
    expect(supplier).to_have_attribute("href", f"/penyedia/{process.supplier_id}/")
    expect(summary.get_by_role("link", name="rekaman OCDS")).to_have_attribute(
        "href", f"/ocds/{process.ocid}/rekam/"
    )
    expect(summary.get_by_role("link", name="data API (JSON)")).to_have_attribute(
        "href", f"/api/v1/paket/{process.ocid}/"
    )
    # The stages speak of the data, never of the work.
    for state in page.locator(".timeline__state").all_inner_texts():
        assert state in {"data lengkap", "data belum lengkap", "tidak berlaku"}, state
    assert no_sideways_scroll(page, viewport["width"])
    assert axe_violations(page) == []
    assert errors == []
    context.close()


def test_the_phone_header_is_one_row_and_every_link_stays_reachable(portal, browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.goto(f"{portal.url}/tentang/")
    header = phone.locator(".site-header").bounding_box()
    assert header["height"] <= 100, header  # 218 px when the links wrapped in three rows
    navigation = phone.get_by_role("navigation", name="Navigasi utama")
    links = navigation.locator(".site-nav__link")
    expected = ["Beranda", "Paket", "Perangkat Daerah", "Tanda", "Data Terbuka", "Tentang"]
    navigation.get_by_text("Menu").tap()
    assert links.all_inner_texts() == expected
    for link in links.all():
        expect(link).to_be_in_viewport()
        box = link.bounding_box()
        assert box["height"] >= 44  # a thumb's target
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert no_sideways_scroll(phone, PHONE["width"])
    navigation.get_by_role("link", name="Data Terbuka").tap()
    expect(phone).to_have_url(f"{portal.url}/data-terbuka/")
    # Unfolded again on the next page: the menu does not cover the content.
    expect(navigation.get_by_role("link", name="Paket")).to_be_hidden()
    context.close()

    # A desktop shows every link at once, with no menu button.
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{portal.url}/tentang/")
    navigation = page.get_by_role("navigation", name="Navigasi utama")
    expect(navigation.get_by_text("Menu")).to_be_hidden()
    for name in expected:
        expect(navigation.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert page.locator(".site-header").bounding_box()["height"] <= 100
    context.close()


def test_printing_the_package_page_keeps_the_content_and_writes_the_addresses(portal, browser):
    process = contracted_road()
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{portal.url}/paket/{process.pk}/")
    page.emulate_media(media="print")
    expect(page.locator(".site-nav")).to_be_hidden()
    expect(page.locator(".package-summary")).to_be_visible()
    link = page.locator(".package-summary").get_by_role("link", name="rekaman OCDS")
    after = link.evaluate("a => getComputedStyle(a, '::after').content")
    assert "attr(href)" in after or f"/ocds/{process.ocid}/rekam/" in after, after
    colour = page.locator("h1").evaluate("h => getComputedStyle(h).color")
    background = page.locator(".site-header").evaluate("h => getComputedStyle(h).backgroundColor")
    assert colour == "rgb(0, 0, 0)" and background == "rgb(255, 255, 255)"
    # The report form is for the screen; no table is cut (nothing scrolls inside it on paper).
    assert page.locator("form").evaluate_all("forms => forms.every(f => f.offsetParent === null)")
    for table in page.locator("table").all():
        assert table.evaluate("t => t.scrollWidth <= t.clientWidth + 1")
    context.close()
