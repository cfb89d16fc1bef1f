from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = _("Partisipasi warga")

    def ready(self):
        from contracts import pages

        # The poll on the home page and the report form on the package page (contracts.pages).
        pages.add("beranda", _poll)
        pages.add("paket", _report_form)


def _poll(request):
    from participation.models import Rating

    return {"poll_choices": Rating.choices}


def _report_form(request, *, process):
    from participation.forms import ReportForm

    return {"report_form": ReportForm()}
