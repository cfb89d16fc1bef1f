import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from opendata_kontrak import backup


class Command(BaseCommand):
    help = "Cadangkan basis data dan semua berkas tersimpan ke satu arsip tar."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="berkas arsip (bawaan: var/backups/cadangan-<waktu>.tar)",
        )

    def handle(self, *args, output=None, **options):
        moment = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        output = output or settings.VAR_DIR / "backups" / f"cadangan-{moment}.tar"
        try:
            manifest = backup.create(output)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Cadangan tersimpan: {output}\n"
            f"  basis data {manifest['database']['size']:,} bita, "
            f"{len(manifest['files'])} berkas, masing-masing dengan SHA-256 di manifest.json"
        )
