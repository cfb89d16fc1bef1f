from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Paket pengadaan")

    def ready(self):
        from agencies.models import Agency
        from contracts import pipeline
        from contracts.models import DocumentType, Supplier

        # contracts' own steps of the change pipeline (the order: contracts.pipeline.STEPS).
        pipeline.step("releases")(_capture_releases)
        pipeline.step("cache")(_new_data_version)

        # Rows edited outside the package services whose names (and, for agencies, kinds)
        # show on cached pages.
        for model in (Agency, Supplier, DocumentType):
            for signal in (post_save, post_delete):
                signal.connect(_names_changed, sender=model, dispatch_uid=f"cache-{model}")


def _names_changed(sender, **kwargs):
    from contracts import public_cache

    public_cache.changed()


def _capture_releases(change):
    """Step "releases" of contracts.pipeline: a new OCDS release where the published state
    changed (the packages the refresh already read are passed on, not read again)."""
    from contracts.releases import capture

    capture(change.process_ids, packages=change.packages)


def _new_data_version(change):
    """Step "cache" of contracts.pipeline: a new data version (the drafts' alone when only
    drafts changed)."""
    from contracts import public_cache

    # The fiscal years the change touched; none known (flags after a rule change): all.
    public_cache.changed(public=change.public, years=change.years or None)
