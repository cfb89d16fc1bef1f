"""NIP as operators type it and as sources write it (contracts/nip.py), through the admin."""

import pytest

from agencies.models import Agency
from contracts.models import Process
from contracts.nip import InvalidNIP, format_nip, normalize_nip
from imports import values
from tests.admin_forms import form_data
from tests.factories import make_operator, make_process, planning_fields

# A NIP laid out as printed on an SK: born 1 January 1970, appointed March 1990, a man (1),
# serial 005.
PRINTED = "19700101 199003 1 005"


@pytest.mark.parametrize(
    "typed",
    [PRINTED, "197001011990031005", " 19700101  199003 1 005 ", "19700101 199003 1005"],
)
def test_a_nip_typed_with_or_without_spaces_keeps_its_18_digits(typed):
    assert normalize_nip(typed) == "197001011990031005"


def test_the_printed_groups_come_back():
    assert format_nip("197001011990031005") == PRINTED


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("abc", "huruf atau tanda selain angka"),
        ("19700101 199003 1", "harus 18 angka, yang diisi 15 angka"),
        ("19700101 199003 1 0055", "harus 18 angka, yang diisi 19 angka"),
        ("19701301 199003 1 005", "bukan tanggal lahir"),  # month 13
        ("19700231 199003 1 005", "bukan tanggal lahir"),  # 31 February
        ("19700101 199013 1 005", "bukan bulan pengangkatan"),
        ("19700101 196503 1 005", "sebelum tahun lahir"),
        ("19700101 199003 3 005", "harus 1 (laki-laki) atau 2 (perempuan)"),
    ],
)
def test_a_wrong_nip_is_refused_saying_what_is_wrong(typed, said):
    with pytest.raises(InvalidNIP, match=said.replace("(", r"\(").replace(")", r"\)")):
        normalize_nip(typed)


def test_an_empty_nip_stays_empty():
    assert normalize_nip("  ") == ""


def test_an_import_checks_a_nip_as_a_typed_one_is_checked():
    assert values.nip("19740812.199903.1.005") == "197408121999031005"
    with pytest.raises(values.Unreadable, match="bukan bulan pengangkatan"):
        values.nip("197408121999131005")


@pytest.fixture
def operator():
    return make_operator(Agency.objects.get(code="dinas-kesehatan"), username="operator-nip")


def _change(client, operator, **fields):
    process = make_process(operator.agency, **planning_fields())
    client.force_login(operator)
    url = f"/admin/contracts/process/{process.pk}/change/"
    response = client.post(url, form_data(client.get(url), **fields, _continue="1"))
    process.refresh_from_db()
    return process, response


@pytest.mark.django_db
def test_an_operator_types_the_nip_as_printed_and_all_18_digits_are_kept(client, operator):
    process, response = _change(client, operator, pa_kpa_nip=PRINTED, ppk_nip="198002152005012003")
    assert response.status_code == 302
    assert (process.pa_kpa_nip, process.ppk_nip) == ("197001011990031005", "198002152005012003")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "said"),
    [("abc", "selain angka dan spasi"), ("19700101 199003 1 0055", "yang diisi 19 angka")],
)
def test_a_wrong_nip_is_refused_at_its_field_and_kept_as_typed(client, operator, typed, said):
    process, response = _change(client, operator, pptk_nip=typed)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert any(said in message for message in errors["pptk_nip"])
    assert f'value="{typed}"' in response.content.decode()
    assert Process.objects.get(pk=process.pk).pptk_nip == ""
