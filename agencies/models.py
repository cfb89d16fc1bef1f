from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy

from agencies import roles


class AgencyKind(models.TextChoices):
    # In the order the regency lists its agencies.
    DINAS = "dinas", gettext_noop("Dinas")
    BADAN = "badan", gettext_noop("Badan")
    SEKRETARIAT = "sekretariat", gettext_noop("Sekretariat DPRD")
    INSPEKTORAT = "inspektorat", gettext_noop("Inspektorat")
    SATPOL_PP = "satpol_pp", gettext_noop("Satuan Polisi Pamong Praja")
    BAGIAN = "bagian", gettext_noop("Bagian Sekretariat Daerah")
    RSUD = "rsud", gettext_noop("Rumah Sakit Umum Daerah")
    KECAMATAN = "kecamatan", gettext_noop("Kecamatan")


KIND_ORDER = {kind: position for position, kind in enumerate(AgencyKind.values)}


class AgencyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Agency(models.Model):
    """A regional government agency (Perangkat Daerah): the `buyer` of its procurement."""

    code = models.SlugField(_("kode"), max_length=80, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    short_name = models.CharField(_("singkatan"), max_length=40, blank=True)
    kind = models.CharField(_("jenis"), max_length=20, choices=AgencyKind.choices)
    sirup_id = models.CharField(
        _("ID satker SiRUP"),
        max_length=20,
        blank=True,
        help_text=_("Dipakai untuk mencocokkan baris impor SiRUP dengan perangkat daerah ini."),
    )
    sirup_name = models.CharField(_("nama di SiRUP"), max_length=200, blank=True)
    source = models.CharField(_("sumber data"), max_length=300, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("perangkat daerah")
        verbose_name_plural = pgettext_lazy("jamak", "perangkat daerah")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["sirup_id"],
                condition=~Q(sirup_id=""),
                name="agency_sirup_id_unique",
                violation_error_message=_(
                    "Kode satker SiRUP ini sudah dipakai perangkat daerah lain."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def kind_position(self):
        return KIND_ORDER[self.kind]


class User(AbstractUser):
    """A portal account. Operators belong to exactly one agency and act only within it."""

    agency = models.ForeignKey(
        Agency,
        verbose_name=_("perangkat daerah"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = pgettext_lazy("jamak", "pengguna")

    @cached_property
    def role_names(self):
        # Read once per request's user object: permission checks ask many times per page.
        return {group.name for group in self.groups.all()}

    def has_role(self, role):
        return self.is_active and role in self.role_names

    @property
    def is_operator(self):
        return self.has_role(roles.OPERATOR) and self.agency_id is not None

    @property
    def is_supervisor(self):
        return self.has_role(roles.SUPERVISOR)

    @property
    def is_administrator(self):
        return self.is_superuser or self.has_role(roles.ADMINISTRATOR)

    @property
    def has_workspace_role(self):
        """What lets an account sign in to the workspace at all (agencies.forms, the admin
        site): a role, not Django's is_staff flag."""
        return self.is_active and (self.is_administrator or self.is_operator or self.is_supervisor)

    def may_manage(self, account):
        """Whether this user may change `account` (its password, roles, authenticator): its
        owner, or an administrator for operators and supervisors; administrators and
        superusers are managed by a superuser only."""
        if self.is_superuser or account.pk == self.pk:
            return self.is_active
        if account.is_superuser or account.is_administrator:
            return False
        return self.is_administrator


class Kecamatan(models.Model):
    """A district of the regency, as Kemendagri lists it: the place citizens filter by."""

    code = models.CharField(_("kode Kemendagri"), max_length=8, unique=True)
    name = models.CharField(_("nama"), max_length=100, unique=True)
    # The name as agencies.places.name_key spells it, for the public filter to match in SQL
    # whichever spelling a citizen types ("Sumberrejo" finds "Sumberejo").
    key = models.CharField(_("kunci nama"), max_length=100, unique=True, editable=False)
    source = models.CharField(_("sumber data"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("kecamatan")
        verbose_name_plural = pgettext_lazy("jamak", "kecamatan")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        from agencies.places import name_key

        self.key = name_key(self.name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "key"}
        super().save(*args, **kwargs)


class DesaKind(models.TextChoices):
    DESA = "desa", gettext_noop("Desa")
    KELURAHAN = "kelurahan", gettext_noop("Kelurahan")


class Desa(models.Model):
    """A village (desa) or urban village (kelurahan) of a kecamatan."""

    kecamatan = models.ForeignKey(
        Kecamatan, verbose_name=_("kecamatan"), on_delete=models.PROTECT, related_name="desa"
    )
    code = models.CharField(_("kode Kemendagri"), max_length=13, unique=True)
    name = models.CharField(_("nama"), max_length=100)
    kind = models.CharField(_("jenis"), max_length=10, choices=DesaKind.choices)

    class Meta:
        verbose_name = _("desa/kelurahan")
        verbose_name_plural = pgettext_lazy("jamak", "desa/kelurahan")
        ordering = ["kecamatan__name", "name"]
        constraints = [
            # Several desa share a name across the regency, never within one kecamatan.
            models.UniqueConstraint(
                fields=["kecamatan", "name"],
                name="desa_name_per_kecamatan",
                violation_error_message=_(
                    "Desa/kelurahan dengan nama ini sudah ada di kecamatan ini."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.name}, Kec. {self.kecamatan.name}"


class PlaceAlias(models.Model):
    """A location text an administrator mapped to its place; the next import finds it here.

    `text` is the text as `agencies.places.normalise` writes it, so that case and punctuation
    do not make a second alias."""

    text = models.CharField(_("teks lokasi (dinormalkan)"), max_length=500, unique=True)
    kecamatan = models.ForeignKey(
        Kecamatan, verbose_name=_("kecamatan"), on_delete=models.CASCADE, related_name="aliases"
    )
    desa = models.ForeignKey(
        Desa,
        verbose_name=_("desa/kelurahan"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="aliases",
    )
    created_by = models.ForeignKey(
        User, verbose_name=_("dibuat oleh"), on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("padanan lokasi")
        verbose_name_plural = pgettext_lazy("jamak", "padanan lokasi")
        ordering = ["text"]

    def __str__(self):
        return f"“{self.text}” → {self.desa or self.kecamatan}"


class UnresolvedPlace(models.Model):
    """A location text no rule or alias placed in a kecamatan, waiting for an administrator."""

    text = models.CharField(_("teks lokasi (dinormalkan)"), max_length=500, unique=True)
    example = models.TextField(_("contoh teks asli"))
    package_count = models.PositiveIntegerField(_("jumlah paket"), default=0)
    last_seen = models.DateTimeField(_("terakhir terlihat"))

    class Meta:
        verbose_name = _("lokasi belum dikenali")
        verbose_name_plural = pgettext_lazy("jamak", "lokasi belum dikenali")
        ordering = ["-package_count", "text"]

    def __str__(self):
        return self.example[:80]
