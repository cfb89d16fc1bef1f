"""A package with its hand-over and kurva S on a 360 px phone: readable, nothing wider than the
screen, no WCAG A/AA violation (issue #19, practice)."""

import datetime

import pytest
from playwright.sync_api import expect

from agencies.models import Agency
from contracts import services
from contracts.models import PlannedProgress, ProgressReport
from tests.factories import make_operator, make_process, planning_fields

pytestmark = pytest.mark.browser

D = datetime.date
PHONE = {"width": 360, "height": 740}


def test_a_citizen_reads_plan_against_actual_and_the_handover_on_a_phone(
    portal, browser, axe_violations, console_errors
):
    health = Agency.objects.get(code="dinas-kesehatan")
    operator = make_operator(health, username="operator-kurva-s")
    process = make_process(
        health,
        **planning_fields(
            title="Rehabilitasi Puskesmas Dander",
            contract_number="027/SPK/2018",
            contract_amount=1_150_000_000,
            contract_signed=D(2018, 5, 7),
            contract_start=D(2018, 5, 7),
            contract_end=D(2018, 11, 5),
            pho_date=D(2018, 11, 20),
            maintenance_end=D(2019, 5, 19),
        ),
    )
    rows = [
        PlannedProgress.objects.create(
            process=process, date=D(2018, 7, 31), period="Juli 2018", planned_percent=45
        ),
        ProgressReport.objects.create(
            process=process, date=D(2018, 7, 31), physical_percent="32.5", financial_percent=30
        ),
    ]
    services.record_rows_changed(process=process, by=operator, label="uji", added=rows)
    services.publish_process(process=process, by=operator)

    phone = browser.new_page(viewport=PHONE)
    phone.on("pageerror", lambda error: console_errors.append(str(error)))
    phone.goto(f"{portal.url}/paket/{process.pk}/")
    expect(phone.locator(".deviation")).to_contain_text("Deviasi -12,5% per 31 Juli 2018")
    expect(phone.locator(".deviation")).to_contain_text("Kontrak kritis")
    table = phone.get_by_role("table", name="Rencana dan realisasi progres fisik (kurva S)")
    expect(table).to_contain_text("32,5%")
    expect(phone.locator(".handover").first).to_contain_text("terlambat 15 hari")
    expect(phone.get_by_text("Serah terima akhir (FHO)")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert axe_violations(phone) == []
    assert console_errors == []
