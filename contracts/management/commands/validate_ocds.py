from django.core.management.base import BaseCommand, CommandError

from contracts.models import Process
from contracts.ocds import related_lists, release, release_package, schema_errors, with_related


class Command(BaseCommand):
    help = "Periksa setiap paket terbit terhadap skema OCDS 1.1.5 dan laporkan masalahnya."

    def handle(self, *args, **options):
        problems = 0
        checked = 0
        for process in with_related(Process.objects.published()).iterator(chunk_size=500):
            checked += 1
            package = release_package([release(process, **related_lists(process))], uri="urn:x")
            for error in schema_errors(package):
                problems += 1
                self.stdout.write(f"{process.ocid}: {error}")
        self.stdout.write(f"{checked} paket diperiksa, {problems} masalah skema.")
        if problems:
            raise CommandError("Ada data yang tidak sesuai skema OCDS 1.1.5.")
