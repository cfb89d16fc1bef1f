"""Background jobs of the alerts (Procrastinate, the portal's one job queue)."""

from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from alerts import mail, services


@app.task(
    pass_context=False,
    retry=RetryStrategy(
        max_attempts=mail.MAIL_ATTEMPTS,
        exponential_wait=30,
        retry_exceptions={mail.TemporaryFailure},
    ),
)
def send_mail(*, mail_ids):
    """Send these OutgoingMail rows (alerts.mail.send); a retry sends only those still waiting."""
    mail.send(mail_ids)


@app.periodic(cron="41 * * * *")
@app.task(queueing_lock="alerts-housekeeping", pass_context=False)
def forget_expired(timestamp):
    """What the privacy note promises: unconfirmed subscriptions go after ALERT_CONFIRM_HOURS
    (with an address that then follows nothing), the mail log after MAIL_LOG_DAYS."""
    services.purge_unconfirmed()
    services.purge_mail_log()
