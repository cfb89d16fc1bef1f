"""The instant alerts on the real job queue: a committed change brings its mail, soon."""

import datetime

from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from alerts.models import Change, OutgoingMail
from contracts import services
from tests.alerts.following import follow
from tests.factories import make_agency, make_operator, make_process, planning_fields
from tests.mailserver import text_part
from tests.workers import jobs_db, load_migrated_data, run_queued_jobs

pytestmark = jobs_db

DISPATCH = "alerts.tasks.dispatch_alerts"


def test_a_committed_publication_is_mailed_through_the_queue_without_waiting_a_minute(
    smtp_server,
):
    load_migrated_data()
    agency = make_agency(code="dinsos-uji", name="Dinas Sosial Uji")
    operator = make_operator(agency)
    follow("warga@contoh.id", params={"pd": "dinsos-uji"})
    # Planned ahead: no stage is late yet, so no flag joins the two new packages.
    start = timezone.localdate() + datetime.timedelta(days=60)
    planned = planning_fields(planned_start=start, planned_end=start, fiscal_year=start.year)
    first = make_process(agency, title="Bantuan Sembako", **planned)
    second = make_process(agency, title="Bantuan Alat Bantu Dengar", **{**planned, "rup_code": "1"})

    services.publish_process(process=first, by=operator)
    services.publish_process(process=second, by=operator)
    # Asked after each commit; the queueing lock keeps one waiting job for both.
    assert ProcrastinateJob.objects.filter(task_name=DISPATCH, status="todo").count() == 1

    run_queued_jobs()  # the dispatch, then the send job it queued

    (message,) = smtp_server.to("warga@contoh.id")
    assert message["Subject"].startswith("2 perubahan pada 2 paket")
    text = text_part(message)
    assert "Bantuan Sembako\n" in text and "Bantuan Alat Bantu Dengar\n" in text
    assert OutgoingMail.objects.get().status == OutgoingMail.Status.SENT
    assert not Change.objects.filter(dispatched_at__isnull=True).exists()


def test_nobody_following_at_once_defers_no_job(smtp_server):
    load_migrated_data()
    agency = make_agency()
    operator = make_operator(agency)
    follow("harian@contoh.id", params={"pd": agency.code}, frequency="harian")
    process = make_process(agency, **planning_fields())
    services.publish_process(process=process, by=operator)
    assert Change.objects.filter(process=process, kind="baru").exists()
    assert not ProcrastinateJob.objects.filter(task_name=DISPATCH).exists()
