"""Where flags show: the package page, the list filter, the API, bulk files, OCDS, /tanda/."""

import csv
import datetime
import io
import json
import re
from pathlib import Path

import pytest
from django.urls import reverse
from jsonschema import Draft4Validator
from procrastinate.contrib.django.models import ProcrastinateJob

from agencies.models import Agency
from contracts.models import Process
from contracts.ocds import schema_errors
from integrity.models import Flag, PackageFlag, Threshold
from integrity.tasks import recompute_flags
from opendata.bulk import build
from tests.factories import make_administrator, make_process, planning_fields

NOW = datetime.datetime(2019, 1, 2, tzinfo=datetime.UTC)
FUTURE = datetime.date(2099, 3, 1)
EXTENSION = Path(__file__).resolve().parents[2] / "opendata/extension/tanda"


@pytest.fixture
def packages():
    health = Agency.objects.get(code="dinas-kesehatan")
    roads = Agency.objects.get(code="dinas-pu-bina-marga-penataan-ruang")

    def published(agency, **fields):
        # Planned in the future: no stage is late, so only the flag under test shows.
        future = {"planned_start": FUTURE, "planned_end": FUTURE}
        return make_process(
            agency, status="published", published_at=NOW, **planning_fields(**future, **fields)
        )

    return {
        "over_budget": published(health, hps_amount=1_300_000_000),
        "direct": published(
            roads, method="pengadaan_langsung", category="barang", budget_amount=250_000_000
        ),
        "clean": published(health, hps_amount=1_000_000_000),
        "draft": make_process(health, **planning_fields(hps_amount=1_300_000_000)),
    }


@pytest.mark.django_db
def test_the_package_page_gives_the_reason_the_numbers_and_the_source(client, packages):
    url = reverse("contracts:process-detail", args=[packages["over_budget"].pk])
    html = client.get(url).content.decode()
    assert "Tanda untuk dicermati" in html and "bukan putusan" in html
    # Rp 50 juta over a pagu of Rp 1,25 miliar: 4% above it, with a decimal comma were it needed.
    assert (
        "HPS Rp 1.300.000.000 melebihi pagu Rp 1.250.000.000 sebesar Rp 50.000.000 "
        "(4% di atas pagu)" in html
    )
    assert "Perpres 16/2018" in html
    clean = client.get(reverse("contracts:process-detail", args=[packages["clean"].pk]))
    assert 'data-flag="hps_di_atas_pagu"' not in clean.content.decode()


@pytest.mark.django_db
def test_the_list_filters_and_counts_by_flag(client, packages):
    html = client.get(reverse("contracts:process-list"), {"tanda": "hps_di_atas_pagu"}).content
    html = html.decode()
    assert packages["over_budget"].title in html
    assert packages["clean"].title not in html and packages["direct"].title not in html
    assert re.search(r'value="hps_di_atas_pagu" selected>HPS di atas pagu \(1\)', html)
    assert re.search(r'value="pl_di_atas_batas">Pengadaan Langsung di atas batasnya \(1\)', html)


@pytest.mark.django_db
def test_the_api_filters_and_lists_flags(client, packages):
    body = client.get(reverse("opendata:api-packages"), {"tanda": "pl_di_atas_batas"}).json()
    assert [r["ocid"] for r in body["results"]] == [packages["direct"].ocid]
    assert body["results"][0]["tanda"] == ["pl_di_atas_batas"]
    detail = client.get(reverse("opendata:api-package", args=[packages["direct"].ocid])).json()
    assert detail["tanda_rinci"][0]["angka"]["nilai"] == 250_000_000
    assert client.get(reverse("opendata:api-packages"), {"tanda": "curiga"}).status_code == 400


@pytest.mark.django_db
def test_bulk_files_carry_the_flags(client, packages, media_root):
    build(base_url="https://contoh")

    def read(name):
        response = client.get(reverse("opendata:download", args=["semua", name]))
        return b"".join(response.streaming_content).decode("utf-8-sig")

    rows = {row["ocid"]: row for row in csv.DictReader(io.StringIO(read("paket.csv")))}
    assert rows[packages["over_budget"].ocid]["tanda"] == "hps_di_atas_pagu"
    assert rows[packages["clean"].ocid]["tanda"] == ""
    listed = list(csv.DictReader(io.StringIO(read("tanda.csv"))))
    assert {(r["ocid"], r["tanda"]) for r in listed} == set(
        PackageFlag.objects.values_list("process__ocid", "flag")
    )
    assert packages["draft"].ocid not in read("tanda.csv")


@pytest.mark.django_db
def test_ocds_records_carry_flags_as_a_documented_extension(client, packages):
    ocid = packages["over_budget"].ocid
    record = client.get(reverse("opendata:record", args=[ocid])).json()
    assert schema_errors(record, "record-package-schema.json") == []
    assert [url.rsplit("/", 3)[-3:] for url in record["extensions"]] == [
        ["ocds_bid_extension", "v1.1.5", "extension.json"],
        ["ekstensi", "tanda", "extension.json"],
    ]
    compiled = record["records"][0]["compiledRelease"]
    flagged = [item["id"] for item in compiled["redFlags"]]
    assert flagged == ["hps_di_atas_pagu"]
    # The extension's own schema accepts what is published and its codes are the flags.
    extension_schema = json.loads((EXTENSION / "release-schema.json").read_text())
    validator = Draft4Validator(
        {
            **extension_schema["properties"]["redFlags"],
            "definitions": extension_schema["definitions"],
        }
    )
    assert list(validator.iter_errors(compiled["redFlags"])) == []
    assert extension_schema["definitions"]["RedFlag"]["properties"]["id"]["enum"] == Flag.values
    with open(EXTENSION / "codelists/redFlag.csv", newline="", encoding="utf-8") as handle:
        assert [row["Code"] for row in csv.DictReader(handle)] == Flag.values
    # Flags are today's analysis: the release history stays free of them.
    history = client.get(reverse("opendata:release", args=[ocid])).json()
    assert all("redFlags" not in release for release in history["releases"])
    for name in ["extension.json", "release-schema.json", "codelists/redFlag.csv"]:
        response = client.get(reverse("opendata:extension-file", args=[name]))
        assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    assert client.get("/data-terbuka/ekstensi/tanda/settings.py").status_code == 404


@pytest.mark.django_db
def test_the_public_summary_counts_flags_per_agency(client, packages):
    html = client.get(reverse("integrity:summary")).content.decode()
    for agency in Agency.objects.filter(processes__flags__isnull=False).distinct():
        row = re.search(rf'<tr data-agency="{agency.code}">(.*?)</tr>', html, re.S).group(1)
        for flag in Flag.values:
            expected = (
                PackageFlag.objects.filter(process__agency=agency, flag=flag)
                .filter(process__status="published")
                .count()
            )
            cell = re.search(rf'<td data-flag="{flag}"[^>]*>(?:<a [^>]*>)?(\d+)', row).group(1)
            assert int(cell) == expected, (agency.code, flag)
    published = Process.objects.published().count()
    assert f"dari {published} paket yang dipublikasikan" in html


@pytest.mark.django_db
def test_an_administrator_changes_a_threshold_and_the_flags_follow(
    client, packages, django_capture_on_commit_callbacks
):
    assert Flag.DIRECT_ABOVE_LIMIT in set(packages["direct"].flags.values_list("flag", flat=True))
    client.force_login(make_administrator())
    # The package is planned in 2099: the limit in force then is the open-ended one.
    threshold = Threshold.objects.get(
        flag=Flag.DIRECT_ABOVE_LIMIT, category="barang", valid_until__isnull=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:integrity_threshold_change", args=[threshold.pk]),
            {
                "flag": threshold.flag,
                "category": threshold.category,
                "method": "",
                "value": "300000000",
                "unit": "rupiah",
                "valid_from": threshold.valid_from.isoformat(),
                "valid_until": "",
                "source": threshold.source,
                "note": "",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    # The recompute is a job of the queue, not the request's work: until it runs, the flag stays.
    assert packages["direct"].flags.filter(flag=Flag.DIRECT_ABOVE_LIMIT).exists()
    assert ProcrastinateJob.objects.filter(
        task_name="integrity.tasks.recompute_flags", status="todo"
    ).exists()
    recompute_flags()  # what the worker runs
    assert not packages["direct"].flags.filter(flag=Flag.DIRECT_ABOVE_LIMIT).exists()


@pytest.mark.django_db
def test_a_threshold_saved_unchanged_queues_no_recompute(
    client, django_capture_on_commit_callbacks
):
    from tests.admin_forms import form_data

    client.force_login(make_administrator())
    threshold = Threshold.objects.get(
        flag=Flag.DIRECT_ABOVE_LIMIT, category="barang", valid_until__isnull=True
    )
    url = reverse("admin:integrity_threshold_change", args=[threshold.pk])
    queued = ProcrastinateJob.objects.filter(task_name="integrity.tasks.recompute_flags")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form_data(client.get(url)), follow=True)
    assert response.status_code == 200
    assert not queued.exists()
    assert "akan dihitung ulang" not in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form_data(client.get(url), value="300000000"), follow=True)
    assert Threshold.objects.get(pk=threshold.pk).value == 300_000_000
    assert queued.count() == 1
    assert "akan dihitung ulang" in response.content.decode()
