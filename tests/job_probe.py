"""A test-only task that records each run, start and end, into a table of its own
(job_probe_runs, created by the test): how the tests see which worker ran what, and how often.
Loaded by the worker processes through tests/job_settings.py."""

import os
import time

from django.db import connection
from procrastinate.contrib.django import app

TABLE = "job_probe_runs"
CREATE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} "
    "(key text NOT NULL, pid integer NOT NULL, event text NOT NULL, at timestamptz DEFAULT now())"
)


def record(key, event):
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (key, pid, event) VALUES (%s, %s, %s)",  # noqa: S608
            [key, os.getpid(), event],
        )


@app.task(queue="probe", pass_context=False)
def record_run(*, key, seconds=0.0):
    """Write "start", wait `seconds`, write "done": a worker killed in between leaves a start
    without its done."""
    record(key, "start")
    time.sleep(seconds)
    record(key, "done")
