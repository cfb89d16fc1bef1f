"""The COPY and array writes of big imports store exactly what Django's own writes would."""

import datetime

import pytest

from agencies.models import Agency
from contracts.models import Process, StageCompleteness
from opendata_kontrak import bulk


def package(agency, pk, **fields):
    return Process(
        pk=pk,
        ocid=f"ocds-test-{pk}",
        agency=agency,
        fiscal_year=2019,
        title=fields.pop("title", f"Paket {pk}"),
        **fields,
    )


@pytest.mark.django_db
def test_copy_insert_stores_every_kind_of_value():
    agency = Agency.objects.first()
    pk = Process.objects.allocate_ids(1)[0]
    bulk.copy_insert(
        [
            package(
                agency,
                pk,
                title="Jalan Dander \u2013 Ngumpakdalem\ttahap 2",
                funding_sources=["APBD", "APBDP"],
                budget_amount=1_250_000_000,
                planned_start=datetime.date(2019, 3, 1),
                method="tender",
                source_values={"title": "Jalan", "planned_start": "2019-03-01"},
            )
        ]
    )
    stored = Process.objects.get(pk=pk)
    assert stored.title == "Jalan Dander \u2013 Ngumpakdalem\ttahap 2"
    assert stored.funding_sources == ["APBD", "APBDP"]
    assert stored.budget_amount == 1_250_000_000
    assert stored.planned_start == datetime.date(2019, 3, 1)
    assert stored.source_values == {"title": "Jalan", "planned_start": "2019-03-01"}
    assert stored.created_at is not None and stored.status == "draft"


@pytest.mark.django_db
def test_update_columns_sets_each_row_its_own_values():
    agency = Agency.objects.first()
    first, second = Process.objects.allocate_ids(2)
    bulk.copy_insert([package(agency, first), package(agency, second)])
    bulk.update_columns(
        Process,
        [(first, "Satu", 10, None), (second, "Dua", None, datetime.date(2019, 5, 2))],
        ["title", "budget_amount", "planned_end"],
    )
    assert list(
        Process.objects.order_by("pk").values_list("title", "budget_amount", "planned_end")
    ) == [("Satu", 10, None), ("Dua", None, datetime.date(2019, 5, 2))]


@pytest.mark.django_db
def test_copy_upsert_updates_clashing_rows_and_adds_the_others():
    agency = Agency.objects.first()
    pk = Process.objects.allocate_ids(1)[0]
    bulk.copy_insert([package(agency, pk)])
    StageCompleteness.objects.create(
        process_id=pk, stage="perencanaan", is_required=True, is_complete=False, missing=[]
    )
    bulk.copy_upsert(
        [
            StageCompleteness(
                process_id=pk, stage="perencanaan", is_required=True, is_complete=True, missing=[]
            ),
            StageCompleteness(
                process_id=pk, stage="kontrak", is_required=True, is_complete=False, missing=[1]
            ),
        ],
        unique_fields=["process", "stage"],
        update_fields=["is_complete", "missing"],
    )
    rows = dict(StageCompleteness.objects.filter(process_id=pk).values_list("stage", "is_complete"))
    assert rows == {"perencanaan": True, "kontrak": False}
