import time

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import formats
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from contracts import nip
from contracts.completeness import REQUIREMENT_FIELDS, field_choices
from contracts.filters import rupiah_amount
from contracts.models import (
    STAGE_ORDER,
    AgencyDocument,
    Category,
    DocumentType,
    FundingSource,
    Method,
    Payment,
    Process,
    ProgressReport,
    StagedPhoto,
    StagedUpload,
    StageRequirement,
    Supplier,
)
from contracts.npwp import TYPED_MAX_LENGTH, InvalidNPWP, check_digits_problem, normalize_npwp
from contracts.pdf import PdfRejected, inspect_upload, inspect_uploads
from contracts.recognition import recognise_document_type
from opendata_kontrak.languages import shown_choices
from opendata_kontrak.limits import SaysLimitsForm
from opendata_kontrak.photos import clean_each
from opendata_kontrak.text import PrintableTextForm


def _filled_lazily(message, **values):
    """`message` (marked with gettext_noop, `%(name)s` placeholders) translated into the
    language active when it is shown, its values filled then: each value a callable (a size
    formatted by that language) or a plain value."""

    def fill():
        return gettext(message) % {
            name: value() if callable(value) else value for name, value in values.items()
        }

    return lazy(fill, str)()


# Photos one progress report may carry: what fits in one request from a phone
# (request_guard.body_limit allows the citizens' report's size on the field page).
FIELD_MAX_PHOTOS = 3

# The field page's dates typed as the admin's are (dd/mm/yyyy, DATE_INPUT_FORMATS' first
# entry), in a text input: a browser's date picker writes and shows its own locale's order.
FIELD_DATE_INPUT = forms.DateInput(
    format="%d/%m/%Y", attrs={"inputmode": "numeric", "placeholder": _("hh/bb/tttt")}
)
# Percentages with the decimal comma ("45,5"), as in the admin (localize=True).
FIELD_PERCENT_INPUT = forms.TextInput(attrs={"inputmode": "decimal"})


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.Field):
    """Several files in one input, cleaned to a list (empty when none was chosen)."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        if not value:
            return []
        files = value if isinstance(value, list | tuple) else [value]
        return [item for item in files if item]


class MultiplePdfInput(MultipleFileInput):
    def __init__(self, attrs=None):
        super().__init__(
            {
                "multiple": True,
                "accept": ".pdf,application/pdf",
                "data-max-bytes": settings.DOCUMENT_MAX_BYTES,
                **(attrs or {}),
            }
        )


class MultiplePdfField(MultipleFileField):
    """Several PDFs in one input. The checks themselves run in ProcessAdminForm.clean."""

    widget = MultiplePdfInput


class NipField(forms.CharField):
    """A NIP as typed or printed, spaces allowed; cleaned to its 18 digits or ""."""

    def __init__(self, **kwargs):
        kwargs.update(max_length=nip.TYPED_MAX_LENGTH, required=kwargs.get("required", False))
        kwargs.setdefault("help_text", _("18 angka; spasi boleh, misalnya 19700101 199003 1 005."))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            return nip.normalize_nip(value)
        except nip.InvalidNIP as error:
            raise forms.ValidationError(str(error)) from error


def upload_type_field(stage):
    return f"upload_type_{stage}"


def upload_files_field(stage):
    return f"upload_files_{stage}"


def _stage_upload_fields():
    fields = {}
    for stage in STAGE_ORDER:
        fields[upload_type_field(stage)] = forms.ModelChoiceField(
            label=_("Jenis dokumen"),
            queryset=DocumentType.objects.filter(stage=stage),
            required=False,
            help_text=_(
                "Berlaku untuk semua berkas yang dipilih. Kosongkan agar jenis dikenali "
                "dari nama berkas (mis. “DPA 2018.pdf”, “Renja SKPD.pdf”)."
            ),
        )
        fields[upload_files_field(stage)] = MultiplePdfField(
            label=_("Berkas PDF"),
            help_text=_filled_lazily(
                gettext_noop(
                    "Boleh memilih beberapa berkas sekaligus. PDF saja, paling besar "
                    "%(limit)s per berkas, tanpa kata sandi."
                ),
                limit=lambda: filesizeformat(settings.DOCUMENT_MAX_BYTES),
            ),
        )
    return fields


class StageUploadFields:
    """Per stage: a document type and several PDFs. Declared here so the admin knows them."""

    declared_fields = _stage_upload_fields()


class ProcessAdminForm(PrintableTextForm, StageUploadFields, forms.ModelForm):
    funding_sources = forms.MultipleChoiceField(
        label=_("Sumber dana"),
        choices=shown_choices(FundingSource.choices),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    lpse_url = forms.URLField(
        label=_("Tautan LPSE"),
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"size": 60}),
    )
    pa_kpa_nip = NipField(label=_("NIP PA/KPA"))
    ppk_nip = NipField(label=_("NIP PPK"))
    pptk_nip = NipField(label=_("NIP PPTK"))

    class Meta:
        model = Process
        fields = "__all__"  # noqa: DJ007 (ProcessAdmin picks the fields through its fieldsets)
        widgets = {
            "title": forms.TextInput(attrs={"size": 80}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    # Who submits: set by ProcessAdmin.get_form, so that files staged on a refused save
    # (contracts.StagedUpload) come back only to their owner, through the portal's one rule.
    staging_user = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # stage -> [(DocumentType or None, UploadedFile, PdfInfo)]: new files that passed.
        self.pending_uploads = {}
        # stage -> [StagedUpload] kept from an earlier refused submit; and those ticked away.
        self.staged = {}
        self.staged_removed = []
        # (stage chosen in, file name, DocumentType of another stage): files offered to the
        # stage whose type their name names ("KAK Pelaksanaan.pdf" chosen in Perencanaan).
        self.moved = []
        if not self.is_bound:
            self._list_waiting_staged()
        if "location_kecamatan" in self.fields:
            self.fields["location_kecamatan"] = kecamatan_field(
                self.instance.location_kecamatan if self.instance else ""
            )

    def clean(self):
        cleaned = super().clean()
        # First, so that staged files stay listed whatever refuses this submit.
        for stage in STAGE_ORDER:
            self._take_staged(stage)
        excess = sum(
            getattr(uploaded, "excess", False)
            for stage in STAGE_ORDER
            for uploaded in cleaned.get(upload_files_field(stage)) or []
        )
        if excess:
            raise forms.ValidationError(
                gettext(
                    "Paling banyak %(max)s berkas dalam satu kiriman; %(excess)s berkas lebih "
                    "dari itu tidak diterima, dan tidak ada berkas yang disimpan. Isian lain "
                    "tetap seperti yang Anda ketik: pilih ulang berkasnya, paling banyak "
                    "%(max)s sekali kirim."
                )
                % {"max": settings.UPLOAD_MAX_FILES, "excess": excess}
            )
        # One time budget for every file of this save, whatever stages they belong to.
        deadline = time.monotonic() + settings.PDF_BATCH_SECONDS
        for stage in STAGE_ORDER:
            files = cleaned.get(upload_files_field(stage)) or []
            if files:
                self._check_uploads(stage, files, cleaned.get(upload_type_field(stage)), deadline)
        return cleaned

    def _list_waiting_staged(self):
        """On a change page opened afresh (a reload, the package reopened later), the files
        this user staged for this package on an earlier refused save and not yet expired: the
        next save that succeeds stores them, as it would from the re-shown form."""
        if self.staging_user is None or self.instance.pk is None:
            return
        rows = (
            StagedUpload.objects.visible_to(self.staging_user)
            .current()
            .filter(process=self.instance.pk)
            .select_related("document_type")
        )
        for row in rows:
            self.staged.setdefault(row.stage, []).append(row)

    def _take_staged(self, stage):
        """The staged files this submit names (hidden `staged_<stage>` inputs), as far as the
        submitter may see them; each with the type chosen beside it, or ticked for removal."""
        if self.staging_user is None:
            return
        ids = [v for v in _values(self.data, f"staged_{stage}") if v.isdigit()]
        if not ids:
            return
        removed = set(_values(self.data, "staged_remove"))
        types = {str(t.pk): t for t in DocumentType.objects.filter(stage=stage)}
        rows = (
            StagedUpload.objects.visible_to(self.staging_user)
            .current()
            .filter(pk__in=ids, stage=stage, process=self.instance.pk)
            .select_related("document_type")
        )
        kept, untyped = [], []
        for row in rows:
            if str(row.pk) in removed:
                self.staged_removed.append(row)
                continue
            chosen = self.data.get(f"staged_type_{row.pk}")
            if chosen in types:
                row.document_type = types[chosen]
            elif chosen == "":
                row.document_type = None
            if row.document_type is None:
                untyped.append(row.original_filename)
            kept.append(row)
        self.staged[stage] = kept
        if untyped:
            self.add_error(
                upload_files_field(stage),
                gettext("Pilih jenis dokumen untuk %(files)s pada daftar berkas di bawah.")
                % {"files": ", ".join(untyped)},
            )

    def _check_uploads(self, stage, files, chosen_type, deadline):
        """Check each new file of `stage`. Those that pass wait in `pending_uploads` (stored
        on a save that succeeds, staged on one refused); those that fail are named with the
        reason. A name that says no clear type leaves the type to the operator."""
        every_type = list(DocumentType.objects.all())
        types = [t for t in every_type if t.stage == stage]
        checked, problems, unknown = [], [], []
        outcomes = inspect_uploads(files, deadline=deadline)
        for uploaded, outcome in zip(files, outcomes, strict=True):
            if isinstance(outcome, PdfRejected):
                problems.append(f"{outcome.filename}: {outcome.reason}.")
                continue
            document_type = chosen_type or guess_document_type(uploaded.name, types)
            if document_type is None:
                # Only a name this stage cannot place is read against every stage's types.
                elsewhere = guess_document_type(uploaded.name, every_type)
                if elsewhere is not None and elsewhere.stage != stage:
                    self.moved.append((stage, uploaded.name, elsewhere))
                    self.pending_uploads.setdefault(elsewhere.stage, []).append(
                        (elsewhere, uploaded, outcome)
                    )
                    continue
                unknown.append(uploaded.name)
            checked.append((document_type, uploaded, outcome))
        if unknown:
            self.add_error(
                upload_type_field(stage),
                gettext(
                    "Jenis dokumen tidak dapat dikenali dari nama berkas %(files)s: pilih "
                    "jenisnya pada daftar berkas di bawah."
                )
                % {"files": ", ".join(unknown)},
            )
        if problems:
            problems.append(
                gettext(
                    "Berkas itu tidak disimpan; berkas lain yang lolos pemeriksaan disimpan "
                    "sementara dan tercantum di bawah, tidak perlu dipilih ulang."
                )
                if checked
                else gettext(
                    "Tidak ada berkas tahap ini yang disimpan. Pilih berkas yang benar; "
                    "isian lain di formulir tetap seperti yang Anda ketik."
                )
            )
            self.add_error(upload_files_field(stage), problems)
        self.pending_uploads.setdefault(stage, []).extend(checked)


def _values(data, key):
    """Every value of `key` in submitted data: a QueryDict from a request, or a plain dict."""
    if hasattr(data, "getlist"):
        return [str(v) for v in data.getlist(key)]
    value = data.get(key)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


class AgencyDocumentForm(PrintableTextForm, forms.ModelForm):
    """One agency document, uploaded once for every package of its agency and year: the PDF
    goes through the same intake as a package's documents (contracts.pdf). After clean,
    `checked` is (UploadedFile, PdfInfo)."""

    upload = forms.FileField(
        label=_("Berkas PDF"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,application/pdf", "data-max-bytes": settings.DOCUMENT_MAX_BYTES}
        ),
        help_text=_filled_lazily(
            gettext_noop(
                "PDF saja, paling besar %(limit)s, tanpa kata sandi. Diunggah sekali; berlaku "
                "untuk semua paket perangkat daerah dan tahun anggaran ini (atau "
                "program/kegiatan yang diisi di bawah)."
            ),
            limit=lambda: filesizeformat(settings.DOCUMENT_MAX_BYTES),
        ),
    )

    class Meta:
        model = AgencyDocument
        fields = [
            "agency",
            "fiscal_year",
            "document_type",
            "revision",
            "program_code",
            "activity_code",
            "pages",
            "title",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.checked = None
        if "document_type" in self.fields:
            self.fields["document_type"].queryset = DocumentType.objects.per_agency()

    def clean(self):
        cleaned = super().clean()
        uploaded = cleaned.get("upload")
        if uploaded is None:
            return cleaned
        try:
            info = inspect_upload(uploaded)
        except PdfRejected as rejection:
            self.add_error("upload", f"{rejection.filename}: {rejection.reason}.")
            return cleaned
        agency, year, kind = (cleaned.get(k) for k in ("agency", "fiscal_year", "document_type"))
        if (
            agency
            and year
            and kind
            and AgencyDocument.objects.filter(
                agency=agency, fiscal_year=year, document_type=kind, sha256=info.sha256
            ).exists()
        ):
            self.add_error(
                "upload",
                gettext(
                    "Berkas ini sama persis (SHA-256 sama) dengan %(type)s %(agency)s TA "
                    "%(year)s yang sudah diunggah; tidak perlu diunggah lagi."
                )
                % {"type": kind, "agency": agency, "year": year},
            )
            return cleaned
        self.checked = (uploaded, info)
        return cleaned


class AgencyDocumentChangeForm(PrintableTextForm, forms.ModelForm):
    """After upload only the title and page reference change: the file, the agency-year and
    the codes that say which packages it covers stay as uploaded (delete and upload again)."""

    class Meta:
        model = AgencyDocument
        fields = ["title", "pages"]


def kecamatan_field(current):
    """Kecamatan chosen from the regency's place register (agencies.Kecamatan), so that every
    package of a kecamatan carries the one name the public filter uses. A name from before the
    register stays choosable until someone picks the register's."""
    from agencies.models import Kecamatan

    names = list(Kecamatan.objects.order_by("name").values_list("name", flat=True))
    choices = [("", "—"), *((name, name) for name in names)]
    if current and current not in names:
        choices.append(
            (current, gettext("%(name)s (belum ada di register wilayah)") % {"name": current})
        )
    return forms.ChoiceField(
        label=_("Kecamatan"),
        choices=choices,
        required=False,
        help_text=_("Dari register wilayah kabupaten; administrator dapat melengkapinya."),
    )


def guess_document_type(filename, types):
    """The one type of `types` the file name names clearly, or None: "DPA Dinkes 2018.pdf" is
    a DPA, "SPK Jalan.pdf" a contract, "Laporan Kemajuan Juli.pdf" a progress report; a name
    that fits none or several types is left for the operator (contracts.recognition)."""
    return recognise_document_type(filename, types)


class NpwpField(forms.CharField):
    """An NPWP as people write it, dotted or not; cleaned to the stored 16 digits or None."""

    def __init__(self, **kwargs):
        kwargs.update(max_length=TYPED_MAX_LENGTH, required=kwargs.get("required", False))
        kwargs.setdefault(
            "help_text", _("15 angka (format lama) atau 16 angka; titik dan strip boleh.")
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            return normalize_npwp(value)
        except InvalidNPWP as error:
            raise forms.ValidationError(str(error)) from error


class SupplierForm(PrintableTextForm, forms.ModelForm):
    npwp = NpwpField(label="NPWP")
    # An operator adding an NPWP already registered is given that supplier under its
    # registered name (contracts.services.save_supplier), not an error.
    npwp_may_exist = False

    class Meta:
        model = Supplier
        fields = ["name", "npwp", "address"]

    def clean_npwp(self):
        npwp = self.cleaned_data.get("npwp")
        # A number stored before the check existed (an import keeps a failing one, marked)
        # stands while an administrator corrects the name or address; a typed one must pass.
        if npwp and npwp != self.instance.npwp:
            problem = check_digits_problem(npwp)
            if problem:
                raise forms.ValidationError(
                    gettext(
                        "%(problem)s. Periksa lagi angkanya pada kartu NPWP atau surat keterangan "
                        "terdaftar penyedia, lalu ketik ulang; kosongkan NPWP bila belum "
                        "diketahui."
                    )
                    % {"problem": problem}
                )
        return npwp

    def validate_unique(self):
        if not self.npwp_may_exist:
            return super().validate_unique()
        try:
            self.instance.validate_unique(exclude={*self._get_validation_exclusions(), "npwp"})
        except forms.ValidationError as error:
            self._update_errors(error)


class StageRequirementForm(forms.ModelForm):
    field_name = forms.ChoiceField(
        label=_("Isian"), required=False, choices=[("", _("— (syarat berupa dokumen) —"))]
    )

    methods = forms.MultipleChoiceField(
        label=_("Hanya untuk metode"),
        choices=shown_choices(Method.choices),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Kosongkan jika berlaku untuk semua metode."),
    )
    categories = forms.MultipleChoiceField(
        label=_("Hanya untuk jenis pengadaan"),
        choices=shown_choices(Category.choices),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Kosongkan jika berlaku untuk semua jenis."),
    )

    class Meta:
        model = StageRequirement
        fields = ["stage", "field_name", "document_type", "methods", "categories", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field_name"].choices = [*self.fields["field_name"].choices, *field_choices()]

    def clean(self):
        cleaned = super().clean()
        field_name, document_type = cleaned.get("field_name"), cleaned.get("document_type")
        if bool(field_name) == bool(document_type):
            raise forms.ValidationError(
                gettext("Pilih salah satu: sebuah isian atau sebuah jenis dokumen.")
            )
        if document_type and document_type.stage != cleaned.get("stage"):
            raise forms.ValidationError(gettext("Jenis dokumen itu milik tahap lain."))
        if field_name and field_name not in REQUIREMENT_FIELDS.get(cleaned.get("stage"), []):
            raise forms.ValidationError(gettext("Isian itu milik tahap lain."))
        return cleaned


class RupiahInput(forms.TextInput):
    """Shows 1250000000 as the page's language groups it (1.250.000.000, 1,250,000,000), the
    way operators read and type amounts; RupiahField reads either."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, int):
            return f"{value:,}".replace(",", formats.get_format("THOUSAND_SEPARATOR"))
        return super().format_value(value)


class RupiahField(forms.IntegerField):
    """Whole Rupiah, read as contracts.filters.rupiah_amount reads them, the same in both
    languages: '1.250.000.000', 'Rp 1.250.000.000', 'IDR 1,250,000,000', '1250000000' (spaces
    inside the number are dropped first: '1 250 000'). Cents other than zero, or marks that do
    not group by three ('1.5'), are refused, never read as another amount."""

    widget = RupiahInput
    default_error_messages = {
        "invalid": _("Tulis jumlah rupiah tanpa sen, mis. 1.250.000.000."),
    }

    def __init__(self, *, max_value=None, min_value=0, **kwargs):
        kwargs.pop("step_size", None)
        super().__init__(max_value=max_value, min_value=min_value, **kwargs)

    def widget_attrs(self, widget):
        # No min/max/step attributes: they would turn the box into a number input's rules.
        return {}

    def to_python(self, value):
        if isinstance(value, str):
            if not value.strip():
                return None
            # The prefix and every space go ("Rp 1 250 000"); then one reading of the marks.
            text = value.replace("\u00a0", " ").strip()
            prefix = next((p for p in ("rp", "idr") if text.lower().startswith(p)), "")
            text = text[len(prefix) :].replace(" ", "")
            # A minus is read, not refused here: the field's bound or the model's constraint
            # says in words that the amount may not be below zero.
            sign = -1 if text.startswith("-") else 1
            amount = rupiah_amount(text.removeprefix("-"))
            if amount is None:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            return sign * amount
        return super().to_python(value)


class FieldProgressForm(SaysLimitsForm, PrintableTextForm, forms.ModelForm):
    """A progress report typed on a phone at the site (the field page), with photos taken
    there: `cleaned_data["photos"]` is a list of opendata_kontrak.photos.CleanPhoto (JPEG or PNG
    re-encoded without EXIF/GPS).

    With `user` and `process`, the photos `user` kept for `process` from a refused submit
    (contracts.StagedPhoto, current ones only, through StagedPhoto.objects.visible_to) are
    listed in `staged`: all of them on a fresh form, those the submit names (hidden
    `<prefix>-staged` ids) on a bound one, less those ticked `<prefix>-staged_remove`, which
    go to `staged_removed`. Staged and new photos together are at most FIELD_MAX_PHOTOS.
    `passed_photos` holds [(file name, CleanPhoto)] of the new photos that passed the
    cleaning, even when another photo or field refuses the form, for staging."""

    def __init__(self, *args, user=None, process=None, **kwargs):
        super().__init__(*args, **kwargs)
        limit = filesizeformat(settings.REPORT_PHOTO_MAX_BYTES)
        self.fields["photos"] = MultipleFileField(
            label=_("Foto pekerjaan (opsional)"),
            help_text=gettext(
                "Langsung dari kamera: JPEG atau PNG, paling banyak %(max)s foto, masing-masing "
                "%(limit)s. Lokasi GPS dan data kamera di dalam foto dihapus."
            )
            % {"max": FIELD_MAX_PHOTOS, "limit": limit},
        )
        self.fields["photos"].widget.attrs.update(
            {
                "multiple": True,
                "accept": "image/jpeg,image/png",
                "capture": "environment",
            }
        )
        self.staged, self.staged_removed, self.passed_photos = [], [], []
        if user is None or process is None:
            return
        waiting = StagedPhoto.objects.visible_to(user).current().filter(process=process)
        if not self.is_bound:
            self.staged = list(waiting)
            return
        named = [v for v in _values(self.data, self.add_prefix("staged")) if v.isdigit()]
        removed = set(_values(self.data, self.add_prefix("staged_remove")))
        for row in waiting.filter(pk__in=named):
            (self.staged_removed if str(row.pk) in removed else self.staged).append(row)

    def clean_photos(self):
        files = self.cleaned_data["photos"]
        room = FIELD_MAX_PHOTOS - len(self.staged)
        if len(files) > room:
            if self.staged:
                raise forms.ValidationError(
                    gettext(
                        "Paling banyak %(max)s foto per laporan, termasuk %(staged)s foto yang "
                        "disimpan sementara: pilih paling banyak %(room)s foto lagi, atau "
                        "centang Hapus pada foto sementara."
                    )
                    % {"max": FIELD_MAX_PHOTOS, "staged": len(self.staged), "room": max(room, 0)}
                )
            raise forms.ValidationError(
                gettext("Paling banyak %(max)s foto per laporan.") % {"max": FIELD_MAX_PHOTOS}
            )
        self.passed_photos, problems = clean_each(files)
        if problems:
            raise forms.ValidationError(problems)
        return [photo for _, photo in self.passed_photos]

    class Meta:
        model = ProgressReport
        fields = ["date", "physical_percent", "financial_percent", "note"]
        localized_fields = ["physical_percent", "financial_percent"]
        widgets = {
            "date": FIELD_DATE_INPUT,
            "physical_percent": FIELD_PERCENT_INPUT,
            "financial_percent": FIELD_PERCENT_INPUT,
            "note": forms.Textarea(attrs={"rows": 3}),
        }


class FieldPaymentForm(SaysLimitsForm, PrintableTextForm, forms.ModelForm):
    """A payment (termin, SP2D) typed on a phone; the amount the Indonesian way."""

    amount = RupiahField(label=_("Nilai (Rp)"), min_value=1)

    class Meta:
        model = Payment
        fields = ["label", "sp2d_number", "date", "amount"]
        widgets = {"date": FIELD_DATE_INPUT}
