"""The conversation's URLs, beside the pages that show it: the portal's dossier
(/dossiers/<pk>/messages/…) and the back office's case (/gestion/defis/<pk>/messages/…).
Mounted at the site's root after the portal and the back office, whose URLs they do not overlap."""

from django.urls import path

from conversations import views

app_name = "conversations"

urlpatterns = [
    path("dossiers/<int:pk>/messages/", views.portal_post, name="portal_post"),
    path(
        "dossiers/<int:pk>/messages/<int:message_pk>/piece-jointe/",
        views.portal_attachment,
        name="portal_attachment",
    ),
    path("gestion/defis/<int:pk>/messages/", views.backoffice_post, name="backoffice_post"),
    path(
        "gestion/defis/<int:pk>/messages/<int:message_pk>/piece-jointe/",
        views.backoffice_attachment,
        name="backoffice_attachment",
    ),
]
