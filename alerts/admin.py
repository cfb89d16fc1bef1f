"""Subscribers, their subscriptions and the mail sent, for administrators only and read-only.

Operators and supervisors see nothing of them: who follows what is nobody's business in the
workspace (the privacy note on the policy page says so). Administrators may look, to answer a
citizen or see why an address was suspended, but change nothing: every change goes through the
links mailed to the address (alerts.services).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from alerts import services
from alerts.models import OutgoingMail, Subscriber, Subscription
from opendata_kontrak.admin_mixins import CheckedQueryParametersMixin


class AdministratorsReadOnly(CheckedQueryParametersMixin, admin.ModelAdmin):
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_administrator

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    fields = ["followed", "scope", "frequency", "created_at", "confirmed_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    @admin.display(description=_("yang diikuti"))
    def followed(self, subscription):
        return services.describe(subscription)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_administrator

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(AdministratorsReadOnly):
    list_display = ["email", "created_at", "failures", "suspended_at"]
    list_filter = [("suspended_at", admin.EmptyFieldListFilter)]
    search_fields = ["email"]
    fields = ["email", "created_at", "failures", "last_failure", "suspended_at"]
    readonly_fields = fields
    inlines = [SubscriptionInline]


@admin.register(Subscription)
class SubscriptionAdmin(AdministratorsReadOnly):
    list_display = ["pk", "subscriber", "followed", "scope", "frequency", "confirmed_at"]
    list_filter = ["scope", "frequency", ("confirmed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["subscriber", "process"]
    fields = [
        "subscriber",
        "followed",
        "scope",
        "params",
        "process",
        "frequency",
        "language",
        "created_at",
        "confirmed_at",
        "digest_from",
        "mailed_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("yang diikuti"))
    def followed(self, subscription):
        return services.describe(subscription)


@admin.register(OutgoingMail)
class OutgoingMailAdmin(AdministratorsReadOnly):
    list_display = ["to", "subject", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["to", "subject"]
    fields = [
        "to",
        "subject",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    ]
    # Never the body nor the headers: they hold the address's live links (confirm, leave,
    # manage, a report author's key), which would let whoever reads them act for the address.
    # A message's body is emptied once it is settled anyway (alerts.mail).
    readonly_fields = fields
