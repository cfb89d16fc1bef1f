"""The forms of the subscription pages: an address, how often, and what (alerts.views)."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

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


FREQUENCY_ERRORS = {
    "required": _("Pilih seberapa sering."),
    "invalid_choice": _("Pilih salah satu."),
}


class EmailForm(SaysLimitsForm, PrintableTextForm, forms.Form):
    email = forms.EmailField(
        label=_("Alamat surel"),
        max_length=254,
        error_messages={
            "required": _("Isi alamat surel Anda."),
            "invalid": _("Alamat surel ini tidak valid; tulis seperti nama@contoh.id."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )


class SubscribeForm(EmailForm):
    """An address, how often, and (for filters, not a package) every change or only the
    opportunities."""

    frequency = forms.ChoiceField(
        label=_("Seberapa sering"),
        choices=Frequency.choices,
        widget=forms.RadioSelect,
        error_messages=FREQUENCY_ERRORS,
    )
    scope = forms.ChoiceField(
        label=_("Kabar apa"),
        choices=[
            (
                Scope.CHANGES,
                _(
                    "Semua perubahan: paket baru, tahap, kontrak, dokumen, tanda, laporan, "
                    "penarikan"
                ),
            ),
            (Scope.OPPORTUNITIES, _("Hanya peluang usaha: rencana dan tender baru")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Pilih kabar apa."),
            "invalid_choice": _("Pilih salah satu."),
        },
    )

    def __init__(self, *args, package=False, **kwargs):
        super().__init__(*args, **kwargs)
        # One package changes a few times in its life: each change is worth a mail at once.
        self.fields["frequency"].initial = Frequency.INSTANT if package else DEFAULT_FREQUENCY
        self.fields["scope"].initial = Scope.CHANGES
        if package:
            del self.fields["scope"]


def _choices(pairs):
    return [("", _("Semua")), *pairs]


class OpportunityForm(EmailForm):
    """Peluang usaha: new plans and tenders of one kind, method, kecamatan or agency."""

    jenis = forms.ChoiceField(label=_("Jenis pengadaan"), required=False)
    metode = forms.ChoiceField(label=_("Metode pemilihan"), required=False)
    kecamatan = forms.ChoiceField(label=_("Kecamatan (lokasi pekerjaan)"), required=False)
    pd = forms.ChoiceField(label=_("Perangkat daerah"), required=False)
    frequency = forms.ChoiceField(
        label=_("Seberapa sering"),
        choices=Frequency.choices,
        initial=DEFAULT_FREQUENCY,
        widget=forms.RadioSelect,
        error_messages=FREQUENCY_ERRORS,
    )

    FILTERS = ("jenis", "metode", "kecamatan", "pd")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The vocabularies' labels are kept Indonesian in the data (gettext_noop): shown here
        # in the page's language.
        self.fields["jenis"].choices = _choices(
            (value, gettext(label)) for value, label in Category.choices
        )
        # Swakelola selects no supplier: never an opportunity.
        self.fields["metode"].choices = _choices(
            [
                (value, gettext(label))
                for value, label in Method.choices
                if value != Method.SELF_MANAGED
            ]
        )
        names = Kecamatan.objects.order_by("name").values_list("name", flat=True)
        self.fields["kecamatan"].choices = _choices((name, name) for name in names)
        self.fields["pd"].choices = _choices((a.code, a.name) for a in agencies_for_filter())
        for name in self.FILTERS:
            # %(value)s is left for the field to fill with the value refused.
            self.fields[name].error_messages["invalid_choice"] = gettext(
                "%(label)s: “%%(value)s” tidak ada dalam daftar; pilih dari daftar."
            ) % {"label": self.fields[name].label}

    def params(self):
        """The chosen filters in the list's shape (PackageFilter.params)."""
        return {name: self.cleaned_data[name] for name in self.FILTERS if self.cleaned_data[name]}
