"""The programme managers' pages of the candidates' call (/gestion/candidatures/…)."""

from django.urls import path

from recruitment.views import manage

app_name = "applications"

urlpatterns = [
    path("gestion/candidatures/", manage.applications, name="list"),
    path("gestion/candidatures/export.<str:file_format>", manage.export, name="export"),
    path("gestion/candidatures/decisions/", manage.bulk, name="bulk"),
    path("gestion/candidatures/<int:pk>/", manage.detail, name="application"),
    path("gestion/candidatures/<int:pk>/cv/", manage.cv, name="cv"),
    path("gestion/candidatures/<int:pk>/grille/", manage.grid, name="grid"),
    path("gestion/candidatures/<int:pk>/commentaire/", manage.comment, name="comment"),
    path("gestion/candidatures/<int:pk>/decisions/<str:name>/", manage.move, name="move"),
    path("gestion/candidatures/<int:pk>/entretien/", manage.interview, name="interview"),
    path("gestion/candidatures/<int:pk>/rang/", manage.rank, name="rank"),
    # A challenge's ranking per profile, its offers and its team.
    path("gestion/candidatures/defis/", manage.challenges, name="challenges"),
    path("gestion/candidatures/defis/<int:challenge_pk>/", manage.challenge, name="challenge"),
    path(
        "gestion/candidatures/defis/<int:challenge_pk>/proposer/",
        manage.offer_elsewhere,
        name="offer_elsewhere",
    ),
    # The candidates' personal data: what is kept, until when; the retention run now.
    path("gestion/candidatures/donnees/", manage.personal_data, name="personal_data"),
    path("gestion/candidatures/donnees/effacer/", manage.run_retention, name="run_retention"),
]
