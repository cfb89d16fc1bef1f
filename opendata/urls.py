from django.urls import path

from opendata import views

app_name = "opendata"

urlpatterns = [
    path("data-terbuka/", views.index, name="index"),
    path("data-terbuka/<str:scope>/ocds.json", views.bulk_json, name="bulk-json"),
    path("data-terbuka/<str:scope>/ocds.jsonl", views.bulk_jsonl, name="bulk-jsonl"),
    path("ocds/<str:ocid>/", views.package_release, name="release"),
    path("ocds/<str:ocid>/rekam/", views.package_record, name="record"),
]
