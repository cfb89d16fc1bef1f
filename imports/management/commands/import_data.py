from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports.models import ImportKind
from imports.readers import ImportFileError
from imports.services import run_import


class Command(BaseCommand):
    help = (
        "Impor ekspor SiRUP atau LPSE untuk seluruh kabupaten. Tanpa --commit hanya pratinjau: "
        "tidak ada yang ditulis."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=ImportKind.values)
        parser.add_argument("file", type=Path)
        parser.add_argument("--commit", action="store_true", help="Tulis ke basis data.")
        parser.add_argument("--details", action="store_true", help="Tampilkan catatan per baris.")

    def handle(self, *args, kind, file, commit, details, **options):
        try:
            report = run_import(
                kind=kind, content=file.read_bytes(), filename=file.name, commit=commit
            )
        except (ImportFileError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            ("Diimpor: " if commit else "Pratinjau (belum ditulis): ") + report.summary()
        )
        if details:
            for row in report.with_messages:
                self.stdout.write(
                    f"  baris {row.line} [{row.outcome}] {row.key}: " + "; ".join(row.messages)
                )
