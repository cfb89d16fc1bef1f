from django.core.management.base import BaseCommand

from agencies.models import UnresolvedPlace
from contracts.locations import resolve_packages


class Command(BaseCommand):
    help = (
        "Cocokkan ulang kecamatan dan desa setiap paket dengan register wilayah. Hanya yang "
        "dikenali yang diubah; sisanya masuk daftar lokasi belum dikenali untuk administrator."
    )

    def handle(self, *args, **options):
        changed = resolve_packages()
        self.stdout.write(
            f"Lokasi paket: {changed} paket diperbarui; "
            f"{UnresolvedPlace.objects.count()} teks lokasi belum dikenali."
        )
