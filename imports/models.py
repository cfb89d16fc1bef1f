from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class ImportKind(models.TextChoices):
    SIRUP = "sirup", "Rencana pengadaan SiRUP (RUP penyedia)"
    LPSE_TENDER = "lpse_tender", "Hasil tender LPSE"
    LPSE_BIDDER = "lpse_bidder", "Peserta tender LPSE"
    LPSE_NON_TENDER = "lpse_non_tender", "Hasil non tender LPSE (pengadaan/penunjukan langsung)"


class ImportRun(models.Model):
    """One committed import: which file, by whom, for which agency, with what outcome."""

    kind = models.CharField("jenis", max_length=20, choices=ImportKind.choices)
    filename = models.CharField("berkas", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="oleh",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name="hanya perangkat daerah",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rows = models.PositiveIntegerField("baris")
    counts = models.JSONField("hasil", default=dict)
    finished_at = models.DateTimeField("selesai", auto_now_add=True)

    class Meta:
        verbose_name = "impor"
        verbose_name_plural = "riwayat impor"
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
        PREVIEW = "preview", "pratinjau"
        COMMIT = "commit", "impor"

    class State(models.TextChoices):
        QUEUED = "queued", "menunggu giliran"
        RUNNING = "running", "berjalan"
        DONE = "done", "selesai"
        FAILED = "failed", "gagal"

    kind = models.CharField("jenis", max_length=20, choices=ImportKind.choices, blank=True)
    filename = models.CharField("berkas", max_length=255)
    stored_name = models.CharField("nama berkas tersimpan", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="diunggah oleh",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="dikonfirmasi oleh",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name="hanya perangkat daerah",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    mode = models.CharField("tahap", max_length=10, choices=Mode.choices, default=Mode.PREVIEW)
    state = models.CharField("keadaan", max_length=10, choices=State.choices, default=State.QUEUED)
    # The Procrastinate job running it now: how a worker that died mid-import is noticed.
    queue_job_id = models.BigIntegerField(null=True, blank=True)
    rows_total = models.PositiveIntegerField("baris", default=0)
    rows_done = models.PositiveIntegerField("baris selesai", default=0)
    counts = models.JSONField("hasil sejauh ini", default=dict)
    # imports.report.ImportReport as dataclasses.asdict gives it (imports.jobs.report_of).
    report = models.JSONField("laporan", null=True, blank=True, encoder=DjangoJSONEncoder)
    # Conflicts the administrator settled for the source: "<row key>/<field name>".
    take_source = models.JSONField(default=list, blank=True)
    error = models.TextField("alasan gagal", blank=True)
    created_at = models.DateTimeField("diunggah", auto_now_add=True)
    started_at = models.DateTimeField("mulai", null=True, blank=True)
    finished_at = models.DateTimeField("selesai", null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = "pekerjaan impor"
        verbose_name_plural = "pekerjaan impor"
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
