import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
SMALLEST = {"width": 320, "height": 640}


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def test_a_citizen_on_a_phone_finds_the_agencies(portal, phone):
    errors = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    phone.on("pageerror", lambda exc: errors.append(str(exc)))

    phone.goto(portal.url + "/")
    expect(phone).to_have_title("Beranda — Kabupaten Bojonegoro")
    expect(phone.get_by_role("heading", level=1)).to_be_visible()

    # Nothing sticks out sideways on a 360 px screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    navigation = phone.get_by_role("navigation", name="Navigasi utama")
    navigation.get_by_text("Menu").tap()  # folded on a phone (static/css/phone-nav.css)
    navigation.get_by_role("link", name="Perangkat Daerah").tap()
    expect(phone).to_have_url(portal.url + "/perangkat-daerah/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Perangkat Daerah")
    expect(phone.locator(".agency-list__item")).to_have_count(74)
    expect(phone.get_by_role("heading", name="Kecamatan 28")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # The smallest phones still in use: nothing sticks out there either.
    phone.set_viewport_size(SMALLEST)
    for path in [
        "/",
        "/perangkat-daerah/",
        "/tentang/",
        "/api/",
        "/data-terbuka/kode-lokal/",
        "/tanda/",
        "/survei-kepuasan/",
    ]:
        phone.goto(portal.url + path)
        assert phone.evaluate("document.documentElement.scrollWidth") <= SMALLEST["width"], path
    assert errors == []


def test_keyboard_users_can_skip_to_the_content(portal, page, console_errors):
    page.goto(portal.url + "/tentang/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Langsung ke konten utama")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(portal.url + "/tentang/#konten")
    assert console_errors == []


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/perangkat-daerah/",
        "/tentang/",
        "/tidak-ada/",
        "/paket/",
        "/paket/?q=kapal&tahun=20x8",
        "/perangkat-daerah/dinas-kesehatan/",
        "/data-terbuka/",
        "/data-terbuka/kebijakan/",
        "/data-terbuka/kode-lokal/",
        "/api/",
        "/tanda/",
        "/survei-kepuasan/",
        "/keterbukaan/",
        "/angka/",
        "/kecamatan/",
        "/kecamatan/dander/",
        "/paket/?kecamatan=Dander&tahun=2018&penyedia=1",
    ],
)
def test_pages_pass_axe_wcag_aa(portal, page, axe_violations, path):
    page.goto(portal.url + path)
    assert axe_violations(page) == []
