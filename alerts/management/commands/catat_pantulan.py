"""manage.py catat_pantulan: a bounce that arrives later counts against its address."""

import email
import email.policy
import sys

from django.core.management.base import BaseCommand, CommandError

from alerts.mail import record_failure


def failed_recipients(message):
    """[(address, reason)] of the recipients a delivery status notification (RFC 3464:
    multipart/report; report-type=delivery-status) says failed (`Action: failed`); [] for
    any other message, or a report of delays and deliveries only."""
    found = []
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        # The report's blocks of fields: the message's own first, then one per recipient.
        for block in part.get_payload():
            if str(block.get("Action", "")).strip().lower() != "failed":
                continue
            recipient = str(block.get("Final-Recipient", ""))
            kind, _, address = recipient.partition(";")
            address = (address if address else kind).strip().strip("<>")
            if "@" not in address:
                continue
            reason = " ".join(
                str(block.get(name, "")).strip()
                for name in ("Status", "Diagnostic-Code")
                if block.get(name)
            )
            found.append((address, reason or "pantulan"))
    return found


class Command(BaseCommand):
    help = (
        "Catat surel yang memantul (laporan status pengiriman RFC 3464, multipart/report) "
        "sebagai kegagalan alamatnya: setelah ALERT_MAX_FAILURES kali berturut-turut alamat "
        "itu ditangguhkan. Laporan dibaca dari berkas yang disebut atau dari masukan standar, "
        "sehingga server surel dapat menyalurkan pantulan langsung ke perintah ini, misalnya "
        "Postfix dengan baris di /etc/aliases untuk alamat pengirim portal (DEFAULT_FROM_EMAIL, "
        "tempat pantulan kembali): "
        'noreply: "|/srv/portal/.venv/bin/python /srv/portal/manage.py catat_pantulan" '
        "lalu newaliases (atau ~/.forward, atau pipe transport di master.cf)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "berkas",
            nargs="?",
            help="Berkas .eml berisi laporan pantulan; tanpa ini dibaca dari masukan standar.",
        )

    def handle(self, *args, berkas=None, **options):
        try:
            if berkas:
                with open(berkas, "rb") as handle:
                    message = email.message_from_binary_file(handle, policy=email.policy.default)
            else:
                message = email.message_from_binary_file(
                    sys.stdin.buffer, policy=email.policy.default
                )
        except OSError as error:
            raise CommandError(f"Berkas {berkas} tidak dapat dibaca: {error.strerror}.") from error
        failed = failed_recipients(message)
        if not failed:
            self.stderr.write(
                "Bukan laporan kegagalan pengiriman (multipart/report dengan Action: failed): "
                "tidak ada yang dicatat."
            )
            return
        for address, reason in failed:
            subscriber = record_failure(address, reason)
            if subscriber is None:
                self.stdout.write(f"{address}: bukan alamat pelanggan, diabaikan.")
            elif subscriber.suspended_at:
                self.stdout.write(
                    f"{address}: gagal ke-{subscriber.failures}, alamat ditangguhkan ({reason})."
                )
            else:
                self.stdout.write(f"{address}: gagal ke-{subscriber.failures} ({reason}).")
