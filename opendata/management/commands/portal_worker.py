import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DatabaseError, connections
from django.utils import timezone

from opendata_kontrak import orphans


class Command(BaseCommand):
    help = (
        "Pekerjaan latar portal: bangun ulang berkas data terbuka yang datanya berubah setiap "
        "sekian detik, hapus berkas tanpa pemilik, dan hitung ulang tanda untuk dicermati "
        "sekali sehari."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, metavar="DETIK", default=600)

    def handle(self, *args, every, **options):
        flags_day = None
        try:
            while True:
                try:
                    today = timezone.localdate()
                    if flags_day != today:
                        call_command("refresh_flags", stdout=self.stdout)
                        forget_old_sign_ins()
                        flags_day = today
                    call_command("build_open_data", stdout=self.stdout)
                    swept = orphans.sweep()
                    if swept:
                        self.stdout.write(f"{len(swept)} berkas tanpa pemilik dihapus.")
                except DatabaseError as error:
                    # The database restarting is no reason to stop: try again next round.
                    self.stderr.write(f"Pekerjaan latar tertunda: {error}")
                finally:
                    connections.close_all()
                self.stdout.flush()
                time.sleep(every)
        except KeyboardInterrupt:
            return


def forget_old_sign_ins(days=365):
    """The sign-in audit keeps a year: enough to look back at an incident, not a record
    of every address forever."""
    import datetime

    from agencies.models import LoginAttempt

    cutoff = timezone.now() - datetime.timedelta(days=days)
    return LoginAttempt.objects.filter(at__lt=cutoff).delete()[0]
