import re
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from contracts.forms import MultipleFileField
from opendata_kontrak.limits import SaysLimitsForm
from opendata_kontrak.photos import clean_each
from opendata_kontrak.text import PrintableTextForm
from participation import staging
from participation.models import Rating, Topic

PHONE = re.compile(r"^\+?[0-9 ().-]{8,20}$")
MAX_PHOTOS = 3


def _photos_help():
    """The photos' help text in the active language: the size limit written the language's
    way ("5,0 MB", "5.0 MB") at each rendering, not once at import."""
    return gettext(
        "JPEG atau PNG, paling banyak %(count)s foto, masing-masing %(size)s. Lokasi GPS dan "
        "data kamera di dalam foto dihapus."
    ) % {"count": MAX_PHOTOS, "size": filesizeformat(settings.REPORT_PHOTO_MAX_BYTES)}


class PhotosField(MultipleFileField):
    """Up to `max_count` photos (three by default), each checked and re-encoded
    (opendata_kontrak/photos.py); cleaned to a list of photos.CleanPhoto."""

    def __init__(self, *, max_count=MAX_PHOTOS, **kwargs):
        self.max_count = max_count
        super().__init__(**kwargs)

    def clean(self, value):
        files = super().clean(value)
        if len(files) > self.max_count:
            raise ValidationError(
                ngettext(
                    "Paling banyak %(count)s foto.", "Paling banyak %(count)s foto.", self.max_count
                )
                % {"count": self.max_count}
            )
        passed, problems = clean_each(files)
        if problems:
            raise ValidationError(problems)
        return [photo for _, photo in passed]


class ReportForm(SaysLimitsForm, PrintableTextForm, forms.Form):
    topic = forms.ChoiceField(label=_("Jenis"), choices=Topic.choices, initial=Topic.COMMENT)
    body = forms.CharField(
        label=_("Isi laporan atau komentar"),
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("10 sampai 2.000 karakter. Sebutkan apa yang Anda lihat dan kapan."),
    )
    place = forms.CharField(
        label=_("Lokasi (opsional)"),
        max_length=200,
        required=False,
        help_text=_("Misalnya desa, jalan atau titik yang Anda maksud."),
    )
    name = forms.CharField(
        label=_("Nama (opsional)"),
        max_length=100,
        required=False,
        help_text=_("Kosongkan untuk tampil sebagai “Warga”."),
    )
    contact = forms.CharField(
        label=_("Surel atau nomor telepon (opsional, tidak dipublikasikan)"),
        max_length=100,
        required=False,
        help_text=_(
            "Hanya dilihat perangkat daerah dan pengawas, bila perlu menghubungi Anda. "
            "Ke alamat surel kami kirim tanda terima dan kabar laporan Anda."
        ),
    )
    photos = PhotosField(
        label=_("Foto (opsional)"),
        help_text=lazy(_photos_help, str)(),
    )
    # Left empty by people; bots that fill every field fill this one too.
    website = forms.CharField(required=False, label=_("Jangan diisi"))
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].widget.attrs.update(
            {"multiple": True, "accept": "image/jpeg,image/png"}
        )
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        if not self.is_bound:
            self.initial["key"] = uuid.uuid4()

    def clean_body(self):
        return self.cleaned_data["body"].strip()

    def clean(self):
        """The photos kept from a refused try (`foto_sementara`, participation.staging) join
        those chosen now, three at most in all; a token that is not honoured any more is
        said, not silently dropped."""
        cleaned = super().clean()
        tokens = self.data.getlist("foto_sementara") if hasattr(self.data, "getlist") else []
        tokens = list(dict.fromkeys(tokens))  # one file attached once, however often named
        read = [(token, staging.read(token)) for token in tokens]
        self.staged = [(token, staged) for token, staged in read if staged is not None]
        if len(self.staged) < len(tokens):
            expired = len(tokens) - len(self.staged)
            self.add_error(
                "photos",
                ngettext(
                    "%(count)s foto yang disimpan sementara sudah kedaluwarsa (lebih dari satu "
                    "jam); pilih ulang fotonya.",
                    "%(count)s foto yang disimpan sementara sudah kedaluwarsa (lebih dari satu "
                    "jam); pilih ulang fotonya.",
                    expired,
                )
                % {"count": expired},
            )
        chosen = cleaned.get("photos") or []
        if len(chosen) + len(self.staged) > MAX_PHOTOS:
            self.add_error(
                "photos",
                ngettext(
                    "Paling banyak %(count)s foto.", "Paling banyak %(count)s foto.", MAX_PHOTOS
                )
                % {"count": MAX_PHOTOS},
            )
        return cleaned

    def clean_contact(self):
        contact = self.cleaned_data["contact"].strip()
        if not contact:
            return ""
        if "@" in contact:
            try:
                validate_email(contact)
            except ValidationError:
                # Often two contacts ("warga@x.id / 0812…") or a label ("Email: warga@x.id").
                raise ValidationError(
                    gettext(
                        "Alamat surel tidak valid. Tulis satu alamat surel saja (misalnya "
                        "warga@contoh.id) atau satu nomor telepon, tanpa tulisan lain."
                    )
                ) from None
        elif not PHONE.match(contact):
            raise ValidationError(
                gettext("Tulis alamat surel atau nomor telepon (8 sampai 20 angka).")
            )
        return contact

    # The name of the first field in error once focus_first_error ran ("" when none): its
    # block carries the anchor the form posts to (templates/participation/_report_field.html).
    first_error = ""
    # The photos kept from an earlier refused try, [(token, participation.staging.read's
    # dict)], and the tokens to send again with the form: those and any staged from this try.
    staged = ()
    staged_tokens = ()
    photos_lost = 0

    def focus_first_error(self):
        """`autofocus` on the first field in error, so the cursor is there even without
        JavaScript; nothing when only the whole form is refused."""
        for name, field in self.fields.items():
            if self.errors.get(name):
                field.widget.attrs["autofocus"] = True
                self.first_error = name
                return

    @property
    def is_bot(self):
        return bool(self.data.get("website", "").strip())


class PollForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("Bagaimana penilaian Anda atas portal ini?"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
    )
