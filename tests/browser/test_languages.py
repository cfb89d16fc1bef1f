"""Indonesian first, English second, on a phone: the switcher takes a reader to the same page in
the other language and back, with no JavaScript needed and nothing sticking out sideways."""

import datetime

import pytest
from playwright.sync_api import expect

from agencies.models import Agency
from contracts import services
from tests.factories import make_operator, make_process

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def phone(english_browser_phone):
    return english_browser_phone


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
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_reader_switches_a_package_page_to_english_and_back(
    portal, package, phone, axe_violations
):
    errors = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    phone.on("pageerror", lambda exc: errors.append(str(exc)))
    address = f"/paket/{package.pk}/"
    phone.goto(portal.url + address)
    expect(phone.locator("html")).to_have_attribute("lang", "id")
    expect(phone.get_by_role("heading", name="Data terbuka paket ini")).to_be_visible()
    expect(phone.get_by_text("Rp 1.250.000.000").first).to_be_visible()
    assert fits(phone)

    phone.get_by_role("link", name="English").tap()
    expect(phone).to_have_url(portal.url + "/en" + address)
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.get_by_role("heading", name="Open data for this package")).to_be_visible()
    expect(phone.get_by_text("IDR 1,250,000,000").first).to_be_visible()
    expect(phone.get_by_text("12 May 2019").first).to_be_visible()
    # The navigation reads English too, and leads to English pages.
    navigation = phone.get_by_role("navigation", name="Main navigation")
    navigation.get_by_text("Menu").tap()
    expect(navigation.get_by_role("link", name="Packages")).to_have_attribute("href", "/en/paket/")
    navigation.get_by_text("Menu").tap()
    assert fits(phone)
    assert axe_violations(phone) == []

    phone.get_by_role("link", name="Bahasa Indonesia").tap()
    expect(phone).to_have_url(portal.url + address)
    expect(phone.locator("html")).to_have_attribute("lang", "id")
    expect(phone.get_by_role("heading", name="Data terbuka paket ini")).to_be_visible()
    expect(phone.get_by_text("12 Mei 2019").first).to_be_visible()
    assert axe_violations(phone) == []
    assert errors == []


def test_the_english_home_and_list_read_english_on_a_phone(portal, package, phone, axe_violations):
    for address, heading in [("/en/", "Public money, open to everyone"), ("/en/paket/", None)]:
        phone.goto(portal.url + address)
        expect(phone.locator("html")).to_have_attribute("lang", "en")
        if heading:
            expect(phone.get_by_role("heading", level=1)).to_have_text(heading)
        assert fits(phone), address
        assert axe_violations(phone) == [], address
    # The list's own words, in its filter form and its count.
    expect(phone.get_by_text("Filters", exact=True)).to_be_visible()
    expect(phone.locator(".result-count")).to_contain_text("1 package.")
