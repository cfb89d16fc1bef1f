import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DatabaseError, connections
from django.utils import timezone


class Command(BaseCommand):
    help = (
        "Pekerjaan latar portal: bangun ulang berkas data terbuka yang datanya berubah setiap "
        "sekian detik, dan pekerjaan harian (portal_daily) sekali sehari."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, metavar="DETIK", default=600)

    def handle(self, *args, every, **options):
        daily_done = None
        try:
            while True:
                try:
                    today = timezone.localdate()
                    if daily_done != today:
                        call_command("portal_daily", stdout=self.stdout)
                        daily_done = today
                    call_command("build_open_data", stdout=self.stdout)
                except DatabaseError as error:
                    # The database restarting is no reason to stop: try again next round.
                    self.stderr.write(f"Pekerjaan latar tertunda: {error}")
                finally:
                    connections.close_all()
                self.stdout.flush()
                time.sleep(every)
        except KeyboardInterrupt:
            return
