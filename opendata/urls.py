from django.urls import path, re_path

from opendata import api, selection, views

app_name = "opendata"

urlpatterns = [
    path("paket/unduh.<str:fmt>", selection.download, name="selection"),
    path("data-terbuka/", views.index, name="index"),
    path("data-terbuka/kebijakan/", views.policy, name="policy"),
    path("data-terbuka/kode-lokal/", views.local_codes, name="local-codes"),
    path("data-terbuka/ekstensi/tanda/", views.extension_docs, name="extension-docs"),
    path("data-terbuka/ekstensi/tanda/<path:name>", views.extension_file, name="extension-file"),
    path("data-terbuka/<str:scope>/<str:name>", views.download, name="download"),
    path("ocds/<str:ocid>/", views.package_release, name="release"),
    path("ocds/<str:ocid>/rekam/", views.package_record, name="record"),
    path("api/", views.api_docs, name="api-docs"),
    path("api/v1/", api.root, name="api-root"),
    path("api/v1/paket/", api.packages, name="api-packages"),
    path("api/v1/paket/<str:ocid>/", api.package, name="api-package"),
    path("api/v1/perangkat-daerah/", api.agencies, name="api-agencies"),
    path("api/v1/perangkat-daerah/<slug:code>/", api.agency, name="api-agency"),
    path("api/v1/penyedia/", api.suppliers, name="api-suppliers"),
    path("api/v1/penyedia/<int:pk>/", api.supplier, name="api-supplier"),
    path("api/v1/openapi.json", api.openapi_document, name="api-openapi"),
    # Last: every other address under the API answers the API's own JSON 404 (any character,
    # a line break too, which <path:> does not match).
    re_path(r"^api/v1/(?P<rest>[\s\S]+)\Z", api.not_found, name="api-not-found"),
]
