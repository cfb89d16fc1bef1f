"""Release history: one stored release per change of a published package's public data."""

import datetime
import json

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
def test_a_withdrawn_plan_publishes_its_withdrawal_and_stays_at_its_ocid(client, operator):
    process = make_process(operator.agency, **planning_fields())
    services.publish_process(process=process, by=operator)
    services.withdraw_process(process=process, by=operator, reason="Salah input")
    change(process, operator, title="Diubah setelah ditarik")
    # releaseTag: planningUpdate covers "a tender.status update to indicate that a pipeline
    # proposal has been withdrawn"; tenderCancellation needs a tender, which a plan never had.
    assert tags_of(process) == [["planning"], ["planningUpdate"], ["planningUpdate"]]
    package = client.get(reverse("opendata:release", args=[process.ocid])).json()
    assert schema_errors(package) == []
    withdrawal = package["releases"][1]["tender"]
    # tenderStatus withdrawn: "No further information on this process is available".
    assert (withdrawal["status"], withdrawal["statusDetails"]) == ("withdrawn", "Salah input")
    record = client.get(reverse("opendata:record", args=[process.ocid])).json()
    assert record["records"][0]["compiledRelease"]["tender"]["status"] == "withdrawn"
    # The site's page is gone; the OCDS and the API's package stay, with the reason.
    # Its page is gone (410), saying why and where its OCDS stays.
    page = client.get(reverse("contracts:process-detail", args=[process.pk]))
    assert page.status_code == 410
    assert "Salah input" in page.content.decode()
    api = client.get(reverse("opendata:api-package", args=[process.ocid])).json()
    assert (api["status"], api["alasan_penarikan"], api["url"]) == (
        "withdrawn",
        "Salah input",
        None,
    )


@pytest.mark.django_db
def test_a_withdrawn_tender_publishes_a_tender_cancellation(client, operator):
    process = make_process(
        operator.agency, **planning_fields(tender_code="5009244", hps_amount=1_200_000_000)
    )
    services.publish_process(process=process, by=operator)
    services.withdraw_process(process=process, by=operator, reason="Anggaran dialihkan")
    # The planned dates will not be met now (notMet): the plan changes with the tender.
    assert tags_of(process) == [["planning", "tender"], ["planningUpdate", "tenderCancellation"]]
    package = client.get(reverse("opendata:release", args=[process.ocid])).json()
    tender = package["releases"][-1]["tender"]
    assert (tender["status"], tender["statusDetails"]) == ("cancelled", "Anggaran dialihkan")
    assert schema_errors(package) == []


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


def compile_with_ocdskit(releases):
    """OCP's compile (ocdskit.combine.merge) of these releases, with the local release schema
    (its merge rules), so nothing is fetched."""
    from ocdskit.combine import merge

    from contracts.ocds import SCHEMA_DIR, release_package

    schema = json.loads((SCHEMA_DIR / "release-schema.json").read_text())
    package = release_package(releases, uri="https://contoh/ocds.json")
    (compiled,) = merge([package], schema=schema)
    return compiled


def without_empty_objects(data):
    """ocdsmerge deletes fields one by one: an object all of whose fields were deleted stays
    as `{}`, which says nothing (OCDS publishes absent rather than empty, as we do)."""
    if isinstance(data, dict):
        kept = {key: without_empty_objects(value) for key, value in data.items()}
        return {key: value for key, value in kept.items() if value != {}}
    if isinstance(data, list):
        return [without_empty_objects(item) for item in data]
    return data


@pytest.fixture
def offline(monkeypatch):
    """Any attempt to open a network connection fails the test."""
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError(f"network connection attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.django_db
def test_ocdskit_compile_of_the_releases_is_the_compiled_release(
    client, operator, media_root, offline
):
    """A package's whole life, a release after each step: at every step OCP's compile of the
    published releases equals the portal's compiled release, `id` and `date` included (both
    are the newest release's: ocdskit's id is `{ocid}-{date}`)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from contracts.models import (
        Amendment,
        Bidder,
        DocumentType,
        Payment,
        ProgressPhoto,
        ProgressReport,
    )
    from contracts.pdf import inspect_upload
    from opendata_kontrak import photos
    from tests import pdfs
    from tests.participation.test_reports import jpeg_with_gps

    process = make_process(operator.agency, **planning_fields())
    winner = Supplier.objects.create(npwp="0012345678901000", name="CV Maju")
    rival = Supplier.objects.create(npwp="0098765432109000", name="PT Saingan")

    def rows(*created):
        services.record_rows_changed(process=process, by=operator, label="uji", added=created)

    steps = [
        lambda: services.publish_process(process=process, by=operator),
        lambda: change(
            process,
            operator,
            tender_code="5009244",
            hps_amount=1_200_000_000,
            tender_announced=D(2018, 4, 2),
            bid_deadline=D(2018, 4, 16),
            procuring_entity="Pokja 3",
            number_of_tenderers=9,
        ),
        lambda: rows(
            Bidder.objects.create(process=process, supplier=winner, bid_amount=1_150_000_000),
            Bidder.objects.create(process=process, supplier=rival, bid_amount=1_190_000_000),
        ),
        lambda: change(
            process, operator, supplier=winner, award_amount=1_150_000_000, award_date=D(2018, 5, 1)
        ),
        lambda: change(
            process,
            operator,
            contract_number="027/SPK/2018",
            contract_amount=1_150_000_000,
            contract_signed=D(2018, 5, 7),
            contract_start=D(2018, 5, 7),
            contract_end=D(2018, 11, 5),
        ),
        # A progress report from the field page, with a photo from the camera.
        lambda: services.add_implementation_row(
            row=ProgressReport(
                process=Process.objects.get(pk=process.pk),
                date=D(2018, 8, 1),
                physical_percent=50,
                financial_percent=40,
            ),
            by=operator,
            photos=[photos.clean(SimpleUploadedFile("lokasi.jpg", jpeg_with_gps()))],
        ),
        lambda: rows(
            Payment.objects.create(
                process=process,
                label="Termin 1",
                sp2d_number="0412/SP2D/LS/2018",
                amount=500_000_000,
                date=D(2018, 8, 5),
            ),
        ),
        # An operator clears the HPS and the bid deadline.
        lambda: change(process, operator, hps_amount=None, bid_deadline=None),
        lambda: services.add_documents(
            process=Process.objects.get(pk=process.pk),
            stage="kontrak",
            document_type=DocumentType.objects.get(code="spmk"),
            uploads=[
                (
                    upload := SimpleUploadedFile("SPMK.pdf", pdfs.good_pdf("SPMK")),
                    inspect_upload(upload),
                )
            ],
            by=operator,
        ),
        # The agency's DPA, uploaded once for all its packages of the year.
        lambda: services.add_agency_documents(
            agency=operator.agency,
            fiscal_year=process.fiscal_year,
            document_type=DocumentType.objects.get(code="dpa"),
            uploads=[
                (
                    upload := SimpleUploadedFile("DPA 2018.pdf", pdfs.good_pdf("DPA")),
                    inspect_upload(upload),
                )
            ],
            by=operator,
        ),
        # An addendum of time and value (adendum): the contract as amended.
        lambda: rows(
            Amendment.objects.create(
                process=process,
                number="027/ADD-1/2018",
                date=D(2018, 10, 20),
                description="Tambah pekerjaan drainase",
                new_amount=1_210_000_000,
                new_end=D(2018, 12, 20),
            )
        ),
        lambda: services.withdraw_process(
            process=Process.objects.get(pk=process.pk), by=operator, reason="Putusan sanggah"
        ),
    ]
    for number, step in enumerate(steps, start=1):
        step()
        assert Release.objects.filter(process=process).count() == number, number
        record = client.get(reverse("opendata:record", args=[process.ocid])).json()["records"][0]
        # Red flags are the publisher's analysis of today's data, never in releases.
        compiled = {k: v for k, v in record["compiledRelease"].items() if k != "redFlags"}
        assert without_empty_objects(compile_with_ocdskit(record["releases"])) == compiled, number

    releases = [r.data for r in Release.objects.filter(process=process)]
    assert [r.tags for r in Release.objects.filter(process=process)] == [
        ["planning"],
        ["tender"],
        ["tenderUpdate"],
        ["tenderUpdate", "award"],  # the award completes the tender (tender.status)
        ["planningUpdate", "contract"],  # the contract's start meets the planned start
        ["implementation"],  # the progress report and its photo
        ["implementationUpdate"],  # the payment
        ["tenderUpdate"],
        ["contractUpdate"],
        ["planningUpdate"],  # the agency's DPA joins planning.documents
        # The addendum, and the hand-over milestone now due at the amended end.
        ["contractAmendment", "implementationUpdate"],
        # Withdrawn: tender and award cancelled; the planned dates and the hand-over that
        # will not come are not met (planning, implementation).
        [
            "planningUpdate",
            "tenderCancellation",
            "awardCancellation",
            "contractUpdate",
            "implementationUpdate",
        ],
    ]
    # The clearing is published as OCDS deletes: explicit nulls in the next release only.
    cleared = releases[7]["tender"]
    assert cleared["value"] == {"amount": None, "currency": None}
    assert cleared["tenderPeriod"] == {
        "startDate": releases[6]["tender"]["tenderPeriod"]["startDate"],
        "endDate": None,
    }
    assert (
        "value" not in releases[8]["tender"]
        and "endDate" not in releases[8]["tender"]["tenderPeriod"]
    )
    assert "value" not in record["compiledRelease"]["tender"]
    compiled = record["compiledRelease"]
    (contract,) = compiled["contracts"]
    assert contract["value"] == {"amount": 1_210_000_000, "currency": "IDR"}
    assert contract["period"]["endDate"].startswith("2018-12-20")
    assert [a["rationale"] for a in contract["amendments"]] == ["Tambah pekerjaan drainase"]
    # The photo: a physical progress report (documentType codelist), its format the image's.
    (photo,) = [
        d for d in contract["implementation"]["documents"] if d["id"].startswith("foto-kemajuan")
    ]
    assert photo["documentType"] == "physicalProgressReport"
    assert photo["format"] == "image/jpeg"
    assert photo["url"].endswith(f"/foto-kemajuan/{ProgressPhoto.objects.get().pk}/")
    assert compiled["date"] == releases[-1]["date"]
    assert compiled["id"] == f"{process.ocid}-{releases[-1]['date']}"
    assert schema_errors(client.get(reverse("opendata:release", args=[process.ocid])).json()) == []


@pytest.mark.django_db
def test_capture_releases_publishes_what_a_new_mapping_says_once(operator, capsys):
    from django.core.management import call_command

    process = make_process(operator.agency, **planning_fields())
    services.publish_process(process=process, by=operator)
    # As a release stored by an older mapping: a field the current one no longer publishes.
    stored = Release.objects.get(process=process)
    stored.data["tender"]["numberOfTenderers"] = 5
    stored.digest = "lama"
    stored.save()
    call_command("capture_releases")
    assert "1 paket diperiksa, 1 rilis baru." in capsys.readouterr().out
    newest = Release.objects.filter(process=process).last()
    assert newest.data["tender"]["numberOfTenderers"] is None  # deleted, as OCDS deletes
    call_command("capture_releases")
    assert "1 paket diperiksa, 0 rilis baru." in capsys.readouterr().out
