from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from agencies.register import RegisterError, load_register


class Command(BaseCommand):
    help = (
        "Muat daftar perangkat daerah dari berkas CSV register (default: PORTAL_AGENCY_REGISTER)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=None)
        parser.add_argument(
            "--update",
            action="store_true",
            help="Timpa data yang sudah ada di basis data dengan isi berkas.",
        )

    def handle(self, *args, file, update, **options):
        path = file or settings.PORTAL["AGENCY_REGISTER"]
        try:
            result = load_register(path=path, update=update)
        except (RegisterError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Register {path.name}: {result.total} baris; {len(result.created)} ditambahkan, "
            f"{len(result.updated)} diperbarui, {len(result.unchanged)} tetap."
        )
        if result.differing:
            self.stdout.write(
                f"{len(result.differing)} perangkat daerah berbeda dari berkas dan dibiarkan "
                f"(pakai --update untuk menimpa): {', '.join(result.differing)}"
            )
