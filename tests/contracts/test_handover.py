"""The hand-over of the work: PHO (serah terima pertama, the BAST), the maintenance period and
FHO (serah terima akhir), in the model, the admin, the public page and OCDS; and contracts over
more than one fiscal year."""

import csv
import datetime
import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from agencies.models import Agency
from contracts import services
from contracts.models import (
    Process,
    ProgressReport,
    Release,
    StageCompleteness,
    StageRequirement,
    Supplier,
)
from contracts.ocds import package_state, related_lists, release_package
from tests.admin_forms import form_data
from tests.factories import make_operator, make_process, planning_fields
from tests.ocds_review import review
from tests.opendata.test_releases import compile_with_ocdskit, without_empty_objects

D = datetime.date
CODELISTS = Path(__file__).resolve().parents[2] / "contracts/ocds/1.1.5/codelists"
MIGRATION = importlib.import_module("contracts.migrations.0020_handover_and_planned_progress")
NEEDS_PHO = importlib.import_module("contracts.migrations.0023_handover_needs_pho")


def codes(name):
    with open(CODELISTS / f"{name}.csv", newline="", encoding="utf-8") as handle:
        return {row["Code"] for row in csv.DictReader(handle)}


@pytest.fixture
def operator():
    return make_operator(Agency.objects.get(code="dinas-kesehatan"), username="operator-pho")


def contracted(operator, **more):
    supplier, _ = Supplier.objects.get_or_create(npwp="0012345678901000", name="CV Maju")
    fields = {
        "tender_code": "5009244",
        "hps_amount": 1_200_000_000,
        "tender_announced": D(2018, 4, 2),
        "bid_deadline": D(2018, 4, 16),
        "supplier": supplier,
        "award_amount": 1_150_000_000,
        "award_date": D(2018, 4, 30),
        "contract_number": "027/SPK/2018",
        "contract_amount": 1_150_000_000,
        "contract_signed": D(2018, 5, 7),
        "contract_start": D(2018, 5, 7),
        "contract_end": D(2018, 11, 5),
    }
    process = make_process(operator.agency, **planning_fields(**{**fields, **more}))
    services.publish_process(process=process, by=operator)
    return Process.objects.get(pk=process.pk)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "dates, field, words",
    [
        (
            {"pho_date": D(2018, 5, 1)},
            "pho_date",
            "Serah terima pertama (PHO) tidak boleh sebelum mulai kontrak: pekerjaan "
            "diserahterimakan setelah dikerjakan. Periksa kedua tanggal.",
        ),
        (
            {"pho_date": D(2018, 11, 5), "maintenance_end": D(2018, 11, 1)},
            "maintenance_end",
            "Akhir masa pemeliharaan tidak boleh sebelum serah terima pertama (PHO): masa "
            "pemeliharaan dihitung sejak PHO.",
        ),
        # Both dates there, the FHO before the PHO: the message asks for nothing already filled.
        (
            {"pho_date": D(2018, 11, 20), "fho_date": D(2018, 11, 10)},
            "fho_date",
            "Serah terima akhir (FHO) tidak boleh sebelum serah terima pertama (PHO): periksa "
            "kedua tanggal.",
        ),
        (
            {"fho_date": D(2019, 5, 5)},
            "fho_date",
            "Serah terima akhir (FHO) menyusul serah terima pertama (PHO): isi tanggal PHO lebih "
            "dahulu.",
        ),
        # A maintenance period runs from the PHO: none without it, not even before the works.
        (
            {"maintenance_end": D(2019, 5, 4)},
            "maintenance_end",
            "Akhir masa pemeliharaan menyusul serah terima pertama (PHO): isi tanggal PHO lebih "
            "dahulu, karena masa pemeliharaan dihitung sejak PHO.",
        ),
        (
            {"maintenance_end": D(2018, 1, 1)},
            "maintenance_end",
            "Akhir masa pemeliharaan menyusul serah terima pertama (PHO): isi tanggal PHO lebih "
            "dahulu, karena masa pemeliharaan dihitung sejak PHO.",
        ),
    ],
)
def test_handover_dates_out_of_order_are_refused_in_words_at_their_field(
    operator, dates, field, words
):
    process = contracted(operator)
    for name, value in dates.items():
        setattr(process, name, value)
    with pytest.raises(ValidationError) as refused:
        process.full_clean()
    # One rule broken, one message, at the field to fix.
    assert refused.value.message_dict == {field: [words]}
    # The database holds the rule too, whatever writes the row.
    with transaction.atomic(), pytest.raises(IntegrityError):
        Process.objects.filter(pk=process.pk).update(**dates)


@pytest.mark.django_db
def test_a_maintenance_end_without_pho_is_refused_by_the_database(operator):
    process = contracted(operator)
    with transaction.atomic(), pytest.raises(IntegrityError) as refused:
        Process.objects.filter(pk=process.pk).update(maintenance_end=D(2019, 5, 4))
    assert "process_maintenance_end_needs_pho_date" in str(refused.value)
    # With its PHO, the same end is kept.
    Process.objects.filter(pk=process.pk).update(
        pho_date=D(2018, 11, 5), maintenance_end=D(2019, 5, 4)
    )
    assert Process.objects.get(pk=process.pk).maintenance_end == D(2019, 5, 4)


@pytest.mark.django_db
def test_the_migration_names_the_packages_to_fix_before_adding_the_rule(operator):
    # A row as 0020 allowed it: the rule set aside for this test's transaction.
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER TABLE {Process._meta.db_table} "
            "DROP CONSTRAINT process_maintenance_end_needs_pho_date"
        )
    process = contracted(operator, title="Rehab Puskesmas Kalitidu")
    clean = contracted(operator, title="Jalan Desa", pho_date=D(2018, 11, 5))
    Process.objects.filter(pk__in=[process.pk, clean.pk]).update(maintenance_end=D(2019, 5, 4))
    with pytest.raises(RuntimeError) as refused:
        NEEDS_PHO.refuse_maintenance_end_without_pho(apps, None)
    assert f"{process.pk}: Rehab Puskesmas Kalitidu" in str(refused.value)
    assert "Jalan Desa" not in str(refused.value)
    assert Process.objects.get(pk=process.pk).maintenance_end == D(2019, 5, 4)  # nothing lost


@pytest.mark.django_db
def test_the_admin_refuses_a_maintenance_end_without_pho_in_words(client, operator):
    process = contracted(operator)
    client.force_login(operator)
    url = reverse("admin:contracts_process_change", args=[process.pk])
    response = client.post(
        url, form_data(client.get(url), maintenance_end="04/01/2018", _continue="1")
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["maintenance_end"] == [
        "Akhir masa pemeliharaan menyusul serah terima pertama (PHO): isi tanggal PHO lebih "
        "dahulu, karena masa pemeliharaan dihitung sejak PHO."
    ]
    assert not form.non_field_errors()
    assert form["maintenance_end"].value() == "04/01/2018"  # what was typed is kept
    assert Process.objects.get(pk=process.pk).maintenance_end is None


@pytest.mark.django_db
def test_handover_in_order_is_accepted(operator):
    process = contracted(
        operator,
        pho_date=D(2018, 11, 5),
        maintenance_end=D(2019, 5, 4),
        fho_date=D(2019, 5, 6),
    )
    process.full_clean()
    # The PHO on the day the contract starts, the FHO on the PHO's day: allowed (same day).
    process.pho_date = process.fho_date = process.maintenance_end = process.contract_start
    process.full_clean()


@pytest.mark.django_db
def test_the_admin_keeps_pho_maintenance_and_fho(client, operator):
    process = contracted(operator)
    client.force_login(operator)
    url = reverse("admin:contracts_process_change", args=[process.pk])
    page = client.get(url)
    assert "tanggal serah terima pertama (pho/bast)" in page.content.decode().lower()
    response = client.post(
        url,
        form_data(
            page,
            pho_date="05/11/2018",
            maintenance_end="04/05/2019",
            fho_date="06/05/2019",
            _continue="1",
        ),
    )
    assert response.status_code == 302
    process.refresh_from_db()
    assert (process.pho_date, process.maintenance_end, process.fho_date) == (
        D(2018, 11, 5),
        D(2019, 5, 4),
        D(2019, 5, 6),
    )
    # An FHO before the PHO: refused beside the field, what was typed kept, and the words say
    # only what is wrong (the PHO is there).
    response = client.post(url, form_data(client.get(url), fho_date="01/11/2018", _continue="1"))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["fho_date"] == [
        "Serah terima akhir (FHO) tidak boleh sebelum serah terima pertama (PHO): periksa kedua "
        "tanggal."
    ]
    assert form["fho_date"].value() == "01/11/2018"
    process.refresh_from_db()
    assert process.fho_date == D(2019, 5, 6)


@pytest.mark.django_db
def test_the_package_page_shows_pho_maintenance_and_fho(client, operator):
    process = contracted(
        operator, pho_date=D(2018, 11, 20), maintenance_end=D(2019, 5, 19), fho_date=D(2019, 5, 21)
    )
    page = client.get(reverse("contracts:process-detail", args=[process.pk])).content.decode()
    assert "Serah terima pertama (PHO/BAST)</dt><dd>20 November 2018" in page
    assert "Akhir masa pemeliharaan</dt><dd>19 Mei 2019" in page
    assert "Serah terima akhir (FHO)</dt><dd>21 Mei 2019" in page
    # 15 days after the signed end of 5 November, no addendum: said so.
    assert "terlambat 15 hari dari akhir kontrak (5 November 2018)" in page


@pytest.mark.django_db
def test_a_pho_on_time_says_nothing_late(client, operator):
    process = contracted(operator, pho_date=D(2018, 11, 5))
    page = client.get(reverse("contracts:process-detail", args=[process.pk])).content.decode()
    assert "Serah terima pertama (PHO/BAST)</dt><dd>5 November 2018" in page
    assert "hari dari akhir kontrak" not in page
    assert "Serah terima akhir (FHO)" not in page  # nothing recorded, nothing awaited


@pytest.mark.django_db
def test_a_long_delay_is_written_with_thousands_dots(client, operator):
    # 5 November 2018 to 5 November 2021: three years with 29 February 2020, 1,096 days; +4.
    process = contracted(operator, pho_date=D(2021, 11, 9))
    page = client.get(reverse("contracts:process-detail", args=[process.pk])).content.decode()
    assert "terlambat 1.100 hari dari akhir kontrak (5 November 2018)" in page


def handover_milestones(state):
    milestones = state["contracts"][0]["implementation"]["milestones"]
    return {m["id"]: m for m in milestones if m["id"].startswith("serah-terima")}


@pytest.mark.django_db
def test_pho_and_fho_are_delivery_milestones_met_on_their_dates(operator):
    process = contracted(
        operator, pho_date=D(2018, 11, 5), maintenance_end=D(2019, 5, 4), fho_date=D(2019, 5, 6)
    )
    lists = related_lists(process)

    def at(day):
        moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
        return package_state(process, as_of=moment, **lists)

    during_works = at(D(2018, 10, 1))
    maintenance = at(D(2019, 1, 2))
    after = at(D(2019, 6, 1))
    pho, fho = handover_milestones(maintenance).values()
    assert (pho["id"], pho["type"], pho["status"]) == ("serah-terima", "delivery", "met")
    assert pho["dateMet"].startswith("2018-11-05") and pho["dueDate"].startswith("2018-11-05")
    # During the maintenance period the FHO is due at its end, not met yet.
    assert (fho["id"], fho["type"], fho["status"]) == (
        "serah-terima-akhir",
        "delivery",
        "scheduled",
    )
    assert fho["dueDate"].startswith("2019-05-04") and "dateMet" not in fho
    assert handover_milestones(after)["serah-terima-akhir"]["status"] == "met"
    assert handover_milestones(after)["serah-terima-akhir"]["dateMet"].startswith("2019-05-06")
    assert handover_milestones(during_works)["serah-terima"]["status"] == "scheduled"
    # A works contract is in force through its maintenance period, done at the FHO.
    assert maintenance["contracts"][0]["status"] == "active"
    assert after["contracts"][0]["status"] == "terminated"
    for state in (during_works, maintenance, after):
        for milestone in handover_milestones(state).values():
            assert milestone["type"] in codes("milestoneType")
            assert milestone["status"] in codes("milestoneStatus")
        assert state["contracts"][0]["status"] in codes("contractStatus")


@pytest.mark.django_db
def test_goods_without_maintenance_end_at_the_pho(operator):
    process = contracted(operator, category="barang", pho_date=D(2018, 11, 5))
    state = package_state(
        process,
        as_of=datetime.datetime(2019, 1, 2, tzinfo=datetime.UTC),
        **related_lists(process),
    )
    assert list(handover_milestones(state)) == ["serah-terima"]
    assert state["contracts"][0]["status"] == "terminated"


@pytest.mark.django_db
def test_the_handover_milestones_pass_the_ocds_review(operator):
    process = contracted(
        operator, pho_date=D(2018, 11, 5), maintenance_end=D(2019, 5, 4), fho_date=D(2019, 5, 6)
    )
    services.record_rows_changed(process=process, by=operator, label="uji", added=[1])
    releases = [r.data for r in Release.objects.filter(process=process)]
    result = review(release_package(releases, uri="https://contoh/ocds.json"))
    assert result.schema_errors == []
    assert result.codelist_errors == []
    assert result.additional_fields == []
    assert "releases/contracts/implementation/milestones/type" not in result.open_codelist_values


@pytest.mark.django_db
def test_a_report_added_after_the_handover_keeps_the_compiled_order(client, operator):
    """ocdsmerge keeps an array's objects in the order they first appear in the releases: a
    progress report entered after the hand-over milestones appeared must come after them in the
    portal's compiled release too, whatever its date."""
    process = contracted(operator)

    def report(day, percent):
        services.add_implementation_row(
            row=ProgressReport(
                process=Process.objects.get(pk=process.pk),
                date=day,
                physical_percent=percent,
                financial_percent=percent,
            ),
            by=operator,
        )

    report(D(2018, 8, 1), 50)  # the work under way: the hand-over milestones appear
    Process.objects.filter(pk=process.pk).update(
        pho_date=D(2018, 11, 5), maintenance_end=D(2019, 5, 4)
    )
    services.record_rows_changed(process=process, by=operator, label="uji", added=[1])
    report(D(2018, 7, 1), 30)  # an earlier report, entered late
    report(D(2018, 11, 1), 100)
    record = client.get(reverse("opendata:record", args=[process.ocid])).json()["records"][0]
    compiled = {k: v for k, v in record["compiledRelease"].items() if k != "redFlags"}
    assert without_empty_objects(compile_with_ocdskit(record["releases"])) == compiled
    ids = [m["id"] for m in compiled["contracts"][0]["implementation"]["milestones"]]
    first, second, third = ProgressReport.objects.filter(process=process).order_by("pk")
    assert ids == [
        "serah-terima",
        "serah-terima-akhir",
        f"progres-{first.pk}",
        f"progres-{second.pk}",
        f"progres-{third.pk}",
    ]


@pytest.mark.django_db
def test_the_migration_renames_the_field_where_rows_name_it(operator):
    process = contracted(operator, source_values={"completion_date": "2018-11-05", "title": "x"})
    requirement = StageRequirement.objects.create(
        stage="implementasi", field_name="completion_date"
    )
    row = StageCompleteness.objects.get(process=process, stage="implementasi")
    row.missing = [
        {"kind": "field", "code": "completion_date", "label": "tanggal serah terima (BAST)"},
        {"kind": "document", "code": "bast", "label": "BAST"},
    ]
    row.save()
    MIGRATION.rename_field_references(apps, None)
    requirement.refresh_from_db()
    row.refresh_from_db()
    process.refresh_from_db()
    assert requirement.field_name == "pho_date"
    assert row.missing == [
        {"kind": "field", "code": "pho_date", "label": "tanggal serah terima pertama (PHO/BAST)"},
        {"kind": "document", "code": "bast", "label": "BAST"},
    ]
    assert process.source_values == {"pho_date": "2018-11-05", "title": "x"}


@pytest.mark.django_db
def test_the_migration_keeps_each_bast_date_as_the_pho(operator):
    """Back to 0019 and forward again on the real schema: the BAST dates held before are the
    PHO dates after, and a rule naming the old field names the new one."""
    process = contracted(operator, pho_date=D(2018, 11, 5))
    with connection.cursor() as cursor:
        # Rows written in this test's transaction must be checked before the schema changes.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate([("contracts", "0019_bulk_uploads")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT completion_date FROM contracts_process WHERE id = %s", [process.pk])
        assert cursor.fetchone() == (D(2018, 11, 5),)
        cursor.execute(
            "UPDATE contracts_stagerequirement SET field_name = 'completion_date' "
            "WHERE field_name = 'pho_date'"
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("contracts", "0020_handover_and_planned_progress")])
    # And on to the latest, so the model read below has every column it names.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    process.refresh_from_db()
    assert process.pho_date == D(2018, 11, 5)
    assert StageRequirement.objects.filter(field_name="pho_date").exists()
    assert not StageRequirement.objects.filter(field_name="completion_date").exists()


@pytest.mark.django_db
def test_a_multi_year_contract_is_accepted_and_shown(client, operator):
    process = contracted(operator, contract_start=D(2018, 9, 3), contract_end=D(2019, 8, 30))
    process.full_clean()
    page = client.get(reverse("contracts:process-detail", args=[process.pk])).content.decode()
    assert "Kontrak tahun jamak" in page
    assert "masa kontrak 2018\u20132019" in page
    state = package_state(
        process,
        as_of=datetime.datetime(2019, 1, 2, tzinfo=datetime.UTC),
        **related_lists(process),
    )
    period = state["contracts"][0]["period"]
    assert period["startDate"].startswith("2018-09-03")
    assert period["endDate"].startswith("2019-08-30")
    api = client.get(reverse("opendata:api-package", args=[process.ocid])).json()
    assert api["kontrak_tahun_jamak"] is True


@pytest.mark.django_db
def test_a_single_year_contract_pushed_past_december_is_not_multi_year(client, operator):
    from contracts.models import Amendment

    process = contracted(operator, contract_start=D(2018, 9, 3), contract_end=D(2018, 12, 20))
    Amendment.objects.create(
        process=process, number="ADD-1", date=D(2018, 12, 10), new_end=D(2019, 2, 8)
    )
    services.record_rows_changed(process=process, by=operator, label="Adendum", added=[1])
    page = client.get(reverse("contracts:process-detail", args=[process.pk])).content.decode()
    assert "Kontrak tahun jamak" not in page
    assert "Akhir kontrak setelah adendum jatuh di tahun 2019" in page
