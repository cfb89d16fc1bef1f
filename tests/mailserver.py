"""A real SMTP server for the mail tests: aiosmtpd on loopback, keeping what it receives.

`smtp_server` (a fixture in tests/conftest.py) points Django's SMTP backend at it; a test reads
the messages back as `email.message.EmailMessage`, refuses recipients for good (550) or for
now (451), or stops the server to see the queue retry.
"""

import email
import email.policy
import socket
import threading

from aiosmtpd.controller import Controller


class Mailbox:
    """aiosmtpd handler: the messages received, and the recipients to refuse."""

    def __init__(self):
        self.messages = []
        self.refuse_for_good = set()
        self.refuse_for_now = set()
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse_for_good:
            return "550 5.1.1 Mailbox unavailable"
        if address.lower() in self.refuse_for_now:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address):
        """Messages whose To is `address`, oldest first."""
        with self._lock:
            return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    def clear(self):
        with self._lock:
            self.messages.clear()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailServer:
    def __init__(self):
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.mailbox.server = self

    def start(self):
        self.controller.start()
        self.running = True
        return self

    def stop(self):
        if self.running:
            self.running = False
            self.controller.stop()


def text_part(message):
    """The plain-text part of a received message."""
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def html_part(message):
    body = message.get_body(preferencelist=("html",))
    return body.get_content().replace("\r\n", "\n") if body is not None else None
