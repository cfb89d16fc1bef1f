"""Searches read as words wherever packages are searched (contracts/search.py).

Titles are written the way the imported Bojonegoro 2018 data writes road segments, "A - B" and
"A-B"; the queries are /work/shared/cases/search-hyphen-queries.txt, typed by a citizen the way
the titles write them. A hyphen separates words, never negates one.
"""

import pytest
from django.urls import reverse

from agencies.models import Agency
from contracts import services
from contracts.search import search_words
from tests.factories import make_operator, make_process

NGUJO = {"Pemeliharaan Jalan Ngumpakdalem - Ngujo", "Rehabilitasi Jalan Ngumpakdalem-Ngujo"}
GLAGAH = {"Peningkatan Jalan Purwosari - Glagah", "Pemeliharaan Jembatan Purwosari-Glagah"}
# Each case, a road segment typed as the titles write it, and the titles holding both places.
CASES = [
    ("Ngumpakdalem - Ngujo", NGUJO),
    ("Ngumpakdalem Ngujo", NGUJO),
    ("Ngumpakdalem-Ngujo", NGUJO),
    ("ngumpakdalem  -  NGUJO", NGUJO),
    ("Ngujo - Ngumpakdalem", NGUJO),  # any order
    ("Purwosari - Glagah", GLAGAH),
    ("Purwosari-Glagah", GLAGAH),
    ("purwosari glagah", GLAGAH),
]
# Titles holding only one of the two places: a hyphen read as "not" would find these.
OTHERS = [
    "Pemeliharaan Jalan Ngumpakdalem - Sumberarum",
    "Peningkatan Jalan Ngujo - Kalitidu",
    "Pembangunan Drainase Purwosari - Tinumpuk",
    "Rehabilitasi Jalan Glagah",
]


@pytest.fixture
def roads():
    return Agency.objects.get(code="dinas-pu-bina-marga-penataan-ruang")


@pytest.fixture
def operator(roads):
    return make_operator(roads)


@pytest.fixture
def segments(roads, operator):
    """Every title above, as published packages of the roads agency; and one of another agency
    with both place names, which no operator of the roads agency may find."""
    made = {}
    for number, title in enumerate(sorted(NGUJO | GLAGAH) + OTHERS):
        process = make_process(roads, title=title, method="tender", rup_code=f"2018{number:04}")
        services.publish_process(process=process, by=operator)
        made[title] = process
    health = Agency.objects.get(code="dinas-kesehatan")
    make_process(health, title="Posyandu Ngumpakdalem - Ngujo", method="tender")
    return made


def test_the_words_of_a_search_are_its_letters_and_digits():
    assert search_words("Ngumpakdalem - Ngujo") == ["Ngumpakdalem", "Ngujo"]
    assert search_words("Ngumpakdalem-Ngujo") == ["Ngumpakdalem", "Ngujo"]
    assert search_words('-Ngujo "jalan" OR (Glagah)') == ["Ngujo", "jalan", "OR", "Glagah"]
    assert search_words("Ngumpakdalém/Ngujo, 2018") == ["Ngumpakdalém", "Ngujo", "2018"]
    assert search_words(" - ") == []


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "expected"), CASES)
def test_the_public_list_finds_the_segment_however_it_is_typed(client, segments, query, expected):
    html = client.get(reverse("contracts:process-list"), {"q": query}).content.decode()
    shown = {title for title in segments if f">{title}</a>" in html}
    assert shown == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "expected"), CASES)
def test_the_api_finds_the_segment_however_it_is_typed(client, segments, query, expected):
    body = client.get(reverse("opendata:api-packages"), {"q": query}).json()
    assert {row["nama_paket"] for row in body["results"]} == expected
    assert body["count"] == len(expected)


@pytest.mark.django_db
def test_search_syntax_is_not_read_a_citizen_does_not_type_it(client, segments):
    url = reverse("contracts:process-list")
    # websearch syntax would read these as "not Ngujo" and "Glagah or Ngujo": here they are words.
    html = client.get(url, {"q": "Ngumpakdalem -Ngujo"}).content.decode()
    assert {t for t in segments if f">{t}</a>" in html} == NGUJO
    html = client.get(url, {"q": '"Ngujo" or Glagah'}).content.decode()
    assert {t for t in segments if f">{t}</a>" in html} == set()
    # Only punctuation: no search at all, the whole list.
    response = client.get(url, {"q": " - "})
    assert len(segments) == int(response.context["page"].paginator.count)


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "expected"), CASES)
def test_the_operators_to_do_finds_every_word(client, segments, operator, query, expected):
    client.force_login(operator)
    items = client.get(reverse("dashboards:todo"), {"q": query}).context["items"]
    assert {item.process.title for item in items} == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "expected"), CASES)
def test_the_field_picker_finds_every_word(client, segments, operator, query, expected):
    client.force_login(operator)
    packages = client.get(reverse("dashboards:field"), {"q": query}).context["packages"]
    assert {p.title for p in packages} == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "expected"), CASES)
def test_the_admin_package_list_finds_every_word(client, segments, operator, query, expected):
    client.force_login(operator)
    response = client.get("/admin/contracts/process/", {"q": query})
    assert {p.title for p in response.context["cl"].result_list} == expected


@pytest.mark.django_db
def test_operators_find_a_kode_rup_exactly_and_a_contract_number_as_written(
    client, segments, operator
):
    wanted = segments["Peningkatan Jalan Purwosari - Glagah"]
    wanted.contract_number = "027/15/412.206/2018"
    services.save_process(process=wanted, by=operator)
    client.force_login(operator)
    for query in [wanted.rup_code, "027/15/412.206/2018"]:
        todo = client.get(reverse("dashboards:todo"), {"q": query}).context["items"]
        assert {item.process.pk for item in todo} == {wanted.pk}, query
        picker = client.get(reverse("dashboards:field"), {"q": query}).context["packages"]
        assert [p.pk for p in picker] == [wanted.pk], query
        listed = client.get("/admin/contracts/process/", {"q": query}).context["cl"]
        assert [p.pk for p in listed.result_list] == [wanted.pk], query
    # Part of a code is not the code.
    picker = client.get(reverse("dashboards:field"), {"q": wanted.rup_code[:-1]})
    assert list(picker.context["packages"]) == []
