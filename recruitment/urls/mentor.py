"""The operational mentors' pages: the applications to their challenges only (/mentor/…)."""

from django.urls import path

from recruitment.views import mentor

app_name = "mentor"

urlpatterns = [
    path("mentor/candidatures/", mentor.applications, name="applications"),
    path("mentor/candidatures/<int:pk>/", mentor.detail, name="application"),
    path("mentor/candidatures/<int:pk>/cv/", mentor.cv, name="cv"),
    path("mentor/candidatures/<int:pk>/grille/", mentor.grid, name="grid"),
    path("mentor/candidatures/<int:pk>/commentaire/", mentor.comment, name="comment"),
    path("mentor/candidatures/<int:pk>/decisions/<str:name>/", mentor.move, name="move"),
]
