"""Links the workspace shows to another record only when the viewer may open it.

Django's read-only foreign keys ("Dipublikasikan oleh", "Diunggah oleh", "Dimoderasi oleh",
an audit entry's user) link to the related record's change page whatever the viewer may do
there, so an operator met links that answer 403 (an account's page is the administrators').
Here the link is shown only when the related model's own admin grants the viewer
has_view_permission or has_change_permission on that record; otherwise the name is text.
The same rule answers the portal's templates through `object_link`.
"""

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import quote
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html


def may_open(request, obj):
    """True when `request.user` may open `obj`'s change page in the workspace: its model is
    registered and that admin grants view or change permission on it. False without a
    request or a registered admin."""
    if request is None or obj is None:
        return False
    model_admin = admin.site._registry.get(type(obj))
    if model_admin is None:
        return False
    return model_admin.has_view_permission(request, obj) or model_admin.has_change_permission(
        request, obj
    )


def object_link(request, obj, text=None):
    """`obj` (or `text`) as a link to its change page when the viewer may open it, else as
    escaped text; "" for None. Returns safe HTML."""
    if obj is None:
        return ""
    text = str(obj) if text is None else text
    if may_open(request, obj):
        opts = obj._meta
        try:
            url = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change",
                args=[quote(obj.pk)],
                current_app=admin.site.name,
            )
        except NoReverseMatch:
            pass
        else:
            return format_html('<a href="{}">{}</a>', url, text)
    return format_html("{}", text)


class PermittedLinksAdminMixin:
    """A ModelAdmin mixin (PortalAdminSite adds it to every admin): the forms it builds carry
    the request, so their read-only foreign keys link only where the viewer may go."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        return _carrying(super().get_form(request, obj, change=change, **kwargs), request)

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            formset.form = _carrying(formset.form, request)
            yield formset, inline


def _carrying(form_class, request):
    # A subclass per request: a form class may be shared, its request never is.
    return type(
        form_class.__name__,
        (form_class,),
        {"admin_request": request, "__module__": form_class.__module__},
    )


def _permitted_admin_url(self, remote_field, remote_obj):
    """AdminReadonlyField.get_admin_url, asking the related admin first (installed by
    PortalAdminConfig.ready)."""
    request = getattr(self.form, "admin_request", None)
    return object_link(request, remote_obj)


def install():
    helpers.AdminReadonlyField.get_admin_url = _permitted_admin_url
