from django.apps import AppConfig
from django.db.models.signals import post_save


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "Perangkat daerah dan pengguna"

    def ready(self):
        from agencies.models import Agency

        # Agency names and kinds appear in cached matrices and summaries.
        post_save.connect(_agency_saved, sender=Agency, dispatch_uid="agency-cache")


def _agency_saved(sender, **kwargs):
    from contracts import public_cache

    public_cache.changed()
