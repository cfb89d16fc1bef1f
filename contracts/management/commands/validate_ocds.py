from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch

from contracts.models import Process, Release
from contracts.ocds import (
    record_package,
    related_lists,
    release_package,
    schema_errors,
    with_related,
)
from contracts.releases import history
from integrity.models import PackageFlag


class Command(BaseCommand):
    help = (
        "Periksa paket rilis dan paket rekaman setiap paket terbit terhadap skema OCDS 1.1.5 "
        "dan laporkan masalahnya."
    )

    def handle(self, *args, **options):
        problems = 0
        checked = 0
        packages = with_related(Process.objects.open_data().order_by("pk")).prefetch_related(
            Prefetch("releases", queryset=Release.objects.order_by("sequence")),
            Prefetch("flags", queryset=PackageFlag.objects.select_related("threshold")),
        )
        for process in packages.iterator(chunk_size=500):
            checked += 1
            lists = related_lists(process)
            releases = history(process, lists)
            errors = schema_errors(release_package(releases, uri="urn:x")) + schema_errors(
                record_package(
                    process, uri="urn:x", releases=releases, flags=process.flags.all(), **lists
                ),
                "record-package-schema.json",
            )
            for error in errors:
                problems += 1
                self.stdout.write(f"{process.ocid}: {error}")
        self.stdout.write(f"{checked} paket diperiksa, {problems} masalah skema.")
        if problems:
            raise CommandError("Ada data yang tidak sesuai skema OCDS 1.1.5.")
