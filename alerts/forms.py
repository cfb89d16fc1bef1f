"""The forms of the subscription pages: an address, how often, and what (alerts.views)."""

from django import forms

from agencies.models import Kecamatan
from alerts.models import Frequency, Scope
from contracts.filters import agencies_for_filter
from contracts.models import Category, Method
from opendata_kontrak.limits import SaysLimitsForm
from opendata_kontrak.text import PrintableTextForm

# Daily by default: a list, an agency or a supplier can move several times a day, and one
# morning mail is read where a dozen would be filtered away as noise; an instant alert is one
# choice away for whoever needs it (and a package's own page, which changes rarely, offers it
# first: see SubscribeForm).
DEFAULT_FREQUENCY = Frequency.DAILY


FREQUENCY_ERRORS = {"required": "Pilih seberapa sering.", "invalid_choice": "Pilih salah satu."}


class EmailForm(SaysLimitsForm, PrintableTextForm, forms.Form):
    email = forms.EmailField(
        label="Alamat surel",
        max_length=254,
        error_messages={
            "required": "Isi alamat surel Anda.",
            "invalid": "Alamat surel ini tidak valid; tulis seperti nama@contoh.id.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )


class SubscribeForm(EmailForm):
    """An address, how often, and (for filters, not a package) every change or only the
    opportunities."""

    frequency = forms.ChoiceField(
        label="Seberapa sering",
        choices=Frequency.choices,
        widget=forms.RadioSelect,
        error_messages=FREQUENCY_ERRORS,
    )
    scope = forms.ChoiceField(
        label="Kabar apa",
        choices=[
            (
                Scope.CHANGES,
                "Semua perubahan: paket baru, tahap, kontrak, dokumen, tanda, laporan, penarikan",
            ),
            (Scope.OPPORTUNITIES, "Hanya peluang usaha: rencana dan tender baru"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Pilih kabar apa.", "invalid_choice": "Pilih salah satu."},
    )

    def __init__(self, *args, package=False, **kwargs):
        super().__init__(*args, **kwargs)
        # One package changes a few times in its life: each change is worth a mail at once.
        self.fields["frequency"].initial = Frequency.INSTANT if package else DEFAULT_FREQUENCY
        self.fields["scope"].initial = Scope.CHANGES
        if package:
            del self.fields["scope"]


def _choices(pairs):
    return [("", "Semua"), *pairs]


class OpportunityForm(EmailForm):
    """Peluang usaha: new plans and tenders of one kind, method, kecamatan or agency."""

    jenis = forms.ChoiceField(label="Jenis pengadaan", required=False)
    metode = forms.ChoiceField(label="Metode pemilihan", required=False)
    kecamatan = forms.ChoiceField(label="Kecamatan (lokasi pekerjaan)", required=False)
    pd = forms.ChoiceField(label="Perangkat daerah", required=False)
    frequency = forms.ChoiceField(
        label="Seberapa sering",
        choices=Frequency.choices,
        initial=DEFAULT_FREQUENCY,
        widget=forms.RadioSelect,
        error_messages=FREQUENCY_ERRORS,
    )

    FILTERS = ("jenis", "metode", "kecamatan", "pd")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jenis"].choices = _choices(Category.choices)
        # Swakelola selects no supplier: never an opportunity.
        self.fields["metode"].choices = _choices(
            [(value, label) for value, label in Method.choices if value != Method.SELF_MANAGED]
        )
        names = Kecamatan.objects.order_by("name").values_list("name", flat=True)
        self.fields["kecamatan"].choices = _choices((name, name) for name in names)
        self.fields["pd"].choices = _choices((a.code, a.name) for a in agencies_for_filter())
        for name in self.FILTERS:
            self.fields[name].error_messages["invalid_choice"] = (
                f"{self.fields[name].label}: “%(value)s” tidak ada dalam daftar; pilih dari daftar."
            )

    def params(self):
        """The chosen filters in the list's shape (PackageFilter.params)."""
        return {name: self.cleaned_data[name] for name in self.FILTERS if self.cleaned_data[name]}
