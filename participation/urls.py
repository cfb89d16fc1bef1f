from django.urls import path

from participation import views

app_name = "participation"

urlpatterns = [
    path("paket/<int:pk>/lapor/", views.report_submit, name="report"),
    path("laporan/foto/<int:pk>/", views.report_photo, name="photo"),
    path("laporan/<str:reference>/", views.report_follow, name="follow"),
    path("survei-kepuasan/", views.poll, name="poll"),
    path("pengawasan/laporan/", views.open_reports, name="open-reports"),
]
