"""A package's payments on a phone held upright (360 px): every amount is read whole, in the
screen, never cut at its edge ("Rp 2.180.000.000" read as "Rp 2.180.000")."""

import datetime

import pytest
from playwright.sync_api import expect

from agencies.models import Agency
from contracts.models import Payment
from tests.factories import make_process, planning_fields

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
NOW = datetime.datetime(2019, 1, 2, tzinfo=datetime.UTC)


def test_a_payment_is_read_whole_on_a_phone(portal, browser, axe_violations):
    roads = Agency.objects.get(code="dinas-pu-bina-marga-penataan-ruang")
    process = make_process(
        roads,
        status="published",
        published_at=NOW,
        **planning_fields(contract_amount=2_180_000_000, hps_amount=2_350_000_000),
    )
    Payment.objects.create(
        process=process,
        label="Termin 1 (100%)",
        sp2d_number="0412/SP2D/LS/412.204/2018",
        date=datetime.date(2018, 10, 10),
        amount=2_180_000_000,
    )
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{portal.url}/paket/{process.pk}/")
    amount = page.locator("table.payments td").filter(has_text="Rp 2.180.000.000")
    expect(amount).to_have_count(1)
    box = amount.bounding_box()
    # The whole cell within the screen, and its text within the cell.
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert amount.evaluate("cell => cell.scrollWidth <= cell.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert axe_violations(page) == []
    context.close()
