"""A SiRUP plan marked inactive against its LPSE tender: LPSE's record of a tender won (or still
running) keeps the package published, in either import order and on re-import, with the
disagreement said on the row; without LPSE activity, or with a tender LPSE says failed, the
package is withdrawn as before. An operator's withdrawal is never undone."""

import pytest
from django.utils import timezone

from agencies.models import Agency
from contracts.models import Process, Status
from contracts.ocds import package_state
from contracts.services import withdraw_process
from imports.common import PLAN_CANCELLED_REASON
from imports.models import ImportKind
from imports.services import run_import
from tests.factories import make_operator
from tests.imports.test_imports import csv_bytes, import_plans, sirup_row
from tests.imports.test_nontender import import_non_tenders, non_tender_row
from tests.imports.test_order import TENDER_HEADER, tender_row

WON = "RUP tidak aktif di SiRUP, tetapi tender di LPSE selesai dengan pemenang: paket tetap terbit"
RUNNING = "RUP tidak aktif di SiRUP, tetapi tender di LPSE masih berjalan"

INACTIVE_PLANS = [
    sirup_row(status_aktif="tidak"),  # its tender won on LPSE
    sirup_row(kode_rup="17000002", nama_paket="Pengadaan Obat", status_aktif="tidak"),  # none
    sirup_row(kode_rup="17000003", nama_paket="Gedung Farmasi", status_aktif="tidak"),  # failed
    sirup_row(kode_rup="17000004", nama_paket="Pagar Puskesmas", status_aktif="tidak"),  # running
]
TENDERS = [
    tender_row(tahap_tender="Tender Sudah Selesai"),
    tender_row(
        kode_lelang="5009246",
        id_rup="17000003",
        nama_paket="Gedung Farmasi",
        tahap_tender="Tender Gagal",
        nama_pemenang="",
        npwp_pemenang="",
    ),
    tender_row(
        kode_lelang="5009247",
        id_rup="17000004",
        nama_paket="Pagar Puskesmas",
        tahap_tender="Evaluasi Administrasi, Kualifikasi, Teknis, dan Harga",
        nama_pemenang="",
        npwp_pemenang="",
    ),
]


def import_tenders(rows):
    return run_import(
        kind=ImportKind.LPSE_TENDER,
        content=csv_bytes(rows, header=[*TENDER_HEADER, "tahap_tender"]),
        filename="tender.csv",
        commit=True,
    )


def notes(report):
    return {row.key: " ".join(row.messages) for row in report.rows}


def package(rup_code):
    return Process.objects.select_related("agency", "supplier").get(rup_code=rup_code)


def tender_status(process):
    return package_state(process, as_of=timezone.now())["tender"]["status"]


@pytest.mark.django_db
@pytest.mark.parametrize("order", [("plans", "tenders"), ("tenders", "plans")], ids="-".join)
def test_a_tender_lpse_shows_won_or_running_keeps_its_package_published(order):
    steps = {
        "plans": lambda: import_plans(csv_bytes(INACTIVE_PLANS)),
        "tenders": lambda: import_tenders(TENDERS),
    }
    reports = {step: steps[step]() for step in order}
    # The second file meets the first: its report says where the sources disagree.
    said = notes(reports[order[1]])
    won_key, running_key = (
        ("5009244", "5009247") if order[1] == "tenders" else ("17000001", "17000004")
    )
    assert WON in said[won_key]
    assert RUNNING in said[running_key]

    won = package("17000001")
    assert won.status == Status.PUBLISHED and won.withdrawn_reason == ""
    assert won.supplier.name == "CV. CONTOH KARYA"
    assert tender_status(won) == "complete"
    running = package("17000004")
    assert running.status == Status.PUBLISHED
    assert tender_status(running) == "active"
    # No LPSE activity, or a tender LPSE says failed: the plan's cancellation stands.
    for code in ("17000002", "17000003"):
        cancelled = package(code)
        assert cancelled.status == Status.WITHDRAWN
        assert cancelled.withdrawn_reason == PLAN_CANCELLED_REASON
    assert tender_status(package("17000003")) == "cancelled"  # it reached the selection

    # Again, in the same order: nothing moves, and the plan's report still says it.
    again = {step: steps[step]() for step in order}
    assert all(
        again[step].counts["created"] == again[step].counts["updated"] == 0 for step in order
    )
    assert WON in notes(again["plans"])["17000001"]
    assert [package(c).status for c in ("17000001", "17000002", "17000003", "17000004")] == [
        Status.PUBLISHED,
        Status.WITHDRAWN,
        Status.WITHDRAWN,
        Status.PUBLISHED,
    ]


@pytest.mark.django_db
def test_an_inactive_plan_without_lpse_activity_is_withdrawn_even_when_published_before():
    import_plans(csv_bytes([sirup_row(kode_rup="17000002", nama_paket="Pengadaan Obat")]))
    assert package("17000002").status == Status.PUBLISHED
    report = import_plans(csv_bytes([INACTIVE_PLANS[1]]))
    assert report.counts["updated"] == 1
    assert package("17000002").status == Status.WITHDRAWN
    assert "LPSE" not in notes(report)["17000002"]


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["Paket dobel dengan paket lain.", PLAN_CANCELLED_REASON])
def test_an_import_never_republishes_what_an_operator_withdrew(reason):
    import_plans(csv_bytes([sirup_row()]))
    operator = make_operator(Agency.objects.get(code="dinas-kesehatan"))
    withdraw_process(process=package("17000001"), by=operator, reason=reason)

    import_tenders(TENDERS[:1])
    import_plans(csv_bytes(INACTIVE_PLANS[:1]))
    import_tenders(TENDERS[:1])
    process = package("17000001")
    assert process.status == Status.WITHDRAWN and process.withdrawn_reason == reason
    assert process.supplier.name == "CV. CONTOH KARYA"  # the data still follows LPSE


@pytest.mark.django_db
@pytest.mark.parametrize("order", [("plans", "tenders"), ("tenders", "plans")], ids="-".join)
def test_a_running_tender_that_then_fails_leaves_its_inactive_plan_withdrawn(order):
    steps = {
        "plans": lambda: import_plans(csv_bytes(INACTIVE_PLANS[3:])),
        "tenders": lambda: import_tenders(TENDERS[2:]),
    }
    for step in order:
        steps[step]()
    assert package("17000004").status == Status.PUBLISHED

    failed = import_tenders([{**TENDERS[2], "tahap_tender": "Tender Batal"}])
    assert "paket ditarik" in notes(failed)["5009247"]
    process = package("17000004")
    assert process.status == Status.WITHDRAWN
    assert process.withdrawn_reason == PLAN_CANCELLED_REASON
    assert tender_status(process) == "cancelled"
    # ... and the plan's own re-import agrees.
    assert import_plans(csv_bytes(INACTIVE_PLANS[3:])).counts["updated"] == 0
    assert package("17000004").status == Status.WITHDRAWN


@pytest.mark.django_db
def test_a_non_tender_lpse_shows_with_its_supplier_keeps_its_package_published():
    import_plans(csv_bytes([INACTIVE_PLANS[2]]))  # kode RUP 17000003, inactive
    assert package("17000003").status == Status.WITHDRAWN
    report = import_non_tenders([non_tender_row()])  # its Pengadaan Langsung, finished
    assert "non tender di LPSE selesai dengan pemenang" in notes(report)["3120244"]
    process = package("17000003")
    assert process.status == Status.PUBLISHED
    assert process.supplier.name == "CV. MITRA ATK"
