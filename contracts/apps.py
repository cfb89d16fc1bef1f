from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Paket pengadaan"

    def ready(self):
        from agencies.models import Agency
        from contracts.models import DocumentType, Supplier

        # Rows edited outside the package services whose names (and, for agencies, kinds)
        # show on cached pages.
        for model in (Agency, Supplier, DocumentType):
            for signal in (post_save, post_delete):
                signal.connect(_names_changed, sender=model, dispatch_uid=f"cache-{model}")


def _names_changed(sender, **kwargs):
    from contracts import public_cache

    public_cache.changed()
