from django.core.management.base import BaseCommand, CommandError

from opendata_kontrak import backup


class Command(BaseCommand):
    help = "Pulihkan basis data dan berkas dari arsip `manage.py backup` (menimpa yang ada)."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="arsip tar dari manage.py backup")
        parser.add_argument(
            "--yes", action="store_true", help="jangan bertanya: timpa basis data sekarang"
        )

    def handle(self, *args, archive, yes=False, **options):
        try:
            manifest = backup.verify(archive)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Arsip utuh: dibuat {manifest['created']}, {len(manifest['files'])} berkas."
        )
        if not yes:
            try:
                answer = input(
                    "Basis data dan berkas saat ini akan ditimpa. Lanjutkan? [ya/tidak] "
                )
            except EOFError:  # no one to ask
                answer = ""
            if answer.strip().lower() not in {"ya", "y"}:
                raise CommandError("Dibatalkan; tidak ada yang berubah.")
        try:
            summary = backup.restore(archive)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Dipulihkan: {summary['files']} berkas; {summary['documents']} dokumen cocok "
            "dengan SHA-256 yang tercatat."
        )
