from django.urls import path

from dashboards import field, views

app_name = "dashboards"

urlpatterns = [
    path("pengawasan/", views.matrix, name="matrix"),
    path("pengawasan/<int:year>/<slug:code>/<slug:stage>/", views.cell, name="cell"),
    path("pengawasan/tugas/", views.todo, name="todo"),
    path("pengawasan/lapangan/", field.field_picker, name="field"),
    path("pengawasan/lapangan/<int:pk>/", field.field_update, name="field-update"),
    path(
        "pengawasan/lapangan/foto-sementara/<int:pk>/",
        field.staged_photo,
        name="field-staged-photo",
    ),
    path("pengawasan/kualitas-data/", views.quality_report, name="quality"),
    path("pengawasan/kualitas-data/hitung-ulang/", views.quality_refresh, name="quality-refresh"),
    path("pengawasan/kualitas-data/<slug:code>/", views.quality_failures, name="quality-failures"),
    path("keterbukaan/", views.openness, name="openness"),
]
