"""OCDS 1.1.5 output, checked offline against the official schemas copied into the repo."""

import csv
import datetime
import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.urls import reverse
from jsonschema import Draft4Validator, FormatChecker

from agencies.models import Agency
from contracts import services
from contracts.models import (
    Bidder,
    DocumentType,
    Payment,
    Process,
    ProgressReport,
    Release,
    Supplier,
)
from contracts.ocds import (
    BIDS_EXTENSION_URL,
    compiled_release,
    package_state,
    record_package,
    red_flags_extension_url,
    related_lists,
    release,
    release_package,
    release_tags,
    schema_errors,
    with_red_flags,
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
from tests.ocds_extensions import patched_release_validator, release_errors

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
        fields.update(pho_date=D(2018, 11, 5))
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
            record_package(
                process,
                uri="https://contoh/r.json",
                packages=["https://contoh/ocds.json"],
                releases=[data],
                **lists,
            ),
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


@pytest.mark.once
@pytest.mark.django_db
def test_the_whole_imported_data_set_validates(capsys, client, media_root):
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
    in_open_data = Process.objects.open_data().count()
    assert f"{in_open_data} paket diperiksa, 0 masalah skema." in out
    assert published > 4000
    # The import stored each package's first release (withdrawn SiRUP plans included, their
    # withdrawal), with official tags only.
    assert Release.objects.values("process").distinct().count() == in_open_data
    tags = {tag for row in Release.objects.values_list("tags", flat=True) for tag in row}
    assert tags and tags <= codes("releaseTag")

    # Codes coherent with the data, and bids apart from registrations, on every package.
    expected_status = {
        "perencanaan": {"planned", "withdrawn"},
        "pemilihan": {"active", "cancelled"},
        "pemenang": {"complete", "cancelled"},
        "kontrak": {"complete", "cancelled"},
        "implementasi": {"complete", "cancelled"},
    }
    processes = with_related(Process.objects.open_data()).prefetch_related("releases")
    for process in processes.iterator(chunk_size=500):
        lists = related_lists(process)
        data = compiled_release(process, releases=history(process, lists), **lists)
        tender = data["tender"]
        assert tender["status"] in expected_status[process.stage_reached], process.ocid
        assert (tender["status"] in ("cancelled", "withdrawn")) == (process.status == "withdrawn")
        if "numberOfTenderers" in tender:
            assert tender["numberOfTenderers"] <= len(tender["tenderers"]), process.ocid
        for contract in data.get("contracts", []):
            assert contract["awardID"] in {award["id"] for award in data["awards"]}

    # OCP's review of the bulk files of the whole data: no error.
    from opendata.bulk import build
    from tests.ocds_review import review

    build(base_url="https://data.contoh.go.id")
    for name in ["ocds.json", "ocds-rekaman.json"]:
        response = client.get(reverse("opendata:download", args=["semua", name]))
        result = review(json.loads(b"".join(response.streaming_content)))
        assert (result.schema_errors, result.codelist_errors) == ([], []), name

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
        # Counts are written the Indonesian way, with thousands dots ("4.683").
        shown = re.search(rf'<td data-flag="{flag}">(?:<a [^>]*>)?([\d.]+)', html).group(1)
        assert int(shown.replace(".", "")) == actual.get(flag, 0)

    # Every flag's figures are declared by the red-flags extension, and each flagged package's
    # flags pass the release schema patched with the extensions the record package names. The
    # rest of each compiled release (the record package's, flags beside it) was validated by
    # validate_ocds above; here the `redFlags` member alone is checked against its patched
    # declaration, so the 4,000-odd flagged packages are not compiled and validated twice.
    extensions = [BIDS_EXTENSION_URL, red_flags_extension_url()]
    schema = patched_release_validator(extensions).schema
    declared = set(schema["definitions"]["RedFlag"]["properties"]["figures"]["properties"])
    used = {key for figures in flagged.values_list("figures", flat=True) for key in figures}
    assert used and used <= declared
    red_flags = Draft4Validator(
        {**schema["properties"]["redFlags"], "definitions": schema["definitions"]},
        format_checker=FormatChecker(),
    )
    flagged_packages = (
        Process.objects.published()
        .filter(flags__isnull=False)
        .distinct()
        .prefetch_related("flags__threshold")
    )
    # The declaration does refuse a flag outside its codelist, or without its title.
    assert list(red_flags.iter_errors([{"id": "bukan_tanda", "description": "x"}]))
    checked = 0
    for process in flagged_packages.iterator(chunk_size=500):
        items = with_red_flags({}, process.flags.all())["redFlags"]
        assert list(red_flags.iter_errors(items)) == [], process.ocid
        checked += 1
    assert checked == claimed["any flag"]

    # NPWPs of the bundled LPSE export that fail their check digit: kept, none an identifier
    # (the README's figure).
    failing = [s for s in Supplier.objects.exclude(npwp=None) if not s.npwp_passes_check]
    claimed = re.search(r"give (\d+) of the ([\d,]+)\s+suppliers' NPWPs that fail", README)
    assert (len(failing), Supplier.objects.exclude(npwp=None).count()) == (
        int(claimed.group(1)),
        int(claimed.group(2).replace(",", "")),
    )


def parties_by_id(data):
    return {party["id"]: party for party in data["parties"]}


@pytest.mark.django_db
def test_an_npwp_is_an_org_id_identifier_only_when_it_passes_its_check(operator, media_root):
    process = package_at(3, operator)  # won by CV Maju, whose NPWP fails its check digit
    checked = Supplier.objects.create(name="CV Benar", npwp="0712420314601000")
    Bidder.objects.create(process=process, supplier=checked)
    Bidder.objects.create(process=process, supplier=process.supplier)
    process = with_related(Process.objects.filter(pk=process.pk)).get()
    parties = parties_by_id(compiled(process))
    # org-id.guide's code for the Directorate General of Taxes, the NPWP's 16 digits.
    assert parties["supplier-0712420314601000"]["identifier"] == {
        "scheme": "ID-DJP",
        "id": "0712420314601000",
        "legalName": "CV Benar",
    }
    unverified = parties["supplier-0012345678901000"]
    assert "identifier" not in unverified and unverified["name"] == "CV Maju"
    # Party ids do not move between releases.
    process.title = "Judul baru"
    process.save()
    again = parties_by_id(compiled(process))
    assert again.keys() == parties.keys()


@pytest.mark.django_db
def test_an_agency_names_no_scheme_that_org_id_guide_does_not_hold(operator, media_root):
    process = package_at(1, operator)
    buyer = parties_by_id(compiled(process))["buyer-dinas-kesehatan"]
    # Dinas Kesehatan's satker id in the 2018 SiRUP export, with no scheme claimed.
    assert buyer["identifier"] == {"id": "74472", "legalName": "Dinas Kesehatan"}
    operator.agency.sirup_id = ""
    operator.agency.save()
    process = with_related(Process.objects.filter(pk=process.pk)).get()
    buyer = parties_by_id(compiled(process))["buyer-dinas-kesehatan"]
    assert buyer["identifier"] == {"legalName": "Dinas Kesehatan"}


@pytest.mark.django_db
def test_packages_name_their_publisher_and_publication_policy(
    client, operator, media_root, settings
):
    settings.PORTAL = {
        **settings.PORTAL,
        "BASE_URL": "https://opendatakontrak.bojonegorokab.go.id",
        "PUBLISHER_SCHEME": "ID-DJP",
        "PUBLISHER_UID": "0312666837412000",
        "PUBLISHER_URI": "https://bojonegorokab.go.id/",
    }
    process = package_at(2, operator)
    lists = related_lists(process)
    releases = [release(process, **lists)]
    packages = [
        release_package(releases, uri="https://contoh/ocds.json"),
        record_package(
            process,
            uri="https://contoh/rekaman.json",
            packages=["https://contoh/ocds.json"],
            releases=releases,
            **lists,
        ),
    ]
    for package in packages:
        assert package["publisher"] == {
            "name": "Kabupaten Bojonegoro — Open Data Kontrak",
            "scheme": "ID-DJP",
            "uid": "0312666837412000",
            "uri": "https://bojonegorokab.go.id/",
        }
        assert (
            package["publicationPolicy"]
            == "https://opendatakontrak.bojonegorokab.go.id/data-terbuka/kebijakan/"
        )
        assert BIDS_EXTENSION_URL in package["extensions"]
    assert schema_errors(packages[0]) == []
    assert schema_errors(packages[1], "record-package-schema.json") == []
    assert packages[1]["packages"] == ["https://contoh/ocds.json"]
    policy = client.get("/data-terbuka/kebijakan/").content.decode()
    assert "ID-DJP" in policy and "16 angka" in policy


@pytest.mark.django_db
def test_lpse_bids_follow_the_bids_extension(operator, media_root):
    process = package_at(3, operator)
    winner = process.supplier
    rival = Supplier.objects.create(name="CV Saingan", npwp="0712420314601000")
    registered = Supplier.objects.create(name="CV Hanya Mendaftar")
    Bidder.objects.create(
        process=process, supplier=winner, bid_amount=1_190_000_000, corrected_amount=1_150_000_000
    )
    Bidder.objects.create(process=process, supplier=rival, bid_amount=1_210_000_000)
    Bidder.objects.create(process=process, supplier=registered)
    process = with_related(Process.objects.filter(pk=process.pk)).get()
    data = compiled(process)
    details = {bid["tenderers"][0]["name"]: bid for bid in data["bids"]["details"]}
    # The corrected price overwrites the offer, as the extension's guidance says; the winner's
    # bid is valid; whether the others passed evaluation is not known, so no status.
    assert details["CV Maju"]["value"] == {"amount": 1_150_000_000, "currency": "IDR"}
    assert details["CV Maju"]["status"] == "valid"
    assert details["CV Saingan"]["value"] == {"amount": 1_210_000_000, "currency": "IDR"}
    assert "status" not in details["CV Saingan"]
    assert "CV Hanya Mendaftar" not in details  # registered, no price: not a bid
    assert data["bids"]["statistics"] == [{"id": "penawaran", "measure": "bids", "value": 2}]
    party_ids = {party["id"] for party in data["parties"]}
    for bid in details.values():
        assert bid["tenderers"][0]["id"] in party_ids
    assert len({bid["id"] for bid in details.values()}) == 2
    bid_statuses = codes_of_extension("bids", "bidStatus")
    assert {bid.get("status") for bid in details.values()} - {None} <= bid_statuses

    flags = [
        PackageFlag(
            flag=Flag.CONTRACT_NEAR_HPS,
            reason="Nilai penetapan Rp1.150.000.000 adalah 95.8% dari HPS Rp1.200.000.000.",
            figures={
                "nilai": 1_150_000_000,
                "dasar_nilai": "nilai penetapan",
                "hps": 1_200_000_000,
                "persen": 95.8,
            },
        )
    ]
    flagged = with_red_flags(data, flags)
    extensions = [BIDS_EXTENSION_URL, red_flags_extension_url()]
    assert release_errors(flagged, extensions) == []
    # The patched schema does check the extensions' fields.
    flagged["bids"]["details"][0]["status"] = "menang"
    flagged["redFlags"][0]["id"] = "tanda_karangan"
    flagged["redFlags"][0]["figures"]["persen"] = "95,8"
    errors = release_errors(flagged, extensions)
    assert any(error.startswith("bids/details/0/status") for error in errors), errors
    assert any(error.startswith("redFlags/0/id") for error in errors), errors
    assert any(error.startswith("redFlags/0/figures/persen") for error in errors), errors


def codes_of_extension(folder, name):
    path = Path(__file__).resolve().parents[2] / "opendata/extension" / folder / "codelists"
    with open(path / f"{name}.csv", newline="", encoding="utf-8") as handle:
        return {row["Code"] for row in csv.DictReader(handle)}


def codelist(name):
    """{code: description} of an OCDS 1.1.5 codelist."""
    with open(CODELISTS / f"{name}.csv", newline="", encoding="utf-8") as handle:
        return {row["Code"]: row["Description"] for row in csv.DictReader(handle)}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("stage", "status"),
    [(1, "planned"), (2, "active"), (3, "complete"), (4, "complete"), (5, "complete")],
)
def test_tender_status_follows_the_stage(stage, status, operator, media_root):
    data = compiled(package_at(stage, operator))
    assert data["tender"]["status"] == status
    # What the codelist says each one means, against what the package holds.
    meaning = codelist("tenderStatus")[status]
    assert {
        "planned": "scheduled, but is not yet taking place",
        "active": "currently taking place",
        "complete": "is complete",
    }[status] in meaning
    assert ("awards" in data) == (stage >= 3)


@pytest.mark.django_db
def test_a_withdrawal_is_withdrawn_before_the_selection_and_cancelled_after(operator):
    plan = package_at(1, operator)
    services.withdraw_process(process=plan, by=operator, reason="Anggaran dialihkan")
    tender = compiled(plan)["tender"]
    assert (tender["status"], tender["statusDetails"]) == ("withdrawn", "Anggaran dialihkan")
    assert "No further information" in codelist("tenderStatus")["withdrawn"]

    awarded = package_at(4, operator)
    services.withdraw_process(process=awarded, by=operator, reason="Putusan sanggah")
    data = compiled(awarded)
    assert data["tender"]["status"] == "cancelled"
    assert data["awards"][0]["status"] == "cancelled"
    assert data["contracts"][0]["status"] == "cancelled"
    stored = Release.objects.filter(process=awarded).last()
    assert stored.tags == [
        "planningUpdate",  # its planned dates will not be met now: notMet
        "tenderCancellation",
        "awardCancellation",
        "contractUpdate",
    ]


@pytest.mark.django_db
def test_award_and_milestone_status_come_from_the_dates(operator, media_root):
    process = package_at(5, operator)
    as_of = datetime.datetime(2018, 6, 1, tzinfo=datetime.UTC)  # before the BAST
    lists = related_lists(process)
    from contracts.ocds import package_state

    then = package_state(process, as_of=as_of, **lists)
    now = compiled(process)
    milestones = {m["id"]: m for m in then["planning"]["milestones"]}
    # Planned start 1 March, work started 7 May: met, on the day it started.
    assert milestones["rencana-mulai"]["status"] == "met"
    assert milestones["rencana-mulai"]["dateMet"].startswith("2018-05-07")
    # Planned end 30 November: still ahead on 1 June; met by the BAST of 5 November.
    assert milestones["rencana-selesai"]["status"] == "scheduled"
    assert {m["id"]: m["status"] for m in now["planning"]["milestones"]} == {
        "rencana-mulai": "met",
        "rencana-selesai": "met",
    }
    handover = {m["id"]: m for m in then["contracts"][0]["implementation"]["milestones"]}
    assert handover["serah-terima"]["status"] == "scheduled"  # due 5 November
    assert now["awards"][0]["status"] == "active"
    assert "currently in force" in codelist("awardStatus")["active"]

    # Planned dates passed with nothing recorded: the data cannot say whether the work started
    # or ended (most direct purchases never reach LPSE), so no status; a withdrawn package's
    # will not happen: not met.
    late = package_at(1, operator)
    late_data = compiled(late)
    assert [m.get("status") for m in late_data["planning"]["milestones"]] == [None, None]
    services.withdraw_process(process=late, by=operator, reason="Dibatalkan")
    late.refresh_from_db()
    withdrawn_data = compiled(late)
    assert {m["id"]: m["status"] for m in withdrawn_data["planning"]["milestones"]} == {
        "rencana-mulai": "notMet",
        "rencana-selesai": "notMet",
    }
    # An award decided after the release's date is not yet in force: pending.
    future = package_state(
        process, as_of=datetime.datetime(2018, 4, 15, tzinfo=datetime.UTC), **lists
    )
    assert future["awards"][0]["status"] == "active"  # the contract exists: it was made
    no_contract = package_at(3, operator)
    early = package_state(
        no_contract,
        as_of=datetime.datetime(2018, 4, 15, tzinfo=datetime.UTC),
        **related_lists(no_contract),
    )
    assert early["awards"][0]["status"] == "pending"
    assert "not yet in force" in codelist("awardStatus")["pending"]
    for data in (then, now, late_data, withdrawn_data, early):
        statuses = {m["status"] for m in data["planning"]["milestones"] if "status" in m}
        assert statuses <= codes("milestoneStatus")


@pytest.mark.django_db
def test_swakelola_contract_rests_on_a_real_award_to_the_agency(operator, media_root):
    fields = {**stage_fields(4), "supplier": None, "award_amount": None, "award_date": None}
    process = make_process(operator.agency, **{**fields, "method": "swakelola"})
    services.publish_process(process=process, by=operator)
    data = compiled(process)
    award_ids = {award["id"] for award in data["awards"]}
    assert data["contracts"][0]["awardID"] in award_ids
    (award,) = data["awards"]
    buyer = data["buyer"]["id"]
    assert award["suppliers"] == [data["buyer"]]
    assert "supplier" in next(p for p in data["parties"] if p["id"] == buyer)["roles"]
    assert "procurementMethod" not in data["tender"]
    # No selection took place: its releases never say "tender".
    tags = [tag for r in Release.objects.filter(process=process) for tag in r.tags]
    assert "tender" not in tags and "award" in tags


@pytest.mark.django_db
def test_a_first_release_of_a_tender_already_cancelled_says_so(operator, media_root):
    # An import that brings a finished tender and its withdrawal at once: the stages' first
    # release carries their cancellation too (releaseTag: "details of the cancellation").
    process = package_at(3, operator)
    services.withdraw_process(process=process, by=operator, reason="Dibatalkan")
    process.refresh_from_db()
    state = package_state(process, as_of=process.updated_at, **related_lists(process))
    assert release_tags(None, state, process) == [
        "planning",
        "tender",
        "tenderCancellation",
        "award",
        "awardCancellation",
    ]
    assert {"tenderCancellation", "awardCancellation"} <= codes("releaseTag")


@pytest.mark.django_db
def test_no_release_tags_a_stage_it_does_not_have(operator, media_root):
    # An award's documents without an award, a contract's without a contract.
    process = package_at(2, operator)
    for code in ["pengumuman-pemenang", "spmk"]:
        document_type = DocumentType.objects.get(code=code)
        uploaded = SimpleUploadedFile(f"{code}.pdf", pdfs.good_pdf(code))
        services.add_documents(
            process=process,
            stage=document_type.stage,
            document_type=document_type,
            uploads=[(uploaded, inspect_upload(uploaded))],
            by=operator,
        )
    data = compiled(process)
    assert "awards" not in data and "contracts" not in data
    for stored in Release.objects.filter(process=process):
        assert not {"award", "awardUpdate", "contract", "contractUpdate"} & set(stored.tags)
    # Their documents are published all the same, with the tender's.
    assert {d["documentType"] for d in data["tender"]["documents"]} == {
        DocumentType.objects.get(code=code).ocds_code for code in ["pengumuman-pemenang", "spmk"]
    }


@pytest.mark.django_db
def test_payments_are_transactions_identified_by_their_sp2d(operator, media_root):
    process = package_at(5, operator)
    for sp2d in ["SP2D-1", "", "SP2D-9"]:
        Payment.objects.create(
            process=process, label="Termin", sp2d_number=sp2d, amount=1, date=D(2018, 9, 1)
        )
    data = compiled(process)
    transactions = data["contracts"][0]["implementation"]["transactions"]
    rows = list(Payment.objects.filter(process=process))
    # The SP2D number where it is there and unique; the row's id for a blank or repeated one.
    assert [t["id"] for t in transactions] == ["SP2D-1", str(rows[1].pk), str(rows[2].pk), "SP2D-9"]
    assert len({t["id"] for t in transactions}) == len(transactions)
    assert all("source" not in t for t in transactions)  # an SP2D number is no URI
    assert {t["payer"]["id"] for t in transactions} == {data["buyer"]["id"]}
    supplier = data["awards"][0]["suppliers"][0]
    assert all(t["payee"] == supplier for t in transactions)
    # The parties a transaction names hold the partyRole codes for it.
    roles = {party["id"]: set(party["roles"]) for party in data["parties"]}
    assert "payer" in roles[data["buyer"]["id"]] and "payer" in codes("partyRole")
    assert "payee" in roles[supplier["id"]] and "payee" in codes("partyRole")


@pytest.mark.django_db
def test_number_of_tenderers_counts_bids_and_registrations_are_apart(operator, media_root):
    process = package_at(2, operator)  # LPSE said 5 "peserta": registrations
    data = compiled(process)
    assert "numberOfTenderers" not in data["tender"]  # no bidder listed: not known
    assert data["tender"]["numberOfRegistrations"] == 5
    for npwp in ["0012345678901000", "0098765432109000"]:
        supplier = Supplier.objects.get_or_create(npwp=npwp, defaults={"name": npwp})[0]
        Bidder.objects.create(process=process, supplier=supplier)
    data = compiled(process)
    assert data["tender"]["numberOfTenderers"] == len(data["tender"]["tenderers"]) == 2
    assert data["tender"]["numberOfRegistrations"] == 5
    # Declared in our extension's schema, so that a review knows the field.
    extension = json.loads(
        (
            Path(__file__).resolve().parents[2] / "opendata/extension/tanda/release-schema.json"
        ).read_text()
    )
    assert "numberOfRegistrations" in extension["definitions"]["Tender"]["properties"]


@pytest.mark.django_db
def test_validate_ocds_checks_formats_and_closed_codelists(operator, media_root):
    process = package_at(5, operator)
    data = compiled(process)
    package = release_package([data], uri="https://contoh/ocds.json")
    assert schema_errors(package) == []
    data["contracts"][0]["implementation"]["transactions"][0]["source"] = "CONTOH-SP2D-1"
    data["date"] = "5 Agustus 2018"
    data["awards"][0]["status"] = "selesai"
    errors = schema_errors(package)
    assert any("transactions/0/source" in e and "uri" in e for e in errors)
    assert any(e.startswith("releases/0/date") and "date-time" in e for e in errors)
    assert any("awards/0/status" in e for e in errors)


@pytest.mark.django_db
def test_validate_ocds_reports_local_codes_and_rejects_closed_codelist_values(
    operator, media_root, capsys
):
    process = package_at(5, operator)  # a DPA: the local documentType budgetExecutionDocument
    call_command("validate_ocds")
    out = capsys.readouterr().out
    assert "Daftar kode terbuka documentType.csv (planning/documents/documentType)" in out
    assert "budgetExecutionDocument" in out
    assert "0 masalah skema." in out

    stored = Release.objects.filter(process=process).last()
    stored.data["tender"]["status"] = "berjalan"
    stored.save()
    with pytest.raises(CommandError):
        call_command("validate_ocds")
    out = capsys.readouterr().out
    assert "tender/status: ['berjalan'] tidak ada di tenderStatus.csv" in out
