"""Time the Atom feeds (contracts/feeds.py) on the benchmark's data: `make bench-feeds`.

Uses the benchmark's data set (scripts/benchdata.py, the same as `make bench SCALE=...`: built
once with COPY into its own embedded PostgreSQL under var/bench-SCALE/, kept for the next run),
then reads each feed through Django's WSGI handler (the test client: the view, its queries,
the XML; no HTTP server): the first read, then the median and the slowest of REPEAT more, with
the queries of one read and the entries and bytes of the answer. Each answer is parsed by a
strict XML parser. Feeds cache nothing but their ETag, so the first read and the others run
the same queries; the difference is PostgreSQL's own buffers.
Usage: python scripts/bench_feeds.py [--scale 100000] [--rebuild]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]
REPEAT = 20


def selections():
    """(label, feed address) for the selections a reader follows, with values of the data."""
    from django.db.models import Count
    from django.urls import reverse

    from contracts.models import Process, Release

    published = Process.objects.published()
    year = published.fiscal_years()[0]
    agency = (
        published.values_list("agency__code", flat=True)
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    supplier = (
        published.exclude(supplier=None)
        .values_list("supplier", flat=True)
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    place = (
        published.exclude(location_kecamatan="")
        .values_list("location_kecamatan", flat=True)
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    feed = reverse("contracts:feed")
    listed = [
        ("semua", feed),
        (f"tahun {year}", f"{feed}?tahun={year}"),
        ("perangkat daerah", f"{feed}?pd={agency}"),
        ("kecamatan", f"{feed}?kecamatan={quote(place)}"),
        ("penyedia", f"{feed}?penyedia={supplier}"),
        ("cari 'jalan'", f"{feed}?q=jalan"),
        ("cari 'irigasi puskesmas'", f"{feed}?q=irigasi+puskesmas"),
        (
            "cari + 3 saringan",
            f"{feed}?q=jalan&tahun={year}&metode=tender&kecamatan={quote(place)}",
        ),
    ]
    with_releases = Release.objects.values_list("process_id", flat=True).first()
    if with_releases:
        listed.append(("satu paket", reverse("contracts:package-feed", args=[with_releases])))
    return listed


def read(client, url):
    """(seconds, queries, entries, bytes) of one read of a feed, parsed as strict XML."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from lxml import etree

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        seconds = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    feed = etree.fromstring(response.content)
    entries = len(feed.findall("{http://www.w3.org/2005/Atom}entry"))
    return seconds, len(queries), entries, len(response.content)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--rebuild", action="store_true", help="regenerate the data set")
    args = parser.parse_args()

    from bench_setup import open_data_set

    open_data_set(args.scale, rebuild=args.rebuild)
    from django.test import Client, override_settings

    client = Client()
    print(
        f"\nUmpan Atom — {args.scale:,} paket dalam basis data; "
        f"{REPEAT} bacaan setelah yang pertama"
    )
    print(
        f"{'umpan':<24} {'pertama ms':>10} {'p50 ms':>8} {'maks ms':>8} {'kueri':>6} "
        f"{'entri':>6} {'KB':>6}"
    )
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        for label, url in selections():
            first, queries, entries, size = read(client, url)
            times = [read(client, url)[0] for _ in range(REPEAT)]
            print(
                f"{label:<24} {first * 1000:>10.1f} {statistics.median(times) * 1000:>8.1f} "
                f"{max(times) * 1000:>8.1f} {queries:>6} {entries:>6} {size / 1024:>6.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
