from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports.models import ImportKind
from imports.services import run_import
from opendata_kontrak.readers import ImportFileError


class Command(BaseCommand):
    help = (
        "Impor ekspor SiRUP atau LPSE untuk seluruh kabupaten. Tanpa --commit hanya pratinjau: "
        "tidak ada yang ditulis."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "files",
            nargs="+",
            metavar="[JENIS] BERKAS",
            help=f"berkas ekspor; jenisnya ({', '.join(ImportKind.values)}) boleh disebut "
            "lebih dulu, bila tidak dikenali dari nama kolomnya",
        )
        parser.add_argument("--commit", action="store_true", help="Tulis ke basis data.")
        parser.add_argument("--details", action="store_true", help="Tampilkan catatan per baris.")

    def handle(self, *args, files, commit, details, **options):
        kind = files[0] if files[0] in ImportKind.values else None
        paths = files[1:] if kind else files
        if len(paths) != 1:
            raise CommandError("Sebutkan satu berkas: import_data [JENIS] BERKAS")
        file = Path(paths[0])
        try:
            report = run_import(
                kind=kind, content=file.read_bytes(), filename=file.name, commit=commit
            )
        except (ImportFileError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            ("Diimpor: " if commit else "Pratinjau (belum ditulis): ")
            + f"{ImportKind(report.kind).label} — "
            + report.summary()
        )
        if details:
            for row in report.rows:
                if not (row.messages or row.changes or row.conflicts):
                    continue
                self.stdout.write(
                    f"  baris {row.line} [{row.outcome_label}] {row.key}: "
                    + "; ".join(row.messages)
                )
                for label, before, after in row.changes:
                    self.stdout.write(f"      {label}: {before} → {after}")
                for _, label, operators, source in row.conflicts:
                    self.stdout.write(
                        f"      konflik {label}: isian operator {operators!r} dipertahankan, "
                        f"sumber berkata {source!r}"
                    )
        elif report.with_messages or any(row.changes for row in report.rows):
            self.stdout.write("Catatan dan perubahan per baris: tambahkan --details.")
