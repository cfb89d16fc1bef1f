import pytest
from playwright.sync_api import expect

from agencies.models import Agency
from followups.models import FollowUp
from tests.factories import make_operator, make_process, make_supervisor, planning_fields

pytestmark = pytest.mark.browser

PASSWORD = "kata-sandi-uji-123"


def sign_in(page, url, username, next_path):
    page.goto(f"{url}/admin/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()


def no_sideways_scroll(page):
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_a_supervisors_request_answered_by_the_operator_on_a_phone(
    portal, page, browser, console_errors, axe_violations
):
    health = Agency.objects.get(code="dinas-kesehatan")
    process = make_process(health, title="Rehab Puskesmas Dander", **planning_fields())
    make_supervisor(username="pengawas", password=PASSWORD)
    make_operator(health, username="operator-dinkes", password=PASSWORD)

    # The supervisor asks from the package's workspace page.
    sign_in(page, portal.url, "pengawas", f"/admin/contracts/process/{process.pk}/change/")
    page.get_by_role("link", name="Minta operator memperbaiki paket ini").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Permintaan baru kepada operator")
    page.get_by_label("Tahap (tidak wajib)").select_option("perencanaan")
    page.get_by_label("Permintaan").fill("Unggah KAK Perencanaan yang sudah ditandatangani.")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Kirim permintaan").click()
    expect(page.locator(".message")).to_contain_text("Permintaan terkirim ke operator")
    expect(page.locator("[data-status]")).to_have_text("Terbuka")

    # The operator, on a 360 px phone, finds it on the workspace's front page and answers.
    phone = browser.new_context(viewport={"width": 360, "height": 740})
    operator = phone.new_page()
    sign_in(operator, portal.url, "operator-dinkes", "/admin/")
    request = operator.locator("#permintaan .followup", has_text="Unggah KAK Perencanaan")
    expect(request).to_contain_text("Rehab Puskesmas Dander")
    operator.goto(portal.url + "/pengawasan/tugas/")
    expect(operator.locator(".followups-todo")).to_contain_text("Unggah KAK Perencanaan")
    operator.locator(".followups-todo .followup__text a").click()
    expect(operator.get_by_role("heading", level=1)).to_have_text("Permintaan pengawas")
    assert no_sideways_scroll(operator)
    assert axe_violations(operator) == []
    operator.get_by_label("Jawaban").fill("Sudah kami unggah di tahap Perencanaan.")
    operator.get_by_role("button", name="Tandai selesai").click()
    expect(operator.locator(".message")).to_contain_text("ditandai selesai")
    expect(operator.locator("[data-status]")).to_have_text("Ditandai selesai oleh operator")
    assert no_sideways_scroll(operator)
    operator.goto(portal.url + "/pengawasan/permintaan/?status=semua")
    expect(operator.locator(".followup")).to_have_count(1)
    assert no_sideways_scroll(operator)
    assert axe_violations(operator) == []
    phone.close()

    # The supervisor sees the answer and closes the request; the matrix counts none open.
    page.goto(portal.url + "/admin/")
    page.locator("#permintaan .followup__text a", has_text="Unggah KAK").click()
    expect(page.locator(".followup-thread")).to_contain_text(
        "Sudah kami unggah di tahap Perencanaan."
    )
    page.get_by_role("button", name="Tutup permintaan").click()
    expect(page.locator("[data-status]")).to_have_text("Ditutup")
    assert FollowUp.objects.get().status == FollowUp.Status.CLOSED
    page.goto(portal.url + "/pengawasan/?tahun=2018")
    expect(page.locator("td[data-requests=dinas-kesehatan]")).to_have_text("0")
    assert console_errors == []
