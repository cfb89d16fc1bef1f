"""Citizens' reports on published packages, their moderation and the agency's public answer;
and the satisfaction poll of the original portal.

A report's contact (email or phone) is for the agency only: no public page, feed, export or API
ever reads it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from contracts.models import Process, shown_publicly
from opendata_kontrak.constraints import ConstraintsAtFields
from participation import follow


class Topic(models.TextChoices):
    COMMENT = "komentar", _("Komentar")
    QUALITY = "kualitas_pekerjaan", _("Kualitas pekerjaan")
    DELAY = "keterlambatan", _("Keterlambatan")
    IRREGULARITY = "dugaan_penyimpangan", _("Dugaan penyimpangan")
    OTHER = "lainnya", _("Lainnya")


class Moderation(models.TextChoices):
    PENDING = "menunggu", _("Menunggu pemeriksaan")
    PUBLISHED = "terbit", _("Diterbitkan")
    REJECTED = "ditolak", _("Ditolak")


class FollowUp(models.TextChoices):
    NEW = "baru", _("Baru")
    IN_PROGRESS = "ditindaklanjuti", _("Ditindaklanjuti")
    DONE = "selesai", _("Selesai")


class ReportQuerySet(models.QuerySet):
    def public(self):
        return self.filter(shown_publicly("process__"), moderation=Moderation.PUBLISHED)

    def open(self):
        """What still needs someone: not rejected and not finished."""
        return self.exclude(moderation=Moderation.REJECTED).exclude(status=FollowUp.DONE)

    def moderated_by(self, user):
        """The reports `user` may moderate: their agency's, or all for supervisors."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_administrator or user.is_supervisor:
            return self
        if user.is_operator:
            return self.filter(process__agency_id=user.agency_id)
        return self.none()


class Report(ConstraintsAtFields, models.Model):
    process = models.ForeignKey(
        Process, verbose_name=_("paket"), on_delete=models.CASCADE, related_name="reports"
    )
    topic = models.CharField(_("jenis"), max_length=30, choices=Topic.choices)
    body = models.TextField(_("isi"))
    place = models.CharField(_("lokasi"), max_length=200, blank=True)
    name = models.CharField(_("nama"), max_length=100, blank=True)
    # Never shown publicly: only to the agency's operators and the supervisors.
    contact = models.CharField(_("kontak (tidak dipublikasikan)"), max_length=100, blank=True)
    moderation = models.CharField(
        _("pemeriksaan"), max_length=10, choices=Moderation.choices, default=Moderation.PENDING
    )
    rejection_reason = models.TextField(_("alasan penolakan"), blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("diperiksa oleh"),
    )
    moderated_at = models.DateTimeField(_("diperiksa"), null=True, blank=True)
    status = models.CharField(
        _("tindak lanjut"), max_length=20, choices=FollowUp.choices, default=FollowUp.NEW
    )
    answer = models.TextField(_("jawaban perangkat daerah"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("dijawab oleh"),
    )
    answered_at = models.DateTimeField(_("dijawab"), null=True, blank=True)
    # The form's one-time key: a second submit of the same form adds nothing.
    submission_key = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("dikirim"), auto_now_add=True)
    # The language of the page the report was sent from ("id" or "en", settings.LANGUAGES):
    # its receipt and later status mails are written in it, with links to that language's
    # pages (participation.mail). Reports sent before there was a choice were Indonesian.
    language = models.CharField(_("bahasa"), max_length=10, default="id", editable=False)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("laporan warga")
        verbose_name_plural = pgettext_lazy("jamak", "laporan warga")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["process", "moderation"]),
            models.Index(fields=["moderation", "status", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(moderation="ditolak") | ~Q(rejection_reason=""),
                name="report_rejection_has_reason",
                violation_error_message=_("Laporan yang ditolak harus disertai alasan penolakan."),
            ),
        ]

    constraint_fields = {"report_rejection_has_reason": "rejection_reason"}

    def __str__(self):
        # The number the citizen was given, so the workspace and the mails say the same.
        number = self.reference if self.pk and self.created_at else gettext("baru")
        return gettext("Laporan %(number)s — %(topic)s") % {
            "number": number,
            "topic": self.get_topic_display(),
        }

    @property
    def reference(self):
        """The number the citizen is given, e.g. "LAP-2026-000123" (participation.follow)."""
        return follow.reference(self)


def photo_upload_to(photo, filename):
    return f"laporan/{uuid.uuid4().hex}.{photo.extension}"


class ReportPhoto(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("foto"), upload_to=photo_upload_to, max_length=200)
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField(_("ukuran (bita)"))

    class Meta:
        verbose_name = _("foto laporan")
        verbose_name_plural = pgettext_lazy("jamak", "foto laporan")
        ordering = ["pk"]

    def __str__(self):
        return gettext("Foto %(photo)s laporan %(report)s") % {
            "photo": self.pk,
            "report": self.report_id,
        }

    @property
    def extension(self):
        return "png" if self.content_type == "image/png" else "jpg"


class Rating(models.TextChoices):
    VERY_SATISFIED = "sangat_puas", _("Sangat Puas")
    SATISFIED = "puas", _("Puas")
    FAIRLY_SATISFIED = "cukup_puas", _("Cukup Puas")
    DISSATISFIED = "tidak_puas", _("Tidak Puas")


class PollVote(models.Model):
    """One visitor's answer to the satisfaction poll in one month."""

    month = models.DateField(_("bulan"))  # the first day of the month
    rating = models.CharField(_("penilaian"), max_length=20, choices=Rating.choices)
    visitor = models.CharField(max_length=64)  # a random id in the visitor's signed cookie
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("suara survei kepuasan")
        verbose_name_plural = pgettext_lazy("jamak", "suara survei kepuasan")
        constraints = [
            models.UniqueConstraint(fields=["visitor", "month"], name="poll_one_vote_per_month")
        ]
        indexes = [models.Index(fields=["month", "rating"])]

    def __str__(self):
        return f"{self.month:%Y-%m}: {self.get_rating_display()}"
