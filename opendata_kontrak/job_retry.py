"""The retry of a job whose database connection was lost under it (Procrastinate's own
RetryStrategy, for a task's `retry=`): the primary stopped or failed over.

The job's connection ends with psycopg's AdminShutdown ("terminating connection due to
administrator command"), "server closed the connection unexpectedly", or Django's "connection
already closed": no failure of the job's own. Its worker survives (it reconnects through its
multi-host DATABASE_URL, or exits and is restarted), so the stalled sweep
(opendata.tasks.retry_stalled_jobs) never sees such a job: without a retry it ends as failed,
i.e. lost. Retried 5 s on, up to five times (a failover takes seconds); any other error fails
the job as before.

Not for a job with a queueing lock: put back beside a waiting twin it would break that lock.
"""

from django.db import InterfaceError, OperationalError
from procrastinate import RetryStrategy

DATABASE_LOST = RetryStrategy(
    max_attempts=5, wait=5, retry_exceptions=(OperationalError, InterfaceError)
)
