"""The supervisors' matrix, drill-down, trend and exports on a small handmade data set."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from agencies.models import Agency
from contracts import completeness, public_cache, services
from contracts.models import StageCompleteness, StageRequirement, Supplier
from dashboards import selectors
from tests.factories import make_operator, make_process, make_supervisor

URL = "/pengawasan/"


@pytest.fixture
def rules():
    """One field per stage, so the expected numbers can be read off the data."""
    StageRequirement.objects.all().delete()
    for stage, field in [
        ("perencanaan", "program_name"),
        ("pemilihan", "tender_code"),
        ("pemenang", "supplier"),
        ("kontrak", "contract_number"),
        ("implementasi", "pho_date"),
    ]:
        StageRequirement.objects.create(stage=stage, field_name=field)


@pytest.fixture
def data(rules):
    health = Agency.objects.get(code="dinas-kesehatan")
    schools = Agency.objects.get(code="dinas-pendidikan")
    supplier = Supplier.objects.create(name="CV Lengkap")
    past = datetime.date(2018, 3, 1)
    p1 = make_process(
        health,
        method="tender",
        program_name="Program A",
        tender_code="111",
        title="P1 pemilihan lengkap",
    )
    p2 = make_process(health, method="swakelola", program_name="Program B", title="P2 swakelola")
    p3 = make_process(
        health,
        method="tender",
        title="P3 kosong",
        planned_start=past,
        bid_deadline=past,
        tender_announced=datetime.date(2018, 2, 1),
    )
    withdrawn = make_process(health, method="tender", program_name="Program C", title="P4 ditarik")
    operator = make_operator(health)
    services.publish_process(process=withdrawn, by=operator)
    services.withdraw_process(process=withdrawn, by=operator, reason="Batal")
    p5 = make_process(
        schools,
        method="tender",
        program_name="Program D",
        tender_code="555",
        supplier=supplier,
        contract_number="K-1",
        pho_date=past,
        title="P5 lengkap",
    )
    completeness.refresh([p1.pk, p2.pk, p3.pk, p5.pk, withdrawn.pk])
    return {
        "health": health,
        "schools": schools,
        "p1": p1,
        "p2": p2,
        "p3": p3,
        "p5": p5,
        "operator": operator,
    }


def cells(row):
    return {stage: (cell.complete, cell.required) for stage, cell in row.cells.items()}


@pytest.mark.django_db
def test_the_matrix_counts_what_each_stage_requires(data):
    rows, kinds, regency = selectors.matrix(2018)
    by_code = {row.agency.code: row for row in rows}
    # P2 is Swakelola: no selection or award; P4 is withdrawn: not counted.
    assert cells(by_code["dinas-kesehatan"]) == {
        "perencanaan": (2, 3),
        "pemilihan": (1, 2),
        "pemenang": (0, 2),
        "kontrak": (0, 3),
        "implementasi": (0, 3),
    }
    assert cells(by_code["dinas-pendidikan"]) == {stage: (1, 1) for stage in cells(regency)}
    assert cells(regency) == {
        "perencanaan": (3, 4),
        "pemilihan": (2, 3),
        "pemenang": (1, 3),
        "kontrak": (1, 4),
        "implementasi": (1, 4),
    }
    dinas = next(k for k in kinds if k.label == "Dinas")
    assert (dinas.total.complete, dinas.total.required) == (8, 18)
    assert by_code["dinas-kesehatan"].total.share == 23  # 3 of 13
    worst, *_ = selectors.matrix(2018, "terburuk")[0]
    assert worst.agency.code == "dinas-kesehatan"


@pytest.mark.django_db
def test_the_drilldown_lists_exactly_what_is_missing(client, data):
    client.force_login(make_supervisor())
    response = client.get(reverse("dashboards:cell", args=[2018, "dinas-kesehatan", "pemilihan"]))
    assert response.status_code == 200
    items = response.context["items"]
    assert [item.process.title for item in items] == ["P3 kosong"]
    assert [m["code"] for m in items[0].row.missing] == ["tender_code"]
    assert items[0].due == datetime.date(2018, 3, 1)
    assert items[0].overdue_days == (timezone.localdate() - datetime.date(2018, 3, 1)).days
    html = response.content.decode()
    assert "Kode tender" in html and "terlambat" in html


@pytest.mark.django_db
def test_csv_and_xlsx_match_the_screen(client, data):
    client.force_login(make_supervisor())
    page = client.get(URL, {"tahun": "2018"})
    html = page.content.decode()
    assert "2/3" in html and "1/2" in html
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(URL, {"tahun": "2018", "format": "csv"}).content.decode("utf-8-sig")
            )
        )
    )
    header, body = rows[0], rows[1:]
    health = next(r for r in body if r[0] == "Dinas Kesehatan")
    on_screen = page.context["rows"]()  # the template reads them lazily
    screen = next(r for r in on_screen if r.agency.code == "dinas-kesehatan")
    expected = []
    for stage in ["perencanaan", "pemilihan", "pemenang", "kontrak", "implementasi"]:
        expected += [str(screen.cells[stage].complete), str(screen.cells[stage].required)]
    assert health[2:12] == expected
    assert len(body) == len(on_screen)
    workbook = load_workbook(
        io.BytesIO(client.get(URL, {"tahun": "2018", "format": "xlsx"}).content)
    )
    sheet_rows = [
        [("" if v is None else str(v)) for v in row]
        for row in workbook.active.iter_rows(values_only=True)
    ]
    assert sheet_rows[0] == header
    assert sheet_rows[1:] == body


@pytest.mark.django_db
def test_exports_do_not_carry_formulas(client, data):
    data["p3"].title = '=HYPERLINK("http://contoh","klik")'
    data["p3"].save(update_fields=["title"])
    client.force_login(make_supervisor())
    url = reverse("dashboards:cell", args=[2018, "dinas-kesehatan", "pemilihan"])
    response = client.get(url, {"format": "csv"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in content
    # In XLSX a text cell: the title exactly as written, never a formula.
    workbook = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content))
    (cell,) = [
        cell
        for row in workbook.active.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and "HYPERLINK" in cell.value
    ]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://contoh","klik")', "s")
    assert workbook.active.freeze_panes == "A2"


@pytest.mark.django_db
def test_only_supervisors_and_administrators_enter(client, data):
    assert client.get(URL).status_code == 302  # to the login page
    client.force_login(data["operator"])
    assert client.get(URL).status_code == 403
    assert (
        client.get(
            reverse("dashboards:cell", args=[2018, "dinas-pendidikan", "kontrak"])
        ).status_code
        == 403
    )
    client.force_login(make_supervisor())
    assert client.get(URL).status_code == 200


@pytest.mark.django_db
def test_an_operator_sees_their_own_agencys_to_do_list(client, data):
    client.force_login(data["operator"])
    response = client.get(reverse("dashboards:todo"))
    titles = {item.process.title for item in response.context["items"]}
    assert titles == {"P1 pemilihan lengkap", "P2 swakelola", "P3 kosong"}
    assert response.context["items"][0].process.title == "P3 kosong"  # most overdue first
    home = client.get("/admin/").content.decode()
    assert "Yang masih kurang di Dinas Kesehatan" in home and "P3 kosong" in home
    assert "P5 lengkap" not in home
    client.force_login(make_supervisor())
    assert client.get(reverse("dashboards:todo")).status_code == 403


@pytest.mark.django_db
def test_the_trend_counts_stages_complete_by_each_month_end(data):
    StageCompleteness.objects.filter(is_complete=True).update(
        completed_at=timezone.make_aware(datetime.datetime(2018, 6, 15))
    )
    StageCompleteness.objects.filter(process=data["p5"], stage="kontrak").update(
        completed_at=timezone.make_aware(datetime.datetime(2018, 9, 1))
    )
    points = {p["month"]: (p["complete"], p["required"]) for p in selectors.trend(2018)}
    assert points[5] == (0, 18)
    assert points[6] == (7, 18)
    assert points[9] == (8, 18) == points[12]
    health = {p["month"]: p["complete"] for p in selectors.trend(2018, data["health"])}
    assert health[6] == 3 and health[12] == 3


# session, user, groups; years, matrix counts, open requests, agencies, trend (each cached value
# read with its versions in one query); cache
# writes; the agency documents still missing (their types, one count grouped by agency and
# year, their agencies)
COLD_MATRIX_QUERIES = 42


@pytest.mark.django_db
def test_the_matrix_runs_a_fixed_number_of_queries(client, data, django_assert_num_queries):
    client.force_login(make_supervisor())
    client.get(URL, {"tahun": "2018"})
    # session, user, groups; the cached years with their versions; versions and the matrix
    with django_assert_num_queries(6):
        client.get(URL, {"tahun": "2018"})
    with django_assert_num_queries(COLD_MATRIX_QUERIES):  # a change: computed anew ...
        public_cache.changed()
        client.get(URL, {"tahun": "2018"})
    for _ in range(10):
        make_process(data["health"], method="tender")
    with django_assert_num_queries(COLD_MATRIX_QUERIES):  # ... at the same cost, any size
        public_cache.changed()
        client.get(URL, {"tahun": "2018"})


@pytest.mark.django_db
def test_the_public_openness_ranking_counts_published_packages_only(client, data):
    services.publish_process(process=data["p5"], by=make_operator(data["schools"]))
    html = client.get(reverse("dashboards:openness"), {"tahun": "2018"}).content.decode()
    assert "Dinas Pendidikan" in html and "1 (100%)" in html
    assert "Dinas Kesehatan" not in html  # nothing of theirs is published


@pytest.mark.django_db
def test_a_year_only_a_draft_has_is_in_no_public_year_list(client):
    """Finding 6 of issue 17: /keterbukaan/ offered a fiscal year only a draft had."""
    health = Agency.objects.get(code="dinas-kesehatan")
    operator = make_operator(health)
    services.publish_process(process=make_process(health, fiscal_year=2019), by=operator)
    make_process(health, fiscal_year=2031, title="Draf tahun rahasia")
    from opendata.bulk import build

    build(base_url="http://testserver")
    for url in ["/keterbukaan/", "/", "/tanda/", "/paket/", "/data-terbuka/"]:
        page = client.get(url).content.decode()
        assert "2019" in page, url
        assert "2031" not in page, url
    page = client.get("/keterbukaan/", {"tahun": 2031}).content.decode()
    # The page's content, not the links to this same address in the other language (the
    # switcher, hreflang), which carry the query as it was typed.
    assert "2031" not in page[page.index("<main") : page.index("</main>")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/pengawasan/0/dinas-kesehatan/perencanaan/",
        "/pengawasan/99999999999/dinas-kesehatan/perencanaan/",
        "/pengawasan/1999/dinas-kesehatan/perencanaan/",
        "/pengawasan/2018/dinas-kesehatan/tidak-ada/",
        "/pengawasan/2018/tidak-ada/perencanaan/",
    ],
)
def test_a_supervisors_address_that_names_nothing_is_a_404(client, path):
    """Finding 9 of issue 17: year 0 in the drill-down's address was a server error."""
    client.force_login(make_supervisor())
    assert client.get(path).status_code == 404
