"""Permission shapes shared by the workspace's registers, and how they read their addresses."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import DataError, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opendata_kontrak.languages import shown_choices

INVALID_FILTER = _(
    "Saringan pada alamat halaman ini tidak valid; daftar ditampilkan tanpa saringan."
)


class ReadOnlyAdminMixin:
    """Records of what happened: shown, never added, edited or deleted by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ShownChoicesListFilter(admin.ChoicesFieldListFilter):
    """The list filter of a field with choices, its labels translated as drawn."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            yield {**choice, "display": gettext(str(choice["display"]))}


# Every list filter on a field with choices, in every workspace list.
admin.FieldListFilter.register(
    lambda field: bool(field.choices), ShownChoicesListFilter, take_priority=True
)


def _shown_column(model, name):
    if not isinstance(name, str):
        return name
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    if not field.choices or not hasattr(model, f"get_{name}_display"):
        return name

    def column(obj):
        label = getattr(obj, f"get_{name}_display")()
        return gettext(str(label)) if label else label

    column.short_description = field.verbose_name
    column.admin_order_field = name
    column.__name__ = name
    return column


class CheckedQueryParametersMixin:
    """Every workspace page answers what its address carries with a message, never a 500.

    Django's changelist turns most bad filters into its "invalid filter" redirect, but not all
    (a date-hierarchy year of 99999999999 overflows `datetime`, 9999 overflows one year on;
    text where an array is filtered fails in the database);
    and the add form renders whatever `?field=` says as its initial value, so `supplier=abc`
    failed in the widget and `supplier=<id>` would show a supplier the user may not choose.
    Every ModelAdmin of the workspace carries this mixin (tests/test_fuzzing.py checks it).
    """

    def get_list_display(self, request):
        # A column of a vocabulary shows its label translated, as the forms do.
        return [_shown_column(self.model, name) for name in super().get_list_display(request)]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        # The vocabularies' labels are Indonesian data (gettext_noop): translated as drawn.
        field = super().formfield_for_choice_field(db_field, request, **kwargs)
        field.choices = shown_choices(field.choices)
        return field

    def get_changelist_instance(self, request):
        # The list's counts run here: a value the column cannot hold (text for an array, a
        # number too large) fails in the database, inside a savepoint that takes it back.
        try:
            with transaction.atomic():
                return super().get_changelist_instance(request)
        except (ValueError, OverflowError, ValidationError, DataError) as error:
            raise IncorrectLookupParameters(error) from error

    def changelist_view(self, request, extra_context=None):
        if ERROR_FLAG in request.GET:
            messages.warning(request, INVALID_FILTER)
        return super().changelist_view(request, extra_context)

    def get_changeform_initial_data(self, request):
        """The address's initial values that the form would accept, each one checked by the
        form field itself (a choice field by its scoped queryset); the rest dropped, said so."""
        initial = super().get_changeform_initial_data(request)
        fields = self.get_form(request).base_fields
        refused = []
        for name, value in list(initial.items()):
            field = fields.get(name)
            if field is None or isinstance(field, forms.FileField):
                del initial[name]
                continue
            multiple = isinstance(field.widget, forms.SelectMultiple | forms.CheckboxSelectMultiple)
            if multiple and isinstance(value, str):
                value = initial[name] = value.split(",")
            try:
                field.clean(value)
            except ValidationError:
                del initial[name]
                refused.append(str(field.label or name))
        if refused:
            messages.warning(
                request,
                gettext("Nilai awal dari alamat halaman ini tidak valid dan diabaikan: %(fields)s.")
                % {"fields": ", ".join(refused)},
            )
        return initial
