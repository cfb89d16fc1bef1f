import pytest
from django.urls import reverse

from agencies.models import Agency
from contracts.models import AuditEntry, Payment, ProgressReport
from tests.factories import make_operator, make_process, make_supervisor

PAYMENT = {
    "jenis": "bayar",
    "bayar-label": "Termin I",
    "bayar-sp2d_number": "0042/SP2D/2024",
    "bayar-date": "2024-07-01",
    "bayar-amount": "1.250.000.000",
}


@pytest.fixture
def made():
    health = Agency.objects.get(code="dinas-kesehatan")
    education = Agency.objects.get(code="dinas-pendidikan")
    return {
        "process": make_process(health, title="Rehabilitasi Puskesmas Dander", rup_code="2041234"),
        "other": make_process(education, title="Rehabilitasi SDN Kapas", rup_code="2049999"),
        "operator": make_operator(health, username="operator-dinkes"),
        "stranger": make_operator(education, username="operator-dindik"),
    }


@pytest.mark.django_db
def test_a_payment_typed_the_indonesian_way_is_saved_with_an_audit_entry(client, made):
    client.force_login(made["operator"])
    url = reverse("dashboards:field-update", args=[made["process"].pk])
    response = client.post(url, PAYMENT, follow=True)
    assert response.redirect_chain[-1][0] == url
    assert "Pembayaran disimpan" in response.content.decode()
    payment = Payment.objects.get(process=made["process"])
    assert (payment.amount, payment.sp2d_number) == (1_250_000_000, "0042/SP2D/2024")
    entry = AuditEntry.objects.get(process=made["process"], action=AuditEntry.Action.CHANGE)
    assert entry.user == made["operator"]


@pytest.mark.django_db
def test_a_refused_form_keeps_what_was_typed_and_says_why_in_indonesian(client, made):
    client.force_login(made["operator"])
    url = reverse("dashboards:field-update", args=[made["process"].pk])
    response = client.post(url, {**PAYMENT, "bayar-amount": "1,250,000,000"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Tulis jumlah rupiah tanpa sen, mis. 1.250.000.000." in html
    assert 'value="0042/SP2D/2024"' in html and 'value="1,250,000,000"' in html
    progress = {
        "jenis": "kemajuan",
        "kemajuan-date": "2024-07-02",
        "kemajuan-physical_percent": "140",
        "kemajuan-financial_percent": "20",
        "kemajuan-note": "Atap selesai",
    }
    response = client.post(url, progress)
    assert response.status_code == 400 and "Atap selesai" in response.content.decode()
    assert not Payment.objects.exists() and not ProgressReport.objects.exists()


@pytest.mark.django_db
def test_only_the_own_agency_operator_writes_and_supervisors_do_not(client, made):
    url = reverse("dashboards:field-update", args=[made["process"].pk])
    client.force_login(made["stranger"])
    assert client.get(url).status_code == 404
    assert client.post(url, PAYMENT).status_code == 404
    client.force_login(make_supervisor())
    assert client.get(url).status_code == 403
    assert client.post(url, PAYMENT).status_code == 403
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_the_picker_lists_own_packages_by_name_or_rup_in_fixed_queries(
    client, made, django_assert_num_queries
):
    client.force_login(made["operator"])
    url = reverse("dashboards:field")
    for n in range(5):
        make_process(made["process"].agency, title=f"Jalan desa {n}", rup_code=f"30{n}")
    # session, user, the user's groups (role), the packages: the same at any list size
    with django_assert_num_queries(4):
        html = client.get(url, {"q": "2041234"}).content.decode()
    with django_assert_num_queries(4):
        client.get(url)
    assert "Rehabilitasi Puskesmas Dander" in html and "Jalan desa" not in html
    html = client.get(url, {"q": "rehabilitasi"}).content.decode()
    assert "Rehabilitasi SDN Kapas" not in html


@pytest.mark.django_db
def test_the_to_do_links_to_the_field_page(client, made):
    client.force_login(made["operator"])
    html = client.get(reverse("dashboards:todo")).content.decode()
    assert f'href="{reverse("dashboards:field")}"' in html
