"""Supervisors' requests to an agency (permintaan pengawas) and the thread that answers them.

A supervisor or administrator asks, about one package or about the agency as a whole; the
agency's operators answer and may mark the request done; the supervisor closes it or opens it
again. Who sees which request is `FollowUp.objects.visible_to(user)`, the same rule as the
packages': operators their own agency's, supervisors and administrators all, citizens none.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agencies.models import Agency
from contracts.models import Process, Stage

TEXT_LIMIT = 2000


class FollowUpQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_supervisor or user.is_administrator:
            return self
        if user.is_operator:
            return self.filter(agency_id=user.agency_id)
        return self.none()

    def unclosed(self):
        return self.exclude(status=FollowUp.Status.CLOSED)

    def unanswered(self):
        """Open, and the agency has not answered since it was asked or last spoken to."""
        return self.filter(status=FollowUp.Status.OPEN, answered_at__isnull=True)


class FollowUp(models.Model):
    class Status(models.TextChoices):
        OPEN = "terbuka", _("Terbuka")
        # The operator says it is done; the supervisor closes it or opens it again.
        DONE = "selesai", _("Ditandai selesai oleh operator")
        CLOSED = "ditutup", _("Ditutup")

    agency = models.ForeignKey(
        Agency, verbose_name=_("perangkat daerah"), on_delete=models.PROTECT, related_name="+"
    )
    # Empty: a request about the agency as a whole (e.g. its DPA for the year).
    process = models.ForeignKey(
        Process,
        verbose_name=_("paket"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followups",
    )
    stage = models.CharField(_("tahap"), max_length=20, choices=Stage.choices, blank=True)
    text = models.TextField(_("permintaan"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("diminta oleh"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("diminta"), auto_now_add=True)
    updated_at = models.DateTimeField(_("terakhir berubah"), auto_now=True)
    closed_at = models.DateTimeField(_("ditutup"), null=True, blank=True)
    # When the agency last answered, if no supervisor has spoken since: the agency's turn is over
    # (the to-do lists it under "menunggu ditutup pengawas", not "belum dijawab"). Set by
    # services.answer, emptied by services.comment and services.reopen.
    answered_at = models.DateTimeField(_("dijawab"), null=True, blank=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("permintaan pengawas")
        verbose_name_plural = pgettext_lazy("jamak", "permintaan pengawas")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="ditutup", closed_at__isnull=False)
                | (~Q(status="ditutup") & Q(closed_at__isnull=True)),
                name="followup_closed_when_closed_at",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="followup_text_not_empty"),
        ]
        indexes = [models.Index(fields=["agency", "status"], name="followup_agency_status")]

    def __str__(self):
        return self.text[:80]

    @property
    def awaits_agency(self):
        """Whether the agency has yet to answer: FollowUpQuerySet.unanswered, for one row."""
        return self.status == self.Status.OPEN and self.answered_at is None

    @property
    def subject(self):
        """What the request is about, for lists and the audit trail."""
        about = str(self.process) if self.process_id else f"Perangkat daerah {self.agency}"
        return f"{about} — tahap {self.get_stage_display()}" if self.stage else about


class FollowUpEntry(models.Model):
    """One step of a request's thread: an answer, a comment, or a change of its status."""

    class Action(models.TextChoices):
        REPLY = "jawab", _("Menjawab")
        DONE = "selesai", _("Menandai selesai")
        CLOSE = "tutup", _("Menutup")
        REOPEN = "buka", _("Membuka lagi")

    followup = models.ForeignKey(
        FollowUp, verbose_name=_("permintaan"), on_delete=models.CASCADE, related_name="entries"
    )
    action = models.CharField(_("tindakan"), max_length=10, choices=Action.choices)
    text = models.TextField(_("isi"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("oleh"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("waktu"), auto_now_add=True)

    class Meta:
        verbose_name = _("langkah permintaan")
        verbose_name_plural = pgettext_lazy("jamak", "langkah permintaan")
        ordering = ["at", "pk"]
        constraints = [
            # A reply says something; a change of status may come without words.
            models.CheckConstraint(
                condition=~Q(action="jawab") | ~Q(text=""), name="followupentry_reply_has_text"
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()}: {self.text[:60]}"
