from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from agencies.models import Agency, LoginAttempt, TwoFactor, User
from opendata_kontrak.admin_mixins import ReadOnlyAdminMixin


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
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
class UserAdmin(BaseUserAdmin):
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
class LoginAttemptAdmin(AdministratorsOnly, admin.ModelAdmin):
    list_display = ["at", "username", "address", "outcome", "user_agent"]
    list_filter = ["outcome", "at"]
    search_fields = ["username", "address"]
    date_hierarchy = "at"


@admin.register(TwoFactor)
class TwoFactorAdmin(AdministratorsOnly, admin.ModelAdmin):
    """Who uses an authenticator; deleting a row lets a user who lost their phone set up anew."""

    list_display = ["user", "confirmed_at"]
    search_fields = ["user__username"]
    fields = ["user", "confirmed_at"]  # never the secret
    readonly_fields = ["user", "confirmed_at"]

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)
