from django.core.management.base import BaseCommand

from imports import lpse, sirup
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
            return
        for kind, path in files:
            report = run_import(
                kind=kind, content=path.read_bytes(), filename=path.name, commit=True
            )
            self.stdout.write(report.summary())
