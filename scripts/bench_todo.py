"""Time the operator's to-do (/pengawasan/tugas/) for one agency with N packages (default 10 000).

Makes an agency with N tender packages spread over four fiscal years, none of their stages
filled (each package lacks five stages: the worst case), its stored completeness, and an
operator; then times the first page, a filtered page, a deep page and the CSV download through
Django's test client (no HTTP server: the view, its queries and the template). Target for the
first page: under 300 ms. Everything is rolled back at the end.
Usage: python scripts/bench_todo.py [PACKAGES]
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opendata_kontrak.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from agencies import roles  # noqa: E402
from agencies.models import Agency, AgencyKind, User  # noqa: E402
from contracts import completeness  # noqa: E402
from contracts.models import Process, make_ocid  # noqa: E402


class _RollBack(Exception):
    pass


def build(packages):
    agency = Agency.objects.create(
        code="bench-tugas", name="Dinas Uji Tugas", kind=AgencyKind.DINAS
    )
    ids = Process.objects.allocate_ids(packages)
    Process.objects.bulk_create(
        Process(
            pk=pk,
            ocid=make_ocid(pk),
            agency=agency,
            fiscal_year=2022 + number % 4,
            title=f"Pembangunan Jalan Desa {number}",
            method="tender",
            rup_code=str(70_000_000 + number),
        )
        for number, pk in enumerate(ids)
    )
    completeness.refresh(ids, releases=False, flags=False)
    # What autovacuum does once such rows are committed: without statistics the planner takes
    # the new tables for empty and joins them row by row (seconds, not milliseconds).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE contracts_process, contracts_stagecompleteness")
    operator = User.objects.create_user(
        username="bench-operator", password="x" * 20, agency=agency, is_staff=True
    )
    operator.groups.add(Group.objects.get(name=roles.OPERATOR))
    return operator


def timed(client, label, params, runs=5):
    url = reverse("dashboards:todo")
    client.get(url, params)  # warm
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, params)
            # A streamed download is timed until its last byte.
            body = b"".join(response.streaming_content) if response.streaming else response.content
            times.append((time.perf_counter() - started) * 1000)
    size = len(body)
    print(
        f"{label:<22} median {statistics.median(times):7.0f} ms   "
        f"{len(queries.captured_queries):3d} queries   {size / 1024:8.0f} KiB"
    )


def main():
    packages = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    # The hashed-name manifest exists only after collectstatic; its lookups are not measured.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    try:
        with override_settings(STORAGES=storages), transaction.atomic():
            started = time.perf_counter()
            operator = build(packages)
            print(f"{packages} packages made in {time.perf_counter() - started:.1f} s")
            client = Client(SERVER_NAME="localhost")
            client.force_login(operator)
            timed(client, "first page", {})
            timed(client, "year + stage", {"tahun": "2023", "tahap": "kontrak"})
            timed(client, "search kode RUP", {"q": "70001234"})
            timed(client, "page 100", {"halaman": "100"})
            timed(client, "CSV, every item", {"format": "csv"}, runs=1)
            raise _RollBack
    except _RollBack:
        print("rolled back: the database is as it was")


if __name__ == "__main__":
    main()
