"""Following the portal by e-mail: who follows what, what changed, and the mail to send.

- `Subscriber`: one e-mail address, kept only while it has a subscription (deleted with the
  last one, alerts.services); failures counted, suspended after ALERT_MAX_FAILURES.
- `Subscription`: what the address follows — the public list's filters (`params`, the shape of
  contracts.filters.PackageFilter.params: an agency page is {"pd": code}, a supplier page
  {"penyedia": id}, a kecamatan page {"kecamatan": name}, a search any of them with "q") or one
  package (`process`); every change, or only opportunities (new plans and tenders, for
  suppliers); sent at once or in a daily digest. Confirmed by a link (double opt-in); an
  unconfirmed one expires after ALERT_CONFIRM_HOURS.
- `Change`: one thing that happened to a published package, recorded in the transaction that
  made it (a new release, a flag raised, a report published or answered), dispatched to the
  instant subscribers once and read again by the daily digest.
- `OutgoingMail`: a message composed and waiting for the job queue, sent with retries.

No page shows who follows what: subscriptions are reached only through signed links mailed to
their address.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from contracts.models import Process


class Subscriber(models.Model):
    email = models.EmailField(_("alamat surel"), max_length=254, unique=True)  # lower case
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    # Sending failures in a row (a refused recipient, a bounce); reset by a delivery.
    failures = models.PositiveSmallIntegerField(_("kegagalan berturut-turut"), default=0)
    last_failure = models.TextField(_("kegagalan terakhir"), blank=True)
    suspended_at = models.DateTimeField(_("ditangguhkan"), null=True, blank=True)

    class Meta:
        verbose_name = _("pelanggan")
        verbose_name_plural = pgettext_lazy("jamak", "pelanggan")

    def __str__(self):
        return self.email


class Frequency(models.TextChoices):
    INSTANT = "segera", _("Segera setiap ada perubahan")
    DAILY = "harian", _("Ringkasan harian")


class Scope(models.TextChoices):
    CHANGES = "perubahan", _("Semua perubahan")
    # New plans and tenders only: the notice a supplier needs before the selection.
    OPPORTUNITIES = "peluang", _("Peluang usaha (rencana dan tender baru)")


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def active(self):
        """Confirmed, of an address not suspended: those mail is sent for."""
        return self.confirmed().filter(subscriber__suspended_at__isnull=True)


class Subscription(models.Model):
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    scope = models.CharField(_("cakupan"), max_length=12, choices=Scope.choices)
    # The list's filters (PackageFilter.params without the sort and page); {} with `process`.
    params = models.JSONField(_("saringan"), default=dict, blank=True)
    process = models.ForeignKey(
        Process,
        verbose_name=_("paket"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    frequency = models.CharField(
        _("frekuensi"), max_length=10, choices=Frequency.choices, default=Frequency.INSTANT
    )
    # SHA-256 of scope + params or package: one address follows one thing once.
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("dikonfirmasi"), null=True, blank=True)
    # The daily digest covers changes recorded after this (its confirmation at first).
    digest_from = models.DateTimeField(_("ringkasan sejak"), null=True, blank=True)
    # The last confirmation (or "already followed") mail: one an hour at most (alerts.services).
    mailed_at = models.DateTimeField(_("surel konfirmasi terakhir"), null=True, blank=True)
    # The language of the page it was asked on ("id", "en"): its mails are written in it and
    # link to the pages in it. Indonesian for those asked before the English pages existed.
    language = models.CharField(_("bahasa"), max_length=8, default=settings.LANGUAGE_CODE)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("langganan")
        verbose_name_plural = pgettext_lazy("jamak", "langganan")
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "key"], name="subscription_once"),
            models.CheckConstraint(
                condition=Q(process__isnull=True) | Q(params={}),
                name="subscription_package_or_filters",
            ),
        ]
        indexes = [models.Index(fields=["frequency", "confirmed_at"])]

    def __str__(self):
        return gettext("Langganan #%(number)s") % {"number": self.pk}


class ChangeKind(models.TextChoices):
    NEW = "baru", _("Paket baru")
    STAGE = "tahap", _("Tahap baru tercapai")
    CONTRACT = "kontrak", _("Kontrak ditandatangani")
    DOCUMENT = "dokumen", _("Dokumen ditambahkan")
    FLAG = "tanda", _("Tanda peringatan muncul")
    WITHDRAWN = "ditarik", _("Paket ditarik")
    REPORT = "laporan", _("Laporan warga dijawab")


# The kinds that are an opportunity for a supplier: a new plan or tender, a tender opened.
OPPORTUNITY_KINDS = (ChangeKind.NEW, ChangeKind.STAGE)


class Change(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("jenis"), max_length=10, choices=ChangeKind.choices)
    # What the mail says beside the kind, e.g. {"tahap": "kontrak"}, {"dokumen": ["Kontrak"]},
    # {"tanda": ["satu_peserta"]}, {"laporan": "LAP-2026-000123"}.
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("terjadi"), auto_now_add=True, db_index=True)
    # Matched and queued for the instant subscribers (alerts.dispatch).
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("perubahan")
        verbose_name_plural = pgettext_lazy("jamak", "perubahan")
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(dispatched_at__isnull=True),
                name="change_waiting",
            )
        ]

    def __str__(self):
        return gettext("%(kind)s — paket %(number)s") % {
            "kind": self.get_kind_display(),
            "number": self.process_id,
        }


class OutgoingMail(models.Model):
    class Status(models.TextChoices):
        WAITING = "menunggu", _("Menunggu")
        SENT = "terkirim", _("Terkirim")
        FAILED = "gagal", _("Gagal")
        CANCELLED = "batal", _("Dibatalkan")

    to = models.EmailField(_("kepada"), max_length=254)
    # Empty for a report's author, who is no subscriber.
    subscriber = models.ForeignKey(
        Subscriber, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    subject = models.CharField(_("judul"), max_length=300)
    text = models.TextField(_("isi teks"))
    html = models.TextField(_("isi HTML"), blank=True)
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    last_error = models.TextField(_("galat terakhir"), blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    sent_at = models.DateTimeField(_("terkirim"), null=True, blank=True)

    class Meta:
        verbose_name = _("surel keluar")
        verbose_name_plural = pgettext_lazy("jamak", "surel keluar")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.to}: {self.subject}"
