from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpResponseRedirect
from django.urls import reverse

from agencies.models import (
    Agency,
    Desa,
    Kecamatan,
    LoginAttempt,
    PlaceAlias,
    TwoFactor,
    UnresolvedPlace,
    User,
)
from opendata_kontrak.admin_mixins import CheckedQueryParametersMixin, ReadOnlyAdminMixin


@admin.register(Agency)
class AgencyAdmin(CheckedQueryParametersMixin, admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "sirup_id", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "code", "sirup_name", "sirup_id"]
    readonly_fields = ["created_at", "updated_at"]
    fields = [
        "code",
        "name",
        "short_name",
        "kind",
        "sirup_id",
        "sirup_name",
        "source",
        "is_active",
        "created_at",
        "updated_at",
    ]


@admin.register(User)
class UserAdmin(CheckedQueryParametersMixin, BaseUserAdmin):
    list_display = ["username", "get_full_name", "agency", "is_active", "last_login"]
    list_filter = ["groups", "is_active", "agency__kind"]
    list_select_related = ["agency"]
    search_fields = ["username", "first_name", "last_name", "email", "agency__name"]
    autocomplete_fields = ["agency"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        ("Perangkat daerah", {"fields": ["agency"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        ("Perangkat daerah", {"fields": ["agency", "groups"]}),
    ]


class AdministratorsOnly(ReadOnlyAdminMixin):
    """Security records: administrators read them; nobody edits them by hand."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_administrator

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)


@admin.register(LoginAttempt)
class LoginAttemptAdmin(AdministratorsOnly, CheckedQueryParametersMixin, admin.ModelAdmin):
    list_display = ["at", "username", "address", "outcome", "user_agent"]
    list_filter = ["outcome", "at"]
    search_fields = ["username", "address"]
    date_hierarchy = "at"


@admin.register(TwoFactor)
class TwoFactorAdmin(AdministratorsOnly, CheckedQueryParametersMixin, admin.ModelAdmin):
    """Who uses an authenticator; deleting a row lets a user who lost their phone set up anew."""

    list_display = ["user", "confirmed_at"]
    search_fields = ["user__username"]
    fields = ["user", "confirmed_at"]  # never the secret
    readonly_fields = ["user", "confirmed_at"]

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)


# --- the place register ------------------------------------------------------------------------


class PlaceRegisterAdmin(CheckedQueryParametersMixin, admin.ModelAdmin):
    """The place register is the administrators' to keep; operators see nothing of it."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_administrator

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)


class DesaInline(admin.TabularInline):
    model = Desa
    fields = ["code", "name", "kind"]
    extra = 0

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_administrator

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


@admin.register(Kecamatan)
class KecamatanAdmin(PlaceRegisterAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    fields = ["code", "name", "source"]
    inlines = [DesaInline]


@admin.register(Desa)
class DesaAdmin(PlaceRegisterAdmin):
    list_display = ["name", "kind", "kecamatan", "code"]
    list_filter = ["kind", "kecamatan"]
    list_select_related = ["kecamatan"]
    search_fields = ["name", "code", "kecamatan__name"]
    fields = ["kecamatan", "code", "name", "kind"]


@admin.register(PlaceAlias)
class PlaceAliasAdmin(PlaceRegisterAdmin):
    list_display = ["text", "kecamatan", "desa", "created_by", "created_at"]
    list_select_related = ["kecamatan", "desa", "created_by"]
    list_filter = ["kecamatan"]
    search_fields = ["text"]
    fields = ["text", "kecamatan", "desa", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]
    autocomplete_fields = ["kecamatan", "desa"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class MapPlaceForm(forms.ModelForm):
    """An administrator's answer for an unresolved text: its kecamatan and, if known, desa."""

    kecamatan = forms.ModelChoiceField(Kecamatan.objects.all(), label="Kecamatan")
    desa = forms.ModelChoiceField(
        Desa.objects.select_related("kecamatan"),
        label="Desa/kelurahan",
        required=False,
        help_text="Kosongkan bila teks ini hanya menyebut kecamatan.",
    )

    class Meta:
        model = UnresolvedPlace
        fields = []

    def clean(self):
        data = super().clean()
        kecamatan, desa = data.get("kecamatan"), data.get("desa")
        if kecamatan and desa and desa.kecamatan_id != kecamatan.pk:
            self.add_error(
                "desa", f"{desa.name} ada di Kecamatan {desa.kecamatan.name}, bukan {kecamatan}."
            )
        return data


@admin.register(UnresolvedPlace)
class UnresolvedPlaceAdmin(PlaceRegisterAdmin):
    """Location texts from imports that no rule placed: map each once, and the packages that
    carry it, now and in later imports, get its kecamatan."""

    form = MapPlaceForm
    list_display = ["example", "package_count", "last_seen"]
    search_fields = ["text", "example"]
    readonly_fields = ["example", "text", "package_count", "last_seen"]
    fieldsets = [
        (None, {"fields": ["example", "text", "package_count", "last_seen"]}),
        ("Petakan ke register wilayah", {"fields": ["kecamatan", "desa"]}),
    ]

    def has_add_permission(self, request):
        return False  # the imports fill this list

    def save_model(self, request, obj, form, change):
        # Imported here: the register (agencies) sits below the packages (contracts).
        from contracts.locations import map_place

        changed = map_place(
            unresolved=obj,
            kecamatan=form.cleaned_data["kecamatan"],
            desa=form.cleaned_data["desa"],
            by=request.user,
        )
        place = form.cleaned_data["desa"] or f"Kecamatan {form.cleaned_data['kecamatan']}"
        self.message_user(
            request,
            f"“{obj.example[:80]}” dipetakan ke {place}; {changed} paket diperbarui. "
            "Impor berikutnya memakai padanan ini juga.",
            messages.SUCCESS,
        )

    def response_change(self, request, obj):
        # The text left the list: back to what remains, without the default "changed" note.
        return HttpResponseRedirect(reverse("admin:agencies_unresolvedplace_changelist"))
