"""Instant alerts: changes matched to subscriptions and mailed through a real SMTP server."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts import dispatch
from alerts.links import UNSUBSCRIBE, subscriber_for, subscription_for
from alerts.models import Change, OutgoingMail
from contracts import services
from contracts.models import Supplier
from tests.alerts.following import (
    BASE,
    ahead,
    follow,
    publish,
    send_waiting,
)
from tests.factories import make_agency, make_operator, make_process
from tests.mailserver import html_part, text_part

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _on_the_public_address(portal_address):
    pass


def deliver():
    dispatch.dispatch_instant()
    return send_waiting()


def test_a_new_package_of_a_followed_agency_is_mailed_at_once(health, smtp_server):
    agency, operator = health
    subscription = follow("warga@contoh.id", params={"pd": "dinkes-uji"})
    process = publish(
        agency, operator, title="Pengadaan Obat Puskesmas Dander", budget_amount=1_250_000_000
    )

    assert deliver() == 1
    (message,) = smtp_server.to("warga@contoh.id")
    assert message["Subject"] == "Paket baru: Pengadaan Obat Puskesmas Dander"
    text = text_part(message)
    assert text.startswith(
        "Ada 1 perubahan pada 1 paket yang Anda ikuti: paket Dinas Kesehatan Uji.\n\n"
        "Pengadaan Obat Puskesmas Dander\n"
        "Dinas Kesehatan Uji · pagu Rp 1.250.000.000\n"
        "Metode: Tender\n"
        "- Paket baru diumumkan, tahap Perencanaan.\n"
        f"{BASE}/paket/{process.pk}/\n"
    )
    # The links are signed with the second they were made, so they are read back, not remade:
    # each must name this subscription (and its address), whatever second the mail was written.
    unsubscribe = re.search(r"Berhenti berlangganan ini: (\S+)\n", text)[1]
    prefix = f"{BASE}/langganan/berhenti/"
    assert unsubscribe.startswith(prefix)
    token = unsubscribe.removeprefix(prefix).rstrip("/")
    assert subscription_for(token, purpose=UNSUBSCRIBE) == subscription
    # Folded onto its own line by the sender (a long URL): the unfolded value is the link.
    assert message["List-Unsubscribe"].strip() == f"<{unsubscribe}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    manage = re.search(r"Kelola semua langganan alamat ini: (\S+)", text)[1]
    prefix = f"{BASE}/langganan/kelola/"
    assert manage.startswith(prefix)
    assert subscriber_for(manage.removeprefix(prefix).rstrip("/")) == subscription.subscriber
    html = html_part(message)
    assert f'<a href="{BASE}/paket/{process.pk}/"' in html
    assert f'<a href="{unsubscribe}"' in html and "Rp 1.250.000.000" in html
    # Dispatched once: the next minute's run sends nothing again.
    assert not Change.objects.filter(dispatched_at__isnull=True).exists()
    assert deliver() == 0


def test_a_package_follower_hears_of_each_change_and_of_its_withdrawal(
    health, smtp_server, media_root
):
    from tests.factories import add_document
    from tests.pdfs import good_pdf

    agency, operator = health
    process = publish(agency, operator, title="Rehabilitasi Puskesmas Kalitidu")
    follow("pengawas@contoh.id", process=process)
    deliver()  # the package's own first release came before the follow

    def latest_lines():
        assert deliver() == 1
        text = text_part(smtp_server.to("pengawas@contoh.id")[-1])
        return [line for line in text.splitlines() if line.startswith("- ")]

    process.tender_code = "20001"
    process.hps_amount = 1_200_000_000
    process.tender_announced = timezone.localdate()  # events are dated today at the latest
    process.bid_deadline = ahead(20)
    process.number_of_tenderers = 1
    services.save_process(process=process, by=operator)
    assert latest_lines() == [
        "- Mencapai tahap Pemilihan Penyedia.",
        "- Tanda untuk dicermati: Satu peserta pada tender terbuka.",
    ]
    assert smtp_server.to("pengawas@contoh.id")[-1]["Subject"] == (
        "2 perubahan: Rehabilitasi Puskesmas Kalitidu"
    )

    process.supplier = Supplier.objects.create(name="CV Sehat Jaya", npwp="0123456789012345")
    process.award_amount = 1_150_000_000
    process.award_date = timezone.localdate()
    process.contract_number = "SPK/027/2026"
    process.contract_signed = datetime.date(2026, 5, 12)
    process.contract_amount = 1_150_000_000
    services.save_process(process=process, by=operator)
    assert (
        "- Kontrak ditandatangani dengan CV Sehat Jaya nomor SPK/027/2026 pada 12 Mei 2026, "
        "nilai Rp 1.150.000.000." in latest_lines()
    )
    # The part names the method, the HPS, the winner and the award's value (no deadline: past
    # Pemilihan).
    contracted = text_part(smtp_server.to("pengawas@contoh.id")[-1])
    assert (
        "\nMetode: Tender · HPS: Rp 1.200.000.000 · Penyedia: CV Sehat Jaya"
        " · Nilai penetapan: Rp 1.150.000.000\n" in contracted
    )
    html = html_part(smtp_server.to("pengawas@contoh.id")[-1])
    assert 'HPS: <span style="white-space:nowrap">Rp 1.200.000.000</span>' in html
    assert 'nilai <span style="white-space:nowrap">Rp 1.150.000.000</span>.' in html

    add_document(process, operator, good_pdf(), name="Kontrak Rehabilitasi.pdf")
    assert "- Dokumen baru: Kontrak Rehabilitasi." in latest_lines()

    # A citizen's report, published, then answered by the agency (participation's one path).
    from participation import services as reports
    from participation.models import Report

    report = Report.objects.create(
        process=process, topic="kualitas_pekerjaan", body="Talud retak.", moderation="terbit"
    )
    reports.moderate(
        report=report,
        by=operator,
        moderation="terbit",
        rejection_reason="",
        status="selesai",
        answer="Sudah diperbaiki penyedia.",
    )
    reference = f"LAP-{timezone.localdate().year}-{report.pk:06d}"
    assert latest_lines() == [
        f"- Perangkat daerah menjawab laporan warga {reference} (kualitas pekerjaan); "
        "tindak lanjut: selesai."
    ]
    answered = text_part(smtp_server.to("pengawas@contoh.id")[-1])
    assert (
        f"tindak lanjut: selesai.\n  Jawaban: “Sudah diperbaiki penyedia.”\n"
        f"  {BASE}/laporan/{reference}/\n{BASE}/paket/{process.pk}/\n"
    ) in answered
    assert f'<a href="{BASE}/laporan/{reference}/"' in html_part(
        smtp_server.to("pengawas@contoh.id")[-1]
    )

    services.withdraw_process(process=process, by=operator, reason="Anggaran dialihkan")
    assert latest_lines() == ["- Paket ditarik dari publikasi. Alasan: Anggaran dialihkan"]


def test_opportunities_are_only_new_plans_and_tenders(health, smtp_server):
    agency, operator = health
    follow("penyedia@contoh.id", params={"pd": "dinkes-uji"}, scope="peluang")
    plan = publish(agency, operator, title="Pengadaan Alat Laboratorium")
    # First published when already under contract: no opportunity any more.
    done = publish(
        agency,
        operator,
        title="Pengadaan Ambulans",
        contract_number="SPK/1/2026",
        contract_amount=900_000_000,
    )
    assert deliver() == 1
    (first,) = smtp_server.to("penyedia@contoh.id")
    assert first["Subject"] == "Paket baru: Pengadaan Alat Laboratorium"
    assert "Pengadaan Ambulans" not in text_part(first)
    assert (
        "peluang usaha, yaitu rencana dan tender baru, untuk paket Dinas Kesehatan Uji"
        in text_part(first)
    )

    plan.tender_code = "20002"
    plan.tender_announced = timezone.localdate()
    services.save_process(process=plan, by=operator)
    done.supplier = Supplier.objects.create(name="CV Ambulans", npwp="0123456789012346")
    services.save_process(process=done, by=operator)
    assert deliver() == 1
    second = smtp_server.to("penyedia@contoh.id")[-1]
    assert "- Mencapai tahap Pemilihan Penyedia." in text_part(second)
    assert "Pengadaan Ambulans" not in text_part(second)

    plan.contract_number = "SPK/2/2026"
    services.save_process(process=plan, by=operator)
    assert deliver() == 0  # a contract is no opportunity


def test_unconfirmed_and_suspended_addresses_get_nothing(health, smtp_server):
    agency, operator = health
    follow("belum@contoh.id", params={"pd": "dinkes-uji"}, confirmed=False)
    suspended = follow("ditangguhkan@contoh.id", params={"pd": "dinkes-uji"})
    suspended.subscriber.suspended_at = timezone.now()
    suspended.subscriber.save()
    follow("harian@contoh.id", params={"pd": "dinkes-uji"}, frequency="harian")
    publish(agency, operator)
    assert deliver() == 0
    assert smtp_server.messages == []
    assert not Change.objects.filter(dispatched_at__isnull=True).exists()


def test_samples_never_alert_once_real_data_is_published(health, smtp_server):
    agency, operator = health
    follow("warga@contoh.id", params={"pd": "dinkes-uji"})
    # On an install with only samples, a sample is public and its change is recorded ...
    sample = make_process(agency, title="[CONTOH] Pengadaan Obat", is_sample=True)
    services.publish_process(process=sample, by=operator)
    assert Change.objects.filter(process=sample).exists()
    # ... but by the time it is dispatched real data is there, and the sample is not shown.
    real = publish(agency, operator, title="Pengadaan Vaksin")
    assert deliver() == 1
    (message,) = smtp_server.to("warga@contoh.id")
    assert "Pengadaan Vaksin" in text_part(message)
    assert "[CONTOH]" not in text_part(message) and real.pk


def test_a_big_batch_lists_the_first_packages_and_links_the_rest(health, smtp_server, monkeypatch):
    monkeypatch.setattr(dispatch, "MAX_PACKAGES", 3)
    agency, operator = health
    follow("warga@contoh.id", params={"pd": "dinkes-uji", "tahun": ahead(60).year})
    for number in range(5):
        publish(agency, operator, title=f"Paket impor {number}")
    assert deliver() == 1
    (message,) = smtp_server.to("warga@contoh.id")
    assert message["Subject"] == "5 perubahan pada 5 paket yang Anda ikuti"
    text = text_part(message)
    assert [n for n in range(5) if f"Paket impor {n}\n" in text] == [0, 1, 2]
    year = ahead(60).year
    assert (
        "… dan 2 perubahan lain pada 2 paket. Semuanya ada di daftar paket:\n"
        f"{BASE}/paket/?pd=dinkes-uji&tahun={year}\n"
    ) in text
    assert f'href="{BASE}/paket/?pd=dinkes-uji&amp;tahun={year}"' in html_part(message)


def test_dispatch_queries_do_not_grow_with_the_subscriptions(health, smtp_server):
    agency, operator = health
    supplier = Supplier.objects.create(name="CV Farmasi", npwp="0123456789012347")

    def subscribe(start, stop):
        # Every filter distinct; the agency, kecamatan and search ones match the new package
        # (Dander, pagu Rp 1.250.000.000, "Obat" in its title), the supplier's does not.
        for n in range(start, stop):
            follow(f"pd{n}@contoh.id", params={"pd": "dinkes-uji", "nilai_min": n})
            follow(f"kec{n}@contoh.id", params={"kecamatan": "Dander", "nilai_min": 1000 + n})
            follow(f"cari{n}@contoh.id", params={"q": "obat", "nilai_max": 2_000_000_000 + n})
            follow(f"penyedia{n}@contoh.id", params={"penyedia": supplier.pk, "nilai_min": n})

    def measured():
        publish(agency, operator, title="Pengadaan Obat Puskesmas")
        OutgoingMail.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            dispatch.dispatch_instant()
        return len(queries), OutgoingMail.objects.count()

    subscribe(0, 3)
    few, mailed = measured()
    assert mailed == 3 * 3
    subscribe(3, 25)  # 100 distinct filters in all: still one UNION query
    many, mailed = measured()
    assert mailed == 25 * 3
    assert many == few


def test_an_address_following_two_things_gets_one_mail_each_to_leave_each_alone(
    health, smtp_server
):
    from alerts.links import UNSUBSCRIBE, subscription_for

    agency, operator = health
    other = make_agency(code="dinsos-uji", name="Dinas Sosial Uji")
    by_agency = follow("warga@contoh.id", params={"pd": "dinkes-uji"})
    by_place = follow("warga@contoh.id", params={"kecamatan": "Dander"})
    # Both followed things list the first; only the kecamatan the second.
    publish(agency, operator, title="Pengadaan Obat Puskesmas Dander")
    publish(other, make_operator(other), title="Bantuan Sosial Dander")
    assert deliver() == 2
    received = smtp_server.to("warga@contoh.id")
    links = {
        message["List-Unsubscribe"].strip().removeprefix("<").removesuffix(">"): message
        for message in received
    }
    by_token = {
        subscription_for(link.rstrip("/").rsplit("/", 1)[1], purpose=UNSUBSCRIBE).pk: message
        for link, message in links.items()
    }
    assert set(by_token) == {by_agency.pk, by_place.pk}
    # The agency is the more specific: it carries the first; the kecamatan only the rest.
    assert by_token[by_agency.pk]["Subject"] == "Paket baru: Pengadaan Obat Puskesmas Dander"
    assert by_token[by_place.pk]["Subject"] == "Paket baru: Bantuan Sosial Dander"
    assert "Pengadaan Obat" not in text_part(by_token[by_place.pk])
