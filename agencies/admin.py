from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from agencies.models import Agency, User


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
