from django.contrib import admin
from django.urls import path

from contracts import bulk_views, feeds, kecamatan_views, spending_views, views

app_name = "contracts"

urlpatterns = [
    path("paket/", views.process_list, name="process-list"),
    path("paket/<int:pk>/", views.process_detail, name="process-detail"),
    path("perangkat-daerah/<slug:code>/", views.agency_detail, name="agency-detail"),
    path("penyedia/<int:pk>/", views.supplier_detail, name="supplier-detail"),
    path("dokumen/<int:pk>/", views.document_download, name="document-download"),
    path("foto-kemajuan/<int:pk>/", views.progress_photo, name="progress-photo"),
    path("dokumen-opd/<int:pk>/", views.agency_document_download, name="agency-document-download"),
    path("feed/paket/", feeds.packages_feed, name="feed"),
    path("feed/paket/<int:pk>/", feeds.package_feed, name="package-feed"),
    path("angka/", spending_views.spending_overview, name="spending"),
    path("kecamatan/", kecamatan_views.kecamatan_list, name="kecamatan-list"),
    path("kecamatan/<str:nama>/", kecamatan_views.kecamatan_detail, name="kecamatan-detail"),
]

# The operator's bulk upload, inside the workspace (sign-in, body and file limits of /admin/).
urlpatterns += [
    path(
        "admin/unggah-massal/",
        admin.site.admin_view(bulk_views.bulk_upload),
        name="bulk-upload",
    ),
    path(
        "admin/unggah-massal/<int:pk>/",
        admin.site.admin_view(bulk_views.bulk_batch),
        name="bulk-batch",
    ),
]
