from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Langganan kabar")

    def ready(self):
        from alerts import changes
        from contracts import pipeline

        # What followers are told follows the releases and the flags (contracts.pipeline).
        pipeline.listen("releases_captured", changes.releases_captured)
        pipeline.listen("flags_raised", changes.flags_raised)
