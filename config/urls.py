from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from api import pages as api_pages
from web.urls import account_urlpatterns

urlpatterns = [
    path("", include("web.urls")),
    *account_urlpatterns,
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("jury.urls")),  # jury/…, gestion/jury/…, gestion/defis/<pk>/grille/
    # The candidates' call: candidatures/… (public, the candidates' space), mentor/…, gestion/candidatures/…
    path("", include("recruitment.urls.candidates")),
    path("", include("recruitment.urls.mentor")),
    path("", include("recruitment.urls.manage")),
    path("gestion/", include("backoffice.urls")),
    path("dossiers/", include("portal.urls")),
    path("", include("conversations.urls")),  # dossiers/<pk>/messages/…, gestion/defis/<pk>/messages/…
    path("workflow/", include("mentoring.urls")),
    path("sessions/", include("cohort.urls")),
    path("", include("demarches.urls")),  # gestion/demarches/…
    path("", include("opendata.urls")),  # donnees-ouvertes/…, gestion/donnees-ouvertes/…
    path("", include("api.urls")),  # api/v1/…
    path("compte/jetons/", api_pages.token_list, name="api_tokens"),
    path("compte/jetons/<int:pk>/revoquer/", api_pages.token_revoke, name="api_token_revoke"),
    path("", include("webhooks.urls")),  # compte/webhooks/…
    path("admin/", admin.site.urls),
]
