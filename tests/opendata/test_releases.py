"""Release history: one stored release per change of a published package's public data."""

import datetime

import pytest
from django.urls import reverse

from agencies.models import Agency
from contracts import services
from contracts.models import Process, Release, Supplier
from contracts.ocds import schema_errors
from tests.contracts.test_ocds import codes
from tests.factories import make_operator, make_process, planning_fields

D = datetime.date


@pytest.fixture
def operator():
    return make_operator(Agency.objects.get(code="dinas-kesehatan"))


def change(process, operator, **fields):
    process = Process.objects.get(pk=process.pk)
    for name, value in fields.items():
        setattr(process, name, value)
    return services.save_process(process=process, by=operator)


def tags_of(process):
    return [release.tags for release in Release.objects.filter(process=process)]


@pytest.mark.django_db
def test_each_publication_change_adds_one_release_tagged_by_what_changed(operator):
    process = make_process(operator.agency, **planning_fields())
    change(process, operator, title="Rehabilitasi Jalan Dander")
    assert tags_of(process) == []  # a draft publishes nothing

    services.publish_process(process=process, by=operator)
    assert tags_of(process) == [["planning"]]

    change(process, operator, tender_code="5009244", hps_amount=1_200_000_000)
    supplier = Supplier.objects.create(npwp="0012345678901000", name="CV Maju")
    change(process, operator, supplier=supplier, award_amount=1_150_000_000)
    change(process, operator, budget_amount=1_300_000_000)
    change(process, operator, budget_amount=1_300_000_000)  # the same value: no change
    change(process, operator, hps_amount=1_210_000_000, award_date=D(2018, 4, 30))
    assert tags_of(process) == [
        ["planning"],
        ["tender"],
        ["tenderUpdate", "award"],  # the award also completes the tender (tender.status)
        ["planningUpdate"],
        ["tenderUpdate", "awardUpdate"],
    ]
    stored = list(Release.objects.filter(process=process))
    assert [r.sequence for r in stored] == [1, 2, 3, 4, 5]
    assert len({r.data["id"] for r in stored}) == 5
    assert all(tag in codes("releaseTag") for r in stored for tag in r.tags)
    # Releases are kept as published: the first still says the old budget.
    assert stored[0].data["planning"]["budget"]["amount"]["amount"] == 1_250_000_000
    assert stored[-1].data["planning"]["budget"]["amount"]["amount"] == 1_300_000_000


@pytest.mark.django_db
def test_the_package_urls_serve_the_history_and_the_compiled_state(client, operator):
    process = make_process(operator.agency, **planning_fields())
    services.publish_process(process=process, by=operator)
    change(process, operator, tender_code="5009244", hps_amount=1_200_000_000)
    change(process, operator, title="Judul baru")

    package = client.get(reverse("opendata:release", args=[process.ocid])).json()
    assert schema_errors(package) == []
    assert [r["tag"] for r in package["releases"]] == [["planning"], ["tender"], ["tenderUpdate"]]
    dates = [r["date"] for r in package["releases"]]
    assert dates == sorted(dates)

    record = client.get(reverse("opendata:record", args=[process.ocid])).json()
    assert schema_errors(record, "record-package-schema.json") == []
    assert len(record["records"][0]["releases"]) == 3
    compiled = record["records"][0]["compiledRelease"]
    assert compiled["tender"]["title"] == "Judul baru"
    assert compiled["tag"] == ["compiled"]
    # `packages` lists the release package the records' releases come from, not itself.
    assert record["packages"] == [f"http://testserver/ocds/{process.ocid}/"]
    assert record["uri"] not in record["packages"]
    assert client.get(record["packages"][0]).json()["releases"] == record["records"][0]["releases"]


@pytest.mark.django_db
def test_a_withdrawn_package_adds_no_release_and_its_urls_go(client, operator):
    process = make_process(operator.agency, **planning_fields())
    services.publish_process(process=process, by=operator)
    services.withdraw_process(process=process, by=operator, reason="Salah input")
    change(process, operator, title="Diubah setelah ditarik")
    assert tags_of(process) == [["planning"]]
    assert client.get(reverse("opendata:release", args=[process.ocid])).status_code == 404


@pytest.mark.django_db
def test_a_package_published_before_releases_were_stored_shows_its_current_state(client):
    agency = Agency.objects.get(code="dinas-kesehatan")
    process = make_process(
        agency,
        status="published",
        published_at=datetime.datetime(2019, 1, 2, tzinfo=datetime.UTC),
        **planning_fields(),
    )
    Release.objects.filter(process=process).delete()  # as data from before this feature
    package = client.get(reverse("opendata:release", args=[process.ocid])).json()
    assert [r["tag"] for r in package["releases"]] == [["planning"]]
    assert schema_errors(package) == []

    from contracts.releases import capture_missing

    assert capture_missing() == 1
    assert capture_missing() == 0
    assert tags_of(process) == [["planning"]]


@pytest.mark.django_db
def test_capturing_costs_the_same_queries_for_few_or_many_packages(operator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from contracts.releases import capture

    def queries(count):
        ids = [
            make_process(
                operator.agency, status="published", published_at=NOW, **planning_fields()
            ).pk
            for _ in range(count)
        ]
        Process.objects.filter(pk__in=ids).update(title="Berubah")
        with CaptureQueriesContext(connection) as captured:
            assert capture(ids) == count
        return len(captured)

    assert queries(2) == queries(12)


NOW = datetime.datetime(2019, 1, 2, tzinfo=datetime.UTC)
