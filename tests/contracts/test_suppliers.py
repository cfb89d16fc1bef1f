"""Suppliers across agencies (finding 7 of issue 17): one name per NPWP, decided by the official
source or an administrator; an operator sees the suppliers of their own agency's packages,
those their agency added, and one more only by typing its exact NPWP."""

import pytest
from django.urls import reverse

from agencies.models import Agency
from contracts import services
from contracts.models import NameSource, Process, Supplier
from tests.admin_forms import form_data
from tests.factories import make_administrator, make_operator, make_process, planning_fields
from tests.imports.test_order import import_tenders, tender_row

ADD_SUPPLIER = reverse("admin:contracts_supplier_add")
AUTOCOMPLETE = "/admin/autocomplete/"


@pytest.fixture
def agencies():
    return (
        Agency.objects.get(code="dinas-kesehatan"),
        Agency.objects.get(code="dinas-pu-bina-marga-penataan-ruang"),
    )


def add_supplier(client, name, npwp):
    return client.post(ADD_SUPPLIER, {"name": name, "npwp": npwp, "address": ""})


def autocomplete(client, term):
    response = client.get(
        AUTOCOMPLETE,
        {
            "term": term,
            "app_label": "contracts",
            "model_name": "process",
            "field_name": "supplier",
        },
    )
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


@pytest.mark.django_db
def test_an_operators_false_name_gives_way_to_the_official_source(client, agencies):
    health, _roads = agencies
    client.force_login(make_operator(health))
    # A formatted NPWP, 20 characters, is accepted (finding 10).
    response = add_supplier(client, "PT Nama Palsu", "71.242.031.4-601.000")
    assert response.status_code == 302, response.content.decode()
    supplier = Supplier.objects.get(npwp="0712420314601000")
    assert supplier.name_source == NameSource.OPERATOR
    # Another agency's tender, imported from LPSE, names the true winner for that NPWP.
    roads_satker = "DINAS PEKERJAAN UMUM BINA MARGA DAN PENATAAN RUANG"
    report = import_tenders([tender_row(satker=roads_satker)])
    assert any("sesuai LPSE" in note for row in report.rows for note in row.messages), [
        (r.outcome, r.messages) for r in report.rows
    ]
    supplier.refresh_from_db()
    assert (supplier.name, supplier.name_source) == ("CV. CONTOH KARYA", NameSource.OFFICIAL)
    process = Process.objects.get(tender_code="5009244")
    client.logout()
    page = client.get(reverse("contracts:process-detail", args=[process.pk])).content.decode()
    assert "CV. CONTOH KARYA" in page and "Nama Palsu" not in page


@pytest.mark.django_db
def test_an_operator_cannot_rename_a_registered_npwp(client, agencies):
    _health, roads = agencies
    import_tenders([tender_row()])
    official = Supplier.objects.get(npwp="0712420314601000")
    client.force_login(make_operator(roads))
    assert autocomplete(client, "CONTOH") == []  # on another agency's package only
    response = add_supplier(client, "PT Nama Palsu", "712420314601000")
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("sudah terdaftar atas nama “CV. CONTOH KARYA”" in m for m in messages)
    assert Supplier.objects.filter(npwp="0712420314601000").count() == 1
    official.refresh_from_db()
    assert official.name == "CV. CONTOH KARYA"
    # Typed by its exact NPWP, it is now the roads agency's to choose.
    assert autocomplete(client, "CONTOH") == ["CV. CONTOH KARYA"]


@pytest.mark.django_db
def test_an_administrators_name_stands_over_the_import(client, agencies):
    import_tenders([tender_row()])
    supplier = Supplier.objects.get(npwp="0712420314601000")
    client.force_login(make_administrator())
    url = reverse("admin:contracts_supplier_change", args=[supplier.pk])
    response = client.post(url, {"name": "CV Contoh Karya", "npwp": "0712420314601000"})
    assert response.status_code == 302
    import_tenders([tender_row(kode_lelang="5009245", id_rup="17000002")])
    supplier.refresh_from_db()
    assert (supplier.name, supplier.name_source) == ("CV Contoh Karya", NameSource.ADMINISTRATOR)


@pytest.mark.django_db
def test_suppliers_of_another_agencys_drafts_are_in_no_choice_of_an_operator(client, agencies):
    health, roads = agencies
    hidden = Supplier.objects.create(name="PT Hanya Di Draf", npwp="0011111111111000")
    draft = make_process(health, **planning_fields(), supplier=hidden)
    roads_operator = make_operator(roads)
    client.force_login(roads_operator)
    assert autocomplete(client, "Hanya") == []
    assert "Hanya Di Draf" not in client.get("/admin/contracts/supplier/").content.decode()
    change = reverse("admin:contracts_supplier_change", args=[hidden.pk])
    assert client.get(change).status_code in (302, 404)
    # Nor through the package form's initial value, nor by posting its id.
    page = client.get(reverse("admin:contracts_process_add"), {"supplier": hidden.pk})
    assert "Hanya Di Draf" not in page.content.decode()
    own = make_process(roads, **planning_fields())
    url = reverse("admin:contracts_process_change", args=[own.pk])
    response = client.post(url, form_data(client.get(url), supplier=str(hidden.pk)))
    assert response.status_code == 200  # the form again, with the choice refused
    own.refresh_from_db()
    assert own.supplier is None
    # The draft's own agency sees it; the public does not until a package is published.
    client.force_login(make_operator(health))
    assert autocomplete(client, "Hanya") == ["PT Hanya Di Draf"]
    client.logout()
    assert client.get(reverse("contracts:supplier-detail", args=[hidden.pk])).status_code == 404
    assert client.get(f"/api/v1/penyedia/{hidden.pk}/").status_code == 404
    services.publish_process(process=draft, by=make_operator(health))
    assert client.get(reverse("contracts:supplier-detail", args=[hidden.pk])).status_code == 200


@pytest.mark.django_db
def test_the_pop_up_refuses_a_wrong_check_digit_and_keeps_what_was_typed(client, agencies):
    health, _roads = agencies
    client.force_login(make_operator(health))
    typed = "01.234.567.8-901.000"  # by the Luhn rule its 9th digit is 4, not 8
    response = client.post(
        f"{ADD_SUPPLIER}?_to_field=id&_popup=1",
        {"name": "CV Salah Ketik", "npwp": typed, "address": "", "_popup": "1"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "tidak lolos uji angka pemeriksa" in page
    assert "ketik ulang" in page  # what to do about it
    assert f'value="{typed}"' in page
    assert not Supplier.objects.filter(name="CV Salah Ketik").exists()
    # The same number with its right check digit is taken.
    response = add_supplier(client, "CV Salah Ketik", "01.234.567.4-901.000")
    assert response.status_code == 302
    assert Supplier.objects.get(name="CV Salah Ketik").npwp == "0012345674901000"


@pytest.mark.django_db
def test_an_imported_npwp_that_fails_its_check_stands_while_its_name_is_corrected(client):
    # LPSE wrote this NPWP so; the import keeps it, marked, and notes it in its report.
    report = import_tenders([tender_row(npwp_pemenang="02.205.556.1-960.100")])
    notes = [note for row in report.rows for note in row.messages]
    assert any("tidak lolos uji angka pemeriksa" in note for note in notes), notes
    assert any("ditandai belum terverifikasi" in note for note in notes), notes
    supplier = Supplier.objects.get(npwp="0022055561960100")
    assert supplier.npwp_passes_check is False
    process = Process.objects.get(tender_code="5009244")
    assert process.supplier == supplier
    for page in [
        reverse("contracts:supplier-detail", args=[supplier.pk]),
        reverse("contracts:process-detail", args=[process.pk]),
    ]:
        html = client.get(page).content.decode()
        assert "02.205.556.1-960.100" in html and "tidak lolos uji angka pemeriksa" in html
    client.force_login(make_administrator())
    url = reverse("admin:contracts_supplier_change", args=[supplier.pk])
    response = client.post(url, {"name": "CV Contoh Karya", "npwp": supplier.npwp})
    assert response.status_code == 302, response.content.decode()
    supplier.refresh_from_db()
    assert (supplier.name, supplier.npwp) == ("CV Contoh Karya", "0022055561960100")


@pytest.mark.django_db
def test_the_pop_up_takes_the_usual_notation_and_refuses_a_typo_of_19_digits_whole(
    client, agencies
):
    health, _roads = agencies
    client.force_login(make_operator(health))
    page = client.get(f"{ADD_SUPPLIER}?_to_field=id&_popup=1").content.decode()
    npwp_input = next(tag for tag in page.split("<input") if 'name="npwp"' in tag)
    assert "maxlength" not in npwp_input  # a browser would cut a dotted NPWP
    typed = "01.234.567.4-901.000.123"  # 18 digits: three too many for the old form
    response = client.post(
        f"{ADD_SUPPLIER}?_to_field=id&_popup=1",
        {"name": "CV Kelebihan Angka", "npwp": typed, "address": "", "_popup": "1"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "harus 15 atau 16 angka, bukan 18" in page
    assert f'value="{typed}"' in page
    assert not Supplier.objects.filter(name="CV Kelebihan Angka").exists()
    nineteen = "0012345674901000123"
    response = add_supplier(client, "CV Kelebihan Angka", nineteen)
    assert response.status_code == 200
    assert "bukan 19" in response.content.decode()
    assert not Supplier.objects.filter(npwp__startswith="0012345674901000").exists()
