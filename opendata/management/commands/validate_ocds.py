from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch

from contracts.models import Process, Release
from contracts.ocds import (
    codelist_values,
    record_package,
    related_lists,
    release_package,
    schema_errors,
    with_related,
)
from contracts.releases import history
from integrity.models import PackageFlag
from opendata_kontrak import chunked


class Command(BaseCommand):
    help = (
        "Periksa paket rilis dan paket rekaman setiap paket data terbuka (terbit dan ditarik) "
        "terhadap skema OCDS 1.1.5, termasuk format (uri, date-time) dan daftar kode tertutup, "
        "dan laporkan masalahnya; nilai di luar daftar kode terbuka dilaporkan tanpa dianggap "
        "masalah."
    )

    def handle(self, *args, **options):
        problems = 0
        checked = 0
        outside_open = {}
        packages = with_related(Process.objects.open_data().order_by("pk")).prefetch_related(
            Prefetch("releases", queryset=Release.objects.order_by("sequence")),
            Prefetch("flags", queryset=PackageFlag.objects.select_related("threshold")),
        )
        for process in chunked.by_pk(packages, 500):
            checked += 1
            lists = related_lists(process)
            releases = history(process, lists)
            errors = schema_errors(release_package(releases, uri="urn:x")) + schema_errors(
                record_package(
                    process,
                    uri="urn:x:rekaman",
                    packages=["urn:x"],
                    releases=releases,
                    flags=process.flags.all(),
                    **lists,
                ),
                "record-package-schema.json",
            )
            for data in releases:
                for (path, codelist, is_open), values in codelist_values(data).items():
                    if is_open:
                        outside_open.setdefault((path, codelist), set()).update(values)
                    else:
                        errors.append(f"{path}: {sorted(values)} tidak ada di {codelist}")
            for error in errors:
                problems += 1
                self.stdout.write(f"{process.ocid}: {error}")
        for (path, codelist), values in sorted(outside_open.items()):
            self.stdout.write(
                f"Daftar kode terbuka {codelist} ({path}), kode lokal: {', '.join(sorted(values))}"
            )
        self.stdout.write(f"{checked} paket diperiksa, {problems} masalah skema.")
        if problems:
            raise CommandError("Ada data yang tidak sesuai skema OCDS 1.1.5.")
