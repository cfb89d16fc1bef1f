import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agencies.models import Agency
from contracts.models import Process
from imports.models import ImportRun
from tests.factories import make_administrator, make_operator, make_supervisor
from tests.imports.test_imports import csv_bytes, sirup_row

URL = "/admin/imports/importrun/impor/"


def upload(client, content, name="rup.csv"):
    return client.post(URL, {"kind": "sirup", "file": SimpleUploadedFile(name, content)})


@pytest.mark.django_db
def test_upload_preview_then_confirm_once(client, media_root):
    client.force_login(make_administrator())
    preview = upload(client, csv_bytes([sirup_row(), sirup_row(kode_rup="x")]))
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Pratinjau" in html and "Belum ada yang ditulis" in html
    assert 'data-outcome="created">1<' in html and 'data-outcome="skipped">1<' in html
    assert not Process.objects.exists()

    token = preview.context["token"]
    confirmed = client.post(URL, {"token": token}, follow=True)
    assert "Impor selesai" in confirmed.content.decode()
    assert Process.objects.count() == 1
    assert ImportRun.objects.get().rows == 2
    # A second click on the same confirmation imports nothing twice.
    again = client.post(URL, {"token": token}, follow=True)
    assert "sudah diproses" in again.content.decode()
    assert ImportRun.objects.count() == 1
    assert not list((media_root / "impor").iterdir())


@pytest.mark.django_db
def test_a_bad_file_gets_a_clear_message(client, media_root):
    client.force_login(make_administrator())
    response = upload(client, "kode_rup;nama\n1;é\n".encode())
    assert "kolom wajib tidak ada" in response.content.decode()
    response = upload(client, b"\xff\xfe\xfa\xfb" * 100)
    assert "bukan teks UTF-8" in response.content.decode()
    assert not Process.objects.exists()


@pytest.mark.django_db
def test_an_operator_imports_for_their_agency_only(client, media_root):
    operator = make_operator(Agency.objects.get(code="dinas-pendidikan"))
    client.force_login(operator)
    rows = [
        sirup_row(),
        sirup_row(kode_rup="17000002", nama_satker="DINAS PENDIDIKAN", id_satker="85880"),
    ]
    assert "Hanya baris milik <strong>Dinas Pendidikan</strong>" in client.get(URL).content.decode()
    preview = upload(client, csv_bytes(rows))
    client.post(URL, {"token": preview.context["token"]})
    assert list(Process.objects.values_list("agency__code", flat=True)) == ["dinas-pendidikan"]
    assert ImportRun.objects.get().agency == operator.agency


@pytest.mark.django_db
def test_supervisors_do_not_import(client):
    client.force_login(make_supervisor())
    assert client.get(URL).status_code == 403
