"""Deferring a job of the portal's one queue (Procrastinate) from a request.

A job deferred with a queueing lock while another with the same lock still waits is refused
(AlreadyEnqueued): the waiting one will do the work, so the request counts as queued.
"""

from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from procrastinate.exceptions import AlreadyEnqueued

JOBS_PAGE = "admin:procrastinate_procrastinatejob_changelist"


def defer_on_commit(task, **kwargs):
    """Queue `task` once the current transaction commits (at once outside one): a worker must
    not start before the change it is asked to follow is visible."""

    def defer():
        try:
            # In a savepoint: the queue refuses a second one with a unique violation, which
            # would otherwise abort a surrounding transaction.
            with transaction.atomic():
                task.defer(**kwargs)
        except AlreadyEnqueued:
            pass

    transaction.on_commit(defer)


def queued_message(what):
    """The administrator's message (safe HTML, with a link to the jobs' page) after an edit
    that queued a recompute; `what` names the work, e.g. "Kelengkapan semua paket"."""
    return format_html(
        gettext(
            "{} akan dihitung ulang di antrean pekerjaan latar (beberapa menit untuk ribuan "
            'paket); hasilnya tampak setelah pekerjaan itu selesai. Pantau di <a href="{}">'
            "Pekerjaan latar</a>."
        ),
        what,
        reverse(JOBS_PAGE),
    )
