"""Open data's tasks, found by Procrastinate's autodiscovery (PROCRASTINATE_* settings)."""

from procrastinate.contrib.django import app

from opendata import quality

QUALITY_LOCK = "data-quality"


# One queued at a time (queueing_lock: a second request while one waits is the same request)
# and one running at a time (lock).
@app.task(queue="opendata", queueing_lock=QUALITY_LOCK, lock=QUALITY_LOCK, pass_context=False)
def refresh_data_quality(*, requested_by_id=None):
    from agencies.models import User

    requested_by = User.objects.filter(pk=requested_by_id).first() if requested_by_id else None
    quality.refresh(requested_by=requested_by)
