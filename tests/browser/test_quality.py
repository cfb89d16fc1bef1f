import datetime

import pytest
from playwright.sync_api import expect

from agencies.models import Agency
from contracts import services
from contracts.models import Supplier
from opendata import quality
from tests.factories import make_operator, make_process, make_supervisor, planning_fields

pytestmark = pytest.mark.browser

PASSWORD = "kata-sandi-uji-123"


def test_a_supervisor_finds_where_the_data_is_weak_on_a_phone(
    portal, page, console_errors, axe_violations
):
    health = Agency.objects.get(code="dinas-kesehatan")
    operator = make_operator(health)
    supplier = Supplier.objects.create(npwp="0012345674123000", name="CV Maju")
    process = make_process(
        health,
        title="Puskesmas ditandatangani lebih dulu",
        **planning_fields(
            supplier=supplier,
            award_amount=900_000_000,
            award_date=datetime.date(2018, 5, 20),
            contract_amount=900_000_000,
            contract_signed=datetime.date(2018, 5, 2),
        ),
    )
    services.publish_process(process=process, by=operator)
    quality.refresh()
    make_supervisor(username="pengawas", password=PASSWORD)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(portal.url + "/data-terbuka/kebijakan/")
    expect(page.locator("tr[data-check=tanggal_runtut]")).to_contain_text("0 dari 1")
    assert axe_violations(page) == []

    page.goto(portal.url + "/admin/login/?next=/pengawasan/kualitas-data/")
    page.fill("#id_username", "pengawas")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kualitas data terbuka")
    # The wide table scrolls inside its box; the page itself does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(page) == []

    # At 375 px the agency-by-check table scrolls sideways inside its box, and the agency's
    # name stays in view, on a solid background, so each column is matched to its agency.
    page.set_viewport_size({"width": 375, "height": 812})
    box = page.locator("[aria-labelledby=per-perangkat-daerah]")
    name = page.locator("tr[data-agency=dinas-kesehatan] th")
    last = page.locator("tr[data-agency=dinas-kesehatan] td").last
    box.scroll_into_view_if_needed()
    scrolled = box.evaluate(
        """box => {
            const scroller = [box, box.querySelector('table')].find(
                element => element.scrollWidth > element.clientWidth);
            if (!scroller) return null;
            scroller.scrollLeft = scroller.scrollWidth;
            return scroller.scrollLeft;
        }"""
    )
    assert scrolled, "the table should be wider than a 375 px screen"
    expect(last).to_be_in_viewport()
    box_left = box.bounding_box()["x"]
    for cell in (name, page.locator("[aria-labelledby=per-perangkat-daerah] thead th").first):
        assert abs(cell.bounding_box()["x"] - box_left) <= 1
        assert cell.evaluate("th => getComputedStyle(th).backgroundColor") not in (
            "rgba(0, 0, 0, 0)",
            "transparent",
        )
    # Nothing else is drawn over the name: the element at its centre is the name's cell.
    centre = name.bounding_box()
    assert name.evaluate(
        "(th, [x, y]) => th.contains(document.elementFromPoint(x, y))",
        [centre["x"] + centre["width"] / 2, centre["y"] + centre["height"] / 2],
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(page) == []

    row = page.locator("tr[data-agency=dinas-kesehatan]")
    row.locator("td[data-check=tanggal_runtut] a").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tanggal runtut")
    expect(page.locator(f"tr[data-ocid='{process.ocid}']")).to_contain_text(
        "sebelum tanggal penetapan 2018-05-20"
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(page) == []
    assert console_errors == []
