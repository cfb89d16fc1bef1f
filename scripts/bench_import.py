"""Time the SiRUP importer on N rows made from the real 2018 export (default 10 000).

Three imports of the same N packages, each whole — reading, matching, bulk writes, audit trail,
completeness, releases, red flags: first as new rows, then with every pagu changed (updated
rows), then the same file again (unchanged rows). All of it runs inside one transaction rolled
back at the end, so the database is left as it was.
Usage: python scripts/bench_import.py [ROWS]
"""

import csv
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opendata_kontrak.settings")

import django

django.setup()

from django.db import transaction  # noqa: E402

from imports import sirup  # noqa: E402
from imports.models import ImportKind  # noqa: E402
from imports.services import run_import  # noqa: E402


def synthetic_export(rows, *, pagu_step=0):
    with open(sirup.shared_file(), newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        source = list(reader)
        header = reader.fieldnames
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    for number in range(rows):
        row = dict(source[number % len(source)])
        row["kode_rup"] = str(90_000_000 + number)  # every row a distinct package
        row["pagu_rup"] = str(100_000_000 + number * 1000 + pagu_step)
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


class _RollBack(Exception):
    pass


def timed(label, content, rows):
    started = time.perf_counter()
    report = run_import(kind=ImportKind.SIRUP, content=content, filename="bench.csv", commit=True)
    elapsed = time.perf_counter() - started
    print(
        f"{label:<10} {rows} rows in {elapsed:5.1f} s = {rows / elapsed:6.0f} rows/s   "
        f"({report.summary().split(' — ')[1].split(';')[0]})"
    )


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    first, changed = synthetic_export(rows), synthetic_export(rows, pagu_step=1)
    try:
        with transaction.atomic():
            timed("new", first, rows)
            timed("updated", changed, rows)
            timed("unchanged", changed, rows)
            raise _RollBack
    except _RollBack:
        print("rolled back: the database is as it was")


if __name__ == "__main__":
    main()
