"""The import jobs' tasks, found by Procrastinate's autodiscovery (PROCRASTINATE_* settings)."""

from procrastinate.contrib.django import app

from imports import jobs


@app.task(queue="imports", pass_context=True)
def perform_import_job(context, *, job_id):
    jobs.perform(job_id=job_id, queue_job_id=context.job.id)


@app.periodic(cron="* * * * *")
@app.task(queue="imports", queueing_lock="fail-stalled-imports", pass_context=False)
def fail_stalled_imports(timestamp):
    """An import whose worker died shows as failed even if no one opens its page."""
    jobs.fail_stalled()
