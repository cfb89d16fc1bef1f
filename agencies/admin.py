from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies import roles
from agencies.models import (
    Agency,
    Desa,
    Kecamatan,
    PlaceAlias,
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
    list_display = ["username", "full_name", "agency", "is_active", "last_login"]
    list_filter = ["groups", "is_active", "agency__kind"]
    list_select_related = ["agency"]
    search_fields = ["username", "first_name", "last_name", "email", "agency__name"]
    autocomplete_fields = ["agency"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Perangkat daerah"), {"fields": ["agency"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("Perangkat daerah"), {"fields": ["agency", "groups"]}),
    ]
    # Only a superuser (made with `manage.py createsuperuser`) grants these: with them an
    # administrator could make itself superuser, then rewrite the roles.
    SUPERUSER_ONLY = {"is_superuser", "user_permissions"}

    # The column was titled by the method's name ("Get full name"), in English.
    @admin.display(description=_("nama lengkap"))
    def full_name(self, user):
        return user.get_full_name()

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (
                name,
                {
                    **options,
                    "fields": [f for f in options["fields"] if f not in self.SUPERUSER_ONLY],
                },
            )
            for name, options in fieldsets
        ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            # Administrators hand out the portal's roles, not any group someone made.
            kwargs["queryset"] = Group.objects.filter(name__in=roles.ROLE_PERMISSIONS)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        # Administrators' and superusers' accounts (passwords, roles) are a superuser's to
        # change: User.may_manage.
        if obj is not None and not request.user.may_manage(obj):
            return False
        return super().has_change_permission(request, obj)


class AdministratorsOnly(ReadOnlyAdminMixin):
    """Security records: administrators read them; nobody edits them by hand."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_administrator

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)


@admin.register(AccessLog)
class SignInAdmin(AdministratorsOnly, CheckedQueryParametersMixin, admin.ModelAdmin):
    """Successful sign-ins (django-axes' access log), with when each session signed out."""

    list_display = ["attempt_time", "username", "ip_address", "logout_time", "user_agent"]
    list_filter = ["attempt_time"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "attempt_time"
    fields = ["attempt_time", "username", "ip_address", "user_agent", "path_info", "logout_time"]


@admin.register(AccessFailureLog)
class FailedSignInAdmin(AdministratorsOnly, CheckedQueryParametersMixin, admin.ModelAdmin):
    """Every failed or refused sign-in (django-axes' failure log)."""

    list_display = ["attempt_time", "username", "ip_address", "locked_out", "user_agent"]
    list_filter = ["locked_out", "attempt_time"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "attempt_time"
    fields = ["attempt_time", "username", "ip_address", "user_agent", "path_info", "locked_out"]


@admin.register(AccessAttempt)
class LockoutCountAdmin(AdministratorsOnly, CheckedQueryParametersMixin, admin.ModelAdmin):
    """The failures counting towards a lockout now. Deleting a row lifts what it counts (an
    operator locked out by their own typing, once an administrator has heard from them)."""

    list_display = ["attempt_time", "username", "ip_address", "failures_since_start"]
    search_fields = ["username", "ip_address"]
    fields = ["attempt_time", "username", "ip_address", "user_agent", "failures_since_start"]

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)


# django-otp's own page for devices edits keys and shows their QR codes: not in this workspace.
admin.site.unregister(TOTPDevice)

# django-otp has no Indonesian: its names ("TOTP devices", "Confirmed", "Last used at") showed
# in English in the Indonesian workspace. Named here as the two-factor page names them.
TOTPDevice._meta.verbose_name = _("autentikator")
TOTPDevice._meta.verbose_name_plural = pgettext_lazy("jamak", "autentikator")
for _name, _label in [
    ("user", _("pengguna")),
    ("confirmed", _("terpasang")),
    ("created_at", _("dipasang")),
    ("last_used_at", _("terakhir dipakai")),
]:
    TOTPDevice._meta.get_field(_name).verbose_name = _label
apps.get_app_config("otp_totp").verbose_name = _("Autentikasi dua langkah")


@admin.register(TOTPDevice)
class AuthenticatorAdmin(AdministratorsOnly, CheckedQueryParametersMixin, admin.ModelAdmin):
    """Who uses an authenticator; deleting a row lets a user who lost their phone set up anew."""

    list_display = ["user", "confirmed", "created_at", "last_used_at"]
    list_select_related = ["user"]
    list_filter = ["confirmed"]
    search_fields = ["user__username"]
    fields = ["user", "confirmed", "created_at", "last_used_at"]  # never the key

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not request.user.may_manage(obj.user):
            return False  # an administrator's or superuser's authenticator: a superuser's call
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
