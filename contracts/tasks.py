"""Background jobs of the packages' workspace (Procrastinate; `manage.py procrastinate worker`)."""

from procrastinate.contrib.django import app

from contracts import services


@app.periodic(cron="17 * * * *")
@app.task(queueing_lock="discard-expired-staged-uploads", pass_context=False)
def discard_expired_staged_uploads(timestamp):
    """Staged PDFs nobody came back for (contracts.StagedUpload) go with their files."""
    services.discard_expired_staged_uploads()
