"""OCDS 1.1.5 output, checked offline against the official schemas copied into the repo."""

import csv
import datetime
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse

from agencies.models import Agency
from contracts import services
from contracts.models import DocumentType, Payment, Process, ProgressReport, Release, Supplier
from contracts.ocds import (
    compiled_release,
    record_package,
    related_lists,
    release,
    release_package,
    schema_errors,
    with_related,
)
from contracts.pdf import inspect_upload
from contracts.releases import history
from imports import lpse, sirup
from imports.models import ImportKind
from imports.services import run_import
from integrity.models import Flag, PackageFlag
from tests import pdfs
from tests.factories import make_operator, make_process, planning_fields

CODELISTS = Path(__file__).resolve().parents[2] / "contracts/ocds/1.1.5/codelists"
README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def codes(name):
    with open(CODELISTS / f"{name}.csv", newline="", encoding="utf-8") as handle:
        return {row["Code"] for row in csv.DictReader(handle)}


D = datetime.date


def stage_fields(stage):
    fields = planning_fields()
    if stage >= 2:
        fields.update(
            tender_code="5009244",
            hps_amount=1_200_000_000,
            number_of_tenderers=5,
            tender_announced=D(2018, 4, 2),
            bid_deadline=D(2018, 4, 16),
            procuring_entity="Pokja 3",
        )
    if stage >= 3:
        fields.update(
            supplier=Supplier.objects.get_or_create(
                npwp="0012345678901000", defaults={"name": "CV Maju"}
            )[0],
            award_amount=1_150_000_000,
            award_date=D(2018, 4, 30),
        )
    if stage >= 4:
        fields.update(
            contract_number="027/SPK/2018",
            contract_amount=1_150_000_000,
            contract_signed=D(2018, 5, 7),
            contract_start=D(2018, 5, 7),
            contract_end=D(2018, 11, 5),
        )
    if stage >= 5:
        fields.update(completion_date=D(2018, 11, 5))
    return fields


def compiled(process):
    """The package's compiled release, from its stored release history."""
    process = with_related(Process.objects.filter(pk=process.pk)).get()
    lists = related_lists(process)
    return compiled_release(process, releases=history(process, lists), **lists)


@pytest.fixture
def operator():
    return make_operator(Agency.objects.get(code="dinas-kesehatan"))


def package_at(stage, operator, method="tender", category="pekerjaan_konstruksi"):
    process = make_process(
        operator.agency, **{**stage_fields(stage), "method": method, "category": category}
    )
    uploaded = SimpleUploadedFile("DPA.pdf", pdfs.good_pdf("DPA"))
    services.add_documents(
        process=process,
        stage="perencanaan",
        document_type=DocumentType.objects.get(code="dpa"),
        uploads=[(uploaded, inspect_upload(uploaded))],
        by=operator,
    )
    if stage >= 5:
        ProgressReport.objects.create(
            process=process, date=D(2018, 8, 1), physical_percent=50, financial_percent=40
        )
        Payment.objects.create(
            process=process,
            label="Termin 1",
            sp2d_number="SP2D-1",
            amount=500_000_000,
            date=D(2018, 8, 5),
        )
    services.publish_process(process=process, by=operator)
    services.save_process(process=process, by=operator)
    return with_related(Process.objects.filter(pk=process.pk)).get()


@pytest.mark.django_db
@pytest.mark.parametrize("stage", [1, 2, 3, 4, 5])
def test_a_package_at_each_stage_is_schema_valid(stage, operator, media_root):
    process = package_at(stage, operator)
    lists = related_lists(process)
    data = release(process, **lists)
    assert schema_errors(release_package([data], uri="https://contoh/ocds.json")) == []
    assert (
        schema_errors(
            record_package(process, uri="https://contoh/r.json", releases=[data], **lists),
            "record-package-schema.json",
        )
        == []
    )
    assert data["tag"] == ["planning", "tender", "award", "contract", "implementation"][:stage]
    assert data["ocid"] == process.ocid
    assert data["planning"]["budget"]["amount"] == {"amount": 1_250_000_000, "currency": "IDR"}
    assert ("awards" in data) == (stage >= 3)
    assert ("contracts" in data) == (stage >= 4)


@pytest.mark.django_db
def test_consultancy_and_swakelola(operator, media_root):
    consultancy = package_at(2, operator, method="seleksi", category="jasa_konsultansi")
    data = compiled(consultancy)
    assert data["tender"]["mainProcurementCategory"] == "services"
    assert data["tender"]["additionalProcurementCategories"] == ["consultingServices"]
    assert data["tender"]["procurementMethod"] == "selective"
    swakelola = package_at(1, operator, method="swakelola")
    data = compiled(swakelola)
    assert "procurementMethod" not in data["tender"]


@pytest.mark.django_db
def test_codelist_values_are_official_or_documented(client, operator, media_root):
    process = package_at(5, operator)
    data = compiled(process)
    roles = {role for party in data["parties"] for role in party["roles"]}
    assert roles <= codes("partyRole")
    assert data["tender"]["procurementMethod"] in codes("method")
    assert data["tender"]["mainProcurementCategory"] in codes("procurementCategory")
    milestones = data["contracts"][0]["implementation"]["milestones"]
    assert {m["type"] for m in milestones} <= codes("milestoneType")
    document_types = {
        d["documentType"] for section in ["planning"] for d in data[section]["documents"]
    }
    local_page = client.get(reverse("opendata:local-codes")).content.decode()
    for code in document_types:
        assert code in codes("documentType") or f"`{code}`" in README
    # Every local code, used or not, is explained on the public page and in the README.
    for code in DocumentType.objects.filter(is_local=True).values_list("ocds_code", flat=True):
        assert code not in codes("documentType")
        assert f'id="kode-{code}"' in local_page and f"`{code}`" in README


@pytest.mark.django_db
def test_the_validator_does_reject_bad_data(operator, media_root):
    process = package_at(2, operator)
    data = compiled(process)
    data["tender"]["value"]["amount"] = "satu miliar"
    data["tender"]["procurementMethod"] = "arisan"
    errors = schema_errors(release_package([data], uri="https://contoh/ocds.json"))
    assert any("amount" in error for error in errors)
    assert any("procurementMethod" in error for error in errors)


@pytest.mark.django_db
def test_the_whole_imported_data_set_validates(capsys, client):
    tenders, bidders = lpse.shared_files()
    for kind, path in [
        (ImportKind.SIRUP, sirup.shared_file()),
        (ImportKind.LPSE_TENDER, tenders),
        (ImportKind.LPSE_BIDDER, bidders),
    ]:
        run_import(kind=kind, content=path.read_bytes(), filename=path.name, commit=True)
    call_command("validate_ocds")
    out = capsys.readouterr().out
    published = Process.objects.published().count()
    assert f"{published} paket diperiksa, 0 masalah skema." in out
    assert published > 4000
    # The import stored each published package's first release, with official tags only.
    assert Release.objects.values("process").distinct().count() == published
    tags = {tag for row in Release.objects.values_list("tags", flat=True) for tag in row}
    assert tags and tags <= codes("releaseTag")

    # Red flags over the real data: the README's table, and the public page, say the same.
    table = README.split("(checked by a test over the shared files):")[1].split("\n\n")[1]
    claimed = {
        code.strip("` "): int(n.replace(",", ""))
        for code, n in re.findall(r"^\| (`\w+`|any flag) \| ([\d,]+) \|$", table, re.M)
    }
    flagged = PackageFlag.objects.filter(process__status="published")
    actual = dict(
        flagged.values_list("flag").annotate(n=Count("process", distinct=True)).order_by()
    )
    assert claimed == {
        **{flag: actual.get(flag, 0) for flag in Flag.values},
        "any flag": flagged.values("process").distinct().count(),
    }
    html = client.get(reverse("integrity:summary")).content.decode()
    for flag in Flag.values:
        shown = re.search(rf'<td data-flag="{flag}">(?:<a [^>]*>)?(\d+)', html).group(1)
        assert int(shown) == actual.get(flag, 0)
