"""Indonesian first, English second, on a phone: the switcher takes a reader to the same page in
the other language and back, with no JavaScript needed and nothing sticking out sideways."""

import datetime

import pytest
from playwright.sync_api import expect

from agencies.models import Agency
from contracts import services
from tests.factories import make_operator, make_process

pytestmark = pytest.mark.browser


@pytest.fixture
def package(portal):
    health = Agency.objects.get(code="dinas-kesehatan")
    process = make_process(
        health,
        title="Rehabilitasi Puskesmas Dander",
        fiscal_year=2019,
        method="tender",
        budget_amount=1_250_000_000,
        planned_start=datetime.date(2019, 5, 12),
    )
    services.publish_process(process=process, by=make_operator(health))
    return process


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_a_reader_switches_a_package_page_to_english_and_back(
    portal, package, english_phone, axe_violations
):
    page = english_phone
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    address = f"/paket/{package.pk}/"
    page.goto(portal.url + address)
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", name="Data terbuka paket ini")).to_be_visible()
    expect(page.get_by_text("Rp 1.250.000.000").first).to_be_visible()
    assert fits(page)

    page.get_by_role("link", name="English").tap()
    expect(page).to_have_url(portal.url + "/en" + address)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Open data for this package")).to_be_visible()
    expect(page.get_by_text("IDR 1,250,000,000").first).to_be_visible()
    expect(page.get_by_text("12 May 2019").first).to_be_visible()
    # The navigation reads English too, and leads to English pages.
    navigation = page.get_by_role("navigation", name="Main navigation")
    navigation.get_by_text("Menu").tap()
    expect(navigation.get_by_role("link", name="Packages")).to_have_attribute("href", "/en/paket/")
    navigation.get_by_text("Menu").tap()
    assert fits(page)
    assert axe_violations(page) == []

    page.get_by_role("link", name="Bahasa Indonesia").tap()
    expect(page).to_have_url(portal.url + address)
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", name="Data terbuka paket ini")).to_be_visible()
    expect(page.get_by_text("12 Mei 2019").first).to_be_visible()
    assert axe_violations(page) == []
    assert errors == []


def test_the_english_home_and_list_read_english_on_a_phone(
    portal, package, english_phone, axe_violations
):
    for address, heading in [("/en/", "Public money, open to everyone"), ("/en/paket/", None)]:
        english_phone.goto(portal.url + address)
        expect(english_phone.locator("html")).to_have_attribute("lang", "en")
        if heading:
            expect(english_phone.get_by_role("heading", level=1)).to_have_text(heading)
        assert fits(english_phone), address
        assert axe_violations(english_phone) == [], address
    # The list's own words, in its filter form and its count.
    expect(english_phone.get_by_text("Filters", exact=True)).to_be_visible()
    expect(english_phone.locator(".result-count")).to_contain_text("1 package.")
