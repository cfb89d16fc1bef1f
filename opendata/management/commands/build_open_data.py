import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, connections

from opendata.bulk import build


class Command(BaseCommand):
    help = (
        "Bangun ulang berkas unduhan massal (OCDS JSON, JSON Lines, CSV, XLSX) yang datanya "
        "berubah. Dengan --watch, periksa lagi setiap sekian detik."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Bangun ulang semuanya.")
        parser.add_argument("--watch", type=int, metavar="DETIK", default=0)

    def handle(self, *args, force, watch, **options):
        if not watch:
            self.once(force)
            return
        try:
            while True:
                try:
                    self.once(force)
                except DatabaseError as error:
                    # The database restarting is no reason to stop: try again next round.
                    self.stderr.write(f"Data terbuka belum dibangun: {error}")
                finally:
                    connections.close_all()
                force = False
                time.sleep(watch)
        except KeyboardInterrupt:
            return

    def once(self, force):
        started = time.monotonic()
        rebuilt = build(base_url=settings.PORTAL["BASE_URL"], force=force)
        self.stdout.write(
            f"Data terbuka: {', '.join(rebuilt) or 'tidak ada yang berubah'} "
            f"({time.monotonic() - started:.1f} dtk)."
        )
        self.stdout.flush()
