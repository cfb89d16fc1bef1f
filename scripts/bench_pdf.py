"""Time the PDF intake (contracts.pdf.inspect_upload: hashing, the worker's parse of every
object of every revision, text extraction) and the worker's peak memory.

Each run happens in a fresh Python process, so the peak resident size reported is that of the
one worker it started (getrusage of waited-for children). The PDFs are made here: text pages
of a DPA-like table (1, 300, 3,000 pages) and an image-only scan of about 20 MB.
Usage: python scripts/bench_pdf.py [--runs N]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def measure_one(path):
    """In a child: one intake of `path`; prints seconds, the worker's peak RSS and pages."""
    import resource

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opendata_kontrak.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from contracts.pdf import inspect_upload

    data = Path(path).read_bytes()
    uploaded = SimpleUploadedFile(Path(path).name, data)
    started = time.perf_counter()
    info = inspect_upload(uploaded)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_mib": peak_kib / 1024, "pages": info.page_count}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        measure_one(args.one)
        return

    from tests import pdf_corpus

    cases = [
        ("1 halaman teks", lambda: pdf_corpus.many_pages(1)),
        ("300 halaman teks", lambda: pdf_corpus.many_pages(300)),
        ("3.000 halaman teks", lambda: pdf_corpus.many_pages(3000)),
        ("pindaian 40 halaman ~20 MB", lambda: pdf_corpus.scan(pages=40, megabytes=20)),
    ]
    print(f"PDF intake, median of {args.runs} runs, each in a fresh process")
    print(f"{'berkas':<28} {'ukuran':>9} {'halaman':>8} {'waktu':>8} {'memori puncak':>14}")
    with tempfile.TemporaryDirectory() as folder:
        for label, make in cases:
            path = Path(folder) / "bench.pdf"
            path.write_bytes(make())
            results = []
            for _ in range(args.runs):
                completed = subprocess.run(  # noqa: S603 (this script, a path we made)
                    [sys.executable, __file__, "--one", str(path)],
                    capture_output=True,
                    text=True,
                    check=True,
                    cwd=ROOT,
                )
                results.append(json.loads(completed.stdout.strip().splitlines()[-1]))
            seconds = statistics.median(r["seconds"] for r in results)
            peak = max(r["peak_mib"] for r in results)
            size = path.stat().st_size / 2**20
            print(
                f"{label:<28} {size:>7.1f}MB {results[0]['pages']:>8} {seconds:>7.2f}s "
                f"{peak:>11.0f} MiB"
            )


if __name__ == "__main__":
    main()
