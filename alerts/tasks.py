"""Background jobs of the alerts (Procrastinate, the portal's one job queue)."""

import datetime
import zoneinfo

from django.conf import settings
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from alerts import dispatch, housekeeping, mail

# Retried after 8 s, 64 s, 8.5 min and 68 min (Procrastinate waits exponential_wait ** n): a
# greylisting server or a short outage is waited out in about an hour and a half. (30 waited
# 7.5 hours, then 9 days, before a message failed for good.)
SEND_RETRY = RetryStrategy(
    max_attempts=mail.MAIL_ATTEMPTS,
    exponential_wait=8,
    retry_exceptions={mail.TemporaryFailure},
)


@app.task(pass_context=False, retry=SEND_RETRY)
def send_mail(*, mail_ids):
    """Send these OutgoingMail rows (alerts.mail.send); a retry sends only those still waiting."""
    mail.send(mail_ids)


# Procrastinate reads cron in UTC (croniter over time.time()), not in settings.TIME_ZONE.
def digest_cron(hour=None):
    """The cron (UTC) of ALERT_DIGEST_HOUR o'clock in the portal's time zone (WIB: UTC+7, no
    daylight saving), e.g. "0 23 * * *" for 06:00 WIB."""
    hour = settings.ALERT_DIGEST_HOUR if hour is None else hour
    offset = datetime.datetime.now(zoneinfo.ZoneInfo(settings.TIME_ZONE)).utcoffset()
    utc = (hour - offset.total_seconds() / 3600) % 24
    return f"{round(utc % 1 * 60)} {int(utc)} * * *"


DISPATCH_LOCK = "alerts-dispatch"


@app.periodic(cron="* * * * *", periodic_id="alerts-dispatch")
@app.task(queueing_lock=DISPATCH_LOCK, pass_context=False)
def dispatch_alerts(timestamp):
    """The instant alerts of the changes not yet dispatched (alerts.dispatch); also deferred
    after a capture commits (alerts.changes.dispatch_soon)."""
    dispatch.dispatch_instant()


@app.periodic(cron=digest_cron(), periodic_id="alerts-digest")
@app.task(queueing_lock="alerts-digest", pass_context=False)
def send_daily_digest(timestamp):
    """The daily digest of every confirmed daily subscription (alerts.dispatch)."""
    dispatch.send_digests()


@app.periodic(cron="23 * * * *", periodic_id="alerts-housekeeping")
@app.task(queueing_lock="alerts-housekeeping", pass_context=False)
def alerts_housekeeping(timestamp):
    """Expired confirmations, old mail and old changes go (alerts.housekeeping)."""
    housekeeping.clean()


@app.periodic(cron="*/10 * * * *", periodic_id="alerts-requeue-mail")
@app.task(queueing_lock="alerts-requeue-mail", pass_context=False)
def requeue_stalled_mail(timestamp):
    """Defer again the mail waiting for an hour that no live job holds (alerts.mail)."""
    mail.requeue_stalled()
