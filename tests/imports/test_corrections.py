"""An operator's corrections survive re-imports: an import changes a field only when its source
changed it since the last import; when both changed, the operator's value stays unless an
administrator takes the source's."""

import pytest
from django.urls import reverse

from agencies.models import Agency
from contracts.models import AuditEntry, Process
from tests.admin_forms import form_data
from tests.factories import make_operator
from tests.imports.test_imports import HEADER, csv_bytes, import_plans, sirup_row

PLAN_HEADER = [*HEADER, "program", "kegiatan"]


def plan(**overrides):
    return csv_bytes(
        [sirup_row(**{"program": "", "kegiatan": "Pemeliharaan Gedung", **overrides})],
        header=PLAN_HEADER,
    )


def correct(client, process, **fields):
    """An operator of the package's agency corrects it through the workspace's form."""
    operator = make_operator(Agency.objects.get(pk=process.agency_id))
    client.force_login(operator)
    url = reverse("admin:contracts_process_change", args=[process.pk])
    response = client.post(url, form_data(client.get(url), **fields))
    assert response.status_code == 302, response.context["adminform"].form.errors
    client.logout()
    process.refresh_from_db()
    return process


def package():
    return Process.objects.get(rup_code="17000001")


@pytest.mark.django_db
def test_a_re_import_keeps_what_the_operator_filled_in(client):
    import_plans(plan())
    correct(
        client,
        package(),
        program_name="Program Pelayanan Kesehatan",
        activity_name="Rehabilitasi Gedung Puskesmas",
        location_kecamatan="Kapas",
    )

    report = import_plans(plan())

    # The source still says what it said: nothing of the operator's is blanked or undone.
    assert report.counts == {"created": 0, "updated": 0, "unchanged": 1, "skipped": 0}
    process = package()
    assert process.program_name == "Program Pelayanan Kesehatan"
    assert process.activity_name == "Rehabilitasi Gedung Puskesmas"
    assert process.location_kecamatan == "Kapas"
    assert report.rows[0].conflicts == []


@pytest.mark.django_db
def test_a_field_the_source_changed_is_updated_and_listed_field_by_field(client):
    import_plans(plan())
    correct(client, package(), program_name="Program Pelayanan Kesehatan")

    report = import_plans(plan(pagu_rup="1.300.000.000", nama_kpa="dr. Kepala Dinas Baru"))

    assert report.counts["updated"] == 1
    process = package()
    assert process.budget_amount == 1_300_000_000
    assert process.pa_kpa_name == "dr. Kepala Dinas Baru"
    assert process.program_name == "Program Pelayanan Kesehatan"
    # As a person reads them: Rupiah, names.
    assert sorted(report.rows[0].changes) == [
        ["nama PA/KPA", "dr. Kepala Dinas", "dr. Kepala Dinas Baru"],
        ["pagu (Rp)", "Rp 1.250.000.000", "Rp 1.300.000.000"],
    ]
    trail = AuditEntry.objects.filter(process=process, action="change").latest("pk")
    assert trail.changes["pagu (Rp)"] == [1_250_000_000, 1_300_000_000]


@pytest.mark.django_db
def test_both_changed_is_a_conflict_and_the_operator_value_stays(client):
    import_plans(plan())
    correct(client, package(), activity_name="Rehabilitasi Gedung Puskesmas")

    preview = import_plans(plan(kegiatan="Pemeliharaan Rutin Gedung"), commit=False)
    assert preview.rows[0].conflicts == [
        [
            "activity_name",
            "kegiatan",
            "Rehabilitasi Gedung Puskesmas",
            "Pemeliharaan Rutin Gedung",
        ]
    ]
    assert preview.counts["unchanged"] == 1

    import_plans(plan(kegiatan="Pemeliharaan Rutin Gedung"))
    assert package().activity_name == "Rehabilitasi Gedung Puskesmas"
    # Settled once: the same file again raises no conflict.
    again = import_plans(plan(kegiatan="Pemeliharaan Rutin Gedung"), commit=False)
    assert again.rows[0].conflicts == []
    assert again.counts["unchanged"] == 1


@pytest.mark.django_db
def test_the_administrator_may_take_the_source_value_of_a_conflict(client):
    import_plans(plan())
    correct(client, package(), activity_name="Rehabilitasi Gedung Puskesmas", program_name="P1")
    changed = plan(kegiatan="Pemeliharaan Rutin Gedung", program="Program Sumber")

    report = import_plans(changed, take_source={"17000001/activity_name"})

    process = package()
    assert process.activity_name == "Pemeliharaan Rutin Gedung"  # taken
    assert process.program_name == "P1"  # not taken: the operator's stays
    assert report.counts["updated"] == 1
    assert ["kegiatan", "Rehabilitasi Gedung Puskesmas", "Pemeliharaan Rutin Gedung"] in (
        report.rows[0].changes
    )


@pytest.mark.django_db
def test_packages_imported_before_values_were_remembered_are_never_blanked(client):
    import_plans(plan())
    Process.objects.update(source_values={})  # as an older version of the portal left them
    correct(client, package(), program_name="Program Pelayanan Kesehatan")

    report = import_plans(plan(pagu_rup="1.300.000.000"))

    process = package()
    assert process.program_name == "Program Pelayanan Kesehatan"
    assert process.budget_amount == 1_300_000_000
    assert report.counts["updated"] == 1
    # From now on the values are remembered: the next change of the program is a conflict.
    later = import_plans(plan(pagu_rup="1.300.000.000", program="Program Baru"), commit=False)
    assert [c[0] for c in later.rows[0].conflicts] == ["program_name"]


@pytest.mark.django_db
def test_a_place_the_source_could_not_name_before_is_a_conflict_not_an_overwrite(client):
    import_plans(plan(detail_lokasi="Kantor Dinas Kesehatan"))  # names no kecamatan
    correct(client, package(), location_kecamatan="Sumberejo")

    report = import_plans(plan(detail_lokasi="Kec. Dander"), commit=False)

    assert report.rows[0].conflicts == [["location_kecamatan", "kecamatan", "Sumberejo", "Dander"]]
    import_plans(plan(detail_lokasi="Kec. Dander"))
    assert package().location_kecamatan == "Sumberejo"


@pytest.mark.django_db
def test_dates_and_choices_read_as_a_person_reads_them(client):
    import_plans(plan())
    report = import_plans(
        plan(akhir_pekerjaan="2018-12-20", metode_pemilihan="Pengadaan Langsung"),
        commit=False,
    )
    assert sorted(report.rows[0].changes) == [
        ["metode (istilah asli)", "Lelang Umum", "—"],  # a current term needs no original
        ["metode pemilihan", "Tender", "Pengadaan Langsung"],
        ["rencana selesai", "30 November 2018", "20 Desember 2018"],
    ]


@pytest.mark.django_db
def test_a_plan_without_its_pagu_is_kept_as_a_draft_and_never_blanks_a_pagu():
    report = import_plans(plan(pagu_rup=""))
    assert report.counts["created"] == 1
    assert "paket disimpan sebagai draf" in "; ".join(report.rows[0].messages)
    process = package()
    assert (process.status, process.budget_amount) == ("draft", None)

    process.budget_amount = 750_000_000
    process.save()
    again = import_plans(plan(pagu_rup="0"))
    assert package().budget_amount == 750_000_000
    assert "pagu paket tidak diubah" in "; ".join(again.rows[0].messages)
