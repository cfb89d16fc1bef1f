"""Red flags: patterns in a package's data that deserve a closer look — a reason to look, never
a verdict. Their thresholds are data with a legal or methodological source and a validity
period, so a new regulation is an administrator's edit, not a deploy."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from contracts.flag_codes import Flag
from contracts.models import Category, Method, Process


class Unit(models.TextChoices):
    DAYS = "hari", _("hari")
    RUPIAH = "rupiah", _("rupiah")
    PERCENT = "persen", _("persen")
    PACKAGES = "paket", _("paket")


class Threshold(models.Model):
    flag = models.CharField(_("tanda"), max_length=40, choices=Flag.choices)
    category = models.CharField(
        _("jenis pengadaan"),
        max_length=30,
        choices=Category.choices,
        blank=True,
        help_text=_("Kosong: berlaku untuk semua jenis."),
    )
    method = models.CharField(
        _("metode"),
        max_length=30,
        choices=Method.choices,
        blank=True,
        help_text=_("Kosong: berlaku untuk semua metode yang diperiksa tanda ini."),
    )
    value = models.BigIntegerField(_("nilai ambang"))
    unit = models.CharField(_("satuan"), max_length=10, choices=Unit.choices)
    valid_from = models.DateField(_("berlaku sejak"))
    valid_until = models.DateField(_("berlaku sampai"), null=True, blank=True)
    source = models.TextField(_("dasar hukum / sumber"))
    note = models.TextField(_("catatan"), blank=True)

    class Meta:
        verbose_name = _("ambang tanda")
        verbose_name_plural = pgettext_lazy("jamak", "ambang tanda")
        ordering = ["flag", "category", "method", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="threshold_period_in_order",
                violation_error_message=_(
                    "Tanggal akhir berlaku tidak boleh sebelum tanggal mulai."
                ),
            ),
        ]

    def __str__(self):
        scope = " ".join(filter(None, [self.get_category_display(), self.get_method_display()]))
        return (
            f"{self.get_flag_display()}{f' ({scope})' if scope else ''}: {self.value} {self.unit}"
        )

    def applies(self, date, *, category="", method=""):
        return (
            self.valid_from <= date
            and (self.valid_until is None or date <= self.valid_until)
            and self.category in ("", category)
            and self.method in ("", method)
        )


class PackageFlag(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="flags")
    flag = models.CharField(_("tanda"), max_length=40, choices=Flag.choices)
    reason = models.TextField(_("alasan"))
    figures = models.JSONField(_("angka"), default=dict)
    threshold = models.ForeignKey(Threshold, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = _("tanda paket")
        verbose_name_plural = pgettext_lazy("jamak", "tanda paket")
        constraints = [models.UniqueConstraint(fields=["process", "flag"], name="packageflag_once")]
        indexes = [models.Index(fields=["flag", "process"])]

    def __str__(self):
        return f"{self.process_id}: {self.get_flag_display()}"
