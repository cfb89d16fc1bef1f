"""The supervisors' and operators' dashboards in English on a phone (360 px): the longer English
words fit the screen as the Indonesian do, and the pages pass axe."""

import pytest
from playwright.sync_api import expect

from agencies.models import Agency
from tests.factories import make_operator, make_process, make_supervisor, planning_fields

pytestmark = pytest.mark.browser

PASSWORD = "kata-sandi-uji-123"
PHONE = {"width": 360, "height": 740}


def sign_in(page, url, username):
    # Enter in the password field: no button's word needed, whatever the login page's language.
    page.goto(f"{url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page.locator("#user-tools")).to_be_visible()


def overflow(page):
    return page.evaluate("document.documentElement.scrollWidth") - PHONE["width"]


@pytest.fixture
def agency_with_gaps(portal):
    health = Agency.objects.get(code="dinas-kesehatan")
    package = make_process(health, title="Puskesmas tanpa DPA", **planning_fields())
    make_operator(health, username="operator-dinkes", password=PASSWORD)
    make_supervisor(username="pengawas", password=PASSWORD)
    return package


@pytest.mark.parametrize(
    ("username", "paths"),
    [
        (
            "pengawas",
            [
                ("/en/pengawasan/?tahun=2018", "Stage completeness 2018"),
                (
                    "/en/pengawasan/2018/dinas-kesehatan/perencanaan/",
                    "Dinas Kesehatan — Planning 2018",
                ),
                ("/en/pengawasan/kualitas-data/", "Open data quality"),
                ("/en/keterbukaan/", "How open each agency is"),
            ],
        ),
        (
            "operator-dinkes",
            [
                ("/en/pengawasan/tugas/", "Still missing at Dinas Kesehatan"),
                ("/en/pengawasan/lapangan/", "Field report"),
                ("/en/pengawasan/lapangan/{pk}/", "Puskesmas tanpa DPA"),
            ],
        ),
    ],
)
def test_the_dashboards_in_english_fit_a_phone(
    portal, browser, agency_with_gaps, axe_violations, username, paths
):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone = context.new_page()
    errors = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(phone, portal.url, username)
    for path, heading in paths:
        path = path.format(pk=agency_with_gaps.pk)
        response = phone.goto(portal.url + path)
        assert response.status == 200, path
        expect(phone.locator("html")).to_have_attribute("lang", "en")
        expect(phone.get_by_role("heading", level=1)).to_contain_text(heading)
        assert overflow(phone) <= 0, (path, overflow(phone))
        assert axe_violations(phone) == [], path
    context.close()
    assert errors == []
