from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.dossier_list, name="dossiers"),
    path("nouveau/", views.dossier_create, name="dossier_create"),
    path("<int:pk>/", views.dossier_detail, name="dossier"),
    path("<int:pk>/etape/<slug:step>/", views.dossier_step, name="dossier_step"),
    path("<int:pk>/deposer/", views.dossier_submit, name="dossier_submit"),
    path("<int:pk>/presentation.pdf", views.pitch_deck, name="pitch_deck"),
    path("<int:pk>/audition.ics", views.pitch_slot_ics, name="pitch_slot_ics"),
]
