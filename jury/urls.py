"""The jury's pages: the members' space (/jury/…) and the managers' (/gestion/jury/…).

Managers' pages name the promotion by `?promotion=<number>` (the latest promotion without it);
a member's pages name a challenge by its pk, always checked by `services.can_read`.
"""

from django.urls import path

from jury.views import manage, member, ranking

app_name = "jury"

urlpatterns = [
    # The members' space (jury/views/member.py).
    path("jury/", member.home, name="home"),
    path("jury/conflits/", member.conflicts, name="conflicts"),
    path("jury/defis/<int:pk>/", member.challenge, name="challenge"),
    path("jury/defis/<int:pk>/presentation.pdf", member.pitch_deck, name="pitch_deck"),
    path("jury/defis/<int:pk>/grille/", member.grid, name="grid"),
    path("jury/grille-generale/", member.general_grid, name="general_grid"),
    # The managers' pages (jury/views/manage.py).
    path("gestion/jury/", manage.overview, name="overview"),
    path("gestion/jury/membres/", manage.members, name="members"),
    path("gestion/jury/sous-jurys/", manage.sub_juries, name="sub_juries"),
    path("gestion/jury/auditions/", manage.planning, name="planning"),
    path("gestion/jury/conflits/", manage.conflicts, name="manage_conflicts"),
    path("gestion/jury/cloture/", manage.close, name="close"),
    path("gestion/defis/<int:pk>/grille/", manage.grid, name="manage_grid"),
    # The ranking and its exports (jury/views/ranking.py).
    path("gestion/jury/classement/", ranking.ranking, name="ranking"),
    path("gestion/jury/classement.<str:file_format>", ranking.ranking_export, name="ranking_export"),
    path("gestion/jury/notes.<str:file_format>", ranking.scores_export, name="scores_export"),
]
