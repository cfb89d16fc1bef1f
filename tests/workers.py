"""The job queue's worker in tests: in this process until the queue is empty, or a real
separate process (`manage.py procrastinate worker`) against the test database."""

import contextlib
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, connections
from procrastinate.contrib.django import app

from agencies.register import load_register
from agencies.roles import sync_roles
from contracts.rules import seed_rules
from integrity.thresholds import seed_thresholds

ROOT = Path(__file__).resolve().parent.parent

# A worker uses connections of its own, which see only what a test committed: such tests are
# transactional, and the import's progress goes through the second alias.
jobs_db = pytest.mark.django_db(transaction=True, databases=["default", "progress"])


def load_migrated_data():
    """What the migrations load (register, roles, rules, thresholds), which transactional
    tests flush away after them."""
    load_register(path=settings.PORTAL["AGENCY_REGISTER"])
    sync_roles(apps)
    seed_rules(apps)
    seed_thresholds(apps)


def run_queued_jobs():
    """Run every job waiting in the queue, in this process, then return."""
    # Tasks run in threads that end with the worker: their connections are closed after each
    # task rather than kept for reuse, or they would outlive the test database.
    kept = {alias: connections.settings[alias]["CONN_MAX_AGE"] for alias in connections}
    for alias in kept:
        connections.settings[alias]["CONN_MAX_AGE"] = 0

    def work():
        with app.replace_connector(app.connector.get_worker_connector()):
            app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)

    # The portal's own schedule (opendata.tasks: the bulk build due every 10 minutes, the
    # daily jobs near their hour) stays out of a test's queue: it would build bulk files and
    # sweep storage in the middle of whatever the test checks. tests/test_jobs.py runs them.
    registry = app.periodic_registry.periodic_tasks
    schedule = {key: task for key, task in registry.items() if key[0] in PORTAL_SCHEDULE}
    for key in schedule:
        del registry[key]
    try:
        # In a thread of its own: the worker runs its own event loop, which cannot start where
        # one is already running (the browser tests' driver keeps one in the main thread).
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(work).result()
    finally:
        registry.update(schedule)
        for alias, age in kept.items():
            connections.settings[alias]["CONN_MAX_AGE"] = age


PORTAL_SCHEDULE = {
    "opendata.tasks.build_open_data",
    "opendata.tasks.portal_daily",
    "opendata.tasks.clear_sessions",
    "opendata.tasks.retry_stalled_jobs",
}


def database_url():
    db = connection.settings_dict
    credentials = quote(db["USER"], safe="") + (
        ":" + quote(db["PASSWORD"], safe="") if db.get("PASSWORD") else ""
    )
    return f"postgresql://{credentials}@{quote(db['HOST'], safe='')}:{db['PORT']}/{db['NAME']}"


@contextlib.contextmanager
def worker_process(*, media_root, stalled_seconds=30, settings_module=None, env=None):
    """A real worker process on the test database and the test's media folder
    (`settings_module`: e.g. tests.job_settings, with the probe task; `env`: more variables,
    e.g. an object store)."""
    extra = env or {}
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(media_root),
        "JOB_STALLED_SECONDS": str(stalled_seconds),
    }
    env.pop("S3_BUCKET", None)
    if settings_module:
        env["DJANGO_SETTINGS_MODULE"] = settings_module
    env.update(extra)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "procrastinate", "worker"],
        cwd=ROOT,
        env=env,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until(predicate, *, seconds=60, every=0.2, what="the condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"{what} not reached within {seconds} s")
