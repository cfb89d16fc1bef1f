from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.http import HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from agencies import two_factor
from agencies.forms import WorkspaceLoginForm
from contracts import spreadsheet_views
from contracts import views as contract_views
from contracts.sitemaps import SITEMAPS
from opendata_kontrak import health, jobs_admin
from opendata_kontrak.languages import language_patterns

# A database error raised in a middleware reaches this handler rather than the outage
# middleware: it answers the same 503 (opendata_kontrak/errors.py).
handler500 = "opendata_kontrak.errors.server_error"
# A request refused while it is read gets the 400 page in its address's language.
handler400 = "opendata_kontrak.errors.bad_request"

admin.site.site_header = gettext_lazy("Open Data Kontrak — Ruang Kerja Operator")
admin.site.site_title = "Open Data Kontrak"
admin.site.index_title = gettext_lazy("Ruang kerja")
# The package page needs the width more than a second navigation needs the space.
admin.site.enable_nav_sidebar = False
# The job queue's own job list, for administrators: read-only, in Indonesian (jobs_admin).
jobs_admin.install()
# Lockouts after repeated failures, the audit of every attempt, and the authenticator's code.
admin.site.login_form = WorkspaceLoginForm


def favicon(request):
    # Browsers ask for /favicon.ico whatever the page says; point them at the logo.
    return HttpResponseRedirect(static(settings.PORTAL["LOGO"]))


# Outside the language prefix: what carries no language (health checks, the sitemap, which
# lists both, the favicon), the language choice itself, and the workspace, which follows the
# operator's choice (opendata_kontrak/languages.py).
urlpatterns = [
    path("favicon.ico", favicon),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # An index of sections, each paged (PackageSitemap.limit): one sitemap of every section
    # would end at its first page (Django answers 404 to ?p=2 of a one-page section), so only
    # the first packages were listed.
    path(
        "sitemap.xml",
        sitemaps.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemaps.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
]

# The public pages: Indonesian at their addresses as they have always been, English under /en/.
# Before the workspace's patterns: contracts' bulk upload (admin/unggah-massal/) must come
# before the admin's own, which would take it for a model's address.
urlpatterns += language_patterns(
    path("", contract_views.home, name="home"),
    # The agencies' list reads their published packages, so it is contracts' page.
    path(
        "perangkat-daerah/",
        include(([path("", contract_views.agency_list, name="agency-list")], "agencies")),
    ),
    path("tentang/", TemplateView.as_view(template_name="about.html"), name="about"),
    # The procurement terms the English pages keep in Indonesian, defined in both languages.
    path("glosarium/", TemplateView.as_view(template_name="glossary.html"), name="glossary"),
    path("", include("contracts.urls")),
    path("", include("dashboards.urls")),
    path("", include("opendata.urls")),
    path("", include("participation.urls")),
    path("", include("integrity.urls")),
    path("", include("followups.urls")),
    path("langganan/", include("alerts.urls")),
)

urlpatterns += [
    path("admin/dua-langkah/", admin.site.admin_view(two_factor.setup), name="two-factor"),
    # The package sheet sits under admin/ for the workspace's sign-in and its upload size
    # (request_guard.body_limit), before the admin's own patterns, which would take it for a
    # model's address.
    path(
        "admin/lembar-kerja-paket/",
        admin.site.admin_view(spreadsheet_views.sheet),
        name="process-sheet",
    ),
    path(
        "admin/lembar-kerja-paket/unduh/",
        admin.site.admin_view(spreadsheet_views.sheet_download),
        name="process-sheet-download",
    ),
    path(
        "admin/lembar-kerja-paket/simpan/",
        admin.site.admin_view(spreadsheet_views.sheet_confirm),
        name="process-sheet-confirm",
    ),
    path("admin/", admin.site.urls),
]

if settings.BENCH_FLOOR:
    # Only for `make bench`: what Django itself costs on this machine, no database.
    urlpatterns.append(path("_lantai/", TemplateView.as_view(template_name="bench_floor.html")))
