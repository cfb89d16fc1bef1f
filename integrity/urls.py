from django.urls import path

from integrity import views

app_name = "integrity"

urlpatterns = [path("tanda/", views.summary, name="summary")]
