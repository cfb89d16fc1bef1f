"""Merge the doubles earlier imports made when a tender came before its plan.

Usage: manage.py merge_doubles [TENDER_EXPORT ...] [--commit]. Without --commit nothing is
written: the same work runs and is rolled back, and the command says what it would do.

Older imports filed a tender whose plan was not there yet as a package of its own and dropped
its kode RUP, so nothing in the database links it to the plan imported later. The LPSE tender
exports hold that link: each file given (by default the bundled Bojonegoro tender export that
`make run` loads) is imported again, and the tender import folds each such package into its
plan. Then packages that share a kode RUP and year (filed under different agencies) are merged
into the plan's package when the group holds at most one tender; a group with several
different tenders (a failed tender and its repeat share the plan's code) is listed and left for
a person to decide.
"""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count

from contracts.models import Process
from contracts.services import merge_processes
from imports import lpse
from imports.models import ImportKind
from imports.services import run_import


class DryRun(Exception):
    pass


class Command(BaseCommand):
    help = "Gabungkan paket ganda hasil impor tender sebelum rencananya."

    def add_arguments(self, parser):
        parser.add_argument("tender_exports", nargs="*", help="ekspor hasil tender LPSE")
        parser.add_argument("--commit", action="store_true", help="tulis penggabungannya")

    def handle(self, *args, tender_exports=(), commit=False, **options):
        files = [Path(name) for name in tender_exports] or [lpse.shared_files()[0]]
        try:
            with transaction.atomic():
                before = Process.objects.count()
                for path in files:
                    run_import(
                        kind=ImportKind.LPSE_TENDER,
                        content=path.read_bytes(),
                        filename=path.name,
                        commit=True,
                    )
                linked = before - Process.objects.count()
                merged, left = self._merge_groups()
                if not commit:
                    raise DryRun
        except DryRun:
            pass
        verb = "digabung" if commit else "akan digabung (pratinjau; --commit untuk menulis)"
        self.stdout.write(
            f"{linked} paket tender {verb} ke rencananya lewat {len(files)} ekspor tender; "
            f"{merged} kelompok kode RUP {verb}; {left} kelompok dibiarkan."
        )

    def _merge_groups(self):
        groups = (
            Process.objects.exclude(rup_code="")
            .values("fiscal_year", "rup_code")
            .annotate(count=Count("pk"))
            .filter(count__gt=1)
            .order_by("fiscal_year", "rup_code")
        )
        merged = left = 0
        for group in groups:
            packages = list(
                Process.objects.filter(
                    fiscal_year=group["fiscal_year"], rup_code=group["rup_code"]
                ).order_by("pk")
            )
            tenders = {p.tender_code for p in packages if p.tender_code}
            name = f"{group['fiscal_year']} kode RUP {group['rup_code']}"
            if len(tenders) > 1:
                left += 1
                self.stdout.write(
                    f"{name}: {len(packages)} paket dengan {len(tenders)} tender berbeda; "
                    "tidak digabung, periksa sendiri"
                )
                continue
            plans = [p for p in packages if not p.tender_code]
            keep = plans[0] if plans else packages[0]
            for double in packages:
                if double.pk != keep.pk:
                    self.stdout.write(f"{name}: {double.ocid} digabung ke {keep.ocid}")
                    keep = merge_processes(keep=keep, absorbed=double)
            merged += 1
        return merged, left
