"""The workspace's admin site: who may enter is decided by the portal's roles, not by
Django's `is_staff` flag (which an administrator's account form no longer shows)."""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig


class PortalAdminSite(AdminSite):
    def has_permission(self, request):
        """An active account with a workspace role: operator (of an agency), supervisor or
        administrator (or a superuser). A staff account without a role sees nothing."""
        return request.user.is_active and request.user.has_workspace_role


class PortalAdminConfig(AdminConfig):
    default_site = "opendata_kontrak.admin_site.PortalAdminSite"
