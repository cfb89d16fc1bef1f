"""The real Bojonegoro exports, imported whole: every row accounted for, twice, and the figures
the README states."""

import csv
import re
from pathlib import Path

import pytest
from django.db.models import Sum

from contracts.models import Bidder, Process, Status, Supplier
from imports import lpse, sirup
from imports.models import ImportKind
from imports.services import run_import

README = Path(__file__).resolve().parents[2] / "README.md"


def rows_in(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def load(kind, path):
    return run_import(kind=kind, content=path.read_bytes(), filename=path.name, commit=True)


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
