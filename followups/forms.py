from django import forms

from agencies.models import Agency
from contracts.models import Stage
from followups.models import TEXT_LIMIT


class AskForm(forms.Form):
    """A supervisor's request; the agency is the package's when the request is about one."""

    agency = forms.ModelChoiceField(
        label="Perangkat daerah",
        queryset=Agency.objects.active(),
        empty_label="— pilih —",
    )
    stage = forms.ChoiceField(
        label="Tahap (tidak wajib)",
        choices=[("", "— tidak menunjuk tahap —"), *Stage.choices],
        required=False,
    )
    text = forms.CharField(
        label="Permintaan",
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"Contoh: “Unggah KAK Pelaksanaan”, “nilai kontrak salah”. Paling banyak "
        f"{TEXT_LIMIT} karakter.",
    )

    def __init__(self, *args, process=None, **kwargs):
        super().__init__(*args, **kwargs)
        if process is not None:
            del self.fields["agency"]


class NoteForm(forms.Form):
    """The words beside an answer, a close or a reopen."""

    def __init__(self, *args, required=False, label="Catatan (tidak wajib)", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"] = forms.CharField(
            label=label,
            max_length=TEXT_LIMIT,
            required=required,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
