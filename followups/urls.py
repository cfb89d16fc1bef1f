from django.urls import path

from followups import views

app_name = "followups"

urlpatterns = [
    path("pengawasan/permintaan/", views.followup_list, name="list"),
    path("pengawasan/permintaan/baru/", views.followup_new, name="new"),
    path("pengawasan/permintaan/<int:pk>/", views.followup_detail, name="detail"),
    path("pengawasan/permintaan/<int:pk>/jawab/", views.followup_answer, name="answer"),
    path("pengawasan/permintaan/<int:pk>/tutup/", views.followup_close, name="close"),
    path("pengawasan/permintaan/<int:pk>/buka-lagi/", views.followup_reopen, name="reopen"),
]
