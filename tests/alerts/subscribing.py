"""Helpers of the subscription tests: the mail queued, sent through the real SMTP server, and
the links read back from its plain-text part as a person would click them."""

import re
from urllib.parse import urlsplit

from alerts import mail
from alerts.models import OutgoingMail
from contracts import services
from tests.factories import make_operator, make_process, planning_fields
from tests.mailserver import text_part


def published_package(agency, **fields):
    process = make_process(agency, **planning_fields(**fields))
    services.publish_process(process=process, by=make_operator(agency))
    process.refresh_from_db()
    return process


def deliver(smtp_server, address):
    """Send every waiting message (alerts.mail.send, as the worker does) and return those the
    server received for `address`, oldest first."""
    waiting = OutgoingMail.objects.filter(status=OutgoingMail.Status.WAITING)
    mail.send(list(waiting.values_list("pk", flat=True)))
    return smtp_server.to(address)


def link(message, kind):
    """The path of the first /langganan/<kind>/… link in the message's text part."""
    found = re.search(rf"https?://\S+/langganan/{kind}/\S+/", text_part(message))
    assert found, f"no {kind} link in:\n{text_part(message)}"
    return urlsplit(found.group(0)).path


def form_value(html, name):
    """The value="…" of the input named `name` in a page."""
    found = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    if found is None:
        found = re.search(rf'<input[^>]*value="([^"]*)"[^>]*name="{name}"', html)
    return found.group(1) if found else None


def checked(html, name):
    """The value of the radio button named `name` that is checked in a page, or None."""
    found = re.search(rf'<input type="radio" name="{name}" value="([^"]*)"[^>]*\schecked', html)
    return found.group(1) if found else None
