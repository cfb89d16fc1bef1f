import os
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Usang: pekerjaan latar kini berjalan di antrean (Procrastinate). Perintah ini "
        "menjalankan `manage.py procrastinate worker`, yang menjalankan berkas massal setiap "
        "10 menit, pekerjaan harian, dan semua pekerjaan latar lain."
    )

    def add_arguments(self, parser):
        # Accepted from old service files and ignored: the schedule is the jobs' (opendata.tasks).
        parser.add_argument("--every", type=int, metavar="DETIK", help="diabaikan")

    def handle(self, *args, **options):
        self.stderr.write(
            "portal_worker sudah usang: menjalankan `manage.py procrastinate worker` "
            "(jadwal pekerjaan: opendata.tasks). Ganti perintah di berkas layanan Anda."
        )
        self.stderr.flush()
        # The process becomes the worker (same PID for a service manager's supervision).
        os.execv(sys.executable, [sys.executable, "-m", "django", "procrastinate", "worker"])  # noqa: S606
