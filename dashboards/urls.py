from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("pengawasan/", views.matrix, name="matrix"),
    path("pengawasan/<int:year>/<slug:code>/<slug:stage>/", views.cell, name="cell"),
    path("pengawasan/tugas/", views.todo, name="todo"),
    path("keterbukaan/", views.openness, name="openness"),
]
