from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from contracts.models import Stage
from followups.models import TEXT_LIMIT
from opendata_kontrak.limits import SaysLimitsForm, say_limits

NOTE_LABEL = _("Catatan (tidak wajib)")


def _stage_choices():
    """The stages, their labels (gettext_noop in contracts.models.Stage) in the active
    language: called by the field at each form's rendering."""
    return [("", gettext("— tidak menunjuk tahap —"))] + [
        (value, gettext(label)) for value, label in Stage.choices
    ]


def _text_help():
    return gettext(
        "Contoh: “Unggah KAK Pelaksanaan”, “nilai kontrak salah”. Paling banyak %(limit)s karakter."
    ) % {"limit": TEXT_LIMIT}


class AskForm(SaysLimitsForm, forms.Form):
    """A supervisor's request; the agency is the package's when the request is about one."""

    agency = forms.ModelChoiceField(
        label=_("Perangkat daerah"),
        queryset=Agency.objects.active(),
        empty_label=_("— pilih —"),
    )
    stage = forms.ChoiceField(
        label=_("Tahap (tidak wajib)"),
        choices=_stage_choices,
        required=False,
    )
    text = forms.CharField(
        label=_("Permintaan"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=lazy(_text_help, str)(),
    )

    def __init__(self, *args, process=None, **kwargs):
        super().__init__(*args, **kwargs)
        if process is not None:
            del self.fields["agency"]


class NoteForm(SaysLimitsForm, forms.Form):
    """The words beside an answer, a close or a reopen."""

    def __init__(self, *args, required=False, label=NOTE_LABEL, **kwargs):
        super().__init__(*args, **kwargs)
        # Added after SaysLimitsForm has gone over the fields: it states its limit itself.
        self.fields["text"] = say_limits(
            forms.CharField(
                label=label,
                max_length=TEXT_LIMIT,
                required=required,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        )
