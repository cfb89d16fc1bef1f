"""A villager on a phone asks "what is being built in my kecamatan?": from the home page to
the kecamatan's packages, with the winner and the contract value, in three taps at most."""

import pytest
from playwright.sync_api import expect

from agencies.models import Agency
from contracts import services
from contracts.models import Process, Supplier
from tests.factories import make_operator, make_process
from tests.imports.test_imports import csv_bytes, import_plans, sirup_row

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def places(portal):
    """2018: a works package in Sumberejo won by a supplier, two more SiRUP spells
    "Sumberrejo", one in Dander and one in Kapas."""
    health = Agency.objects.get(code="dinas-kesehatan")
    operator = make_operator(health)
    supplier = Supplier.objects.create(name="CV Karya Sumber Makmur", npwp="0012345678901000")
    won = make_process(
        health,
        title="Pembangunan Polindes Mejuwet",
        budget_amount=750_000_000,
        contract_amount=712_500_000,
        supplier=supplier,
        location_kecamatan="Sumberejo",
    )
    services.publish_process(process=won, by=operator)
    import_plans(
        csv_bytes(
            [
                sirup_row(kode_rup=str(17000201 + n), nama_paket=f"Paket {n}", detail_lokasi=text)
                for n, text in enumerate(
                    [
                        "Kec. Sumberrejo - Bojonegoro (Kab.)",
                        "Kecamatan Sumberrejo",
                        "Kecamatan Dander",
                        "Kec. Kapas",
                    ]
                )
            ]
        )
    )
    return {"won": won, "supplier": supplier}


def fits(page, width):
    return page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_villager_on_a_phone_reaches_their_kecamatan_in_three_taps(
    portal, places, browser, axe_violations
):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone = context.new_page()
    errors = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    phone.on("pageerror", lambda exc: errors.append(str(exc)))
    taps = 0

    phone.goto(portal.url + "/")
    choice = phone.get_by_label("Apa yang dibangun di kecamatan Anda?")
    choice.tap()  # opens the phone's own list of the 28 kecamatan
    taps += 1
    choice.select_option("Sumberejo")  # the villager's finger on their kecamatan
    taps += 1
    phone.get_by_role("button", name="Lihat paket").tap()
    taps += 1

    expect(phone).to_have_url(portal.url + "/kecamatan/sumberejo/?tahun=2018")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Kecamatan Sumberejo")
    assert taps <= 3
    # All three packages, whichever way SiRUP spelled the place; the list counts the same.
    expect(phone.locator("[data-count]")).to_have_attribute("data-count", "3")
    card = phone.locator(".package").filter(has_text="Pembangunan Polindes Mejuwet")
    facts = card.locator(".money-facts")
    expect(facts.locator("div", has_text="Penyedia")).to_contain_text("CV Karya Sumber Makmur")
    expect(facts.locator("div", has_text="Nilai kontrak")).to_contain_text("Rp 712.500.000")
    expect(facts).to_be_visible()
    assert fits(phone, PHONE["width"])
    assert axe_violations(phone) == []

    # The filtered list the page points to: same count, its heading says what it lists, and
    # on a phone the results come before the (closed) filter panel's fields.
    phone.get_by_role("link", name="Saring lebih lanjut di daftar paket").tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "Paket di Kecamatan Sumberejo, TA 2018"
    )
    expect(phone.locator("[data-count]")).to_have_attribute("data-count", "3")
    expect(phone.locator("summary", has_text="Saringan (2 aktif)")).to_be_visible()
    expect(phone.locator(".filters__grid")).to_be_hidden()
    expect(phone.locator(".package").first).to_be_in_viewport()
    assert fits(phone, PHONE["width"])
    phone.locator("summary", has_text="Saringan (2 aktif)").tap()  # one tap opens it
    expect(phone.locator("select[name=kecamatan]")).to_be_visible()
    expect(phone.locator("select[name=kecamatan]")).to_have_value("Sumberejo")

    # The map is one tap from home too, and every new page fits the screen.
    phone.goto(portal.url + "/")
    phone.locator('.peta__petak[data-kecamatan="Dander"]').tap()
    expect(phone).to_have_url(portal.url + "/kecamatan/dander/?tahun=2018")
    expect(phone.locator("[data-count]")).to_have_attribute("data-count", "1")
    for path in ["/", "/kecamatan/", "/kecamatan/kapas/", "/paket/?kecamatan=Kapas&tahun=2018"]:
        phone.goto(portal.url + path)
        assert fits(phone, PHONE["width"]), path
    assert errors == []
    context.close()


def test_on_a_desktop_the_map_and_its_table_lead_to_the_packages(
    portal, places, browser, axe_violations
):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    clicks = 0
    page.goto(portal.url + "/")
    page.get_by_role("link", name="Semua kecamatan, dengan peta dan tabelnya").click()
    clicks += 1
    expect(page.get_by_role("heading", level=1)).to_have_text("Paket per kecamatan")
    assert axe_violations(page) == []
    # The table beside the map: the same numbers as the tile and the database.
    row = page.locator('tr[data-kecamatan="Sumberejo"]')
    expect(row.locator("td").first).to_have_text("3")
    tile = page.locator('.peta__petak[data-kecamatan="Sumberejo"]')
    expect(tile).to_have_attribute("data-paket", "3")
    budget = sum(
        p.contract_amount or p.budget_amount
        for p in Process.objects.published().filter(location_kecamatan="Sumberejo")
    )
    expect(tile).to_have_attribute("data-belanja", str(budget))
    expect(row.locator("td").nth(1)).to_have_text(f"Rp {budget:,}".replace(",", "."))
    tile.click()
    clicks += 1
    expect(page).to_have_url(portal.url + "/kecamatan/sumberejo/?tahun=2018")
    card = page.locator(".package").filter(has_text="Pembangunan Polindes Mejuwet")
    facts = card.locator(".money-facts")
    expect(facts.locator("div", has_text="Penyedia")).to_contain_text("CV Karya Sumber Makmur")
    expect(facts.locator("div", has_text="Nilai kontrak")).to_contain_text("Rp 712.500.000")
    expect(facts).to_be_visible()
    assert clicks <= 3
    # On a wide screen the filters in use stay in view on the list.
    page.get_by_role("link", name="Saring lebih lanjut di daftar paket").click()
    expect(page.locator(".filters__grid")).to_be_visible()
    expect(page.locator("select[name=kecamatan]")).to_have_value("Sumberejo")
    assert axe_violations(page) == []
    context.close()
