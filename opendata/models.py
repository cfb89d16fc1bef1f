from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class BulkFile(models.Model):
    """A bulk download as last built: where it is stored, its size, and the data it holds."""

    scope = models.CharField(_("cakupan"), max_length=10)  # a fiscal year or "semua"
    name = models.CharField(_("berkas"), max_length=40)
    storage_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(_("ukuran (bita)"))
    packages = models.PositiveIntegerField(_("paket"))
    built_at = models.DateTimeField(_("dibuat"))
    # Which state of the data it was built from; a different stamp means rebuild.
    data_stamp = models.CharField(max_length=120)

    class Meta:
        verbose_name = _("berkas unduhan massal")
        verbose_name_plural = pgettext_lazy("jamak", "berkas unduhan massal")
        constraints = [
            models.UniqueConstraint(fields=["scope", "name"], name="bulkfile_once_per_scope")
        ]

    def __str__(self):
        return f"{self.scope}/{self.name}"


class RateCounter(models.Model):
    """Requests of one client in one time window; shared by every worker through the database."""

    key = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="ratecounter_unique")
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self):
        return f"{self.key} @ {self.window_start:%H:%M:%S}: {self.hits}"


class QualityRun(models.Model):
    """One computation of the data-quality report (opendata/quality.py), in the job queue."""

    started_at = models.DateTimeField(_("mulai"))
    finished_at = models.DateTimeField(_("selesai"))
    packages = models.PositiveIntegerField(_("paket diperiksa"))
    # None: the daily job; otherwise the administrator who asked for it.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("diminta oleh"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("penghitungan kualitas data")
        verbose_name_plural = pgettext_lazy("jamak", "penghitungan kualitas data")
        ordering = ["-finished_at"]

    def __str__(self):
        return f"{self.finished_at:%Y-%m-%d %H:%M}: {self.packages} paket"


class QualityResult(models.Model):
    """How many of one agency's published packages of one fiscal year pass one check."""

    check_code = models.CharField(_("pemeriksaan"), max_length=40)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("perangkat daerah"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    fiscal_year = models.PositiveSmallIntegerField(_("tahun anggaran"))
    # Packages the check speaks of (a contract check skips packages without a contract).
    applicable = models.PositiveIntegerField(_("paket yang diperiksa"))
    passing = models.PositiveIntegerField(_("paket yang lolos"))
    computed_at = models.DateTimeField(_("dihitung"))

    class Meta:
        verbose_name = _("hasil kualitas data")
        verbose_name_plural = pgettext_lazy("jamak", "hasil kualitas data")
        constraints = [
            models.UniqueConstraint(
                fields=["check_code", "agency", "fiscal_year"], name="qualityresult_once"
            ),
            models.CheckConstraint(
                condition=models.Q(passing__lte=models.F("applicable")),
                name="qualityresult_passing_within_applicable",
            ),
        ]

    def __str__(self):
        return f"{self.check_code} {self.fiscal_year}: {self.passing}/{self.applicable}"


class QualityFailure(models.Model):
    """A published package that failed one check, with what failed, for the supervisors.

    Agency and year are those the package had when the check ran, so that the list of a
    cell holds the packages its count counted."""

    check_code = models.CharField(_("pemeriksaan"), max_length=40)
    process = models.ForeignKey(
        "contracts.Process", verbose_name=_("paket"), on_delete=models.CASCADE, related_name="+"
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("perangkat daerah"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    fiscal_year = models.PositiveSmallIntegerField(_("tahun anggaran"))
    problems = models.JSONField(_("masalah"), default=list)

    class Meta:
        verbose_name = _("paket yang gagal pemeriksaan")
        verbose_name_plural = pgettext_lazy("jamak", "paket yang gagal pemeriksaan")
        constraints = [
            models.UniqueConstraint(fields=["check_code", "process"], name="qualityfailure_once")
        ]
        indexes = [
            models.Index(
                fields=["check_code", "fiscal_year", "agency"], name="qualityfailure_cell"
            ),
        ]

    def __str__(self):
        return f"{self.check_code}: {self.process_id}"


class JobFailure(models.Model):
    """The error of a background job's failed attempt, as the worker saw it
    (opendata.job_failures): the queue itself (procrastinate_jobs/_events) keeps only that it
    failed. Shown to administrators on the jobs' page (Pekerjaan latar); not linked to the job
    row, which the queue may delete."""

    job_id = models.BigIntegerField(_("pekerjaan"), db_index=True)
    task_name = models.CharField(_("tugas"), max_length=128)
    attempt = models.PositiveIntegerField(_("percobaan ke-"))
    error = models.TextField(_("galat"))  # exception type, message and the traceback's end
    at = models.DateTimeField(_("waktu"), auto_now_add=True)

    class Meta:
        verbose_name = _("galat pekerjaan latar")
        verbose_name_plural = pgettext_lazy("jamak", "galat pekerjaan latar")

    def __str__(self):
        return f"{self.task_name} #{self.job_id}"
