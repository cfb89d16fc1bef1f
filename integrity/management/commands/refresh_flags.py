import time

from django.core.management.base import BaseCommand

from integrity import flags


class Command(BaseCommand):
    help = (
        "Hitung ulang tanda untuk dicermati pada semua paket terbit. Jalankan setiap hari: "
        "tanda tahap yang lewat waktu bergantung pada tanggal hari ini."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        count = flags.refresh_all()
        self.stdout.write(f"{count} tanda ({time.monotonic() - started:.1f} dtk).")
