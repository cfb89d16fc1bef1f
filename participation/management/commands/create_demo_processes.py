from django.core.management.base import BaseCommand, CommandError

from agencies.demo import DemoRefused
from contracts.demo import create_sample_processes
from participation.demo import add_sample_reports


class Command(BaseCommand):
    help = "Buat paket contoh berikut PDF-nya (hanya instalasi lokal; butuh akun demo)."

    def handle(self, *args, **options):
        try:
            created = create_sample_processes()
            add_sample_reports(created)
        except DemoRefused as error:
            raise CommandError(str(error)) from error
        if created:
            self.stdout.write(f"{len(created)} paket contoh dibuat, ditandai [CONTOH].")
        else:
            self.stdout.write("Paket contoh sudah ada.")
