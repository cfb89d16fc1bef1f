"""Limits said in words: a value too long is refused with its field and limit, never cut.

A browser cuts whatever is typed or pasted past an input's `maxlength` without a word (a NIP
typed as printed, "19700101 199003 1 005", became "19700101 199003 1"). So no input carries
`maxlength`: the server checks the length, refuses the value with a message naming the field
and the limit, and the form shows the value again, whole, for the operator to shorten.

Dates get the same care: every date input names its format (`DATE_FORMAT_HINT`), in its help
text and in the error for a date that cannot be read.
"""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_noop

# DATE_INPUT_FORMATS' first entry (opendata_kontrak/formats/id), which the admin's calendar
# also writes; the other accepted notations (17-08-2025, 2025-08-17) are not advertised.
# Indonesian, as stored in code; shown through gettext (English: dd/mm/yyyy, which the English
# DATE_INPUT_FORMATS accept as well).
DATE_FORMAT_HINT = gettext_noop("format hh/bb/tttt, misalnya 17/08/2025")


def _label(field, name):
    # Django fills the message with %-formatting: a literal % in a label must be doubled.
    return capfirst(str(field.label or name or gettext("isian"))).replace("%", "%%")


def _said(message, label):
    """`message` (Indonesian, with Django's own %(…)s placeholders and `{label}`) in the active
    language, the field's label put in."""
    return gettext(message).replace("{label}", label)


def say_limits(field, name=""):
    """Make one form field state its limits instead of letting a browser enforce them.

    field: a django.forms.Field, changed in place and returned. Text fields lose the
    widget's `maxlength` and get a `max_length` message with the label, the limit and the
    length typed; number fields name themselves and their bound or precision; date fields
    get `DATE_FORMAT_HINT` in their help text and invalid message.
    """
    label = _label(field, name)
    hint = gettext(DATE_FORMAT_HINT)
    if isinstance(field, forms.CharField) and field.max_length is not None:
        field.widget.attrs.pop("maxlength", None)
        field.error_messages["max_length"] = _said(
            gettext_noop(
                "{label} paling banyak %(limit_value)d karakter, yang diisi %(show_value)d "
                "karakter. Tidak ada yang dipotong: singkatkan isinya lalu simpan lagi."
            ),
            label,
        )
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        # A number out of range or too precise is refused, never clipped or rounded.
        field.error_messages["max_value"] = _said(
            gettext_noop("{label} paling besar %(limit_value)s."), label
        )
        field.error_messages["min_value"] = _said(
            gettext_noop("{label} paling kecil %(limit_value)s."), label
        )
    if isinstance(field, forms.DecimalField):
        field.error_messages["max_decimal_places"] = _said(
            gettext_noop("{label} paling banyak %(max)s angka di belakang koma; tidak dibulatkan."),
            label,
        )
        field.error_messages["max_digits"] = _said(
            gettext_noop("{label} paling banyak %(max)s angka."), label
        )
        field.error_messages["max_whole_digits"] = _said(
            gettext_noop("{label} paling banyak %(max)s angka di depan koma."), label
        )
    if isinstance(field, forms.DateField) and not isinstance(field, forms.DateTimeField):
        field.error_messages["invalid"] = _said(
            gettext_noop("{label}: tanggal tidak dapat dibaca. Tulis dengan {hint}."), label
        ).replace("{hint}", hint)
        if hint not in str(field.help_text):
            said = capfirst(hint) + "."
            field.help_text = f"{field.help_text} {said}".strip() if field.help_text else said
    if isinstance(field, forms.SplitDateTimeField):
        field.error_messages["invalid_date"] = _said(
            gettext_noop("{label}: tanggal tidak dapat dibaca. Tulis dengan {hint}."), label
        ).replace("{hint}", hint)
    return field


class SaysLimitsForm:
    """A form mixin: every field of the form states its limits (say_limits)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            say_limits(field, name)


class SaysLimitsAdminMixin:
    """A ModelAdmin mixin: the change form and each inline's forms state their limits.

    PortalAdminSite mixes it into every registered admin, so no form of the workspace
    leaves a limit to the browser (tests/test_limits.py walks them all)."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        return saying_limits(super().get_form(request, obj, change=change, **kwargs))

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            formset.form = saying_limits(formset.form)
            yield formset, inline


def saying_limits(form_class):
    """`form_class` with SaysLimitsForm mixed in, so that fields a form makes in its own
    __init__ (a kecamatan from the register) state their limits too."""
    if issubclass(form_class, SaysLimitsForm):
        return form_class
    return type(
        form_class.__name__, (SaysLimitsForm, form_class), {"__module__": form_class.__module__}
    )
