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
        parser.add_argument(
            "--job-workers",
            type=int,
            default=1,
            help="proses pekerja antrean latar (berkas massal, pekerjaan harian, impor, surel)",
        )

    def handle(self, *args, bind, workers, threads, job_workers, **options):
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
        self.stdout.write(
            f"Pekerjaan latar (berkas data terbuka, pekerjaan harian, impor, surel, hitung ulang): "
            f"{max(job_workers, 0)} proses antrean, dijalankan lagi bila berhenti; pantau di "
            f"http://{host}:{port}/admin/procrastinate/procrastinatejob/"
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
        # Beside the server, the job queue's workers: all background work (bulk files every
        # 10 minutes, the daily jobs, imports, mail, recomputes) is their jobs
        # (opendata.tasks and each app's tasks). A dead one is started again; the job it was
        # running is queued again by opendata.tasks.retry_stalled_jobs once its heartbeat is
        # old (an import is marked failed instead: imports.jobs.fail_stalled).
        queue_workers = QueueWorkers(max(job_workers, 0), stderr=self.stderr)
        # SIGTERM (e.g. from a process manager) ends the portal the same way as Ctrl-C.
        stopping = []

        def stop(*_):
            stopping.append(True)
            gunicorn.terminate()

        def interrupt(*_):
            # Ctrl-C reaches the workers too (same process group): their exit is no death to
            # mend, so say so before the supervision loop sees them gone.
            stopping.append(True)
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, interrupt)
        try:
            while gunicorn.poll() is None:
                # A SIGTERM sent to the whole group stops the workers too: not a death to mend.
                if not stopping:
                    queue_workers.mend()
                time.sleep(SUPERVISION_SECONDS)
        except KeyboardInterrupt:
            # Ctrl-C reached gunicorn too (same process group); give it time to finish requests.
            gunicorn.wait()
        finally:
            queue_workers.stop()
            if settings.EMBEDDED_PGDATA and embedded_db.stop(settings.EMBEDDED_PGDATA):
                self.stdout.write("Basis data tertanam dihentikan.")


SUPERVISION_SECONDS = 1
# The worker class (gthread) and why: the file's docstring.
GUNICORN_CONFIG = settings.BASE_DIR / "deploy" / "gunicorn.conf.py"


def start_queue_worker():
    return subprocess.Popen([sys.executable, "-m", "django", "procrastinate", "worker"])


class QueueWorkers:
    """N job-queue worker processes, each started again when it dies.

    Two workers, here or on other machines, never run the same job: each takes a job by
    locking its row (Procrastinate's procrastinate_fetch_job, FOR UPDATE SKIP LOCKED).
    """

    def __init__(self, count, *, stderr=sys.stderr, start=start_queue_worker):
        self.start = start
        self.stderr = stderr
        self.processes = [start() for _ in range(count)]

    def mend(self):
        """Start again each worker that has died; how many were."""
        restarted = 0
        for index, process in enumerate(self.processes):
            if process.poll() is not None:
                self.stderr.write(
                    f"Proses latar antrean berhenti (kode {process.returncode}); dijalankan lagi."
                )
                self.processes[index] = self.start()
                restarted += 1
        return restarted

    def stop(self, timeout=10):
        """Ask each to stop (it finishes its job first), then kill what is still there."""
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
