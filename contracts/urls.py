from django.urls import path

from contracts import views

app_name = "contracts"

urlpatterns = [
    path("dokumen/<int:pk>/", views.document_download, name="document-download"),
]
