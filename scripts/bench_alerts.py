"""Time the daily digest: `make bench-alerts` (target: under 60 s).

Uses the benchmark's data set (scripts/benchdata.py, the same as `make bench SCALE=...`: built
once with COPY into its own embedded PostgreSQL under var/bench-SCALE/, kept for the next
run). Inside one transaction, rolled back at the end, it adds SUBSCRIPTIONS confirmed daily
subscriptions of a realistic mix — an agency's page (some with a year), a kecamatan, a
supplier, one package, searches with words (some narrowed to an agency or a year), and
suppliers' opportunities by category, method or kecamatan — held by about 0.7 addresses per
subscription, and a day of CHANGES changes over published packages (every kind: new packages,
stages reached, contracts, documents, flags, reports, withdrawals). Then it runs the digest
(alerts.dispatch.send_digests: match, compose, OutgoingMail rows and their send jobs queued)
and prints its time, the mails and jobs queued, and the process's peak resident memory during
the run (VmHWM, reset before it) beside the memory it started from.
Usage: python scripts/bench_alerts.py [--scale 10000] [--subscriptions 10000] [--changes 500]
       [--profile]
"""

import argparse
import cProfile
import datetime
import pstats
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

SEARCHES = ["jalan", "jembatan", "obat", "puskesmas", "irigasi", "komputer sekolah", "talud"]
KINDS = [  # (kind, weight in a day)
    ("baru", 20),
    ("tahap", 25),
    ("kontrak", 10),
    ("dokumen", 30),
    ("tanda", 10),
    ("laporan", 3),
    ("ditarik", 2),
]


def memory_mb(field):
    status = Path("/proc/self/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+) kB", status).group(1)) / 1024


def reset_peak():
    Path("/proc/self/clear_refs").write_text("5")  # peak RSS := current (Linux 4.0+)


class _RollBack(Exception):
    pass


def make_day(rng, changes, now):
    """CHANGES changes over published packages, spread over the last day; returns their
    packages' (id, agency code, kecamatan, supplier id) rows."""
    from alerts.models import Change
    from contracts.models import Process

    published = list(
        Process.objects.published()
        .order_by("pk")
        .values_list("pk", "agency__code", "location_kecamatan", "supplier_id", "stage_reached")
    )
    chosen = rng.sample(published, changes)
    kinds, weights = zip(*KINDS, strict=True)
    rows, times = [], []
    for pk, _code, _place, _supplier, stage in chosen:
        kind = rng.choices(kinds, weights)[0]
        detail = {
            "baru": {"tahap": stage},
            "tahap": {"tahap": stage},
            "kontrak": {"nomor": f"SPK/{pk}/2025", "tanggal": "2025-06-02", "nilai": 450_000_000},
            "dokumen": {"dokumen": ["Kontrak", "SPMK"]},
            "tanda": {"tanda": ["peserta_tunggal"], "label": ["Satu peserta pada tender terbuka"]},
            "laporan": {"laporan": f"LAP-2025-{pk:06d}"},
            "ditarik": {"alasan": "Salah input"},
        }[kind]
        times.append(now - datetime.timedelta(seconds=rng.randrange(1, 86_400)))
        rows.append(Change(process_id=pk, kind=kind, detail=detail))
    Change.objects.bulk_create(rows)
    # auto_now_add dated every row now: the day's spread is written back.
    for row, created in zip(rows, times, strict=True):
        row.created_at = created
    Change.objects.bulk_update(rows, ["created_at"], batch_size=1000)
    return published, chosen


def make_subscriptions(rng, count, published, changed, since):
    """`count` confirmed daily subscriptions of a realistic mix; returns {mix: count}."""
    from agencies.models import Agency
    from alerts.keys import subscription_key
    from alerts.models import Subscriber, Subscription
    from contracts.models import Category, Method

    agencies = list(Agency.objects.values_list("code", flat=True))
    places = sorted({place for _, _, place, _, _ in published if place})
    suppliers = sorted({s for _, _, _, s, _ in published if s})
    changed_suppliers = [s for _, _, _, s, _ in changed if s]
    years = [2023, 2024, 2025]
    addresses = Subscriber.objects.bulk_create(
        Subscriber(email=f"warga{n}@contoh.id") for n in range(int(count * 0.7))
    )
    mix = {}

    def one():
        roll = rng.random()
        if roll < 0.22:
            params = {"pd": rng.choice(agencies)}
            if rng.random() < 0.3:
                params["tahun"] = rng.choice(years)
            return "perangkat daerah", "perubahan", params, None
        if roll < 0.36:
            return "kecamatan", "perubahan", {"kecamatan": rng.choice(places)}, None
        if roll < 0.50:
            # Half of them follow a supplier active today (a bidder or winner that moved).
            pool = changed_suppliers if rng.random() < 0.5 and changed_suppliers else suppliers
            return "penyedia", "perubahan", {"penyedia": rng.choice(pool)}, None
        if roll < 0.70:
            pool = changed if rng.random() < 0.3 else published
            return "satu paket", "perubahan", {}, rng.choice(pool)[0]
        if roll < 0.86:
            params = {"q": rng.choice(SEARCHES)}
            if rng.random() < 0.2:
                params["pd"] = rng.choice(agencies)
            elif rng.random() < 0.25:
                params["tahun"] = rng.choice(years)
            return "pencarian", "perubahan", params, None
        params = rng.choice(
            [
                {"jenis": rng.choice(Category.values)},
                {"metode": rng.choice([Method.TENDER, Method.SELECTION])},
                {"kecamatan": rng.choice(places)},
                {"pd": rng.choice(agencies), "jenis": rng.choice(Category.values)},
            ]
        )
        return "peluang usaha", "peluang", params, None

    rows, seen = [], set()
    while len(rows) < count:
        label, scope, params, process_id = one()
        subscriber = rng.choice(addresses)
        key = subscription_key(scope, params, process_id)
        if (subscriber.pk, key) in seen:
            continue
        seen.add((subscriber.pk, key))
        mix[label] = mix.get(label, 0) + 1
        rows.append(
            Subscription(
                subscriber=subscriber,
                scope=scope,
                params=params,
                process_id=process_id,
                frequency="harian",
                key=key,
                confirmed_at=since,
                digest_from=since,
            )
        )
    Subscription.objects.bulk_create(rows, batch_size=2000)
    return mix


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10_000)
    parser.add_argument("--subscriptions", type=int, default=10_000)
    parser.add_argument("--changes", type=int, default=500)
    parser.add_argument("--rebuild", action="store_true", help="regenerate the data set")
    parser.add_argument("--profile", action="store_true", help="print where the time goes")
    args = parser.parse_args()

    from bench_setup import open_data_set

    open_data_set(args.scale, rebuild=args.rebuild)
    from django.db import connection, transaction
    from django.utils import timezone
    from procrastinate.contrib.django.models import ProcrastinateJob

    from alerts.dispatch import send_digests
    from alerts.models import Change, OutgoingMail

    rng = random.Random(21)  # noqa: S311 (made-up data, repeatable)
    now = timezone.now()
    try:
        with transaction.atomic():
            Change.objects.all().delete()  # the day holds exactly its changes
            published, changed = make_day(rng, args.changes, now)
            mix = make_subscriptions(
                rng, args.subscriptions, published, changed, now - datetime.timedelta(days=1)
            )
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE alerts_subscriber, alerts_subscription, alerts_change")
            jobs_before = ProcrastinateJob.objects.count()
            print(
                f"\nRingkasan harian — {args.scale:,} paket, {args.subscriptions:,} langganan "
                f"harian terkonfirmasi, {args.changes:,} perubahan dalam sehari"
            )
            print("  campuran: " + ", ".join(f"{k} {v:,}" for k, v in sorted(mix.items())))
            before = memory_mb("VmRSS")
            reset_peak()
            profiler = cProfile.Profile() if args.profile else None
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            read, queued = send_digests(now=now)
            seconds = time.perf_counter() - started
            if profiler:
                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
            peak = memory_mb("VmHWM")
            jobs = ProcrastinateJob.objects.count() - jobs_before
            assert OutgoingMail.objects.count() == queued
            print(f"  langganan dibaca     {read:>9,}")
            print(f"  surel diantrekan     {queued:>9,}  (OutgoingMail)")
            print(f"  tugas kirim          {jobs:>9,}  (alerts.tasks.send_mail)")
            print(f"  waktu                {seconds:>9.1f} dtk  (target < 60 dtk)")
            print(f"  memori RSS awal      {before:>9.0f} MB")
            print(f"  memori RSS puncak    {peak:>9.0f} MB")
            if seconds >= 60:
                print("  LEBIH LAMA DARI TARGET")
            raise _RollBack
    except _RollBack:
        print("dibatalkan: basis data kembali seperti semula")


if __name__ == "__main__":
    main()
