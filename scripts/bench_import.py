"""Time the SiRUP importer on N rows made from the real 2018 export (default 10 000).

The whole import runs — reading, matching, bulk writes, audit trail, completeness — inside a
transaction that is rolled back at the end (the preview path), so the database is left as it was.
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

from imports import sirup  # noqa: E402
from imports.models import ImportKind  # noqa: E402
from imports.services import run_import  # noqa: E402


def synthetic_export(rows):
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
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    content = synthetic_export(rows)
    started = time.perf_counter()
    report = run_import(kind=ImportKind.SIRUP, content=content, filename="bench.csv", commit=False)
    elapsed = time.perf_counter() - started
    print(report.summary())
    print(f"{rows} rows in {elapsed:.1f} s ({rows / elapsed:.0f} rows/s), rolled back")


if __name__ == "__main__":
    main()
