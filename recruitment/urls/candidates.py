"""The candidates' pages: the public list of challenges, the account, the candidacy (/candidatures/…)."""

from django.urls import path

from recruitment.enums import ApplicationMoveName
from recruitment.views import candidates, registration

app_name = "candidates"

urlpatterns = [
    # Public: the challenges published to candidates, and signing up.
    path("candidatures/", candidates.challenges, name="challenges"),
    path("candidatures/defis/<int:pk>/", candidates.challenge, name="challenge"),
    path("candidatures/inscription/", registration.register, name="register"),
    path("candidatures/inscription/envoyee/", registration.registered, name="registered"),
    path("candidatures/verification/<str:token>/", registration.verify, name="verify"),
    # Choosing a challenge (anonymous visitors are asked to sign up or in first).
    path("candidatures/defis/<int:pk>/postuler/", candidates.apply, name="apply"),
    # The candidate's space.
    path("candidatures/espace/", candidates.space, name="space"),
    path("candidatures/espace/identite/", candidates.identity, name="identity"),
    path("candidatures/espace/eligibilite/", candidates.declarations, name="declarations"),
    path("candidatures/espace/cv/", candidates.cv_upload, name="cv_upload"),
    path("candidatures/espace/cv/<int:pk>/", candidates.cv_download, name="cv"),
    path("candidatures/espace/deposer/", candidates.submit, name="submit"),
    path("candidatures/espace/candidatures/<int:pk>/retirer-du-brouillon/", candidates.drop, name="drop"),
    path(
        "candidatures/espace/candidatures/<int:pk>/accepter/",
        candidates.decide,
        {"move": ApplicationMoveName.ACCEPT},
        name="accept",
    ),
    path(
        "candidatures/espace/candidatures/<int:pk>/decliner/",
        candidates.decide,
        {"move": ApplicationMoveName.DECLINE},
        name="decline",
    ),
    path(
        "candidatures/espace/candidatures/<int:pk>/retirer/",
        candidates.decide,
        {"move": ApplicationMoveName.WITHDRAW},
        name="withdraw",
    ),
    path(
        "candidatures/espace/candidatures/<int:pk>/entretien.ics",
        candidates.interview_ics,
        name="interview_ics",
    ),
    path("candidatures/espace/donnees/<int:pk>/", candidates.data_export, name="data_export"),
    path("candidatures/espace/effacement/<int:pk>/", candidates.erasure, name="erasure"),
]
