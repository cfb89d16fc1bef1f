"""The workspace's admin site: who may enter is decided by the portal's roles, not by
Django's `is_staff` flag (which an administrator's account form no longer shows)."""

from django.contrib.admin import AdminSite, ModelAdmin
from django.contrib.admin.apps import AdminConfig
from django.urls import reverse

from opendata_kontrak.admin_links import PermittedLinksAdminMixin, install
from opendata_kontrak.limits import SaysLimitsAdminMixin


class PortalAdminSite(AdminSite):
    def each_context(self, request):
        # "View site" opens the public pages in the workspace's language (/en/ for English).
        context = super().each_context(request)
        context["site_url"] = reverse("home")
        return context

    def has_permission(self, request):
        """An active account with a workspace role: operator (of an agency), supervisor or
        administrator (or a superuser). A staff account without a role sees nothing."""
        return request.user.is_active and request.user.has_workspace_role

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every admin, ours or a library's, states its fields' limits instead of letting a
        browser cut what is typed (opendata_kontrak.limits), and links a read-only related
        record only for a viewer who may open it (opendata_kontrak.admin_links)."""
        admin_class = admin_class or ModelAdmin
        for mixin in (SaysLimitsAdminMixin, PermittedLinksAdminMixin):
            if not issubclass(admin_class, mixin):
                admin_class = type(
                    admin_class.__name__,
                    (mixin, admin_class),
                    {"__module__": admin_class.__module__},
                )
        return super().register(model_or_iterable, admin_class, **options)


class PortalAdminConfig(AdminConfig):
    default_site = "opendata_kontrak.admin_site.PortalAdminSite"

    def ready(self):
        super().ready()
        install()
