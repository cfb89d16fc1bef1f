import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from contracts import releases
from opendata_kontrak import embedded_db


class Command(BaseCommand):
    help = (
        "Siapkan dan jalankan portal: migrasi, register perangkat daerah, data demo (lokal), "
        "berkas statis, lalu gunicorn. Ctrl-C menghentikan gunicorn dan basis data tertanam."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument(
            "--threads", type=int, default=4, help="utas per pekerja (deploy/gunicorn.conf.py)"
        )
        parser.add_argument(
            "--no-real-data",
            action="store_true",
            help="Jangan muat data nyata Bojonegoro (SiRUP 2018, LPSE 2018-2020).",
        )

    def handle(self, *args, bind, workers, threads, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_agencies", stdout=self.stdout)
        call_command("load_places", stdout=self.stdout)
        if not settings.PRODUCTION:
            call_command("create_demo_accounts", stdout=self.stdout)
            call_command("create_demo_processes", stdout=self.stdout)
        if not settings.PRODUCTION and not options["no_real_data"]:
            call_command("import_bojonegoro", stdout=self.stdout)
        # After an upgrade or a change to the register: packages stored before it, in its names.
        call_command("resolve_places", stdout=self.stdout)
        releases.capture_missing()
        call_command("collectstatic", interactive=False, verbosity=0)

        host, _, port = bind.rpartition(":")
        if not settings.PRODUCTION:
            # Links written into files (bulk files, feeds, OCDS) name the address served here,
            # unless the environment says otherwise; gunicorn and the workers inherit it.
            os.environ.setdefault("PORTAL_BASE_URL", f"http://{host}:{port}")
        self.stdout.write(self.style.SUCCESS(f"\nPortal berjalan di http://{host}:{port}/"))
        self.stdout.write(f"Ruang kerja operator: http://{host}:{port}/admin/")
        if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
            # No mail server set (EMAIL_URL): alerts and receipts are written here instead.
            self.stdout.write(
                f"Surel keluar (langganan, tanda terima laporan) ditulis sebagai berkas di "
                f"{settings.EMAIL_FILE_PATH}/ — atur EMAIL_URL untuk mengirim lewat SMTP."
            )
        self.stdout.write("Tekan Ctrl-C untuk berhenti.\n")
        self.stdout.flush()

        gunicorn = subprocess.Popen(  # noqa: S603 (fixed argv, no user input)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "opendata_kontrak.wsgi",
                "--config",
                str(GUNICORN_CONFIG),
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--bind",
                bind,
                "--no-control-socket",
                "--access-logfile",
                "-",
            ]
        )
        # Beside the server: bulk downloads rebuilt when data changed, flags once a day.
        builder = subprocess.Popen(
            [sys.executable, "-m", "django", "portal_worker", "--every", "600"]
        )
        # And the job queue's worker (imports), started again if it dies: a job it was running
        # is marked failed once its heartbeat is old (imports.jobs.fail_stalled).
        queue_worker = start_queue_worker()
        # SIGTERM (e.g. from a process manager) ends the portal the same way as Ctrl-C.
        stopping = []

        def stop(*_):
            stopping.append(True)
            gunicorn.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            while gunicorn.poll() is None:
                # A SIGTERM sent to the whole group stops the worker too: not a death to mend.
                if queue_worker.poll() is not None and not stopping:
                    self.stderr.write(
                        f"Proses latar antrean berhenti (kode {queue_worker.returncode}); "
                        "dijalankan lagi."
                    )
                    queue_worker = start_queue_worker()
                time.sleep(SUPERVISION_SECONDS)
        except KeyboardInterrupt:
            # Ctrl-C reached gunicorn too (same process group); give it time to finish requests.
            gunicorn.wait()
        finally:
            for helper in (queue_worker, builder):
                helper.terminate()
            for helper in (queue_worker, builder):
                try:
                    helper.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    helper.kill()
            if settings.EMBEDDED_PGDATA and embedded_db.stop(settings.EMBEDDED_PGDATA):
                self.stdout.write("Basis data tertanam dihentikan.")


SUPERVISION_SECONDS = 1
# The worker class (gthread) and why: the file's docstring.
GUNICORN_CONFIG = settings.BASE_DIR / "deploy" / "gunicorn.conf.py"


def start_queue_worker():
    return subprocess.Popen([sys.executable, "-m", "django", "procrastinate", "worker"])
