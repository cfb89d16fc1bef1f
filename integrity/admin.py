from django.contrib import admin
from django.utils.translation import gettext

from integrity.models import Threshold
from integrity.tasks import recompute_flags
from opendata_kontrak import queue
from opendata_kontrak.admin_mixins import CheckedQueryParametersMixin


@admin.register(Threshold)
class ThresholdAdmin(CheckedQueryParametersMixin, admin.ModelAdmin):
    list_display = ["flag", "category", "method", "value", "unit", "valid_from", "valid_until"]
    list_filter = ["flag", "category", "method"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Every package may cross the new threshold: recomputed by a job once the edit is
        # committed (every package's flags take longer than a request may). A threshold saved
        # unchanged moves no flag: nothing is queued.
        if not change or form.has_changed():
            self._recompute(request)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._recompute(request)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        self._recompute(request)

    def _recompute(self, request):
        queue.defer_on_commit(recompute_flags)
        self.message_user(
            request, queue.queued_message(gettext("Tanda untuk dicermati semua paket"))
        )
