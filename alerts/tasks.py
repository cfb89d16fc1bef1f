"""Background jobs of the alerts (Procrastinate, the portal's one job queue)."""

from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from alerts import mail


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
