"""Open data's URLs, full paths (included at the root): the public pages and files under
donnees-ouvertes/, the managers' page under gestion/donnees-ouvertes/."""

from django.urls import path

from opendata import views

app_name = "opendata"

urlpatterns = [
    # Public, no sign-in.
    path("donnees-ouvertes/", views.index, name="index"),
    path("donnees-ouvertes/defis-eig.schema.json", views.schema, name="schema"),
    path("donnees-ouvertes/defis-eig.<str:file_format>", views.data_file, name="file"),
    path("donnees-ouvertes/promotions/<int:number>/", views.promotion_page, name="promotion"),
    path(
        "donnees-ouvertes/promotions/<int:number>/defis-eig.<str:file_format>",
        views.data_file,
        name="promotion_file",
    ),
    # Programme managers.
    path("gestion/donnees-ouvertes/", views.manage, name="manage"),
    path("gestion/donnees-ouvertes/colonnes/", views.choose_columns, name="columns"),
    path("gestion/donnees-ouvertes/publier/", views.publish_now, name="publish"),
]
