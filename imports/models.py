from django.conf import settings
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
