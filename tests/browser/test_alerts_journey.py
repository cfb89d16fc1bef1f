"""Issue #21's whole journey, with every part real: a citizen on a phone follows a filtered
list, confirms from the mail, an operator publishes a matching package in the workspace, the
job queue's worker sends the alert through a real SMTP server, and the citizen leaves from the
mail's own link (the page's button, and the one-click POST a mail program would send)."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agencies.models import Agency
from alerts.models import Subscriber, Subscription
from tests.factories import make_operator, make_process, planning_fields
from tests.mailserver import text_part
from tests.workers import run_queued_jobs

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "progress"]),
]

PHONE = {"width": 360, "height": 740}
PASSWORD = "kata-sandi-uji-123"
AGENCY = "dinas-pu-bina-marga-penataan-ruang"


def link_in(message, kind):
    """The /langganan/<kind>/… link of the message's plain-text part, whole."""
    found = re.search(rf"https?://\S+/langganan/{kind}/\S+/", text_part(message))
    assert found, text_part(message)
    return found.group(0)


def test_follow_confirm_receive_the_alert_and_leave_from_the_mail(
    portal, browser, smtp_server, axe_violations, settings
):
    # The mails' links name the portal's public address: here, the live server's.
    settings.PORTAL = {**settings.PORTAL, "BASE_URL": portal.url}
    roads = Agency.objects.get(code=AGENCY)
    make_operator(roads, username="operator-pu", password=PASSWORD)
    # Planned ahead: no stage is late, so the publication is the one change told.
    start = timezone.localdate() + datetime.timedelta(days=60)
    draft = make_process(
        roads,
        **planning_fields(
            title="Rehabilitasi Jalan Ngasem - Kalitidu",
            fiscal_year=start.year,
            planned_start=start,
            planned_end=start + datetime.timedelta(days=120),
            budget_amount=2_340_000_000,
        ),
    )
    # Another agency's package, published at the same time: not in the followed list.
    other = make_process(
        Agency.objects.get(code="dinas-kesehatan"),
        **planning_fields(
            title="Pagar Puskesmas", fiscal_year=start.year, planned_start=start, planned_end=start
        ),
    )

    citizen = browser.new_context(viewport=PHONE)
    phone = citizen.new_page()
    phone.goto(f"{portal.url}/paket/?pd={AGENCY}&jenis=pekerjaan_konstruksi")
    phone.get_by_role("link", name="Ikuti lewat surel").click()
    phone.get_by_label("Alamat surel").fill("Warga.Kalitidu@contoh.id")
    phone.get_by_label("Segera setiap ada perubahan").check()
    phone.get_by_role("button", name="Ikuti", exact=True).click()
    expect(phone.locator("h1")).to_have_text("Periksa kotak masuk Anda")

    run_queued_jobs()  # the worker sends the confirmation
    (confirmation,) = smtp_server.to("warga.kalitidu@contoh.id")
    phone.goto(link_in(confirmation, "konfirmasi"))
    phone.get_by_role("button", name="Konfirmasi").click()
    expect(phone.locator("h1")).to_have_text("Langganan aktif")

    # The operator publishes from the workspace, on a desktop.
    office = browser.new_context(viewport={"width": 1280, "height": 900})
    desk = office.new_page()
    desk.goto(portal.url + "/admin/login/")
    desk.fill("#id_username", "operator-pu")
    desk.fill("#id_password", PASSWORD)
    desk.get_by_role("button", name="Masuk").click()
    desk.goto(f"{portal.url}/admin/contracts/process/{draft.pk}/change/")
    desk.get_by_role("button", name="Publikasikan").click()
    expect(desk.locator(".process-status .badge")).to_have_text("Dipublikasikan")
    office.close()
    from contracts import services

    services.publish_process(process=other, by=make_operator(other.agency))

    run_queued_jobs()  # the dispatch job queued on commit, then the send job it queued
    confirmation_and_alert = smtp_server.to("warga.kalitidu@contoh.id")
    assert len(confirmation_and_alert) == 2
    alert = confirmation_and_alert[1]
    assert alert["Subject"] == "Paket baru: Rehabilitasi Jalan Ngasem - Kalitidu"
    text = text_part(alert)
    assert "Rehabilitasi Jalan Ngasem - Kalitidu\n" in text
    assert "pagu Rp 2.340.000.000" in text
    assert "- Paket baru diumumkan, tahap Perencanaan." in text
    package_link = f"{portal.url}/paket/{draft.pk}/"
    assert f"\n{package_link}\n" in text
    assert "Pagar Puskesmas" not in text
    leave = link_in(alert, "berhenti")
    # The header a mail program reads names the same link (RFC 8058 one-click).
    header = " ".join(str(alert["List-Unsubscribe"]).split())
    assert header == f"<{leave}>"
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The alert's link opens the package page on the phone.
    phone.goto(package_link)
    expect(phone.locator("h1")).to_contain_text("Rehabilitasi Jalan Ngasem - Kalitidu")

    # Leaving from the mail: the link shows a button, and nothing ends before it is pressed.
    phone.goto(leave)
    assert Subscription.objects.count() == 1
    assert axe_violations(phone) == []
    phone.get_by_role("button", name=re.compile("Berhenti")).click()
    expect(phone.locator("main")).to_contain_text("berhenti")
    assert not Subscription.objects.exists()
    assert not Subscriber.objects.exists()  # the address went with its last subscription
    # A mail program's one-click POST on the same link afterwards is answered, harmlessly.
    answer = phone.request.post(
        leave,
        form={"List-Unsubscribe": "One-Click"},
    )
    assert answer.status == 200
    citizen.close()
