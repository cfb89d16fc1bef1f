"""Addenda (adendum): the contract's value and period as amended, on the public page, in OCDS
and wherever a hand-over is judged late (contracts/amendments.py)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from agencies.models import Agency
from contracts import services
from contracts.amendments import amended_contract
from contracts.models import Amendment, Process, Release, Supplier
from contracts.ocds import package_state, related_lists, release, release_package, schema_errors
from integrity import flags
from integrity.models import Flag, PackageFlag
from tests.admin_forms import form_data
from tests.factories import make_operator, make_process, planning_fields

D = datetime.date
SIGNED_AMOUNT = 1_150_000_000
SIGNED_END = D(2018, 11, 5)


@pytest.fixture
def operator():
    return make_operator(Agency.objects.get(code="dinas-kesehatan"), username="operator-adendum")


def contracted(operator, **more):
    supplier, _ = Supplier.objects.get_or_create(npwp="0012345678901000", name="CV Maju")
    process = make_process(
        operator.agency,
        **planning_fields(
            tender_code="5009244",
            hps_amount=1_200_000_000,
            tender_announced=D(2018, 4, 2),
            bid_deadline=D(2018, 4, 16),
            supplier=supplier,
            award_amount=SIGNED_AMOUNT,
            award_date=D(2018, 4, 30),
            contract_number="027/SPK/2018",
            contract_amount=SIGNED_AMOUNT,
            contract_signed=D(2018, 5, 7),
            contract_start=D(2018, 5, 7),
            contract_end=SIGNED_END,
            **more,
        ),
    )
    services.publish_process(process=process, by=operator)
    return Process.objects.get(pk=process.pk)


def addenda(process):
    """Two addenda as a works contract meets them: time first (rain), then value and time."""
    return [
        Amendment.objects.create(
            process=process,
            number="027/ADD-1/2018",
            date=D(2018, 10, 20),
            description="Curah hujan tinggi",
            new_end=D(2018, 12, 4),
        ),
        Amendment.objects.create(
            process=process,
            number="027/ADD-2/2018",
            date=D(2018, 11, 30),
            description="Tambah pekerjaan drainase",
            new_amount=1_210_000_000,
            new_end=D(2018, 12, 20),
        ),
    ]


@pytest.mark.django_db
def test_each_term_is_the_one_its_latest_addendum_set(operator):
    process = contracted(operator)
    first, second = addenda(process)
    # Entered out of order: the addenda's dates decide, not the order of entry.
    amended = amended_contract(process, [second, first])
    assert amended.amount == 1_210_000_000 and amended.end == D(2018, 12, 20)
    assert amended.original_amount == SIGNED_AMOUNT and amended.original_end == SIGNED_END
    assert amended.is_amended
    assert [a.number for a, _ in amended.history] == ["027/ADD-1/2018", "027/ADD-2/2018"]
    (_, time_only), (_, both) = amended.history
    assert [(c.what, c.before, c.after) for c in time_only] == [
        ("akhir kontrak", SIGNED_END, D(2018, 12, 4))
    ]
    assert [(c.what, c.before, c.after) for c in both] == [
        ("nilai kontrak", SIGNED_AMOUNT, 1_210_000_000),
        ("akhir kontrak", D(2018, 12, 4), D(2018, 12, 20)),
    ]
    assert not amended_contract(process, []).is_amended


@pytest.mark.django_db
def test_a_new_end_before_the_contracts_start_is_refused_in_words(operator):
    process = contracted(operator)
    amendment = Amendment(
        process=process, number="ADD-1", date=D(2018, 6, 1), new_end=D(2018, 5, 1)
    )
    with pytest.raises(ValidationError) as refused:
        amendment.full_clean()
    assert refused.value.message_dict["new_end"] == [
        "Akhir kontrak baru (01/05/2018) tidak boleh sebelum mulai kontrak (07/05/2018)."
    ]


@pytest.mark.django_db
def test_the_admin_inline_refuses_a_new_end_before_the_start(client, operator):
    process = contracted(operator)
    client.force_login(operator)
    url = f"/admin/contracts/process/{process.pk}/change/"
    fields = {
        "amendments-TOTAL_FORMS": "1",
        "amendments-0-number": "ADD-1",
        "amendments-0-date": "01/06/2018",
        "amendments-0-new_end": "01/05/2018",
    }
    response = client.post(url, form_data(client.get(url), **fields, _continue="1"))
    assert response.status_code == 200
    (formset,) = [
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is Amendment
    ]
    assert "tidak boleh sebelum mulai kontrak (07/05/2018)" in formset.forms[0].errors["new_end"][0]
    assert not Amendment.objects.exists()


@pytest.mark.django_db
def test_the_package_page_shows_the_contract_as_amended_beside_the_signed_one(client, operator):
    process = contracted(operator)
    addenda(process)
    services.record_rows_changed(process=process, by=operator, label="Adendum", added=[1])
    page = client.get(reverse("contracts:process-detail", args=[process.pk])).content.decode()
    assert "Nilai kontrak setelah adendum" in page
    assert "Rp 1.210.000.000" in page
    assert '(semula <span class="money">Rp 1.150.000.000</span>)' in page
    assert "Masa kontrak setelah adendum" in page
    assert "7 Mei 2018 \u2013 20 Desember 2018" in page  # en dash
    assert "(semula sampai 5 November 2018)" in page
    assert "Akhir kontrak 5 November 2018 menjadi 4 Desember 2018" in page
    assert (
        'Nilai kontrak <span class="money">Rp 1.150.000.000</span> menjadi '
        '<span class="money">Rp 1.210.000.000</span>'
    ) in page
    assert "Curah hujan tinggi" in page


@pytest.mark.django_db
def test_amended_contract_period_in_ocds(operator):
    process = contracted(operator)
    first, second = addenda(process)
    process = Process.objects.get(pk=process.pk)
    state = package_state(
        process,
        as_of=datetime.datetime(2019, 1, 2, tzinfo=datetime.UTC),
        amendments=[first, second],
    )
    (contract,) = state["contracts"]
    assert contract["value"] == {"amount": 1_210_000_000, "currency": "IDR"}
    assert contract["period"]["endDate"].startswith("2018-12-20")
    assert contract["period"]["startDate"].startswith("2018-05-07")
    # OCDS 1.1.5 Amendment: id, date, rationale, description; the deprecated `changes` unused.
    assert [set(a) for a in contract["amendments"]] == [
        {"id", "date", "rationale", "description"}
    ] * 2
    assert [a["date"][:10] for a in contract["amendments"]] == ["2018-10-20", "2018-11-30"]
    assert [a["rationale"] for a in contract["amendments"]] == [
        "Curah hujan tinggi",
        "Tambah pekerjaan drainase",
    ]
    assert contract["amendments"][1]["description"] == (
        "Adendum 027/ADD-2/2018: nilai kontrak Rp1.150.000.000 menjadi Rp1.210.000.000; "
        "akhir kontrak 2018-12-04 menjadi 2018-12-20"
    )
    lists = related_lists(process)
    assert schema_errors(release_package([release(process, **lists)], uri="https://c/o")) == []


@pytest.mark.django_db
def test_a_recorded_addendum_is_released_as_a_contract_amendment(operator):
    process = contracted(operator)
    time_only = Amendment.objects.create(
        process=process, number="027/ADD-1/2018", date=D(2018, 10, 20), new_end=D(2018, 12, 4)
    )
    services.record_rows_changed(process=process, by=operator, label="Adendum", added=[time_only])
    *_, before, latest = Release.objects.filter(process=process)
    assert latest.tags == ["contractAmendment"]
    assert latest.data["contracts"][0]["period"]["endDate"].startswith("2018-12-04")
    assert before.data["contracts"][0]["period"]["endDate"].startswith("2018-11-05")


@pytest.mark.django_db
@pytest.mark.parametrize("amended, late", [(False, True), (True, False)])
def test_a_handover_is_late_only_after_the_amended_end(operator, amended, late):
    # The BAST (and its document) awaited on 15 December: 40 days after the signed end, but
    # before the end an addendum set (20 December).
    process = contracted(operator, pho_date=D(2018, 12, 15))
    if amended:
        addenda(process)
    flags.refresh([process.pk], today=D(2018, 12, 15))
    reason = PackageFlag.objects.get(process=process, flag=Flag.OVERDUE_MISSING).reason
    assert ("Implementasi (lewat 40 hari" in reason) is late
