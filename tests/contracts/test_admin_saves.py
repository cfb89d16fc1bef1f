"""Saves that say what happened: the package page lands on the message after a save, on the
error note after a refusal with the first field in error focused, and keeps checked PDFs."""

import re

import pytest

from agencies.models import Agency
from contracts.models import Process
from tests.admin_forms import form_data
from tests.contracts.test_admin import ADD_URL, LIST_URL, _errors, change_url, planning_post
from tests.factories import make_operator, make_process


@pytest.fixture
def agency_a():
    return Agency.objects.get(code="dinas-kesehatan")


@pytest.fixture
def agency_b():
    return Agency.objects.get(code="dinas-pendidikan")


@pytest.fixture
def operator_a(agency_a):
    return make_operator(agency_a, username="operator-a")


@pytest.fixture
def operator_b(agency_b):
    return make_operator(agency_b, username="operator-b")


def _autofocused(html):
    return re.findall(r"<(?:input|select|textarea)[^>]*\bautofocus\b[^>]*>", html)


@pytest.mark.django_db
def test_a_save_lands_on_the_message(client, agency_a, operator_a):
    client.force_login(operator_a)
    page = client.get(ADD_URL)
    response = client.post(ADD_URL, form_data(page, **planning_post(agency_a), _continue="1"))
    assert response.status_code == 302, _errors(response)
    process = Process.objects.get(title="Pembangunan Puskesmas Dander")
    assert response["Location"] == f"{change_url(process)}#pesan"

    landed = client.get(response["Location"].split("#")[0])
    html = landed.content.decode()
    assert re.search(r'<ul class="messagelist" id="pesan"[^>]*>\s*<li class="success">', html)

    # "Simpan" without continuing goes back to the list, still on the message.
    page = client.get(change_url(process))
    response = client.post(change_url(process), form_data(page))
    assert response.status_code == 302, _errors(response)
    assert response["Location"].endswith("#pesan")
    assert response["Location"].split("#")[0].startswith(LIST_URL)


@pytest.mark.django_db
def test_a_refused_save_lands_on_the_note_and_the_first_field_in_error(
    client, agency_a, operator_a
):
    process = make_process(agency_a)
    client.force_login(operator_a)
    page = client.get(change_url(process))
    # The form posts to its own address with the note's fragment, so the answer opens there.
    assert 'action="#kesalahan"' in page.content.decode()
    assert not _autofocused(page.content.decode())

    # 31 February does not exist; the kode RUP further down is wrong as well.
    data = form_data(page, planned_end="31/02/2018", budget_amount="bukan angka")
    response = client.post(change_url(process), data)
    assert response.status_code == 200
    html = response.content.decode()
    note = re.search(r'<div class="errornote" id="kesalahan"[^>]*>(.*?)</div>', html, re.S)
    assert note and "Belum tersimpan" in note.group(1)
    assert "Please correct" not in html
    focused = _autofocused(html)
    # Only one field takes the cursor: the first in error in the page's order (the budget
    # ceiling comes before the planned schedule in Perencanaan).
    assert len(focused) == 1 and 'name="budget_amount"' in focused[0]
    assert "planned_end" in response.context["adminform"].form.errors
