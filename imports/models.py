from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ImportKind(models.TextChoices):
    SIRUP = "sirup", _("Rencana pengadaan SiRUP (RUP penyedia)")
    LPSE_TENDER = "lpse_tender", _("Hasil tender LPSE")
    LPSE_BIDDER = "lpse_bidder", _("Peserta tender LPSE")
    LPSE_NON_TENDER = "lpse_non_tender", _("Hasil non tender LPSE (pengadaan/penunjukan langsung)")


class ImportRun(models.Model):
    """One committed import: which file, by whom, for which agency, with what outcome."""

    kind = models.CharField(_("jenis"), max_length=20, choices=ImportKind.choices)
    filename = models.CharField(_("berkas"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("oleh"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("hanya perangkat daerah"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rows = models.PositiveIntegerField(_("baris"))
    counts = models.JSONField(_("hasil"), default=dict)
    finished_at = models.DateTimeField(_("selesai"), auto_now_add=True)

    class Meta:
        verbose_name = _("impor")
        verbose_name_plural = pgettext_lazy("jamak", "riwayat impor")
        ordering = ["-finished_at"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.filename}"


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Administrators see every import job; anyone else only the ones they uploaded."""
        if user.is_administrator:
            return self
        return self.filter(user=user)


class ImportJob(models.Model):
    """One uploaded export on its way through the background queue: first a preview that
    writes nothing, then, once confirmed, the commit. Progress is written while it runs."""

    class Mode(models.TextChoices):
        PREVIEW = "preview", _("pratinjau")
        COMMIT = "commit", _("impor")

    class State(models.TextChoices):
        QUEUED = "queued", _("menunggu giliran")
        RUNNING = "running", _("berjalan")
        DONE = "done", _("selesai")
        FAILED = "failed", _("gagal")

    kind = models.CharField(_("jenis"), max_length=20, choices=ImportKind.choices, blank=True)
    filename = models.CharField(_("berkas"), max_length=255)
    stored_name = models.CharField(_("nama berkas tersimpan"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("diunggah oleh"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dikonfirmasi oleh"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("hanya perangkat daerah"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    mode = models.CharField(_("tahap"), max_length=10, choices=Mode.choices, default=Mode.PREVIEW)
    state = models.CharField(
        _("keadaan"), max_length=10, choices=State.choices, default=State.QUEUED
    )
    # The Procrastinate job running it now: how a worker that died mid-import is noticed.
    queue_job_id = models.BigIntegerField(null=True, blank=True)
    rows_total = models.PositiveIntegerField(_("baris"), default=0)
    rows_done = models.PositiveIntegerField(_("baris selesai"), default=0)
    counts = models.JSONField(_("hasil sejauh ini"), default=dict)
    # imports.report.ImportReport as dataclasses.asdict gives it (imports.jobs.report_of).
    report = models.JSONField(_("laporan"), null=True, blank=True, encoder=DjangoJSONEncoder)
    # Conflicts the administrator settled for the source: "<row key>/<field name>".
    take_source = models.JSONField(default=list, blank=True)
    error = models.TextField(_("alasan gagal"), blank=True)
    created_at = models.DateTimeField(_("diunggah"), auto_now_add=True)
    started_at = models.DateTimeField(_("mulai"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("pekerjaan impor")
        verbose_name_plural = pgettext_lazy("jamak", "pekerjaan impor")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rows_done__lte=models.F("rows_total")),
                name="importjob_rows_done_within_total",
            ),
            models.CheckConstraint(
                condition=models.Q(mode__in=["preview", "commit"]),
                name="importjob_mode_known",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["queued", "running", "done", "failed"]),
                name="importjob_state_known",
            ),
            # A failed job says why.
            models.CheckConstraint(
                condition=~models.Q(state="failed") | ~models.Q(error=""),
                name="importjob_failure_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.get_mode_display()} {self.filename}"

    @property
    def finished(self):
        return self.state in (self.State.DONE, self.State.FAILED)
