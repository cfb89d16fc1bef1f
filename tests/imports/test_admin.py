import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agencies.models import Agency
from contracts.models import Process
from imports.models import ImportJob, ImportRun
from tests.factories import make_administrator, make_operator, make_supervisor
from tests.imports.test_imports import csv_bytes, sirup_row
from tests.workers import jobs_db, load_migrated_data, run_queued_jobs

URL = "/admin/imports/importrun/impor/"


def upload(client, content, name="rup.csv"):
    return client.post(URL, {"kind": "sirup", "file": SimpleUploadedFile(name, content)})


@pytest.fixture
def register():
    load_migrated_data()


@jobs_db
def test_upload_preview_then_confirm_once(client, media_root, register):
    client.force_login(make_administrator())
    uploaded = upload(client, csv_bytes([sirup_row(), sirup_row(kode_rup="x")]))
    job_url = uploaded["Location"]
    assert uploaded.status_code == 302 and job_url.startswith(URL)
    assert "Menunggu giliran" in client.get(job_url).content.decode()

    run_queued_jobs()
    html = client.get(job_url).content.decode()
    assert "Pratinjau" in html and "Belum ada yang ditulis" in html
    assert 'data-outcome="created">1<' in html and 'data-outcome="skipped">1<' in html
    assert not Process.objects.exists()

    client.post(job_url)
    run_queued_jobs()
    done = client.get(job_url).content.decode()
    assert "Impor selesai" in done and "riwayat impor" in done
    assert Process.objects.count() == 1
    assert ImportRun.objects.get().rows == 2
    # A second click on the same confirmation imports nothing twice.
    again = client.post(job_url, follow=True)
    assert "sudah diproses" in again.content.decode()
    run_queued_jobs()
    assert ImportRun.objects.count() == 1
    assert not list((media_root / "impor").iterdir())


@jobs_db
def test_a_bad_file_gets_a_clear_message(client, media_root, register):
    client.force_login(make_administrator())
    for content, message in [
        ("kode_rup;nama\n1;é\n".encode(), "kolom wajib tidak ada"),
        (b"\xff\xfe\xfa\xfb" * 100, "bukan teks UTF-8"),
    ]:
        job_url = upload(client, content)["Location"]
        run_queued_jobs()
        html = client.get(job_url).content.decode()
        assert 'data-state="failed"' in html and message in html
    assert not Process.objects.exists()
    assert set(ImportJob.objects.values_list("state", flat=True)) == {"failed"}
    assert not list((media_root / "impor").iterdir())


@jobs_db
def test_an_operator_imports_for_their_agency_only(client, media_root, register):
    operator = make_operator(Agency.objects.get(code="dinas-pendidikan"))
    client.force_login(operator)
    rows = [
        sirup_row(),
        sirup_row(kode_rup="17000002", nama_satker="DINAS PENDIDIKAN", id_satker="85880"),
    ]
    assert "Hanya baris milik <strong>Dinas Pendidikan</strong>" in client.get(URL).content.decode()
    job_url = upload(client, csv_bytes(rows))["Location"]
    run_queued_jobs()
    client.post(job_url)
    run_queued_jobs()
    assert list(Process.objects.values_list("agency__code", flat=True)) == ["dinas-pendidikan"]
    assert ImportRun.objects.get().agency == operator.agency


@pytest.mark.django_db
def test_supervisors_do_not_import(client):
    client.force_login(make_supervisor())
    assert client.get(URL).status_code == 403
