"""A citizen on a phone held upright (360 by 740 px) follows a filtered list by e-mail:
"Ikuti lewat surel" from the list, the address typed, the confirmation opened from the mail
(received by a real SMTP server) and confirmed, then the address's manage page. Every new
page passes axe-core and fits the screen."""

import pytest
from playwright.sync_api import expect

from agencies.models import Agency
from alerts.models import Subscription
from tests.alerts.subscribing import deliver, link, published_package

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
# What the browser's console says of a page answered with an error status: the refused form
# (400) and the unknown link (404) are such pages, and nothing else may be.
REFUSED = "Failed to load resource: the server responded with a status of 400 (Bad Request)"
NOT_FOUND = "Failed to load resource: the server responded with a status of 404 (Not Found)"


@pytest.fixture
def phone(browser, console_errors):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    yield page
    context.close()


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_following_a_filtered_list_from_a_phone(
    portal, phone, smtp_server, console_errors, axe_violations
):
    health = Agency.objects.get(code="dinas-kesehatan")
    published_package(health, title="Rehabilitasi Puskesmas Dander", fiscal_year=2018)

    phone.goto(f"{portal.url}/paket/?pd=dinas-kesehatan&tahun=2018")
    phone.get_by_role("link", name="Ikuti lewat surel").click()
    expect(phone.locator("h1")).to_have_text("Ikuti lewat surel")
    expect(phone.locator("[data-what]")).to_have_text("Paket Dinas Kesehatan, TA 2018")
    expect(phone.get_by_label("Ringkasan harian")).to_be_checked()
    assert axe_violations(phone) == [] and fits(phone)

    # A typing slip first: the form comes back with the address as typed and the reason.
    phone.get_by_label("Alamat surel").fill("warga@contoh")
    phone.get_by_label("Segera setiap ada perubahan").check()
    phone.get_by_role("button", name="Ikuti", exact=True).click()
    expect(phone.locator("#id_email_error")).to_contain_text("Alamat surel ini tidak valid")
    expect(phone.get_by_label("Alamat surel")).to_have_value("warga@contoh")
    expect(phone.get_by_label("Segera setiap ada perubahan")).to_be_checked()
    assert axe_violations(phone) == []

    phone.get_by_label("Alamat surel").fill("warga@contoh.id")
    phone.get_by_role("button", name="Ikuti", exact=True).click()
    expect(phone.locator("h1")).to_have_text("Periksa kotak masuk Anda")
    assert axe_violations(phone) == [] and fits(phone)

    (received,) = deliver(smtp_server, "warga@contoh.id")
    phone.goto(portal.url + link(received, "konfirmasi"))
    expect(phone.locator("[data-what]")).to_have_text("Paket Dinas Kesehatan, TA 2018")
    assert axe_violations(phone) == [] and fits(phone)
    assert Subscription.objects.get().confirmed_at is None  # opening is not confirming
    phone.get_by_role("button", name="Konfirmasi").click()
    expect(phone.locator("h1")).to_have_text("Langganan aktif")
    assert Subscription.objects.get().confirmed_at is not None
    assert axe_violations(phone) == []

    phone.get_by_role("link", name="Kelola semua langganan Anda").click()
    expect(phone.locator("h1")).to_have_text("Kelola langganan")
    expect(phone.locator("[data-subscription]")).to_have_count(1)
    # The mail's own manage link opens the same page.
    phone.goto(portal.url + link(received, "kelola"))
    expect(phone.locator("h1")).to_have_text("Kelola langganan")
    item = phone.locator("[data-subscription]")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Paket Dinas Kesehatan, TA 2018")
    expect(item).to_contain_text("Segera setiap ada perubahan")
    assert axe_violations(phone) == [] and fits(phone)

    # Daily after all, from the manage page.
    item.get_by_label("Seberapa sering").select_option("harian")
    item.get_by_role("button", name="Simpan frekuensi").click()
    expect(phone.get_by_role("status")).to_contain_text("Frekuensi disimpan.")
    assert Subscription.objects.get().frequency == "harian"
    assert console_errors == [REFUSED]


def test_the_opportunities_and_manage_request_pages_pass_axe_on_a_phone(
    portal, phone, console_errors, axe_violations
):
    phone.goto(f"{portal.url}/paket/")
    phone.get_by_role("link", name="Peluang usaha untuk penyedia").click()
    expect(phone.locator("h1")).to_have_text("Peluang usaha")
    phone.get_by_label("Jenis pengadaan").select_option("jasa_konsultansi")
    phone.get_by_role("button", name="Ikuti peluang ini").click()  # no address yet
    expect(phone.locator("#id_email_error")).to_have_text("Isi alamat surel Anda.")
    expect(phone.get_by_label("Jenis pengadaan")).to_have_value("jasa_konsultansi")
    assert axe_violations(phone) == [] and fits(phone)

    phone.goto(f"{portal.url}/langganan/kelola/")
    assert axe_violations(phone) == [] and fits(phone)
    phone.goto(f"{portal.url}/langganan/konfirmasi/bukan-tautan/")
    expect(phone.locator("h1")).to_have_text("Tautan tidak berlaku")
    assert axe_violations(phone) == []
    assert console_errors == [REFUSED, NOT_FOUND]


def test_leaving_from_the_mails_link_on_a_phone(portal, phone, console_errors, axe_violations):
    from urllib.parse import urlsplit

    from alerts import links, services
    from alerts.models import Subscriber

    subscription, _ = services.subscribe(
        email="cv.maju@contoh.id", scope="peluang", params={"jenis": "barang"}
    )
    services.confirm(subscription)
    phone.goto(portal.url + urlsplit(links.unsubscribe_url(subscription)).path)
    expect(phone.locator("[data-what]")).to_have_text(
        "Peluang usaha, yaitu rencana dan tender baru, untuk paket Barang"
    )
    assert axe_violations(phone) == [] and fits(phone)
    assert Subscriber.objects.exists()  # opening the page ends nothing
    phone.get_by_role("button", name="Berhenti").click()
    expect(phone.locator("h1")).to_have_text("Langganan berhenti")
    expect(phone.locator("[data-forgotten]")).to_contain_text("alamat surel Anda sudah kami hapus")
    assert not Subscriber.objects.exists()
    assert axe_violations(phone) == [] and fits(phone)
    assert console_errors == []
