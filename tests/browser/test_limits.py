"""What an operator types reaches the server whole, in a real browser (issue 19's findings:
a NIP typed as printed was cut by the input's maxlength; a reversed date pair was reported as
"Batasan … dilanggar" above the form)."""

import pytest
from playwright.sync_api import expect

from agencies.models import Agency
from contracts.models import Process
from tests.factories import make_operator

pytestmark = pytest.mark.browser

PASSWORD = "kata-sandi-uji-123"
PRINTED_NIP = "19700101 199003 1 005"


def test_a_nip_typed_as_printed_and_a_reversed_date_pair(portal, page, console_errors):
    make_operator(
        Agency.objects.get(code="dinas-pu-bina-marga-penataan-ruang"),
        username="operator-pu",
        password=PASSWORD,
    )
    page.goto(portal.url + "/admin/login/")
    page.fill("#id_username", "operator-pu")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()

    page.goto(portal.url + "/admin/contracts/process/add/")
    page.fill("#id_fiscal_year", "2018")
    page.fill("#id_title", "Rehabilitasi Jalan Sumberrejo - Kalitidu")
    page.fill("#id_budget_amount", "1.750.000.000")
    # Typed key by key as an operator copies it from an SK: 21 characters for an 18-digit NIP.
    page.locator("#id_pa_kpa_nip").press_sequentially(PRINTED_NIP)
    expect(page.locator("#id_pa_kpa_nip")).to_have_value(PRINTED_NIP)
    expect(page.locator("#id_planned_start_helptext")).to_contain_text("misalnya 17/08/2025")
    page.fill("#id_planned_start", "30/11/2018")
    page.fill("#id_planned_end", "01/03/2018")
    page.locator("input[name=_continue]").click()

    error = page.locator(".field-planned_end .errorlist")
    expect(error).to_contain_text("Rencana mulai harus sebelum rencana selesai")
    expect(page.locator("body")).not_to_contain_text("dilanggar")
    expect(page.locator("#id_pa_kpa_nip")).to_have_value(PRINTED_NIP)

    page.fill("#id_planned_end", "30/12/2018")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    process = Process.objects.get(title="Rehabilitasi Jalan Sumberrejo - Kalitidu")
    assert process.pa_kpa_nip == "197001011990031005"
    assert console_errors == []
