"""A procurement package (paket) through its five stages, mapped to OCDS 1.1.5.

One package is one contracting process, one `ocid`. Indonesian procurement gives a package one
tender, one winner and one contract, so those stages' fields live on the process itself and
the OCDS output turns them into arrays of one; what repeats (bidders, amendments, progress
reports, payments, documents) has its own table.

Money is integer Rupiah (BigIntegerField): the regency's amounts have no sen.
"""

import datetime
import uuid
import zoneinfo

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import EmptyResultSet, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Upper
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from opendata_kontrak.constraints import ConstraintsAtFields


def jakarta_today():
    """Today's date in the regency (Asia/Jakarta, WIB), whatever zone is active."""
    return timezone.localdate(timezone=zoneinfo.ZoneInfo("Asia/Jakarta"))


def stored_text(text):
    """The portal's own (Indonesian) wording of a label, whatever language the request speaks:
    what goes into stored rows (the audit's field names, a stage's missing items) stays
    Indonesian, as everything stored does (issue #23). `text` is a str or a lazy label."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


def not_after_today(value):
    """Validator for the date of an event that has already happened (a progress report, a
    payment's SP2D, the BAST hand-over, a signed contract or amendment): refuses a date after
    today in Asia/Jakarta with a message in the active language. `value` is a datetime.date."""
    today = jakarta_today()
    if value is not None and value > today:
        raise ValidationError(
            gettext(
                "Tanggal %(date)s belum tiba: isi tanggal kejadiannya, paling lambat "
                "hari ini (%(today)s)."
            )
            % {
                "date": formats.date_format(value, "SHORT_DATE_FORMAT"),
                "today": formats.date_format(today, "SHORT_DATE_FORMAT"),
            },
            code="future_date",
        )


# The vocabularies' labels are marked with gettext_noop, not translated here: the bulk files,
# the API and OCDS keep them in Indonesian; a page translates one as it shows it
# ({% translate process.get_method_display %}, locale/en).
class Stage(models.TextChoices):
    PLANNING = "perencanaan", gettext_noop("Perencanaan")
    TENDER = "pemilihan", gettext_noop("Pemilihan Penyedia")
    AWARD = "pemenang", gettext_noop("Pemenang")
    CONTRACT = "kontrak", gettext_noop("Kontrak")
    IMPLEMENTATION = "implementasi", gettext_noop("Implementasi")


STAGE_ORDER = list(Stage.values)

# The fiscal years a package may have: every year read from an address or a file is checked
# against these before it reaches a query or a date.
MIN_FISCAL_YEAR, MAX_FISCAL_YEAR = 2000, 2100


class Category(models.TextChoices):
    """Jenis pengadaan (Perpres 16/2018)."""

    GOODS = "barang", gettext_noop("Barang")
    WORKS = "pekerjaan_konstruksi", gettext_noop("Pekerjaan Konstruksi")
    CONSULTING = "jasa_konsultansi", gettext_noop("Jasa Konsultansi")
    OTHER_SERVICES = "jasa_lainnya", gettext_noop("Jasa Lainnya")


class Method(models.TextChoices):
    """Metode pemilihan (Perpres 16/2018), plus Swakelola which selects no supplier."""

    TENDER = "tender", gettext_noop("Tender")
    QUICK_TENDER = "tender_cepat", gettext_noop("Tender Cepat")
    SELECTION = "seleksi", gettext_noop("Seleksi")
    DIRECT_PROCUREMENT = "pengadaan_langsung", gettext_noop("Pengadaan Langsung")
    DIRECT_APPOINTMENT = "penunjukan_langsung", gettext_noop("Penunjukan Langsung")
    E_PURCHASING = "e_purchasing", gettext_noop("E-Purchasing")
    SELF_MANAGED = "swakelola", gettext_noop("Swakelola")
    # Pasal 59: goods and services in a declared emergency, the supplier appointed directly.
    EMERGENCY = "darurat", gettext_noop("Pengadaan Darurat")
    # Pasal 61: outside the Perpres (e.g. under a lender's or a BLU's own rules).
    EXCLUDED = "dikecualikan", gettext_noop("Dikecualikan")


class FundingSource(models.TextChoices):
    APBD = "APBD", gettext_noop("APBD")
    APBD_P = "APBDP", gettext_noop("APBD Perubahan")
    APBD_PROVINSI = "APBD_PROVINSI", gettext_noop("APBD Provinsi")
    APBN = "APBN", gettext_noop("APBN")
    DAK = "DAK", gettext_noop("DAK")
    DBH = "DBH", gettext_noop("DBH (dana bagi hasil)")
    BLUD = "BLUD", gettext_noop("BLUD")
    OTHER = "LAINNYA", gettext_noop("Lainnya")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draf")
    PUBLISHED = "published", _("Dipublikasikan")
    WITHDRAWN = "withdrawn", _("Ditarik")


class NameSource(models.TextChoices):
    """Who decided a supplier's name. The official source (LPSE/SiRUP imports) replaces an
    operator's; an administrator's correction stands over both."""

    OPERATOR = "operator", _("Operator perangkat daerah")
    OFFICIAL = "resmi", _("Sumber resmi (LPSE/SiRUP)")
    ADMINISTRATOR = "administrator", _("Administrator")


def editable_by(queryset, user):
    """The one rule of who writes an agency's rows (packages, agency documents): every agency
    for an administrator, their own agency for an operator, none for anyone else.
    `queryset`'s model has an `agency` foreign key."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_administrator:
        return queryset
    if user.is_operator:
        return queryset.filter(agency_id=user.agency_id)
    return queryset.none()


def visible_to(queryset, user):
    """Who reads an agency's rows before they are public: those who write them, and
    supervisors, who read every agency."""
    if user.is_authenticated and user.is_active and user.is_supervisor:
        return queryset
    return editable_by(queryset, user)


class SupplierQuerySet(models.QuerySet):
    def public(self):
        """Suppliers named on at least one published package, as winner or bidder."""
        published = Process.objects.published()
        return self.filter(
            Exists(published.filter(supplier=OuterRef("pk")))
            | Exists(Bidder.objects.filter(supplier=OuterRef("pk"), process__in=published))
        )

    def choosable_by(self, user):
        """What this user may see and pick in the workspace: every supplier for those who read
        every agency; for an operator, those on their agency's packages (winner or bidder)
        and those their agency added or found by its exact NPWP (`known_to`)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_administrator or user.is_supervisor:
            return self
        if not user.is_operator:
            return self.none()
        own = Process.objects.filter(agency_id=user.agency_id)
        return self.filter(
            Exists(own.filter(supplier=OuterRef("pk")))
            | Exists(Bidder.objects.filter(supplier=OuterRef("pk"), process__in=own))
            | Exists(
                Supplier.known_to.through.objects.filter(
                    supplier=OuterRef("pk"), agency_id=user.agency_id
                )
            )
        )


class Supplier(models.Model):
    """A company (penyedia / rekanan), shared by every package it bid on or won.

    One name per NPWP, the same on every agency's packages and on the public site.
    """

    name = models.CharField(_("nama"), max_length=255)
    # Canonical 16 digits: since 2024 a company's NPWP is its old 15 digits with a leading 0.
    npwp = models.CharField("NPWP", max_length=16, unique=True, null=True, blank=True)
    address = models.TextField(_("alamat"), blank=True)
    name_source = models.CharField(
        _("nama ditetapkan oleh"),
        max_length=20,
        choices=NameSource.choices,
        default=NameSource.OPERATOR,
    )
    # The agencies whose operators added this supplier, or asked for it by its exact NPWP:
    # they may pick it before any of their packages names it.
    known_to = models.ManyToManyField(
        Agency, verbose_name=_("ditambahkan oleh perangkat daerah"), blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SupplierQuerySet.as_manager()

    class Meta:
        verbose_name = _("penyedia")
        verbose_name_plural = pgettext_lazy("jamak", "penyedia")
        ordering = ["name"]
        indexes = [
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="supplier_name_trigram"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(npwp__regex=r"^[0-9]{16}$"),
                name="supplier_npwp_16_digits",
                violation_error_message=_("NPWP disimpan sebagai 16 angka."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def npwp_display(self):
        from contracts.npwp import format_npwp

        return format_npwp(self.npwp) if self.npwp else ""

    @property
    def npwp_passes_check(self):
        """True when the NPWP passes its check digit, False when it fails, None without one.

        A failing NPWP is kept as its source wrote it (an LPSE export, an older entry) but is
        published as unverified, never as the supplier's identifier (contracts.npwp)."""
        from contracts.npwp import passes_check_digits

        return passes_check_digits(self.npwp) if self.npwp else None


def _figures():
    return {
        "packages": models.Count("pk"),
        "budget": models.Sum("budget_amount"),
        "contracts": models.Sum("contract_amount"),
        "complete": models.Count("pk", filter=Q(all_complete=True)),
    }


def shown_publicly(prefix="", *, statuses=(Status.PUBLISHED,)):
    """The one public visibility rule as a Q over Process (`prefix` reaches it through a
    relation, e.g. "process__" or "processes__"): a package in one of `statuses`, and not a
    demo sample (`is_sample`, the "[CONTOH]" packages of contracts.demo) once a real package
    is published. Samples fill an empty install; beside real data they would be counted in
    its totals and lead its lists. The test for real data is one uncorrelated EXISTS, which
    PostgreSQL evaluates once per query."""
    real = Process.objects.filter(status=Status.PUBLISHED, is_sample=False)
    return Q(**{f"{prefix}status__in": list(statuses)}) & (
        Q(**{f"{prefix}is_sample": False}) | ~Exists(real)
    )


class ProcessQuerySet(models.QuerySet):
    def published(self):
        """What the public site lists and shows: published packages (`shown_publicly`)."""
        return self.filter(shown_publicly())

    def open_data(self):
        """Packages whose OCDS is public (per-package OCDS, the API's package, the OCDS bulk
        files): the published ones, and the withdrawn ones, whose last release says the
        process was cancelled or withdrawn and why. Withdrawn packages leave the site's pages,
        never the record of what was published. Samples as in `shown_publicly`."""
        return self.filter(shown_publicly(statuses=(Status.PUBLISHED, Status.WITHDRAWN)))

    def without_bookkeeping(self):
        """Packages without the columns only their own writers read (the search text, what the
        last import said): for work over thousands of packages at once."""
        return self.defer("search_vector", "source_values")

    def figures(self):
        """The numbers every summary shows: packages, their pagu and contract value, and how
        many have every required stage complete."""
        return self.aggregate(**_figures())

    def figures_per_year(self):
        """`figures()` for each fiscal year, newest first."""
        return list(self.order_by("-fiscal_year").values("fiscal_year").annotate(**_figures()))

    def fiscal_years(self):
        """The fiscal years present, newest first.

        A loose index scan: the newest year, then the newest before it, and so on, each one
        a probe of the (status, fiscal_year) index. DISTINCT would read every package's
        entry (1.1 s at a million from disk; a dozen probes instead).
        """
        try:
            sql, params = self.order_by().values("fiscal_year").query.sql_with_params()
        except EmptyResultSet:  # .none(), or a filter nothing can match
            return []
        query = f"""
            WITH RECURSIVE years(year) AS (
                SELECT max(fiscal_year) FROM ({sql}) AS present
                UNION ALL
                SELECT (SELECT max(fiscal_year) FROM ({sql}) AS present
                        WHERE fiscal_year < years.year)
                FROM years WHERE years.year IS NOT NULL
            )
            SELECT year FROM years WHERE year IS NOT NULL
        """  # noqa: S608 (Django's own SQL of this queryset, its values as parameters)
        with connection.cursor() as cursor:
            cursor.execute(query, [*params, *params])
            return [row[0] for row in cursor.fetchall()]

    def editable_by(self, user):
        """What this user may change: their agency's packages for an operator, all for admins."""
        return editable_by(self, user)

    def visible_to(self, user):
        """What this user may read, drafts included: what they edit, and all for supervisors."""
        return visible_to(self, user)

    def public_or_visible_to(self, user):
        return self.filter(shown_publicly() | Q(pk__in=self.visible_to(user).values("pk")))

    def allocate_ids(self, count):
        """Reserve primary keys, so that an ocid can be written in the same INSERT."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [self.model._meta.db_table, count],
            )
            return [row[0] for row in cursor.fetchall()]


def make_ocid(pk):
    return f"{settings.PORTAL['OCID_PREFIX']}-{pk}"


class Process(ConstraintsAtFields, models.Model):
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("perangkat daerah"),
        on_delete=models.PROTECT,
        related_name="processes",
    )
    ocid = models.CharField("ocid", max_length=64, unique=True, editable=False)
    fiscal_year = models.PositiveSmallIntegerField(
        _("tahun anggaran"),
        validators=[MinValueValidator(MIN_FISCAL_YEAR), MaxValueValidator(MAX_FISCAL_YEAR)],
    )
    title = models.CharField(_("nama paket"), max_length=500)
    description = models.TextField(_("uraian"), blank=True)
    is_sample = models.BooleanField(
        _("contoh"), default=False, help_text=_("Data contoh untuk demo, bukan paket sungguhan.")
    )

    # Perencanaan
    program_code = models.CharField(_("kode program"), max_length=60, blank=True)
    program_name = models.CharField(_("program"), max_length=500, blank=True)
    activity_code = models.CharField(_("kode kegiatan"), max_length=60, blank=True)
    activity_name = models.CharField(_("kegiatan"), max_length=500, blank=True)
    sub_activity_code = models.CharField(_("kode sub kegiatan"), max_length=60, blank=True)
    sub_activity_name = models.CharField(_("sub kegiatan"), max_length=500, blank=True)
    # Lists: a plan may draw on many accounts and name many places (every school of a
    # programme), so these hold as much as the source gives.
    account_code = models.TextField(_("kode rekening"), blank=True)
    rup_code = models.CharField(_("kode RUP"), max_length=30, blank=True)
    budget_amount = models.BigIntegerField(_("pagu (Rp)"), null=True, blank=True)
    funding_sources = ArrayField(
        models.CharField(max_length=20, choices=FundingSource.choices),
        verbose_name=_("sumber dana"),
        default=list,
        blank=True,
    )
    category = models.CharField(
        _("jenis pengadaan"), max_length=30, choices=Category.choices, blank=True
    )
    method = models.CharField(
        _("metode pemilihan"), max_length=30, choices=Method.choices, blank=True
    )
    method_original = models.CharField(
        _("metode (istilah asli)"),
        max_length=100,
        blank=True,
        help_text=_("Istilah metode sebagaimana tertulis di sumber, mis. 'Lelang Umum'."),
    )
    location_kecamatan = models.CharField(_("kecamatan"), max_length=100, blank=True)
    location_desa = models.CharField(_("desa/kelurahan"), max_length=100, blank=True)
    location_detail = models.TextField(_("detail lokasi"), blank=True)
    # Every kecamatan of the register the location names, by its register name, sorted: the
    # one `location_kecamatan` holds, or the several a text like "Kecamatan Sumberrejo, Balen,
    # Kedungadem" names (where `location_kecamatan` stays empty). Filled where the place is
    # resolved (contracts.locations), read by the public kecamatan filter and totals.
    location_kecamatan_all = ArrayField(
        models.CharField(max_length=100),
        verbose_name=_("kecamatan yang disebut lokasi"),
        default=list,
        # In the table too: rows written by COPY without the column (benchmark data) hold none.
        db_default=models.Value([], output_field=ArrayField(models.CharField(max_length=100))),
        blank=True,
        editable=False,
    )
    planned_start = models.DateField(_("rencana mulai"), null=True, blank=True)
    planned_end = models.DateField(_("rencana selesai"), null=True, blank=True)
    pa_kpa_name = models.CharField(_("nama PA/KPA"), max_length=200, blank=True)
    pa_kpa_nip = models.CharField(_("NIP PA/KPA"), max_length=18, blank=True)
    ppk_name = models.CharField(_("nama PPK"), max_length=200, blank=True)
    ppk_nip = models.CharField(_("NIP PPK"), max_length=18, blank=True)
    pptk_name = models.CharField(_("nama PPTK"), max_length=200, blank=True)
    pptk_nip = models.CharField(_("NIP PPTK"), max_length=18, blank=True)

    # Pemilihan Penyedia
    tender_code = models.CharField(_("kode tender"), max_length=30, blank=True)
    hps_amount = models.BigIntegerField(_("HPS (Rp)"), null=True, blank=True)
    tender_announced = models.DateField(
        _("tanggal pengumuman"), null=True, blank=True, validators=[not_after_today]
    )
    bid_deadline = models.DateField(_("batas pemasukan penawaran"), null=True, blank=True)
    number_of_tenderers = models.PositiveIntegerField(_("jumlah peserta"), null=True, blank=True)
    procuring_entity = models.CharField(_("Pokja / Pejabat Pengadaan"), max_length=255, blank=True)
    lpse_url = models.URLField(_("tautan LPSE"), max_length=500, blank=True)

    # Pemenang
    supplier = models.ForeignKey(
        Supplier,
        verbose_name=_("penyedia pemenang"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awarded_processes",
    )
    award_amount = models.BigIntegerField(_("nilai penetapan (Rp)"), null=True, blank=True)
    award_date = models.DateField(
        _("tanggal penetapan"), null=True, blank=True, validators=[not_after_today]
    )

    # Kontrak
    contract_number = models.CharField(_("nomor kontrak/SPK"), max_length=200, blank=True)
    contract_amount = models.BigIntegerField(_("nilai kontrak (Rp)"), null=True, blank=True)
    contract_signed = models.DateField(
        _("tanggal tanda tangan"), null=True, blank=True, validators=[not_after_today]
    )
    contract_start = models.DateField(_("mulai kontrak"), null=True, blank=True)
    contract_end = models.DateField(_("akhir kontrak"), null=True, blank=True)

    # Implementasi: the hand-over. Perpres 16/2018 Pasal 57 has the PPK receive the finished work
    # by a Berita Acara Serah Terima (BAST); works then stay in the supplier's care through the
    # masa pemeliharaan, closed by the final hand-over: PHO (provisional hand over, serah terima
    # pertama) and FHO (final hand over, serah terima akhir).
    pho_date = models.DateField(
        _("tanggal serah terima pertama (PHO/BAST)"),
        null=True,
        blank=True,
        help_text=_("Tanggal berita acara serah terima pekerjaan setelah pekerjaan selesai 100%."),
        validators=[not_after_today],
    )
    maintenance_end = models.DateField(
        _("akhir masa pemeliharaan"),
        null=True,
        blank=True,
        help_text=_("Untuk pekerjaan dengan masa pemeliharaan (pekerjaan konstruksi)."),
    )
    fho_date = models.DateField(
        _("tanggal serah terima akhir (FHO)"),
        null=True,
        blank=True,
        help_text=_("Tanggal berita acara serah terima akhir, setelah masa pemeliharaan berakhir."),
        validators=[not_after_today],
    )

    # Kept by contracts.completeness.refresh, for the public filters and search.
    stage_reached = models.CharField(
        _("tahap terakhir"), max_length=20, choices=Stage.choices, default=Stage.PLANNING
    )
    all_complete = models.BooleanField(_("semua tahap lengkap"), default=False)
    search_vector = SearchVectorField(null=True, editable=False)
    # What the last import of each field said ({field name: value as JSON}), so that a
    # re-import changes only what its source changed and keeps what an operator corrected
    # (imports.common.ProcessWriter).
    source_values = models.JSONField(_("nilai dari impor terakhir"), default=dict, editable=False)

    # Publication
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("dipublikasikan"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dipublikasikan oleh"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("ditarik"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("alasan penarikan"), blank=True)

    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    objects = ProcessQuerySet.as_manager()

    class Meta:
        verbose_name = _("paket pengadaan")
        verbose_name_plural = pgettext_lazy("jamak", "paket pengadaan")
        ordering = ["-fiscal_year", "-updated_at"]
        indexes = [
            models.Index(fields=["agency", "fiscal_year"]),
            # Covers what the facet counts and the home figures read, so computing them after a
            # change scans this narrow index instead of the wide table (search text, notes);
            # is_sample because the public rule reads it (`shown_publicly`).
            models.Index(
                fields=["status", "fiscal_year"],
                include=[
                    "agency",
                    "stage_reached",
                    "method",
                    "category",
                    "all_complete",
                    "budget_amount",
                    "contract_amount",
                    "is_sample",
                ],
                name="process_facets",
            ),
            # The list's default order, read straight off the index (no sort, no OFFSET scan
            # of a heap).
            models.Index(
                fields=["status", "-published_at", "-id"], name="process_status_published"
            ),
            # One index behind each public filter (contracts/filters.py).
            models.Index(fields=["status", "stage_reached"], name="process_stage_reached"),
            models.Index(fields=["status", "method"], name="process_method"),
            models.Index(fields=["status", "category"], name="process_category"),
            models.Index(fields=["status", "budget_amount"], name="process_budget"),
            # The "Nilai kontrak terbesar" sort (contracts/filters.py SORTS["kontrak"]), in its
            # own order: packages without a contract last, read off the index without a sort.
            models.Index(
                "status",
                F("contract_amount").desc(nulls_last=True),
                F("id").desc(),
                name="process_contract_amount",
            ),
            models.Index(fields=["status", "all_complete"], name="process_all_complete"),
            models.Index(Upper("location_kecamatan"), name="process_kecamatan"),
            GinIndex(fields=["location_kecamatan_all"], name="process_kecamatan_all"),
            GinIndex(fields=["search_vector"], name="process_search"),
            GinIndex(fields=["funding_sources"], name="process_funding"),
            GinIndex(OpClass(Upper("title"), name="gin_trgm_ops"), name="process_title_trigram"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "fiscal_year", "rup_code"],
                condition=~Q(rup_code=""),
                name="process_rup_code_unique_per_agency_year",
                violation_error_message=_(
                    "Kode RUP ini sudah dipakai paket lain perangkat daerah "
                    "ini pada tahun anggaran yang sama: satu kode RUP untuk satu paket."
                ),
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0}),
                    name=f"process_{name}_not_negative",
                    violation_error_message=message,
                )
                # Whole sentences, so that each translates as one.
                for name, message in [
                    ("budget_amount", _("Pagu tidak boleh kurang dari nol.")),
                    ("hps_amount", _("HPS tidak boleh kurang dari nol.")),
                    ("award_amount", _("Nilai penetapan tidak boleh kurang dari nol.")),
                    ("contract_amount", _("Nilai kontrak tidak boleh kurang dari nol.")),
                ]
            ],
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{start}__isnull": True})
                    | Q(**{f"{end}__isnull": True})
                    | Q(**{f"{start}__lte": F(end)}),
                    name=f"process_{start}_before_{end}",
                    violation_error_message=message,
                )
                for start, end, message in [
                    (
                        "planned_start",
                        "planned_end",
                        _(
                            "Rencana mulai harus sebelum rencana selesai (atau di hari yang sama): "
                            "periksa kedua tanggal."
                        ),
                    ),
                    (
                        "tender_announced",
                        "bid_deadline",
                        _(
                            "Tanggal pengumuman harus sebelum batas pemasukan penawaran (atau di "
                            "hari yang sama): periksa kedua tanggal."
                        ),
                    ),
                    (
                        "contract_start",
                        "contract_end",
                        _(
                            "Mulai kontrak harus sebelum akhir kontrak (atau di hari yang sama): "
                            "periksa kedua tanggal."
                        ),
                    ),
                ]
            ],
            # The hand-over follows the work: no PHO before the contract starts, no end of the
            # maintenance period or FHO without a PHO or before it (and so, with the PHO's own
            # rule, none before the contract starts). Each rule has its own words, so the
            # message says exactly what is wrong.
            models.CheckConstraint(
                condition=Q(pho_date__isnull=True)
                | Q(contract_start__isnull=True)
                | Q(contract_start__lte=F("pho_date")),
                name="process_contract_start_before_pho_date",
                violation_error_message=_(
                    "Serah terima pertama (PHO) tidak boleh sebelum mulai "
                    "kontrak: pekerjaan diserahterimakan setelah dikerjakan. Periksa kedua tanggal."
                ),
            ),
            models.CheckConstraint(
                condition=Q(maintenance_end__isnull=True) | Q(pho_date__isnull=False),
                name="process_maintenance_end_needs_pho_date",
                violation_error_message=_(
                    "Akhir masa pemeliharaan menyusul serah terima pertama (PHO): isi tanggal "
                    "PHO lebih dahulu, karena masa pemeliharaan dihitung sejak PHO."
                ),
            ),
            models.CheckConstraint(
                condition=Q(maintenance_end__isnull=True)
                | Q(pho_date__isnull=True)
                | Q(pho_date__lte=F("maintenance_end")),
                name="process_pho_date_before_maintenance_end",
                violation_error_message=_(
                    "Akhir masa pemeliharaan tidak boleh sebelum serah terima "
                    "pertama (PHO): masa pemeliharaan dihitung sejak PHO."
                ),
            ),
            models.CheckConstraint(
                condition=Q(fho_date__isnull=True) | Q(pho_date__isnull=False),
                name="process_fho_date_needs_pho_date",
                violation_error_message=_(
                    "Serah terima akhir (FHO) menyusul serah terima pertama "
                    "(PHO): isi tanggal PHO lebih dahulu."
                ),
            ),
            models.CheckConstraint(
                condition=Q(fho_date__isnull=True)
                | Q(pho_date__isnull=True)
                | Q(pho_date__lte=F("fho_date")),
                name="process_pho_date_before_fho_date",
                violation_error_message=_(
                    "Serah terima akhir (FHO) tidak boleh sebelum serah "
                    "terima pertama (PHO): periksa kedua tanggal."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.WITHDRAWN) | ~Q(withdrawn_reason=""),
                name="process_withdrawal_has_reason",
                violation_error_message=_("Paket yang ditarik harus disertai alasan penarikan."),
            ),
            models.CheckConstraint(
                condition=Q(status=Status.DRAFT) | Q(published_at__isnull=False),
                name="process_publication_has_date",
                violation_error_message=_(
                    "Paket yang dipublikasikan harus punya tanggal publikasi."
                ),
            ),
        ]

    constraint_fields = {
        **{
            f"process_{name}_not_negative": name
            for name in ["budget_amount", "hps_amount", "award_amount", "contract_amount"]
        },
        "process_planned_start_before_planned_end": "planned_end",
        "process_tender_announced_before_bid_deadline": "bid_deadline",
        "process_contract_start_before_contract_end": "contract_end",
        "process_contract_start_before_pho_date": "pho_date",
        "process_maintenance_end_needs_pho_date": "maintenance_end",
        "process_pho_date_before_maintenance_end": "maintenance_end",
        "process_fho_date_needs_pho_date": "fho_date",
        "process_pho_date_before_fho_date": "fho_date",
        "process_withdrawal_has_reason": "withdrawn_reason",
        "process_rup_code_unique_per_agency_year": "rup_code",
    }

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.pk is None:
            (self.pk,) = Process.objects.allocate_ids(1)
            kwargs["force_insert"] = True
        if not self.ocid:
            self.ocid = make_ocid(self.pk)
        super().save(*args, **kwargs)

    def funding_source_labels(self):
        """The sources of funds as their (Indonesian, gettext_noop) labels, for a page to
        translate; a code outside the vocabulary (an old import) as it is stored."""
        labels = dict(FundingSource.choices)
        return [labels.get(code, code) for code in self.funding_sources]

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED


class DocumentTypeQuerySet(models.QuerySet):
    def per_agency(self):
        """The types one agency holds once per fiscal year for all its packages (DPA, Renja
        SKPD, jadwal kegiatan): uploaded as agency documents, never required of each package
        to be uploaded again."""
        return self.filter(per_agency=True)


class DocumentType(models.Model):
    """A kind of document a stage holds, with its OCDS documentType code.

    Codes not in the OCDS codelist are local codes (is_local), documented by their description.
    """

    code = models.SlugField(_("kode"), max_length=60, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    stage = models.CharField(_("tahap"), max_length=20, choices=Stage.choices)
    ocds_code = models.CharField(_("kode OCDS documentType"), max_length=60)
    is_local = models.BooleanField(_("kode lokal"), default=False)
    description = models.TextField(_("keterangan"), blank=True)
    position = models.PositiveSmallIntegerField(_("urutan"), default=0)
    per_agency = models.BooleanField(
        _("dokumen perangkat daerah"),
        default=False,
        help_text=_(
            "Satu dokumen per perangkat daerah per tahun anggaran (mis. DPA, Renja SKPD), "
            "diunggah sekali dan berlaku untuk semua paketnya."
        ),
    )

    objects = DocumentTypeQuerySet.as_manager()

    class Meta:
        verbose_name = _("jenis dokumen")
        verbose_name_plural = pgettext_lazy("jamak", "jenis dokumen")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


def document_upload_to(document, filename):
    # The stored name is ours, never the uploaded one: the original is kept for display only.
    return f"dokumen/{uuid.uuid4().hex}.pdf"


class TextStatus(models.TextChoices):
    OK = "ok", _("Teks terbaca")
    EMPTY = "empty", _("Tidak ada teks (mungkin hasil pindai)")
    FAILED = "failed", _("Teks tidak dapat diambil")
    TIMEOUT = "timeout", _("Pengambilan teks melewati batas waktu")


class StoredPdf(models.Model):
    """A PDF that passed the intake (contracts.pdf) and is kept in storage: what every stored
    PDF holds, whichever record it belongs to (a package's Document, an AgencyDocument, a
    StagedUpload waiting for the next save).

    `file` is a storage name the portal makes (`dokumen/<uuid>.pdf`; never the uploaded name),
    `original_filename` the uploaded name for display (≤200 characters, contracts.pdf
    display_filename), `size` in bytes, `sha256` the file's 64 lowercase hex digits (what
    "the same file" means everywhere), `page_count` ≥ 1, `text` what the PDF worker read
    and `text_status` how that went. The two checks are named after each model
    (`document_has_pages`, `agencydocument_sha256_hex`, …). A subclass that declares its own
    Meta extends `StoredPdf.Meta` and lists `*StoredPdf.Meta.constraints` with its own.
    """

    file = models.FileField(_("berkas"), upload_to=document_upload_to, max_length=200)
    original_filename = models.CharField(_("nama berkas asli"), max_length=255)
    size = models.PositiveBigIntegerField(_("ukuran (bita)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    page_count = models.PositiveIntegerField(_("jumlah halaman"))
    text = models.TextField(_("teks"), blank=True)
    text_status = models.CharField(
        _("status teks"), max_length=10, choices=TextStatus.choices, default=TextStatus.OK
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(condition=Q(page_count__gte=1), name="%(class)s_has_pages"),
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="%(class)s_sha256_hex"
            ),
        ]


class Document(StoredPdf):
    process = models.ForeignKey(
        Process, verbose_name=_("paket"), on_delete=models.CASCADE, related_name="documents"
    )
    stage = models.CharField(_("tahap"), max_length=20, choices=Stage.choices)
    document_type = models.ForeignKey(
        DocumentType, verbose_name=_("jenis dokumen"), on_delete=models.PROTECT
    )
    title = models.CharField(_("judul"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("diunggah oleh"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("diunggah"), auto_now_add=True)

    class Meta(StoredPdf.Meta):
        verbose_name = _("dokumen")
        verbose_name_plural = pgettext_lazy("jamak", "dokumen")
        ordering = ["stage", "uploaded_at", "pk"]
        indexes = [models.Index(fields=["process", "stage"])]

    def __str__(self):
        return self.title or self.original_filename


def staged_upload_to(staged, filename):
    # Same rule as documents: our name, never the uploaded one; apart, so they are easy to find.
    return f"sementara/{uuid.uuid4().hex}.pdf"


class StagedUploadQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staged files this user may see and commit: their own, and only while the portal's
        one rule still lets them write the agency they were staged for."""
        if not user.is_authenticated:
            return self.none()
        return editable_by(self, user).filter(user=user)

    def expired(self, now=None):
        """Staged longer ago than STAGED_UPLOAD_HOURS (contracts.tasks removes them)."""
        now = now or timezone.now()
        return self.filter(created__lt=now - datetime.timedelta(hours=settings.STAGED_UPLOAD_HOURS))

    def current(self, now=None):
        """Staged within the last STAGED_UPLOAD_HOURS: still offered, still committed."""
        now = now or timezone.now()
        return self.filter(
            created__gte=now - datetime.timedelta(hours=settings.STAGED_UPLOAD_HOURS)
        )


class StagedUpload(StoredPdf):
    """A PDF that passed the checks on a package save that was refused (a wrong date, another
    file in error): kept server-side so the operator need not choose it again. Listed on the
    re-rendered form with its type and a remove box; becomes a Document on the next save that
    succeeds (contracts.services.commit_staged_uploads). `process` is empty on the add page."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pengunggah"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("perangkat daerah"), on_delete=models.CASCADE
    )
    process = models.ForeignKey(
        Process,
        verbose_name=_("paket"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    stage = models.CharField(_("tahap"), max_length=20, choices=Stage.choices)
    document_type = models.ForeignKey(
        DocumentType,
        verbose_name=_("jenis dokumen"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    # StoredPdf's file, in its own folder (staged_upload_to).
    file = models.FileField(_("berkas"), upload_to=staged_upload_to, max_length=200)
    created = models.DateTimeField(_("disimpan sementara"), auto_now_add=True)

    objects = StagedUploadQuerySet.as_manager()

    class Meta(StoredPdf.Meta):
        verbose_name = _("berkas sementara")
        verbose_name_plural = pgettext_lazy("jamak", "berkas sementara")
        ordering = ["created", "pk"]
        indexes = [models.Index(fields=["user", "stage"]), models.Index(fields=["created"])]

    def __str__(self):
        return self.original_filename


class AgencyDocumentQuerySet(models.QuerySet):
    def editable_by(self, user):
        return editable_by(self, user)

    def visible_to(self, user):
        return visible_to(self, user)

    def published(self):
        """Public: the documents of an agency-year with at least one published package."""
        return self.filter(
            Exists(
                Process.objects.published().filter(
                    agency_id=OuterRef("agency_id"), fiscal_year=OuterRef("fiscal_year")
                )
            )
        )

    def public_or_visible_to(self, user):
        return self.filter(
            Q(pk__in=self.published().values("pk")) | Q(pk__in=self.visible_to(user).values("pk"))
        )

    def covering(self, process):
        """The agency documents that belong to this package (see AgencyDocument.covers)."""
        return self.filter(
            Q(program_code="") | Q(program_code=process.program_code),
            Q(activity_code="") | Q(activity_code=process.activity_code),
            agency_id=process.agency_id,
            fiscal_year=process.fiscal_year,
        )


class AgencyDocument(StoredPdf):
    """A document an agency holds once per fiscal year for all its packages: the DPA (and each
    DPA-Perubahan), the Renja SKPD, the jadwal kegiatan. Uploaded once, stored once, linked
    to every package of that agency and year, or, when the operator names a program or
    kegiatan code, to the packages with that code only. Its text is searched as its own,
    never as every package's."""

    agency = models.ForeignKey(
        Agency,
        verbose_name=_("perangkat daerah"),
        on_delete=models.PROTECT,
        related_name="agency_documents",
    )
    fiscal_year = models.PositiveSmallIntegerField(
        _("tahun anggaran"),
        validators=[MinValueValidator(MIN_FISCAL_YEAR), MaxValueValidator(MAX_FISCAL_YEAR)],
    )
    document_type = models.ForeignKey(
        DocumentType,
        verbose_name=_("jenis dokumen"),
        on_delete=models.PROTECT,
        limit_choices_to={"per_agency": True},
    )
    revision = models.PositiveSmallIntegerField(
        _("perubahan ke-"),
        default=0,
        help_text=_("0 untuk dokumen murni; 1, 2, … untuk perubahannya (mis. DPA-Perubahan)."),
    )
    program_code = models.CharField(
        _("kode program"),
        max_length=60,
        blank=True,
        help_text=_("Kosongkan bila dokumen berlaku untuk semua program perangkat daerah."),
    )
    activity_code = models.CharField(
        _("kode kegiatan"),
        max_length=60,
        blank=True,
        help_text=_("Kosongkan bila dokumen berlaku untuk semua kegiatan perangkat daerah."),
    )
    pages = models.CharField(
        _("halaman"),
        max_length=100,
        blank=True,
        help_text=_("Halaman atau bagian yang memuat program/kegiatan itu, mis. “12-18”."),
    )
    title = models.CharField(_("judul"), max_length=255, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("diunggah oleh"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("diunggah"), auto_now_add=True)

    objects = AgencyDocumentQuerySet.as_manager()

    class Meta(StoredPdf.Meta):
        verbose_name = _("dokumen perangkat daerah")
        verbose_name_plural = pgettext_lazy("jamak", "dokumen perangkat daerah")
        ordering = ["fiscal_year", "document_type__position", "revision", "pk"]
        indexes = [
            models.Index(fields=["agency", "fiscal_year"]),
            GinIndex(fields=["search_vector"], name="agencydocument_search"),
        ]
        constraints = [
            *StoredPdf.Meta.constraints,
            # One file, stored once: the same PDF sent again for the same agency-year and type
            # is the same document.
            models.UniqueConstraint(
                fields=["agency", "fiscal_year", "document_type", "sha256"],
                name="agencydocument_stored_once",
                violation_error_message=_(
                    "Berkas yang sama sudah diunggah untuk dokumen ini pada "
                    "tahun anggaran itu; tidak perlu diunggah lagi."
                ),
            ),
        ]

    def __str__(self):
        """What the document is, not its file: "DPA perubahan ke-1 Dinas Kesehatan TA 2018"
        (the admin's messages and change history name it so, saved or about to be)."""
        parts = [self.document_type.name if self.document_type_id else "Dokumen"]
        if self.revision:
            parts.append(f"perubahan ke-{self.revision}")
        if self.agency_id:
            parts.append(self.agency.short_name or self.agency.name)
        if self.fiscal_year:
            parts.append(f"TA {self.fiscal_year}")
        return " ".join(parts)

    @property
    def stage(self):
        return self.document_type.stage

    def covers(self, process):
        """Whether this document belongs to the package: same agency and fiscal year, and the
        package's program and kegiatan codes where the document names them."""
        return (
            self.agency_id == process.agency_id
            and self.fiscal_year == process.fiscal_year
            and self.program_code in ("", process.program_code)
            and self.activity_code in ("", process.activity_code)
        )


class Bidder(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="bidders")
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("penyedia"), on_delete=models.PROTECT, related_name="bids"
    )
    bid_amount = models.BigIntegerField(_("nilai penawaran (Rp)"), null=True, blank=True)
    corrected_amount = models.BigIntegerField(_("harga terkoreksi (Rp)"), null=True, blank=True)

    class Meta:
        verbose_name = _("peserta tender")
        verbose_name_plural = pgettext_lazy("jamak", "peserta tender")
        constraints = [
            models.UniqueConstraint(
                fields=["process", "supplier"],
                name="bidder_once_per_process",
                violation_error_message=_("Penyedia ini sudah tercatat sebagai peserta paket ini."),
            ),
            models.CheckConstraint(
                condition=(Q(bid_amount__isnull=True) | Q(bid_amount__gte=0))
                & (Q(corrected_amount__isnull=True) | Q(corrected_amount__gte=0)),
                name="bidder_amounts_not_negative",
                violation_error_message=_(
                    "Nilai penawaran dan harga terkoreksi tidak boleh kurang dari nol."
                ),
            ),
        ]

    def __str__(self):
        return str(self.supplier)


class Amendment(ConstraintsAtFields, models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="amendments")
    number = models.CharField(_("nomor adendum"), max_length=200)
    date = models.DateField(_("tanggal"), validators=[not_after_today])
    description = models.TextField(_("perubahan"), blank=True)
    new_amount = models.BigIntegerField(_("nilai kontrak baru (Rp)"), null=True, blank=True)
    new_end = models.DateField(_("akhir kontrak baru"), null=True, blank=True)

    class Meta:
        verbose_name = _("adendum")
        verbose_name_plural = pgettext_lazy("jamak", "adendum")
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(new_amount__isnull=True) | Q(new_amount__gte=0),
                name="amendment_amount_not_negative",
                violation_error_message=_("Nilai kontrak baru tidak boleh kurang dari nol."),
            ),
        ]

    constraint_fields = {"amendment_amount_not_negative": "new_amount"}

    def __str__(self):
        return self.number

    def clean(self):
        super().clean()
        try:
            # In the admin's inline: the package as its form left it, saved or not.
            start = self.process.contract_start
        except Process.DoesNotExist:
            start = None
        if self.new_end and start and self.new_end < start:
            raise ValidationError(
                {
                    "new_end": "Akhir kontrak baru ("
                    f"{self.new_end:%d/%m/%Y}) tidak boleh sebelum mulai kontrak "
                    f"({start:%d/%m/%Y})."
                }
            )


class ProgressReport(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="progress_reports")
    date = models.DateField(_("tanggal laporan"), validators=[not_after_today])
    physical_percent = models.DecimalField(
        _("progres fisik (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    financial_percent = models.DecimalField(
        _("progres keuangan (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    note = models.CharField(_("catatan"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("laporan kemajuan")
        verbose_name_plural = pgettext_lazy("jamak", "laporan kemajuan")
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(physical_percent__gte=0, physical_percent__lte=100)
                & Q(financial_percent__gte=0, financial_percent__lte=100),
                name="progress_percent_in_range",
                violation_error_message=_(
                    "Progres fisik dan keuangan masing-masing antara 0 dan 100 persen."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.date}: fisik {self.physical_percent}%"


class PlannedProgress(ConstraintsAtFields, models.Model):
    """One point of the planned physical progress (the kurva S of the contract's schedule): the
    cumulative percent of the work planned to be done by the end of a period, set beside the
    progress reports (contracts.progress compares the two)."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="planned_progress")
    date = models.DateField(_("akhir periode"))
    period = models.CharField(
        _("periode"),
        max_length=60,
        blank=True,
        help_text=_("Mis. “Minggu ke-3” atau “Agustus 2018”."),
    )
    planned_percent = models.DecimalField(
        _("rencana progres fisik kumulatif (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("rencana progres")
        verbose_name_plural = pgettext_lazy("jamak", "rencana progres (kurva S)")
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["process", "date"],
                name="plannedprogress_once_per_date",
                violation_error_message=_(
                    "Rencana progres untuk akhir periode ini sudah ada: satu "
                    "angka rencana per tanggal."
                ),
            ),
            models.CheckConstraint(
                condition=Q(planned_percent__gte=0, planned_percent__lte=100),
                name="plannedprogress_percent_in_range",
                violation_error_message=_("Rencana progres fisik antara 0 dan 100 persen."),
            ),
        ]

    constraint_fields = {
        "plannedprogress_once_per_date": "date",
        "plannedprogress_percent_in_range": "planned_percent",
    }

    def __str__(self):
        return f"{self.date}: rencana fisik {self.planned_percent}%"


def progress_photo_upload_to(photo, filename):
    # A name the portal makes: the operator's file name never reaches storage.
    return f"kemajuan/{uuid.uuid4().hex}.{photo.extension}"


class ProgressPhoto(models.Model):
    """A photo of the works attached to a progress report, re-encoded on its way in
    (opendata_kontrak.photos.clean: JPEG or PNG, no EXIF/GPS); public with its package."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("foto"), upload_to=progress_photo_upload_to, max_length=200)
    content_type = models.CharField(_("jenis berkas"), max_length=20)
    width = models.PositiveIntegerField(_("lebar (piksel)"))
    height = models.PositiveIntegerField(_("tinggi (piksel)"))
    size = models.PositiveIntegerField(_("ukuran (bita)"))
    created_at = models.DateTimeField(_("diunggah"), auto_now_add=True)

    class Meta:
        verbose_name = _("foto kemajuan")
        verbose_name_plural = pgettext_lazy("jamak", "foto kemajuan")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=["image/jpeg", "image/png"]),
                name="progressphoto_jpeg_or_png",
                violation_error_message=_("Foto kemajuan hanya JPEG atau PNG."),
            ),
        ]

    def __str__(self):
        return f"Foto {self.pk} laporan kemajuan {self.report_id}"

    @property
    def extension(self):
        return "png" if self.content_type == "image/png" else "jpg"


def staged_photo_upload_to(photo, filename):
    # Apart from the reports' photos (kemajuan/), named by the portal like them; the orphan
    # sweep (opendata_kontrak.orphans) knows this folder and the rows that name its files.
    return f"foto-sementara/{uuid.uuid4().hex}.{photo.extension}"


class StagedPhotoQuerySet(StagedUploadQuerySet):
    """Same rules as staged PDFs: `visible_to` (owner only, while the portal's one rule lets
    them write the agency), `current` / `expired` (STAGED_UPLOAD_HOURS)."""


class StagedPhoto(models.Model):
    """A field-page photo that passed opendata_kontrak.photos.clean (re-encoded, no EXIF/GPS) on
    a progress report that was refused: kept server-side for its owner and package so it need
    not be chosen again. Listed on the field page with a remove box; becomes a ProgressPhoto
    of the next report that is saved (contracts.services.add_implementation_row). A model of
    its own, not a StagedUpload: that one is a StoredPdf (pages, text, PDF checks)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pengunggah"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("perangkat daerah"), on_delete=models.CASCADE
    )
    process = models.ForeignKey(
        Process, verbose_name=_("paket"), on_delete=models.CASCADE, related_name="+"
    )
    file = models.FileField(_("foto"), upload_to=staged_photo_upload_to, max_length=200)
    original_filename = models.CharField(_("nama berkas asli"), max_length=255)
    content_type = models.CharField(_("jenis berkas"), max_length=20)
    width = models.PositiveIntegerField(_("lebar (piksel)"))
    height = models.PositiveIntegerField(_("tinggi (piksel)"))
    size = models.PositiveIntegerField(_("ukuran (bita)"))
    # Of the cleaned content: the same photo chosen again after a refusal is kept once.
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created = models.DateTimeField(_("disimpan sementara"), auto_now_add=True)

    objects = StagedPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("foto sementara")
        verbose_name_plural = pgettext_lazy("jamak", "foto sementara")
        ordering = ["created", "pk"]
        indexes = [models.Index(fields=["user", "process"]), models.Index(fields=["created"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=["image/jpeg", "image/png"]),
                name="stagedphoto_jpeg_or_png",
                violation_error_message=_("Foto sementara hanya JPEG atau PNG."),
            ),
        ]

    def __str__(self):
        return self.original_filename

    @property
    def extension(self):
        return "png" if self.content_type == "image/png" else "jpg"


class Payment(ConstraintsAtFields, models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="payments")
    label = models.CharField(_("termin"), max_length=100)
    sp2d_number = models.CharField(_("nomor SP2D"), max_length=100, blank=True)
    amount = models.BigIntegerField(_("nilai (Rp)"), validators=[MinValueValidator(0)])
    date = models.DateField(_("tanggal bayar"), validators=[not_after_today])

    class Meta:
        verbose_name = _("pembayaran")
        verbose_name_plural = pgettext_lazy("jamak", "pembayaran")
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="payment_amount_not_negative",
                violation_error_message=_("Nilai pembayaran tidak boleh kurang dari nol."),
            ),
        ]

    constraint_fields = {"payment_amount_not_negative": "amount"}

    def __str__(self):
        return self.label


class StageRequirement(ConstraintsAtFields, models.Model):
    """One thing a stage needs before it counts as complete: a field filled or a document.

    Empty `methods` / `categories` mean every method / category.
    """

    stage = models.CharField(_("tahap"), max_length=20, choices=Stage.choices)
    field_name = models.CharField(_("isian"), max_length=60, blank=True)
    document_type = models.ForeignKey(
        DocumentType,
        verbose_name=_("jenis dokumen"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    methods = ArrayField(
        models.CharField(max_length=30, choices=Method.choices),
        verbose_name=_("hanya untuk metode"),
        default=list,
        blank=True,
    )
    categories = ArrayField(
        models.CharField(max_length=30, choices=Category.choices),
        verbose_name=_("hanya untuk jenis"),
        default=list,
        blank=True,
    )
    is_active = models.BooleanField(_("berlaku"), default=True)

    class Meta:
        verbose_name = _("syarat kelengkapan")
        verbose_name_plural = pgettext_lazy("jamak", "syarat kelengkapan")
        ordering = ["stage", "field_name", "document_type__position"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(field_name="") & Q(document_type__isnull=False))
                | (~Q(field_name="") & Q(document_type__isnull=True)),
                name="requirement_is_field_or_document",
                violation_error_message=_(
                    "Pilih salah satu: isian atau jenis dokumen, tidak "
                    "keduanya dan tidak kosong keduanya."
                ),
            ),
        ]

    constraint_fields = {"requirement_is_field_or_document": "field_name"}

    def __str__(self):
        what = self.document_type.name if self.document_type_id else self.field_label
        return f"{self.get_stage_display()}: {what}"

    @property
    def field_label(self):
        from contracts.completeness import field_label

        return str(field_label(self.field_name)) if self.field_name else ""


class StageExemption(models.Model):
    """A stage a method does not have, e.g. Swakelola has no supplier selection or award."""

    method = models.CharField(_("metode"), max_length=30, choices=Method.choices)
    stage = models.CharField(_("tahap"), max_length=20, choices=Stage.choices)

    class Meta:
        verbose_name = _("tahap yang tidak berlaku")
        verbose_name_plural = pgettext_lazy("jamak", "tahap yang tidak berlaku")
        constraints = [
            models.UniqueConstraint(
                fields=["method", "stage"],
                name="exemption_unique",
                violation_error_message=_("Tahap ini sudah dikecualikan untuk metode ini."),
            ),
        ]

    def __str__(self):
        return f"{self.get_method_display()} tanpa {self.get_stage_display()}"


class StageCompleteness(models.Model):
    """Stored completeness of one stage of one process, kept right by the services.

    Lists and dashboards read these rows instead of re-evaluating requirements per package.
    """

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="completeness")
    stage = models.CharField(_("tahap"), max_length=20, choices=Stage.choices)
    is_required = models.BooleanField(_("berlaku"), default=True)
    is_complete = models.BooleanField(_("lengkap"), default=False)
    # [{"kind": "field"|"document", "code": ..., "label": ...}]
    missing = models.JSONField(_("yang belum ada"), default=list, blank=True)
    # When the stage last became complete; empty while it is not. The supervisors' trend
    # counts, for each month, the stages complete by then.
    completed_at = models.DateTimeField(_("lengkap sejak"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kelengkapan tahap")
        verbose_name_plural = pgettext_lazy("jamak", "kelengkapan tahap")
        constraints = [
            models.UniqueConstraint(fields=["process", "stage"], name="completeness_unique"),
            models.CheckConstraint(
                condition=Q(is_required=True) | Q(is_complete=True),
                name="completeness_exempt_counts_complete",
            ),
        ]
        indexes = [models.Index(fields=["stage", "is_required", "is_complete"])]

    def __str__(self):
        return f"{self.process_id} {self.stage}: {'lengkap' if self.is_complete else 'belum'}"


class Release(models.Model):
    """One OCDS release of a published package: what changed in its public data, and when.

    Stored as published, never rewritten: the package's release history is the list of these,
    oldest first, and its compiled release is built from the current data.
    """

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="releases")
    sequence = models.PositiveIntegerField(_("urutan"))
    date = models.DateTimeField(_("tanggal"))
    tags = ArrayField(models.CharField(max_length=40), verbose_name=_("tag"))
    stage_reached = models.CharField(_("tahap tercapai"), max_length=20, choices=Stage.choices)
    # SHA-256 of the release without its id, date and tags: an unchanged package adds nothing.
    digest = models.CharField(max_length=64)
    data = models.JSONField()

    class Meta:
        verbose_name = _("rilis OCDS")
        verbose_name_plural = pgettext_lazy("jamak", "rilis OCDS")
        ordering = ["process", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["process", "sequence"], name="release_sequence_unique")
        ]

    def __str__(self):
        return f"{self.data.get('id', self.pk)} ({', '.join(self.tags)})"


class AuditEntry(models.Model):
    """Who changed what, when: every change to a process, its stages and its documents."""

    class Action(models.TextChoices):
        CREATE = "create", _("Dibuat")
        CHANGE = "change", _("Diubah")
        PUBLISH = "publish", _("Dipublikasikan")
        WITHDRAW = "withdraw", _("Ditarik")
        UPLOAD = "upload", _("Dokumen diunggah")
        DOCUMENT_CHANGE = "document_change", _("Dokumen diubah")
        DOCUMENT_DELETE = "document_delete", _("Dokumen dihapus")
        DELETE = "delete", _("Dihapus")
        # Supervisors' requests (followups): asked, answered, marked done, closed, reopened.
        REQUEST = "request", _("Permintaan pengawas")
        REQUEST_REPLY = "request_reply", _("Permintaan dijawab")
        REQUEST_DONE = "request_done", _("Permintaan ditandai selesai")
        REQUEST_CLOSE = "request_close", _("Permintaan ditutup")
        REQUEST_REOPEN = "request_reopen", _("Permintaan dibuka lagi")

    process = models.ForeignKey(
        Process, on_delete=models.SET_NULL, null=True, related_name="audit_entries"
    )
    process_label = models.CharField(_("paket"), max_length=500)
    # Kept beside the process so that an operator still sees their agency's trail of a
    # package that was deleted.
    agency = models.ForeignKey(
        Agency, verbose_name=_("perangkat daerah"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("oleh"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    action = models.CharField(_("tindakan"), max_length=20, choices=Action.choices)
    # {"field label": [old, new]} or, for documents, {"berkas": name, ...}
    changes = models.JSONField(_("perubahan"), default=dict, blank=True)
    at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("jejak perubahan")
        verbose_name_plural = pgettext_lazy("jamak", "jejak perubahan")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()}: {self.process_label}"


class BulkUploadQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Batches this user may see and confirm: their own, and only while the portal's one
        rule still lets them write the agency the batch was started for."""
        if not user.is_authenticated:
            return self.none()
        return editable_by(self, user).filter(user=user)


class BulkUpload(models.Model):
    """Many PDFs chosen at once on the bulk upload page (contracts.bulk_uploads), each placed
    on its package by the kode RUP or kode tender in its name. A background task checks the
    files (CHECKING); those that may go wait as StagedUploads while the operator reads the
    preview (PREVIEW); once confirmed, a background task stores them (QUEUED, RUNNING)."""

    class State(models.TextChoices):
        CHECKING = "checking", _("memeriksa berkas")
        PREVIEW = "preview", _("pratinjau")
        QUEUED = "queued", _("menunggu giliran")
        RUNNING = "running", _("menyimpan")
        DONE = "done", _("selesai")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pengunggah"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    agency = models.ForeignKey(Agency, verbose_name=_("perangkat daerah"), on_delete=models.CASCADE)
    state = models.CharField(
        _("keadaan"), max_length=10, choices=State.choices, default=State.CHECKING
    )
    # Files the confirmation sent to the task: the "N" of "37 dari N berkas".
    files_to_store = models.PositiveIntegerField(_("berkas yang disimpan"), default=0)
    # The Procrastinate job storing it.
    queue_job_id = models.BigIntegerField(null=True, blank=True)
    created = models.DateTimeField(_("dibuat"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("dikonfirmasi"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)

    objects = BulkUploadQuerySet.as_manager()

    class Meta:
        verbose_name = _("unggah massal")
        verbose_name_plural = pgettext_lazy("jamak", "unggah massal")
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["checking", "preview", "queued", "running", "done"]),
                name="bulkupload_state_known",
            ),
        ]

    def __str__(self):
        return f"Unggah massal {self.pk}"

    @property
    def finished(self):
        return self.state == self.State.DONE


class BulkUploadFile(models.Model):
    """One file of a BulkUpload: where the preview placed it, or why it cannot go, and what
    became of it once stored. `problem` holds what the operator cannot change on the preview
    (refused by the intake, no package, another agency's, a duplicate); `reason` why the task
    skipped it. Every file ends stored or skipped with a reason: none is dropped unsaid."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("belum diproses")
        STORED = "stored", _("tersimpan")
        SKIPPED = "skipped", _("tidak disimpan")

    batch = models.ForeignKey(BulkUpload, on_delete=models.CASCADE, related_name="files")
    position = models.PositiveIntegerField(_("urutan"))
    original_filename = models.CharField(_("nama berkas"), max_length=255)
    # The file as received, until the checking task has read it (then staged or refused).
    received = models.FileField(
        _("berkas diterima"), upload_to=staged_upload_to, max_length=200, blank=True
    )
    checked = models.BooleanField(_("sudah diperiksa"), default=False)
    staged = models.ForeignKey(
        StagedUpload,
        verbose_name=_("berkas sementara"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    process = models.ForeignKey(
        Process,
        verbose_name=_("paket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The kode RUP or kode tender the name answered to, as stored on the package.
    code = models.CharField(_("kode"), max_length=50, blank=True)
    document_type = models.ForeignKey(
        DocumentType,
        verbose_name=_("jenis dokumen"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    problem = models.TextField(_("tidak dapat disimpan karena"), blank=True)
    excluded = models.BooleanField(_("dikecualikan"), default=False)
    outcome = models.CharField(
        _("hasil"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    reason = models.TextField(_("alasan tidak disimpan"), blank=True)
    document = models.ForeignKey(
        Document,
        verbose_name=_("dokumen"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("berkas unggah massal")
        verbose_name_plural = pgettext_lazy("jamak", "berkas unggah massal")
        ordering = ["batch", "position"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "position"], name="bulkuploadfile_position"),
            models.CheckConstraint(
                condition=Q(outcome__in=["pending", "stored", "skipped"]),
                name="bulkuploadfile_outcome_known",
            ),
            # A skipped file says why.
            models.CheckConstraint(
                condition=~Q(outcome="skipped") | ~Q(reason=""),
                name="bulkuploadfile_skip_has_reason",
            ),
        ]

    def __str__(self):
        return self.original_filename

    @property
    def stage(self):
        return self.document_type.stage if self.document_type else None

    @property
    def ready(self):
        """Whether confirming would send it to be stored."""
        return (
            self.checked
            and not self.problem
            and not self.excluded
            and self.staged_id is not None
            and self.process_id is not None
            and self.document_type_id is not None
        )
