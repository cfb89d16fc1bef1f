from django.contrib import admin
from django.db import transaction

from integrity import flags
from integrity.models import Threshold
from opendata_kontrak.admin_mixins import CheckedQueryParametersMixin


@admin.register(Threshold)
class ThresholdAdmin(CheckedQueryParametersMixin, admin.ModelAdmin):
    list_display = ["flag", "category", "method", "value", "unit", "valid_from", "valid_until"]
    list_filter = ["flag", "category", "method"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Every package may cross the new threshold: recompute once the edit is committed.
        transaction.on_commit(flags.refresh_all)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(flags.refresh_all)
