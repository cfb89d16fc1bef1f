from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Langganan kabar"

    def ready(self):
        from alerts import changes
        from contracts import pipeline

        # What followers are told follows the releases and the flags (contracts.pipeline).
        pipeline.listen("releases_captured", changes.releases_captured)
        pipeline.listen("flags_raised", changes.flags_raised)
