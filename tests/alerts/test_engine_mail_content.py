"""What the alerts say and to whom: a withdrawal told to every follower who was told of the
package, one change given to an address once, the package's facts, a report's answer quoted,
the headers of a program's mail, no control characters."""

import datetime

import pytest
from django.utils import timezone

from alerts import changes, dispatch
from alerts.links import UNSUBSCRIBE, subscription_for
from contracts import services
from contracts.models import Supplier
from tests.alerts.following import (  # noqa: F401 (fixtures)
    BASE,
    ahead,
    follow,
    publish,
    send_waiting,
)
from tests.factories import (
    answered_report,
)
from tests.mailserver import html_part, text_part

pytestmark = pytest.mark.django_db

WITHDRAWN_LINE = "- Paket ditarik dari publikasi. Alasan: Anggaran dialihkan"


@pytest.fixture(autouse=True)
def _on_the_public_address(portal_address):
    pass


# A deadline written by hand: 15 January of next year.
DEADLINE = datetime.date(timezone.localdate().year + 1, 1, 15)


def tender_fields():
    return {
        "tender_code": "30001",
        "hps_amount": 1_200_000_000,
        "tender_announced": timezone.localdate(),
        "bid_deadline": DEADLINE,
    }


def deliver():
    dispatch.dispatch_instant()
    return send_waiting()


def subscription_of(message):
    link = message["List-Unsubscribe"].strip().removeprefix("<").removesuffix(">")
    return subscription_for(link.rstrip("/").rsplit("/", 1)[1], purpose=UNSUBSCRIBE)


def lines(message):
    return [line for line in text_part(message).splitlines() if line.startswith("- ")]


def test_list_kecamatan_supplier_search_and_opportunity_followers_hear_of_a_withdrawal(
    health, smtp_server
):
    agency, operator = health
    supplier = Supplier.objects.create(name="CV Farmasi Jaya", npwp="0123456789012399")
    tender = publish(agency, operator, title="Pengadaan Obat Puskesmas", **tender_fields())
    contracted = publish(
        agency,
        operator,
        title="Pengadaan Ambulans",
        location_kecamatan="Kapas",
        supplier=supplier,
        contract_number="SPK/9/2026",
        contract_amount=900_000_000,
    )
    dispatch.dispatch_instant()  # their publication came before anyone followed
    follow("daftar@contoh.id", params={"pd": "dinkes-uji"})
    follow("kecamatan@contoh.id", params={"kecamatan": "Dander"})
    follow("cari@contoh.id", params={"q": "obat"})
    follow("penyedia@contoh.id", params={"penyedia": supplier.pk})
    follow("peluang@contoh.id", params={"pd": "dinkes-uji"}, scope="peluang")

    for process in (tender, contracted):
        services.withdraw_process(process=process, by=operator, reason="Anggaran dialihkan")
    assert deliver() == 5

    # The agency's follower was told of both; the others of those their filter lists.
    (agency_mail,) = smtp_server.to("daftar@contoh.id")
    assert agency_mail["Subject"] == "2 perubahan pada 2 paket yang Anda ikuti"
    assert lines(agency_mail) == [WITHDRAWN_LINE, WITHDRAWN_LINE]
    for address, title in [
        ("kecamatan@contoh.id", "Pengadaan Obat Puskesmas"),
        ("cari@contoh.id", "Pengadaan Obat Puskesmas"),
        ("penyedia@contoh.id", "Pengadaan Ambulans"),
        # At Pemilihan, a tender a supplier may be preparing for; the contract was none.
        ("peluang@contoh.id", "Pengadaan Obat Puskesmas"),
    ]:
        (message,) = smtp_server.to(address)
        assert message["Subject"] == f"Paket ditarik: {title}", address
        assert lines(message) == [WITHDRAWN_LINE]


def test_an_address_is_given_each_change_once_by_its_most_specific_subscription(
    health, smtp_server
):
    agency, operator = health
    supplier = Supplier.objects.create(name="CV Sehat Jaya", npwp="0123456789012398")
    followed = publish(agency, operator, title="Rehabilitasi Puskesmas", supplier=supplier)
    other = publish(agency, operator, title="Pengadaan Alkes", supplier=supplier)
    elsewhere = publish(agency, operator, title="Pengadaan Obat", supplier=None)
    dispatch.dispatch_instant()
    by_place = follow("warga@contoh.id", params={"kecamatan": "Dander"})
    by_supplier = follow("warga@contoh.id", params={"penyedia": supplier.pk})
    by_package = follow("warga@contoh.id", process=followed)
    changes.record(followed.pk, "dokumen", {"dokumen": ["Kontrak"]})
    changes.record(other.pk, "dokumen", {"dokumen": ["Kontrak"]})
    changes.record(elsewhere.pk, "dokumen", {"dokumen": ["Kontrak"]})

    # Three changes, three subscriptions each listing several: three mails, one change each.
    assert deliver() == 3
    received = {subscription_of(m).pk: m for m in smtp_server.to("warga@contoh.id")}
    assert set(received) == {by_package.pk, by_supplier.pk, by_place.pk}
    assert received[by_package.pk]["Subject"] == "Dokumen ditambahkan: Rehabilitasi Puskesmas"
    assert received[by_supplier.pk]["Subject"] == "Dokumen ditambahkan: Pengadaan Alkes"
    assert received[by_place.pk]["Subject"] == "Dokumen ditambahkan: Pengadaan Obat"

    # One change all three list: one mail, by the package's own subscription.
    changes.record(followed.pk, "dokumen", {"dokumen": ["BAST"]})
    assert deliver() == 1
    last = smtp_server.to("warga@contoh.id")[-1]
    assert subscription_of(last).pk == by_package.pk
    assert lines(last) == ["- Dokumen baru: BAST."]


def test_a_daily_digest_gives_an_address_each_change_once(health, smtp_server):
    agency, operator = health
    process = publish(agency, operator, title="Rehabilitasi Puskesmas")
    since = timezone.now()
    by_agency = follow("harian@contoh.id", params={"pd": "dinkes-uji"}, frequency="harian")
    follow("harian@contoh.id", params={"q": "puskesmas"}, frequency="harian", since=since)
    by_agency.digest_from = since
    by_agency.save()
    changes.record(process.pk, "dokumen", {"dokumen": ["KAK"]})

    assert dispatch.send_digests() == (2, 1)
    assert send_waiting() == 1
    (digest,) = smtp_server.to("harian@contoh.id")
    assert subscription_of(digest).pk == by_agency.pk
    assert digest["Auto-Submitted"] == "auto-generated"
    assert str(digest["Message-ID"]).endswith("@bojonegorokab.go.id>")


def test_a_package_part_names_method_hps_deadline_and_amounts_never_break(health, smtp_server):
    agency, operator = health
    follow("warga@contoh.id", params={"pd": "dinkes-uji"})
    tender = publish(agency, operator, title="Pengadaan Obat Puskesmas", **tender_fields())
    assert deliver() == 1
    (message,) = smtp_server.to("warga@contoh.id")
    assert message["Auto-Submitted"] == "auto-generated"
    deadline = f"15 Januari {DEADLINE.year}"
    assert text_part(message).startswith(
        "Ada 1 perubahan pada 1 paket yang Anda ikuti: paket Dinas Kesehatan Uji.\n\n"
        "Pengadaan Obat Puskesmas\n"
        "Dinas Kesehatan Uji · pagu Rp 1.250.000.000\n"
        f"Metode: Tender · HPS: Rp 1.200.000.000 · Batas penawaran: {deadline}\n"
        "- Paket baru diumumkan, tahap Pemilihan Penyedia.\n"
        f"{BASE}/paket/{tender.pk}/\n"
    )
    html = html_part(message)
    assert 'pagu <span style="white-space:nowrap">Rp 1.250.000.000</span>' in html
    assert 'HPS: <span style="white-space:nowrap">Rp 1.200.000.000</span>' in html
    assert f"Batas penawaran: {deadline}</p>" in html


def test_a_reports_answer_is_quoted_and_cut_with_an_ellipsis(health, smtp_server):
    agency, operator = health
    process = publish(agency, operator, title="Rehabilitasi Puskesmas")
    dispatch.dispatch_instant()
    follow("warga@contoh.id", process=process)
    # Two paragraphs and a stray escape from a pasted text: one printable line, cut at 200.
    answer = "Sudah ditinjau.\n\nPenyedia\x1bdiminta " + "memperbaiki " * 30
    report = answered_report(process, operator, answer)
    assert deliver() == 1
    (message,) = smtp_server.to("warga@contoh.id")
    quoted = ("Sudah ditinjau. Penyedia diminta " + "memperbaiki " * 30)[:199] + "…"
    assert len(quoted) == 200 and quoted.endswith(" memperbaik…")  # 33 + 13 * 12 + 10 + 1
    reference = report.reference
    assert (
        f"  Jawaban: “{quoted}”\n  {BASE}/laporan/{reference}/\n{BASE}/paket/{process.pk}/\n"
    ) in text_part(message)
    html = html_part(message)
    assert f"Jawaban: “{quoted}”" in html
    assert f'<a href="{BASE}/laporan/{reference}/" style="color:#0b4f6c">Lihat laporan' in html


def test_control_characters_of_an_old_title_never_reach_a_mail(health, smtp_server):
    agency, operator = health
    follow("warga@contoh.id", params={"pd": "dinkes-uji"})
    publish(agency, operator, title="Obat\x1bPuskesmas\x7fDander\x85Baru")
    assert deliver() == 1
    (message,) = smtp_server.to("warga@contoh.id")
    for part in (text_part(message), html_part(message)):
        assert "Obat Puskesmas Dander Baru" in part
        assert not {"\x1b", "\x7f", "\x85"} & set(part)


def test_giving_each_change_once_adds_no_query_as_an_address_follows_more(health, smtp_server):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from alerts.models import OutgoingMail

    agency, operator = health

    def subscribe(start, stop):
        # Each distinct, each listing the new package: one address, and one beside it.
        for n in range(start, stop):
            follow("banyak@contoh.id", params={"pd": "dinkes-uji", "nilai_min": n})
            follow("banyak@contoh.id", params={"kecamatan": "Dander", "nilai_min": n})
            follow(f"sendiri{n}@contoh.id", params={"q": "obat", "nilai_min": n})

    def measured():
        process = publish(agency, operator, title="Pengadaan Obat Puskesmas")
        answered_report(process, operator, "Sudah dijawab.")
        OutgoingMail.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            dispatch.dispatch_instant()
        return len(queries), OutgoingMail.objects.filter(to="banyak@contoh.id").count()

    subscribe(0, 2)
    few, mailed = measured()
    assert mailed == 1  # the new package and the answer, once, in the most specific mail
    subscribe(2, 20)
    many, mailed = measured()
    assert mailed == 1
    assert many == few
    assert OutgoingMail.objects.count() == 1 + 20
