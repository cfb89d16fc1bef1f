from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agencies.places import REGISTER_FILE, PlaceRegisterError, load_places


class Command(BaseCommand):
    help = (
        "Muat register kecamatan, desa dan kelurahan dari berkas CSV (default: "
        "agencies/data/bojonegoro_wilayah.csv). Padanan lokasi buatan administrator tidak "
        "pernah dihapus."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=REGISTER_FILE)
        parser.add_argument(
            "--update",
            action="store_true",
            help="Timpa nama yang sudah ada di basis data dengan isi berkas.",
        )

    def handle(self, *args, file, update, **options):
        try:
            result = load_places(path=file, update=update)
        except (PlaceRegisterError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Register wilayah {file.name}: {result.kecamatan_created} kecamatan dan "
            f"{result.desa_created} desa/kelurahan ditambahkan, {result.updated} diperbarui, "
            f"{result.unchanged} tetap."
        )
