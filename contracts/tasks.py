"""Background jobs of the packages' workspace (Procrastinate; `manage.py procrastinate worker`)."""

from procrastinate.contrib.django import app

from contracts import bulk_uploads, services


@app.periodic(cron="17 * * * *")
@app.task(queueing_lock="discard-expired-staged-uploads", pass_context=False)
def discard_expired_staged_uploads(timestamp):
    """Staged PDFs and field photos nobody came back for (contracts.StagedUpload,
    contracts.StagedPhoto) go with their files, and bulk uploads never confirmed with theirs."""
    services.discard_expired_staged_uploads()
    bulk_uploads.discard_expired_bulk_uploads()


@app.task(pass_context=False, retry=2)
def check_bulk_upload_files(*, batch_id):
    """Check the files of a bulk upload and match them to packages, for its preview
    (contracts.bulk_uploads); a retry goes on from the first file not yet checked."""
    bulk_uploads.check_bulk_files(batch_id=batch_id)


@app.task(pass_context=False, retry=2)
def store_bulk_upload_files(*, batch_id):
    """Store the files of a confirmed bulk upload (contracts.bulk_uploads); a retry goes on
    from the first file not yet settled."""
    bulk_uploads.store_bulk_files(batch_id=batch_id)


COMPLETENESS_LOCK = "recompute-completeness"


# One waiting and one running: ten rule edits in a row queue one recompute; an edit while one
# runs queues the next, which reads the rules as they are by then. No retry of its own (one
# put back in the queue beside a waiting twin would break the queueing lock): a failure shows
# on the jobs' page (Pekerjaan latar), and the next edit queues it again.
@app.task(
    queue="recompute",
    queueing_lock=COMPLETENESS_LOCK,
    lock=COMPLETENESS_LOCK,
    pass_context=False,
)
def recompute_completeness():
    """Every package's completeness (and then flags) after a change of the requirements
    (contracts.completeness.refresh_all): minutes at 100,000 packages, so never in a request."""
    from contracts import completeness

    completeness.refresh_all()


@app.task(queue="cache", pass_context=False)
def recompute_cached(*, name, module, parts, years, scope):
    """Recompute a retired cached value that visitors are being served stale meanwhile
    (contracts.public_cache: deferred with a queueing lock per value, so two visitors who find
    it retired queue one job)."""
    from contracts import public_cache

    public_cache.recompute(name=name, module=module, parts=parts, years=years, scope=scope)
