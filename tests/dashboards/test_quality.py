"""The data-quality report in the supervisors' pages: per agency and check, the failing
packages behind each cell, and who may see and ask for what."""

import datetime

import pytest
from django.urls import reverse
from procrastinate.contrib.django.models import ProcrastinateJob

from agencies.models import Agency
from contracts import services
from contracts.models import Supplier
from dashboards import views
from opendata import quality
from opendata.models import QualityRun
from tests.factories import (
    make_administrator,
    make_operator,
    make_process,
    make_supervisor,
    planning_fields,
)

URL = "/pengawasan/kualitas-data/"


def publish(operator, **fields):
    process = make_process(operator.agency, **{**planning_fields(), **fields})
    services.publish_process(process=process, by=operator)
    return process


def signed_before_award(supplier, **fields):
    return {
        "supplier": supplier,
        "award_amount": 900_000_000,
        "award_date": datetime.date(2018, 5, 20),
        "contract_amount": 900_000_000,
        "contract_signed": datetime.date(2018, 5, 2),
        **fields,
    }


@pytest.fixture
def report(media_root):
    health = Agency.objects.get(code="dinas-kesehatan")
    schools = Agency.objects.get(code="dinas-pendidikan")
    supplier = Supplier.objects.create(npwp="0012345674123000", name="CV Maju")
    health_operator, schools_operator = make_operator(health), make_operator(schools)
    late = [
        publish(health_operator, title=f"Puskesmas {n}", **signed_before_award(supplier))
        for n in range(3)
    ]
    other_year = publish(
        health_operator,
        title="Puskesmas 2019",
        fiscal_year=2019,
        **signed_before_award(supplier),
    )
    schools_late = publish(
        schools_operator, title="Gedung sekolah", **signed_before_award(supplier)
    )
    quality.refresh()
    return {
        "health": health,
        "schools": schools,
        "late": late,
        "other_year": other_year,
        "schools_late": schools_late,
        "health_operator": health_operator,
    }


@pytest.mark.django_db
def test_visitors_and_operators_never_see_the_failing_packages(client, report):
    cell = reverse("dashboards:quality-failures", args=["tanggal_runtut"])
    for url in [URL, cell]:
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    # An operator, even of the agency concerned, has the workspace for their own packages.
    client.force_login(report["health_operator"])
    for url in [URL, cell, f"{cell}?pd=dinas-kesehatan"]:
        assert client.get(url).status_code == 403
    assert client.post(reverse("dashboards:quality-refresh")).status_code == 403
    assert not ProcrastinateJob.objects.exists()


@pytest.mark.django_db
def test_a_supervisor_reads_the_table_per_agency_and_check(client, report):
    client.force_login(make_supervisor())
    page = client.get(f"{URL}?tahun=2018").content.decode()
    assert "Kualitas data terbuka — 2018" in page
    assert 'class="table-scroll"' in page
    health_row = page.split('data-agency="dinas-kesehatan"')[1].split("</tr>")[0]
    dates = health_row.split('data-check="tanggal_runtut"')[1].split("</td>")[0]
    # Three packages of 2018 signed before their award: 0 of 3, 0,0%, linked to the list.
    assert "0,0%" in dates and "0/3" in dates
    assert "?pd=dinas-kesehatan&amp;tahun=2018" in dates
    # Every year: the 2019 package joins.
    page = client.get(URL).content.decode()
    health_row = page.split('data-agency="dinas-kesehatan"')[1].split("</tr>")[0]
    assert "0/4" in health_row.split('data-check="tanggal_runtut"')[1].split("</td>")[0]
    # No refresh button for a supervisor: administrators ask.
    assert reverse("dashboards:quality-refresh") not in page


@pytest.mark.django_db
def test_the_failing_packages_of_a_cell_page_and_link_to_the_workspace(
    client, report, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(views, "FAILURES_PER_PAGE", 2)
    client.force_login(make_supervisor())
    cell = reverse("dashboards:quality-failures", args=["tanggal_runtut"])

    first = client.get(f"{cell}?pd=dinas-kesehatan&tahun=2018")
    page = first.content.decode()
    assert "3 paket Dinas Kesehatan tahun anggaran 2018 gagal" in page
    assert "Halaman 1 dari 2" in page
    assert "halaman=2" in page and "pd=dinas-kesehatan" in page
    second = client.get(f"{cell}?pd=dinas-kesehatan&tahun=2018&halaman=2").content.decode()
    listed = [p for p in report["late"] if p.title in page or p.title in second]
    assert listed == report["late"]
    for process in report["late"]:
        shown = page if process.title in page else second
        assert reverse("admin:contracts_process_change", args=[process.pk]) in shown
    assert "sebelum tanggal penetapan 2018-05-20" in page
    # The other agency's package and the other year's are not in this cell.
    for process in [report["schools_late"], report["other_year"]]:
        assert process.title not in page + second

    # Every agency, every year: all five.
    everything = client.get(cell).content.decode()
    assert "5 paket gagal" in everything
    # The page's queries do not grow with the rows shown.
    with django_assert_num_queries(8):
        client.get(f"{cell}?pd=dinas-kesehatan&tahun=2018")


@pytest.mark.django_db
def test_unknown_checks_and_agencies_are_pages_that_do_not_exist(client, report):
    client.force_login(make_supervisor())
    assert client.get(reverse("dashboards:quality-failures", args=["tidak-ada"])).status_code == 404
    cell = reverse("dashboards:quality-failures", args=["skema"])
    assert client.get(f"{cell}?pd=tidak-ada").status_code == 404
    # A year the report does not have is every year, as on the other pages.
    assert client.get(f"{cell}?tahun=99999999999").status_code == 200


@pytest.mark.django_db
def test_an_administrator_asks_for_a_run_and_the_queue_takes_it(client, report):
    admin = make_administrator()
    client.force_login(admin)
    page = client.get(URL).content.decode()
    assert reverse("dashboards:quality-refresh") in page

    response = client.post(reverse("dashboards:quality-refresh"), follow=True)
    assert "masuk antrean" in response.content.decode()
    job = ProcrastinateJob.objects.get()
    assert job.task_name.endswith("refresh_data_quality")
    assert job.args == {"requested_by_id": admin.pk}
    assert QualityRun.objects.count() == 1  # nothing computed in the request
    again = client.post(reverse("dashboards:quality-refresh"), follow=True).content.decode()
    assert "sudah ada di antrean" in again
    assert "Penghitungan ulang sedang antre atau berjalan." in again
    assert client.get(reverse("dashboards:quality-refresh")).status_code == 405

    client.force_login(make_supervisor())
    assert client.post(reverse("dashboards:quality-refresh")).status_code == 403


@pytest.mark.django_db
def test_before_the_first_run_the_page_says_so(client, media_root):
    client.force_login(make_supervisor())
    page = client.get(URL).content.decode()
    assert "Kualitas data belum dihitung." in page
    assert "Apa yang diperiksa" in page
