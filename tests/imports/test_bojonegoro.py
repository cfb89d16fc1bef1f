"""The real Bojonegoro exports, imported whole: every row accounted for, twice, and the figures
the README states."""

import csv
import datetime
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from contracts.models import Bidder, Process, Stage, Status, Supplier
from contracts.ocds import package_state
from imports import lpse, sirup
from imports.common import LPSE_STAGE, PLAN_CANCELLED_REASON
from imports.models import ImportKind
from imports.services import run_import

README = Path(__file__).resolve().parents[2] / "README.md"


def rows_in(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def load(kind, path):
    return run_import(kind=kind, content=path.read_bytes(), filename=path.name, commit=True)


def inactive_plans_won_on_lpse():
    """The kode RUP of the 2018 plans SiRUP marks inactive whose tender the LPSE export
    records as finished with a winner, read from the files themselves."""
    with open(sirup.shared_file(), newline="", encoding="utf-8") as handle:
        inactive = {
            row["kode_rup"] for row in csv.DictReader(handle) if row["status_aktif"] == "tidak"
        }
    tenders, _ = lpse.shared_files()
    with open(tenders, newline="", encoding="utf-8") as handle:
        return {
            row["id_rup"]
            for row in csv.DictReader(handle)
            if row["id_rup"] in inactive
            and row["tahap_tender"] == "Tender Sudah Selesai"
            and row["nama_pemenang"].strip()
        }


def figures_2018():
    processes = Process.objects.filter(fiscal_year=2018, is_sample=False)
    return {
        "processes": processes.count(),
        "pagu": processes.aggregate(total=Sum("budget_amount"))["total"],
        "agencies": processes.values("agency").distinct().count(),
        "linked": processes.exclude(rup_code="").exclude(tender_code="").count(),
        "suppliers": Supplier.objects.count(),
    }


def readme_figures():
    text = README.read_text()
    section = text.split("### The 2018 import in figures", 1)[1].split("\n## ", 1)[0]

    def number(label):
        match = re.search(rf"\| {label} \| ([\d.]+)", section)
        assert match, label
        return int(match.group(1).replace(".", ""))

    return {
        "processes": number("packages of 2018"),
        "pagu": number(r"total pagu of 2018 \(Rp\)"),
        "agencies": number("agencies with 2018 packages"),
        "linked": number("2018 tenders with their kode RUP"),
        "suppliers": number("suppliers"),
    }


@pytest.mark.django_db
def test_the_shared_exports_import_whole_and_again_without_change(media_root):
    tenders, bidders = lpse.shared_files()
    plan = load(ImportKind.SIRUP, sirup.shared_file())
    results = load(ImportKind.LPSE_TENDER, tenders)
    bids = load(ImportKind.LPSE_BIDDER, bidders)

    # Every row of each file is imported or reported with a reason.
    for report, path in [(plan, sirup.shared_file()), (results, tenders), (bids, bidders)]:
        assert report.total == rows_in(path) == sum(report.counts.values())
        for row in report.rows:
            if row.outcome == "skipped":
                assert row.messages, row
    assert rows_in(sirup.shared_file()) == 4863
    assert rows_in(tenders) == 1354 and rows_in(bidders) == 7448

    # The data README: 4,793 distinct kode RUP; 325 of the 2018 tenders match the 2018 plan.
    assert plan.counts["created"] == 4793
    assert results.counts["updated"] == 325
    cancelled = Process.objects.filter(status=Status.WITHDRAWN)
    assert cancelled.exists() and all(p.withdrawn_reason for p in cancelled)

    # 11 plans SiRUP marks inactive whose tender LPSE records won: published with their winner,
    # each said on its tender row.
    won = inactive_plans_won_on_lpse()
    assert len(won) == 11
    concerned = Process.objects.filter(fiscal_year=2018, rup_code__in=won)
    assert concerned.count() == 11
    assert set(concerned.values_list("status", flat=True)) == {Status.PUBLISHED}
    assert not concerned.filter(supplier=None).exists()
    said = [
        row for row in results.rows if any("RUP tidak aktif di SiRUP" in m for m in row.messages)
    ]
    assert len(said) == 11
    bridge = Process.objects.select_related("agency", "supplier").get(
        title__icontains="Jembatan Trucuk Tahap III", tender_code="5566244"
    )
    assert bridge.status == Status.PUBLISHED
    assert bridge.supplier.name == "HAKA UTAMA SEJAHTERA, PT"  # as LPSE writes it
    assert bridge.award_amount == 7_038_295_644
    assert package_state(bridge, as_of=timezone.now())["tender"]["status"] == "complete"
    assert Process.objects.filter(method_original="Lelang Umum", method="tender").exists()
    assert Process.objects.filter(pa_kpa_nip="").count() > 0  # mangled NIPs are not invented

    figures = figures_2018()
    assert figures["linked"] == 325 + 74  # the tenders without a plan keep their code
    assert figures == readme_figures()

    snapshot = {
        "processes": list(Process.objects.order_by("pk").values_list("pk", "updated_at")),
        "bidders": Bidder.objects.count(),
        "suppliers": Supplier.objects.count(),
    }
    again = [
        load(ImportKind.SIRUP, sirup.shared_file()),
        load(ImportKind.LPSE_TENDER, tenders),
        load(ImportKind.LPSE_BIDDER, bidders),
    ]
    for report in again:
        assert report.counts["created"] == report.counts["updated"] == 0
    assert snapshot == {
        "processes": list(Process.objects.order_by("pk").values_list("pk", "updated_at")),
        "bidders": Bidder.objects.count(),
        "suppliers": Supplier.objects.count(),
    }
    assert (
        len([row for row in again[0].rows if any("LPSE selesai" in m for m in row.messages)]) == 11
    )

    # A database an older version loaded (the 11 withdrawn, no LPSE stage remembered): the
    # next start's import_bojonegoro puts them back through the tender export.
    for process in concerned:
        process.source_values.pop(LPSE_STAGE)
        process.status = Status.WITHDRAWN
        process.withdrawn_at = process.published_at
        process.withdrawn_reason = PLAN_CANCELLED_REASON
        process.save()
    call_command("import_bojonegoro", stdout=io.StringIO())
    assert set(concerned.values_list("status", flat=True)) == {Status.PUBLISHED}
    assert not concerned.exclude(withdrawn_reason="").exists()


@pytest.mark.django_db
def test_the_tender_export_brings_2019_and_2020_packages_to_the_contract_stage(media_root):
    tenders, _ = lpse.shared_files()
    report = load(ImportKind.LPSE_TENDER, tenders)
    assert report.total == rows_in(tenders) == sum(report.counts.values())
    notes = {row.key: " ".join(row.messages) for row in report.rows}

    def package(code):
        return Process.objects.select_related("supplier").get(tender_code=code)

    # 2019: the contractor is the winner, the contract at the negotiated price.
    sanitation = package("10013244")
    assert sanitation.supplier.name == "CV KARYA MATAHUN"
    assert (sanitation.award_amount, sanitation.contract_amount) == (522_294_051, 522_294_051)
    assert sanitation.tender_announced == datetime.date(2019, 9, 19)  # serial 43727
    assert sanitation.stage_reached == Stage.CONTRACT

    # 2019: a contract signed by another firm than the winner: its value, and a note.
    larasati = package("6358244")
    assert larasati.supplier.name == "CV. LARASATI"
    assert (larasati.award_amount, larasati.contract_amount) == (397_159_443, 415_451_536)
    assert "kontrak ditandatangani CV. YALA BANGUN TECHNIKA" in notes["6358244"]

    # 2020: contractor amounts cut to thousands or millions of the award (672888 for
    # Rp 672.888.587, 2595 for Rp 2.595.611.260): the award's value, said on the row.
    for code, award in [("14389244", 672_888_587), ("12763244", 2_595_611_260)]:
        assert (package(code).award_amount, package(code).contract_amount) == (award, award)
        assert package(code).stage_reached == Stage.CONTRACT
        assert "terpotong (tertulis dalam ribuan)" in notes[code]
    # ... and cut short for another firm than the winner: no value rather than Rp 1.260.
    other = package("13162244")
    assert other.contract_amount is None and other.award_amount == 1_210_359_619
    assert "nilai kontrak tertulis 1260" in notes["13162244"]

    contracted = Process.objects.filter(stage_reached=Stage.CONTRACT)
    # 2019: the 526 rows naming a contractor, and one naming only its NPWP (the winner's).
    assert contracted.filter(fiscal_year=2019).count() == 527
    # 2020: 151 rows name a contractor; 10 give an amount cut short for another firm than the
    # winner (or for no winner), and one is of an agency outside the register.
    assert contracted.filter(fiscal_year=2020).count() == 140
    assert not contracted.filter(fiscal_year=2018).exists()  # 2018 rows name no contractor
    # A creation date years after the tender's budget year is not its announcement.
    assert package("5009244").tender_announced is None
    assert "di luar tahun anggaran 2018" in notes["5009244"]
