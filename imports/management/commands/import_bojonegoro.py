from django.core.management.base import BaseCommand

from contracts.models import Process, Status
from imports import lpse, sirup
from imports.common import LPSE_STAGE, PLAN_CANCELLED_REASON
from imports.models import ImportKind, ImportRun
from imports.services import run_import


class Command(BaseCommand):
    help = (
        "Muat data nyata Kabupaten Bojonegoro (SiRUP 2018, tender LPSE 2018-2020, peserta 2018) "
        "sekali; jalankan lagi dengan --again untuk mengimpor ulang."
    )

    def add_arguments(self, parser):
        parser.add_argument("--again", action="store_true")

    def handle(self, *args, again, **options):
        tenders, bidders = lpse.shared_files()
        files = [
            (ImportKind.SIRUP, sirup.shared_file()),
            (ImportKind.LPSE_TENDER, tenders),
            (ImportKind.LPSE_BIDDER, bidders),
        ]
        if not again and ImportRun.objects.filter(
            filename__in=[path.name for _, path in files]
        ).count() >= len(files):
            self.stdout.write("Data nyata Bojonegoro sudah dimuat.")
            if _withdrawn_before_lpse_was_weighed():
                # Loaded by a version that withdrew every package of an inactive plan, even one
                # whose tender LPSE shows won: the tender export again puts those back.
                self.stdout.write(
                    "Paket yang ditarik karena RUP tidak aktif, padahal tendernya di LPSE "
                    "berjalan atau selesai: impor ulang hasil tender."
                )
                report = run_import(
                    kind=ImportKind.LPSE_TENDER,
                    content=tenders.read_bytes(),
                    filename=tenders.name,
                    commit=True,
                )
                self.stdout.write(report.summary())
            return
        for kind, path in files:
            report = run_import(
                kind=kind, content=path.read_bytes(), filename=path.name, commit=True
            )
            self.stdout.write(report.summary())


def _withdrawn_before_lpse_was_weighed():
    """Packages the SiRUP import withdrew that hold a tender code but no LPSE stage: imported
    before the tender's stage was remembered, so never weighed against it."""
    return (
        Process.objects.filter(status=Status.WITHDRAWN, withdrawn_reason=PLAN_CANCELLED_REASON)
        .exclude(tender_code="")
        .exclude(source_values__has_key=LPSE_STAGE)
        .exists()
    )
