"""A reader on a phone walks the main public pages in English, switching each one to Indonesian
and back: every page answers, says its language, offers the same page in the other language,
passes axe and fits the screen.

Only the structure is asserted here; tests/i18n checks each area's English words.
"""

import datetime

import pytest
from playwright.sync_api import expect

from agencies.models import Agency
from contracts import services
from contracts.models import Supplier
from tests.factories import make_operator, make_process, planning_fields

pytestmark = pytest.mark.browser


@pytest.fixture
def published(portal):
    """One published package of Dinas Kesehatan in kecamatan Dander, won by a supplier."""
    health = Agency.objects.get(code="dinas-kesehatan")
    supplier = Supplier.objects.create(npwp="0012345674123000", name="CV Maju Jaya")
    process = make_process(
        health,
        **planning_fields(),
        title="Rehabilitasi Puskesmas Dander",
        fiscal_year=2019,
        supplier=supplier,
        award_amount=1_100_000_000,
        award_date=datetime.date(2019, 4, 20),
    )
    services.publish_process(process=process, by=make_operator(health))
    return {"process": process, "supplier": supplier}


def walked(published):
    """The Indonesian addresses of the walk, each also under /en/."""
    return [
        "/",
        "/paket/?tahun=2019&pd=dinas-kesehatan",
        f"/paket/{published['process'].pk}/",
        "/perangkat-daerah/dinas-kesehatan/",
        f"/penyedia/{published['supplier'].pk}/",
        "/kecamatan/dander/",
        "/data-terbuka/",
        "/data-terbuka/kebijakan/",
    ]


def overflow(page):
    """How many CSS pixels the page is wider than the phone (0: no sideways scroll)."""
    return page.evaluate("document.documentElement.scrollWidth") - page.viewport_size["width"]


def switcher(page):
    return page.locator("a.language-bar__link")


def check_page(page, axe_violations, *, language, address):
    """The page shown is `address` in `language`, fits the phone and passes axe."""
    expect(page.locator("html")).to_have_attribute("lang", language)
    other = "id" if language == "en" else "en"
    # One link, to this same page (its query kept) in the other language.
    expect(switcher(page)).to_have_count(1)
    expect(switcher(page)).to_have_attribute("hreflang", other)
    expected = address if other == "id" else "/en" + address
    assert switcher(page).get_attribute("href") == expected, (address, language)
    assert overflow(page) <= 0, (address, language, overflow(page))
    assert axe_violations(page) == [], (address, language)


def test_a_phone_walks_the_public_pages_in_english_and_back(
    portal, published, english_phone, axe_violations
):
    page = english_phone
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    for address in walked(published):
        english = "/en" + address
        response = page.goto(portal.url + english)
        assert response.status == 200, english
        check_page(page, axe_violations, language="en", address=address)

        with page.expect_navigation() as to_indonesian:
            switcher(page).tap()
        assert to_indonesian.value.status == 200, address
        expect(page).to_have_url(portal.url + address)
        check_page(page, axe_violations, language="id", address=address)

        with page.expect_navigation() as back:
            switcher(page).tap()
        assert back.value.status == 200, english
        expect(page).to_have_url(portal.url + english)
        expect(page.locator("html")).to_have_attribute("lang", "en")
    assert errors == []
