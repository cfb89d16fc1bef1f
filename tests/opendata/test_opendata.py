import json

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from agencies.models import Agency
from contracts import services
from contracts.ocds import schema_errors
from tests.factories import make_operator, make_process, planning_fields


@pytest.fixture
def packages():
    health = Agency.objects.get(code="dinas-kesehatan")
    operator = make_operator(health)
    published = [
        make_process(health, title=f"Terbit {n}", fiscal_year=2018 + n % 2, **planning_fields())
        for n in range(4)
    ]
    for process in published:
        services.publish_process(process=process, by=operator)
    draft = make_process(health, title="Draf tersembunyi")
    withdrawn = make_process(health, title="Ditarik")
    services.publish_process(process=withdrawn, by=operator)
    services.withdraw_process(process=withdrawn, by=operator, reason="Batal")
    return {"published": published, "draft": draft, "withdrawn": withdrawn}


def body(response):
    return b"".join(response.streaming_content).decode()


@pytest.mark.django_db
def test_each_package_has_a_valid_release_and_record(client, packages):
    process = packages["published"][0]
    response = client.get(reverse("opendata:release", args=[process.ocid]))
    assert response["Access-Control-Allow-Origin"] == "*"
    data = response.json()
    assert data["releases"][0]["ocid"] == process.ocid
    assert schema_errors(data) == []
    record = client.get(reverse("opendata:record", args=[process.ocid])).json()
    assert schema_errors(record, "record-package-schema.json") == []
    for hidden in [packages["draft"], packages["withdrawn"]]:
        assert client.get(reverse("opendata:release", args=[hidden.ocid])).status_code == 404
        assert client.get(reverse("opendata:record", args=[hidden.ocid])).status_code == 404


@pytest.mark.django_db
def test_bulk_files_stream_one_release_per_published_package(client, packages):
    published = {p.ocid for p in packages["published"]}
    response = client.get(reverse("opendata:bulk-jsonl", args=["semua"]))
    assert isinstance(response, StreamingHttpResponse)
    lines = [json.loads(line) for line in body(response).splitlines()]
    assert sorted(item["ocid"] for item in lines) == sorted(published)

    response = client.get(reverse("opendata:bulk-json", args=["semua"]))
    assert isinstance(response, StreamingHttpResponse)
    package = json.loads(body(response))
    assert sorted(r["ocid"] for r in package["releases"]) == sorted(published)
    assert schema_errors(package) == []

    of_2018 = json.loads(body(client.get(reverse("opendata:bulk-json", args=["2018"]))))
    assert {r["ocid"] for r in of_2018["releases"]} == {
        p.ocid for p in packages["published"] if p.fiscal_year == 2018
    }
    assert client.get("/data-terbuka/tahun-lalu/ocds.json").status_code == 404


@pytest.mark.django_db
def test_bulk_files_read_related_rows_in_chunks(client, packages, django_assert_max_num_queries):
    # Fixed queries per chunk of 500 packages: the stream never asks per package.
    with django_assert_max_num_queries(10):
        body(client.get(reverse("opendata:bulk-jsonl", args=["semua"])))


@pytest.mark.django_db
def test_the_open_data_page_lists_the_downloads(client, packages):
    html = client.get(reverse("opendata:index")).content.decode()
    assert "/data-terbuka/2018/ocds.json" in html and "/data-terbuka/semua/ocds.jsonl" in html
    assert 'href="/data-terbuka/"' in html  # the header now links to it
