from django.urls import path

from backoffice.views import audit, challenges, corrections, dashboard, mails, people, promotions

app_name = "backoffice"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("e-mails/renvoi/", dashboard.retry_mails, name="retry_mails"),
    path("defis/", challenges.challenge_list, name="challenges"),
    path("defis/export.<str:file_format>", challenges.challenge_export, name="challenges_export"),
    path("defis/transitions/", challenges.bulk_transition, name="bulk_transition"),
    path("defis/<int:pk>/", challenges.challenge_detail, name="challenge"),
    path(
        "defis/<int:pk>/transition/<str:name>/", challenges.challenge_transition, name="challenge_transition"
    ),
    path("defis/<int:pk>/corrections/", corrections.request_corrections, name="corrections_request"),
    path("defis/<int:pk>/corrections/delai/", corrections.extend_corrections, name="corrections_extend"),
    path("defis/<int:pk>/presentation.pdf", challenges.pitch_deck, name="pitch_deck"),
    path("promotions/", promotions.promotion_list, name="promotions"),
    # ?promotion=<pk> names the promotion to change; without it, a new one.
    path("promotions/configurer/", promotions.promotion_page, name="promotion"),
    # People and invitations (backoffice/views/people.py).
    path("personnes/", people.people_list, name="people"),
    path("personnes/inviter/", people.invite, name="invite"),
    path("personnes/invitations/", people.invitation_list, name="invitations"),
    # ?personne=<pk> names the person; without it, one's own account.
    path("personnes/compte/", people.person_page, name="person"),
    # Held e-mails, one review per decision act (backoffice/views/mails.py).
    # Without ?lot=<pk>: the open reviews; with it, that review (a query parameter: see test_access).
    path("e-mails/retenus/", mails.held_mails, name="held_mails"),
    path("audit/", audit.audit_review, name="audit"),
    path("audit/export.<str:file_format>", audit.audit_export, name="audit_export"),
]
