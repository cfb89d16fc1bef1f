"""Acceptance: on a phone, a citizen narrows the list and follows the selection with the Atom
feed the page offers; the feed holds what the list shows (contracts/feeds.py)."""

import pytest
from lxml import etree
from playwright.sync_api import expect

from agencies.models import Agency
from contracts import services
from tests.factories import make_operator, make_process

pytestmark = pytest.mark.browser

ATOM = "{http://www.w3.org/2005/Atom}"


def published(agency, operator, **fields):
    process = make_process(agency, **fields)
    services.publish_process(process=process, by=operator)
    return process


def test_a_citizen_follows_a_filtered_list_on_a_phone(portal, browser, axe_violations):
    health = Agency.objects.get(code="dinas-kesehatan")
    operator = make_operator(health)
    published(health, operator, title="Rehabilitasi Puskesmas Dander", location_kecamatan="Dander")
    published(health, operator, title="Pengadaan Obat Generik", location_kecamatan="Balen")
    published(health, operator, title="Pagar Puskesmas Dander", location_kecamatan="Dander")
    page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    page.goto(portal.url + "/paket/")
    page.get_by_text("Saringan", exact=True).click()
    page.locator("select[name=kecamatan]").select_option("Dander")
    page.get_by_role("button", name="Terapkan").click()
    expect(page.locator("[data-count]")).to_have_attribute("data-count", "2")

    link = page.get_by_role("link", name="Umpan Atom untuk pencarian ini")
    expect(link).to_be_visible()
    box = link.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360  # within a phone's width
    href = link.get_attribute("href")
    assert href == "/feed/paket/?kecamatan=Dander"
    alternate = page.locator('link[rel="alternate"][type="application/atom+xml"]')
    assert alternate.get_attribute("href") == href
    assert axe_violations(page) == []

    answer = page.request.get(portal.url + href)
    assert answer.ok and answer.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = etree.fromstring(answer.body())
    # Newest published first; Balen's package is not in Dander's feed.
    assert [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")] == [
        "Pagar Puskesmas Dander",
        "Rehabilitasi Puskesmas Dander",
    ]
    assert feed.findtext(f"{ATOM}title").startswith("Paket di Kecamatan Dander — ")
    assert errors == []
