"""Time the list's selection downloads (/paket/unduh.csv, .xlsx, .json): `make bench-selection`.

Uses the benchmark's data set (scripts/benchdata.py, the same as `make bench SCALE=...`: built
once with COPY into its own embedded PostgreSQL under var/bench-SCALE/, kept for the next run),
then downloads the whole public selection, and one fiscal year of it, in each format through
Django's WSGI handler (the test client: the view, its queries and the streaming, no HTTP
server), reading the answer to its last byte. For each it prints the rows, seconds, rows per
second and the process's peak resident memory during the download (VmHWM, reset before each
download through /proc/self/clear_refs) beside the resident memory it started from.
Usage: python scripts/bench_selection.py [--scale 100000] [--rebuild]
"""

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]


def memory_mb(field):
    """VmRSS (now) or VmHWM (peak since the last reset) of this process, in MB."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+) kB", status).group(1)) / 1024


def reset_peak():
    # "5" resets the peak resident size to the current one (Linux 4.0 and later).
    Path("/proc/self/clear_refs").write_text("5")


def count_rows(fmt, body_tail, counted):
    """Rows in a finished download: CSV lines after the header, JSON's own jumlah_paket,
    XLSX's rows on its paket sheet (read back, and checked against its Keterangan sheet)."""
    if fmt == "csv":
        return counted - 1
    if fmt == "json":
        return int(re.search(rb'"jumlah_paket": (\d+)\}$', body_tail).group(1))
    return counted


def download(client, fmt, query):
    """(rows, bytes, seconds, RSS before in MB, peak RSS in MB) of one whole download."""
    import tempfile

    from openpyxl import load_workbook

    before = memory_mb("VmRSS")
    reset_peak()
    started = time.perf_counter()
    response = client.get(f"/paket/unduh.{fmt}", query)
    assert response.status_code == 200, response.status_code
    size, newlines, tail = 0, 0, b""
    keep = tempfile.TemporaryFile() if fmt == "xlsx" else None  # noqa: SIM115 (closed below)
    for chunk in response.streaming_content:
        size += len(chunk)
        newlines += chunk.count(b"\n")
        tail = (tail + chunk)[-200:]
        if keep:
            keep.write(chunk)
    response.close()
    seconds = time.perf_counter() - started
    peak = memory_mb("VmHWM")
    counted = newlines
    if keep:
        keep.seek(0)
        workbook = load_workbook(keep, read_only=True)
        counted = sum(1 for _ in workbook["paket"].iter_rows(values_only=True)) - 1
        notes = dict(workbook["Keterangan"].iter_rows(values_only=True))
        assert notes["Jumlah paket"] == counted, (notes["Jumlah paket"], counted)
        workbook.close()
        keep.close()
    return count_rows(fmt, tail, counted), size, seconds, before, peak


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--rebuild", action="store_true", help="regenerate the data set")
    args = parser.parse_args()

    from bench_setup import open_data_set

    open_data_set(args.scale, rebuild=args.rebuild)
    from django.test import Client, override_settings

    from contracts.models import Process

    published = Process.objects.published()
    year = published.fiscal_years()[0]
    selections = [
        ("semua paket", {}, published.count()),
        (f"tahun {year}", {"tahun": year}, published.filter(fiscal_year=year).count()),
    ]
    client = Client()
    print(f"\nUnduhan pilihan daftar paket — {args.scale:,} paket dalam basis data")
    print(
        f"{'pilihan':<14} {'format':<6} {'baris':>9} {'MB':>8} {'detik':>7} {'baris/dtk':>10} "
        f"{'RSS awal MB':>12} {'RSS puncak MB':>14}"
    )
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        for label, query, expected in selections:
            for fmt in ("csv", "json", "xlsx"):
                rows, size, seconds, before, peak = download(client, fmt, query)
                if rows != expected:
                    sys.exit(f"{label} {fmt}: {rows} baris, daftar menyebut {expected}")
                print(
                    f"{label:<14} {fmt:<6} {rows:>9,} {size / 1e6:>8.1f} {seconds:>7.1f} "
                    f"{rows / seconds:>10,.0f} {before:>12.0f} {peak:>14.0f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
