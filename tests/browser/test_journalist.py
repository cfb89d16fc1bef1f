"""Acceptance: a journalist narrows the list, sorts it, takes the selection away and sees who
wins most in it, on a desktop and on a phone (the packages of tests/opendata/test_selection.py).
"""

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.opendata.test_selection import make_catalogue

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 740}}


def downloaded(page, name):
    """The bytes of the file the selection's `name` link (CSV, XLSX, JSON) downloads."""
    with page.expect_download() as info:
        page.locator(".takeaway__downloads").get_by_role("link", name=name, exact=True).click()
    download = info.value
    assert download.suggested_filename.startswith("paket-pilihan-tahun-2018-metode-tender")
    with open(download.path(), "rb") as handle:
        return handle.read()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=list(VIEWPORTS))
def test_a_journalist_takes_the_selection_away_and_sees_who_wins_most(
    portal, media_root, browser, viewport, axe_violations
):
    catalogue = make_catalogue()
    context = browser.new_context(viewport=VIEWPORTS[viewport], accept_downloads=True)
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # 2018, tenders, in Sumberejo (the packages write it "Sumberejo", "sumberejo", "SUMBEREJO").
    page.goto(portal.url + "/paket/")
    page.get_by_text("Saringan", exact=True).click()
    page.locator("select[name=tahun]").select_option("2018")
    page.locator("select[name=metode]").select_option("tender")
    page.locator("select[name=kecamatan]").select_option("Sumberejo")
    # Largest contract first: Jembatan (500 M), Jalan Mojo (90 M), then Talud (no contract yet).
    page.locator("select[name=urut]").select_option("kontrak")
    page.get_by_role("button", name="Terapkan").click()
    count = page.locator("[data-count]")
    expect(count).to_have_attribute("data-count", "3")
    shown = int(count.get_attribute("data-count"))
    order = ["Jembatan Ngampel", "Rehabilitasi Jalan Mojo", "=1+1 Talud Sungai"]
    assert page.locator(".package__title").all_inner_texts() == order
    expect(page.locator(".takeaway__downloads")).to_contain_text("Unduh pilihan ini: CSV")
    expect(page.locator("[data-selection-count]")).to_have_text("3")

    # The three files, each with as many packages as the list says, in its order.
    rows = list(csv.reader(io.StringIO(downloaded(page, "CSV").decode("utf-8-sig"))))
    assert len(rows) - 1 == shown
    assert [row[5].removeprefix("'") for row in rows[1:]] == order
    data = json.loads(downloaded(page, "JSON"))
    assert data["jumlah_paket"] == len(data["paket"]) == shown
    assert data["saringan"] == {
        "tahun": 2018,
        "metode": "tender",
        "kecamatan": "Sumberejo",
        "urut": "kontrak",
    }
    workbook = load_workbook(io.BytesIO(downloaded(page, "XLSX")))
    assert workbook["paket"].max_row - 1 == shown
    assert dict(workbook["Keterangan"].iter_rows(values_only=True))["Jumlah paket"] == shown

    # Who wins most: Karya (Jalan Mojo 90 M + Talud 200 M award), then Bangun (Jembatan 500 M).
    expect(page.get_by_role("heading", name="Penyedia terbanyak")).to_be_visible()
    leaders = page.locator("[data-supplier]")
    expect(leaders).to_have_count(2)
    expect(leaders.nth(0)).to_contain_text("CV Karya Mandiri")
    expect(leaders.nth(0)).to_contain_text("menang 2 paket · Rp 290.000.000")
    expect(leaders.nth(1)).to_contain_text("PT Bangun Persada")
    expect(leaders.nth(1)).to_contain_text("menang 1 paket · Rp 500.000.000")
    agencies = page.locator("[data-agency]")
    expect(agencies.nth(0)).to_contain_text("Rp 500.000.000")  # roads: Jembatan
    expect(agencies.nth(1)).to_contain_text("Rp 290.000.000")  # health: Jalan Mojo and Talud
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]

    # The winner's link narrows the same selection to its packages.
    leaders.nth(0).get_by_role("link").click()
    expect(count).to_have_attribute("data-count", "2")
    assert f"penyedia={catalogue['karya'].pk}" in page.url and "tahun=2018" in page.url
    assert page.locator(".package__title").all_inner_texts() == order[1:]
    assert axe_violations(page) == []
    assert errors == []
    context.close()
