"""Background jobs of the red flags (Procrastinate, the portal's one job queue)."""

from procrastinate.contrib.django import app

from integrity import flags

FLAGS_LOCK = "recompute-flags"


# One waiting and one running: ten threshold edits in a row queue one recompute. No retry of
# its own (as contracts.tasks.recompute_completeness): a failure shows on the jobs' page, and
# the daily job recomputes every flag anyway.
@app.task(queue="recompute", queueing_lock=FLAGS_LOCK, lock=FLAGS_LOCK, pass_context=False)
def recompute_flags():
    """Every package's flags after a threshold changed (integrity.flags.refresh_all)."""
    flags.refresh_all()
