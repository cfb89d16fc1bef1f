from django.db import models


class BulkFile(models.Model):
    """A bulk download as last built: where it is stored, its size, and the data it holds."""

    scope = models.CharField("cakupan", max_length=10)  # a fiscal year or "semua"
    name = models.CharField("berkas", max_length=40)
    storage_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField("ukuran (bita)")
    packages = models.PositiveIntegerField("paket")
    built_at = models.DateTimeField("dibuat")
    # Which state of the data it was built from; a different stamp means rebuild.
    data_stamp = models.CharField(max_length=120)

    class Meta:
        verbose_name = "berkas unduhan massal"
        verbose_name_plural = "berkas unduhan massal"
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
