from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "integrity"
    verbose_name = _("Tanda untuk dicermati")

    def ready(self):
        from contracts import pipeline

        pipeline.step("flags")(_refresh_flags)


def _refresh_flags(change):
    """Step "flags" of contracts.pipeline: the flags of these packages' agency-years, or of
    every package when the change names none (a requirements edit)."""
    from integrity import flags

    if change.process_ids is None:
        flags.refresh_all()
    else:
        flags.refresh(change.process_ids)
