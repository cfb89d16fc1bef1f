"""The daily digest: one mail per daily subscription, grouped by package, at the WIB hour."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from alerts import changes, dispatch, tasks
from alerts.models import Change, OutgoingMail
from contracts import services
from tests.alerts.following import BASE, follow, send_waiting
from tests.factories import make_agency, make_operator, make_process, planning_fields
from tests.mailserver import html_part, text_part

pytestmark = pytest.mark.django_db

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
MONTHS = "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember"


def next_digest_hour():
    """The next 06:00 WIB after now, and its date as the mail writes it: the changes are
    recorded now, so the digest that carries them is the next one (a fixed 2 Desember 2026
    06:00 stopped working once that hour had passed)."""
    now = timezone.now().astimezone(WIB)
    at = now.replace(hour=6, minute=0, second=0, microsecond=0)
    if at <= now:
        at += datetime.timedelta(days=1)
    return at, f"{at.day} {MONTHS.split()[at.month - 1]} {at.year}"


@pytest.fixture(autouse=True)
def _on_the_public_address(portal_address):
    pass


@pytest.fixture
def kecamatan_packages():
    agency = make_agency(code="dinas-pu-uji", name="Dinas PU Uji")
    operator = make_operator(agency)
    start = timezone.localdate() + datetime.timedelta(days=60)
    made = []
    for title, place in [
        ("Pembangunan Talud Dander", "Dander"),
        ("Rehabilitasi Jembatan Dander", "Dander"),
        ("Pengaspalan Jalan Kapas", "Kapas"),
    ]:
        process = make_process(
            agency,
            title=title,
            fiscal_year=start.year,
            **planning_fields(
                planned_start=start,
                planned_end=start + datetime.timedelta(days=100),
                location_kecamatan=place,
            ),
        )
        made.append(services.publish_process(process=process, by=operator))
    return made


def test_two_packages_three_changes_make_one_mail_grouped_by_package(
    kecamatan_packages, smtp_server
):
    talud, bridge, road = kecamatan_packages
    since = timezone.now()
    subscription = follow(
        "harian@contoh.id", params={"kecamatan": "Dander"}, frequency="harian", since=since
    )
    # The packages' first releases came before the subscription: not in its digest.
    changes.record(talud.pk, "laporan", {"laporan": "LAP-2026-000001", "jenis": "keterlambatan"})
    changes.record(bridge.pk, "dokumen", {"dokumen": ["Gambar Rencana"]})
    changes.record(talud.pk, "tahap", {"tahap": "pemilihan"})
    changes.record(road.pk, "tahap", {"tahap": "pemilihan"})  # Kapas: not followed
    at, day = next_digest_hour()

    assert dispatch.send_digests(now=at) == (1, 1)
    assert send_waiting() == 1
    (message,) = smtp_server.to("harian@contoh.id")
    assert message["Subject"] == f"Ringkasan {day}: 3 perubahan pada 2 paket"
    text = text_part(message)
    assert text.startswith(
        f"Ringkasan harian {day}: 3 perubahan pada 2 paket yang Anda ikuti: "
        "paket di Kecamatan Dander.\n\n"
        "Pembangunan Talud Dander\n"
        "Dinas PU Uji · pagu Rp 1.250.000.000\n"
        "Metode: Tender\n"
        "- Perangkat daerah menjawab laporan warga LAP-2026-000001 (keterlambatan).\n"
        "- Mencapai tahap Pemilihan Penyedia.\n"
        f"{BASE}/paket/{talud.pk}/\n\n"
        "Rehabilitasi Jembatan Dander\n"
        "Dinas PU Uji · pagu Rp 1.250.000.000\n"
        "Metode: Tender\n"
        "- Dokumen baru: Gambar Rencana.\n"
        f"{BASE}/paket/{bridge.pk}/\n"
    )
    assert "Pengaspalan Jalan Kapas" not in text
    assert message["List-Unsubscribe"].strip().startswith(f"<{BASE}/langganan/berhenti/")
    assert html_part(message).count('<div style="margin:0 0 20px') == 2
    subscription.refresh_from_db()
    assert subscription.digest_from == at

    # The next day nothing happened: no mail, and the window still moves on.
    later = at + datetime.timedelta(days=1)
    assert dispatch.send_digests(now=later) == (1, 0)
    subscription.refresh_from_db()
    assert subscription.digest_from == later


def test_a_digest_is_not_sent_to_the_unconfirmed_the_suspended_or_the_instant(
    kecamatan_packages,
):
    talud = kecamatan_packages[0]
    follow("belum@contoh.id", params={"kecamatan": "Dander"}, frequency="harian", confirmed=False)
    suspended = follow("tangguh@contoh.id", params={"kecamatan": "Dander"}, frequency="harian")
    suspended.subscriber.suspended_at = timezone.now()
    suspended.subscriber.save()
    follow("segera@contoh.id", params={"kecamatan": "Dander"})
    changes.record(talud.pk, "tahap", {"tahap": "pemilihan"})
    assert dispatch.send_digests(now=timezone.now()) == (0, 0)
    assert not OutgoingMail.objects.exists()


def test_a_withdrawn_package_is_in_its_followers_digest(kecamatan_packages, smtp_server):
    talud = kecamatan_packages[0]
    follow("ikut@contoh.id", process=talud, frequency="harian")
    operator = make_operator(talud.agency)
    services.withdraw_process(process=talud, by=operator, reason="Lokasi belum bebas")
    dispatch.send_digests(now=timezone.now())
    send_waiting()
    (message,) = smtp_server.to("ikut@contoh.id")
    assert "- Paket ditarik dari publikasi. Alasan: Lokasi belum bebas\n" in text_part(message)
    assert "paket “Pembangunan Talud Dander”" in text_part(message)


def test_the_digest_job_runs_at_the_digest_hour_in_wib(settings):
    from croniter import croniter
    from procrastinate.contrib.django import app

    (periodic,) = [
        task
        for task in app.periodic_registry.periodic_tasks.values()
        if task.task.name == "alerts.tasks.send_daily_digest"
    ]
    # 06:00 WIB is 23:00 UTC the day before; Procrastinate reads cron in UTC.
    assert settings.ALERT_DIGEST_HOUR == 6 and periodic.cron == "0 23 * * *"
    start = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC).timestamp()
    following = croniter(periodic.cron).get_next(ret_type=float, start_time=start)
    assert datetime.datetime.fromtimestamp(following, WIB) == datetime.datetime(
        2026, 12, 2, 6, 0, tzinfo=WIB
    )
    assert tasks.digest_cron(20) == "0 13 * * *" and tasks.digest_cron(3) == "0 20 * * *"


def test_housekeeping_forgets_what_has_outlived_its_use(kecamatan_packages, settings):
    from alerts import housekeeping
    from alerts.models import Subscriber, Subscription

    settings.ALERT_CONFIRM_HOURS = 48
    now = timezone.now()
    expired = follow("lama@contoh.id", params={"pd": "x"}, confirmed=False)
    fresh = follow("baru@contoh.id", params={"pd": "x"}, confirmed=False)
    kept = follow("tetap@contoh.id", params={"pd": "x"})
    Subscription.objects.filter(pk__in=[expired.pk, kept.pk]).update(
        created_at=now - datetime.timedelta(hours=49)
    )
    old_mail = OutgoingMail.objects.create(
        to="a@contoh.id", subject="s", text="t", status="terkirim"
    )
    waiting = OutgoingMail.objects.create(to="b@contoh.id", subject="s", text="t")
    OutgoingMail.objects.filter(pk__in=[old_mail.pk, waiting.pk]).update(
        created_at=now - datetime.timedelta(days=31)
    )
    Change.objects.update(created_at=now - datetime.timedelta(days=4))
    dispatched = Change.objects.first()
    Change.objects.filter(pk=dispatched.pk).update(dispatched_at=now)

    assert housekeeping.clean(now=now) == {
        "langganan": 1,
        "pelanggan": 1,
        "surel": 1,
        "perubahan": 1,
    }
    assert set(Subscriber.objects.values_list("email", flat=True)) == {
        "baru@contoh.id",
        "tetap@contoh.id",
    }
    assert fresh.pk and OutgoingMail.objects.get().pk == waiting.pk
    # Three packages published, three changes; the two never dispatched are kept.
    assert Change.objects.count() == 2
    assert not Change.objects.filter(pk=dispatched.pk).exists()


def test_digest_queries_do_not_grow_with_the_subscriptions(kecamatan_packages):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    talud = kecamatan_packages[0]
    since = timezone.now()

    def subscribe(start, stop):
        # Distinct filters, each matching the talud (Dander, pagu Rp 1.250.000.000).
        daily = {"frequency": "harian", "since": since}
        for n in range(start, stop):
            follow(f"k{n}@contoh.id", params={"kecamatan": "Dander", "nilai_min": n}, **daily)
            follow(f"p{n}@contoh.id", process=talud, **daily)
            follow(f"c{n}@contoh.id", params={"q": "talud", "nilai_min": n}, **daily)

    def measured():
        OutgoingMail.objects.all().delete()
        changes.record(talud.pk, "tahap", {"tahap": "pemilihan"})
        with CaptureQueriesContext(connection) as queries:
            dispatch.send_digests(now=timezone.now())
        return len(queries), OutgoingMail.objects.count()

    subscribe(0, 2)
    few, mailed = measured()
    assert mailed == 2 * 3
    subscribe(2, 30)
    many, mailed = measured()
    assert mailed == 30 * 3
    assert many == few
