"""Imports as background jobs: progress, the paged preview, conflicts, who sees which job,
and a worker killed mid-import."""

import dataclasses
import os
import signal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agencies.models import Agency
from contracts.models import Process
from imports import jobs
from imports.models import ImportJob, ImportRun
from imports.report import CREATED, SKIPPED, UPDATED, ImportReport
from imports.services import run_import
from tests.factories import make_administrator, make_operator
from tests.imports.test_imports import csv_bytes, sirup_row
from tests.workers import jobs_db, load_migrated_data, run_queued_jobs, wait_until, worker_process

URL = "/admin/imports/importrun/impor/"


def plans(count, *, skipped=0, start=18_000_000):
    rows = [sirup_row(kode_rup=str(start + i), nama_paket=f"Paket {i}") for i in range(count)]
    rows += [sirup_row(kode_rup=f"x{i}") for i in range(skipped)]
    return csv_bytes(rows)


def upload(client, content, name="rup_2018.csv"):
    response = client.post(URL, {"kind": "sirup", "file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


@pytest.fixture
def register():
    load_migrated_data()


@pytest.mark.django_db
def test_progress_is_told_every_few_hundred_rows_and_at_the_end():
    calls = []
    run_import(
        kind="sirup",
        content=plans(1200, skipped=30),
        filename="rup.csv",
        commit=False,
        progress=lambda done, total, counts: calls.append((done, total, counts.get(CREATED))),
    )
    assert calls[0] == (0, 1230, None)
    # ... every 500 rows, when every row has its outcome (the writing follows), and when done.
    assert [done for done, _, _ in calls] == [0, 500, 1000, 1230, 1230]
    assert calls[-1] == (1230, 1230, 1200)


@jobs_db
def test_the_preview_lists_every_skipped_row_a_hundred_a_page(client, media_root, register):
    client.force_login(make_administrator())
    job_url = upload(client, plans(5, skipped=160))
    run_queued_jobs()
    first = client.get(job_url).content.decode()
    assert "Baris yang dilewati (160)" in first and "Halaman 1 dari 2" in first
    assert first.count("kosong atau bukan angka") == 100
    second = client.get(job_url + "?halaman=2").content.decode()
    assert second.count("kosong atau bukan angka") == 60 and "Halaman 2 dari 2" in second
    job = ImportJob.objects.get()
    assert (job.state, job.rows_done, job.rows_total) == ("done", 165, 165)
    assert job.counts[SKIPPED] == 160 and not Process.objects.exists()


CONFLICT = ["title", "Nama paket", "Nama dari operator", "Nama dari SiRUP"]


def settled_preview(user, agency=None):
    """A job whose preview is done, with one conflict in its report."""
    report = ImportReport(kind="sirup", filename="rup.csv")
    report.add(
        2,
        "17000001",
        UPDATED,
        changes=[["Nama paket", "Lama", "Baru"]],
        conflicts=[CONFLICT],
    )
    return ImportJob.objects.create(
        filename="rup.csv",
        stored_name="impor/tidak-ada.bin",
        sha256="0" * 64,
        user=user,
        agency=agency,
        kind="sirup",
        state=ImportJob.State.DONE,
        report={**dataclasses.asdict(report), "later_field": "diabaikan"},
        rows_total=1,
        rows_done=1,
    )


@pytest.mark.django_db
def test_an_administrator_settles_conflicts_for_the_source(client):
    administrator = make_administrator()
    job = settled_preview(administrator)
    rebuilt = jobs.report_of(job)
    assert rebuilt.rows[0].conflicts == [
        ["title", "Nama paket", "Nama dari operator", "Nama dari SiRUP"]
    ]
    client.force_login(administrator)
    html = client.get(f"{URL}{job.pk}/").content.decode()
    assert 'name="take_source" value="17000001/title"' in html and "Nama dari SiRUP" in html
    # Each updated row's changes, field by field.
    assert "Baris yang memperbarui paket (1)" in html
    assert "<td>Nama paket</td><td>Lama</td><td>Baru</td>" in html
    client.post(f"{URL}{job.pk}/", {"take_source": ["17000001/title"]})
    job.refresh_from_db()
    assert (job.mode, job.state, job.take_source) == ("commit", "queued", ["17000001/title"])
    assert job.confirmed_by == administrator


@pytest.mark.django_db
def test_an_operator_sees_conflicts_but_keeps_the_operators_values(client):
    health = Agency.objects.get(code="dinas-kesehatan")
    operator = make_operator(health)
    job = settled_preview(operator, health)
    client.force_login(operator)
    html = client.get(f"{URL}{job.pk}/").content.decode()
    assert "Nama dari SiRUP" in html and 'name="take_source"' not in html
    client.post(f"{URL}{job.pk}/", {"take_source": ["17000001/title"]})
    job.refresh_from_db()
    assert job.take_source == []


@pytest.mark.django_db
def test_an_operator_never_sees_nor_confirms_another_operators_job(client):
    health = Agency.objects.get(code="dinas-kesehatan")
    roads = Agency.objects.get(code="dinas-pu-bina-marga-penataan-ruang")
    job = settled_preview(make_operator(health), health)
    client.force_login(make_operator(roads))
    assert client.get(f"{URL}{job.pk}/").status_code == 404
    assert client.post(f"{URL}{job.pk}/").status_code == 404
    assert job.filename not in client.get(URL).content.decode()
    job.refresh_from_db()
    assert (job.mode, job.state) == ("preview", "done")
    client.force_login(make_administrator())
    assert client.get(f"{URL}{job.pk}/").status_code == 200


@jobs_db
def test_a_worker_killed_mid_commit_leaves_nothing_and_the_job_failed(
    client, media_root, register, settings
):
    """A real worker process, killed with SIGKILL while it commits a large file: the import's
    transaction dies with it, and the job page says the job failed once the worker's heartbeat
    is older than JOB_STALLED_SECONDS."""
    settings.JOB_STALLED_SECONDS = 2
    client.force_login(make_administrator())
    rows = 6000
    job_url = upload(client, plans(rows))
    job = ImportJob.objects.get()
    with worker_process(media_root=media_root, stalled_seconds=2) as worker:
        wait_until(lambda: ImportJob.objects.get().state == "done", seconds=240, what="the preview")
        client.post(job_url)
        # The page shows the rows done while the import's own transaction is still open.
        seen = wait_until(
            lambda: (
                0 < ImportJob.objects.get().rows_done < rows
                and client.get(job_url).content.decode()
            ),
            seconds=240,
            every=0.05,
            what="progress mid-commit",
        )
        assert 'data-state="running"' in seen and "Memproses baris" in seen
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    assert not Process.objects.filter(rup_code__startswith="18").exists()
    assert not ImportRun.objects.exists()
    page = wait_until(
        lambda: 'data-state="failed"' in (html := client.get(job_url).content.decode()) and html,
        seconds=30,
        what="the job marked failed",
    )
    assert "berhenti di tengah jalan" in page and "tidak ada yang tersimpan" in page
    job.refresh_from_db()
    assert job.state == "failed"
    assert not (media_root / job.stored_name).exists()
