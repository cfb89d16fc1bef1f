"""A probe job for the queue: proves, under failures, that each deferred job runs exactly once.

scripts/cluster.py (`make cluster`) defers `cluster_probe(token=...)` jobs while it kills a
queue worker in the middle of one and promotes the database standby, then reads two tables it
created itself with raw SQL (they are no part of the portal's schema, hence no migration):

- `cluster_probe_start (token, pid, job_id, at)`: one row each time a worker STARTS a probe;
  the harness picks a worker process to SIGKILL from the pid of a probe that started and has
  not finished, so the kill really lands mid-job.
- `cluster_probe_run (token PRIMARY KEY, runs)`: written when a probe FINISHES; a second
  finish of the same token adds one to `runs` (ON CONFLICT), which is what "run twice" means.
  A token deferred but absent here at the end is a lost job. A retried probe (its worker
  killed, or its connection cut by the failover) has two start rows and one run.

An operator can defer one on a live install to see the queue run end to end, once the two
tables exist (the SQL is in scripts/cluster.py, PROBE_TABLES).
"""

import os
import time

from django.db import connection
from procrastinate.contrib.django import app

from opendata_kontrak.job_retry import DATABASE_LOST


# A probe cut by the failover (its connection terminated as the primary stops) is run again
# on the new primary (DATABASE_LOST), as any job without a queueing lock must be: "each
# deferred job runs" holds across a failover only with it.
@app.task(queue="cluster_probe", pass_context=True, retry=DATABASE_LOST)
def cluster_probe(context, *, token, seconds=0.0):
    """Record the start, work for `seconds` (so that a kill can land inside), record the end."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cluster_probe_start (token, pid, job_id) VALUES (%s, %s, %s)",
            [token, os.getpid(), context.job.id],
        )
    time.sleep(float(seconds))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cluster_probe_run (token, runs) VALUES (%s, 1) "
            "ON CONFLICT (token) DO UPDATE SET runs = cluster_probe_run.runs + 1",
            [token],
        )
