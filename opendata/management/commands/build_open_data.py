import time

from django.conf import settings
from django.core.management.base import BaseCommand

from opendata.bulk import BuildRunning, build


class Command(BaseCommand):
    help = (
        "Bangun ulang berkas unduhan massal (OCDS JSON, JSON Lines, CSV, XLSX) yang datanya "
        "berubah. `portal_worker` menjalankannya berkala."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Bangun ulang semuanya.")

    def handle(self, *args, force, **options):
        started = time.monotonic()
        try:
            rebuilt = build(base_url=settings.PORTAL["BASE_URL"], force=force)
        except BuildRunning:
            # Not an error (the other build does the work), and not "nothing changed" either.
            self.stdout.write(
                "Data terbuka: pembangunan lain sedang berjalan; yang ini tidak dijalankan."
            )
            return
        self.stdout.write(
            f"Data terbuka: {', '.join(rebuilt) or 'tidak ada yang berubah'} "
            f"({time.monotonic() - started:.1f} dtk)."
        )
