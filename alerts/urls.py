"""/langganan/: follow by e-mail. The token paths are fixed by alerts.links."""

from django.urls import path

from alerts import views

app_name = "alerts"

urlpatterns = [
    path("ikuti/", views.subscribe, name="subscribe"),
    path("ikuti/terkirim/", views.sent, name="sent"),
    path("peluang/", views.opportunities, name="opportunities"),
    path("konfirmasi/<str:token>/", views.confirm, name="confirm"),
    path("berhenti/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("kelola/", views.manage_request, name="manage-request"),
    path("kelola/terkirim/", views.manage_sent, name="manage-sent"),
    path("kelola/<str:token>/", views.manage, name="manage"),
]
