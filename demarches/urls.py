"""The DS sync's pages, full paths (included at the root): the managers' under gestion/demarches/."""

from django.urls import path

from demarches import views

app_name = "demarches"

urlpatterns = [
    path("gestion/demarches/", views.demarche_list, name="list"),
    path("gestion/demarches/<int:number>/", views.demarche_detail, name="detail"),
    path("gestion/demarches/<int:number>/correspondance/", views.save_mapping, name="mapping"),
    path("gestion/demarches/<int:number>/essai/", views.dry_run, name="dry_run"),
    path("gestion/demarches/<int:number>/proposition/", views.propose_mapping, name="propose"),
    path("gestion/demarches/<int:number>/synchroniser/", views.start_sync, name="sync"),
    path("gestion/demarches/<int:number>/programmation/", views.schedule, name="schedule"),
    path("gestion/demarches/<int:number>/dossiers/<int:dossier>/", views.answer_pending, name="answer"),
]
