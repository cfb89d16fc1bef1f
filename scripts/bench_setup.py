"""The benchmark data set's database, opened for a script: `open_data_set(scale)`.

Each benchmark of one part (bench_selection, bench_feeds, bench_alerts) works on the data set
of `make bench SCALE=...` (scripts/benchdata.py): its own embedded PostgreSQL under
var/bench-SCALE/, built once with COPY and kept for the next run.
"""

import os
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]


def open_data_set(scale, *, rebuild=False):
    """Start the data set's database, set Django up on it (migrated), and build its `scale`
    packages when they are not there yet (or `rebuild`). Returns the data set's folder."""
    var = ROOT / "var" / f"bench-{scale}"
    os.environ["PORTAL_VAR_DIR"] = str(var)
    from opendata_kontrak import embedded_db

    database = embedded_db.ensure_running(var / "pgdata")
    os.environ["DATABASE_URL"] = (
        f"postgresql://postgres@{quote(database['HOST'], safe='')}:{database['PORT']}/"
        f"{database['NAME']}"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opendata_kontrak.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from contracts.models import Process

    call_command("migrate", interactive=False, verbosity=0)
    if rebuild or Process.objects.count() != scale:
        import benchdata

        print(f"Membangun {scale:,} paket ...", flush=True)
        started = time.monotonic()
        benchdata.generate(scale)
        print(f"  selesai dalam {time.monotonic() - started:.0f} dtk", flush=True)
    return var
