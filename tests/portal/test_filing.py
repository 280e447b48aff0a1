"""A contact creates a dossier, fills every step through the forms, uploads its PDF and submits."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from demo.pdfs import blank_pdf
from lifecycle import personal
from lifecycle.enums import AuditKind, ChallengeState, ContactRole, DefaultProfile, MentorRole
from lifecycle.models import AuditEvent, Challenge
from notifications.models import Notification
from tests.factories import AdministrationFactory, ChallengeFactory
from tests.html_forms import form_data


def step_url(challenge, step):
    return reverse("portal:dossier_step", args=[challenge.pk, step])


def fill(client, challenge, step, values, *, action="continue", files=None):
    """Post a step as a browser would: the page's own form, with some values changed."""
    page = client.get(step_url(challenge, step))
    assert page.status_code == 200
    data = form_data(page.content.decode(), "step-form")
    data.update(values)
    data["action"] = action
    if files:
        data.update(files)
    return client.post(step_url(challenge, step), data)


def test_a_contact_files_and_submits_a_complete_dossier(contact_client, contact, promotion):
    partner = AdministrationFactory(name="Insee")
    page = contact_client.get(reverse("portal:dossiers"))
    assert "Créer un nouveau dossier" in page.content.decode()

    response = contact_client.post(
        reverse("portal:dossier_create"), {"name": "Datafin", "promotion": promotion.pk}
    )
    challenge = Challenge.objects.get(name="Datafin")
    assert response.headers["Location"] == step_url(challenge, "administration")
    assert (challenge.administration, challenge.promotion) == (contact.profile.administration, promotion)

    response = fill(
        contact_client,
        challenge,
        "administration",
        {"address": "20 avenue de Ségur, 75007 Paris", "partner_administrations": [str(partner.pk)]},
    )
    assert response.headers["Location"] == step_url(challenge, "description")
    fill(
        contact_client,
        challenge,
        "description",
        {
            "problem": "Les données sont dispersées.",
            "solution": "Une plateforme ouverte.",
            "expected_benefits": "Des données ouvertes par défaut.",
            "innovation_kinds": "Open data.",
            "progress": "Pas démarré.",
        },
    )
    response = fill(
        contact_client,
        challenge,
        "missions",
        {
            "eig-0-mission": "Construire l’API.",
            "eig-0-profile": DefaultProfile.DEVELOPMENT,
            "eig-0-expertise": "Python, Django",
            "eig-1-mission": "Analyser les données.",
            "eig-1-profile": DefaultProfile.DATA_SCIENCE,
        },
    )
    assert response.headers["Location"] == step_url(challenge, "equipe")
    fill(
        contact_client,
        challenge,
        "equipe",
        {
            "team-0-name": "Dominique Bernard",
            "team-0-function": "Cheffe de bureau",
            "team-0-status": "Titulaire",
            "team-0-involvement_percent": "30",
            "team-0-contribution": "Pilotage métier",
        },
    )
    fill(
        contact_client,
        challenge,
        "ressources",
        {
            "technical_resources": "Des postes de travail.",
            "datasets": "Base nationale des établissements.",
            "datasets_accessible": "True",
            "sustainability_actions": "Une équipe reprendra l’outil.",
            "obstacles": "Aucun.",
            "motivation": "De nouvelles méthodes.",
            "attests_outside_walls": "on",
            "attests_open_data_open_source": "on",
            "attests_data_access": "on",
        },
    )
    response = fill(
        contact_client,
        challenge,
        "financement",
        {"cofinancing_requested": "True", "total_employer_cost": "150000", "cofinancing_amount": "105000"},
    )
    assert response.headers["Location"] == step_url(challenge, "contacts")
    page = contact_client.get(step_url(challenge, "financement")).content.decode()
    assert "Co-financement PIA attendu (70 %) : 105\u00a0000,00 €" in page
    fill(
        contact_client,
        challenge,
        "contacts",
        {
            "operational-first_name": "Alix",
            "operational-last_name": "Durand",
            "operational-email": "alix.durand@example.gouv.fr",
            "operational-function": "Chef de projet",
            "strategic-first_name": "Sacha",
            "strategic-last_name": "Lefèvre",
            "strategic-email": "sacha.lefevre@example.gouv.fr",
            "hr-first_name": "Lou",
            "hr-last_name": "Petit",
        },
    )
    deck = SimpleUploadedFile("pitch.pdf", blank_pdf(10), content_type="application/pdf")
    response = fill(contact_client, challenge, "presentation", {}, files={"pitch_deck": deck})
    assert response.headers["Location"] == step_url(challenge, "recapitulatif")

    review = contact_client.get(step_url(challenge, "recapitulatif")).content.decode()
    assert "Le dossier est complet" in review
    assert "Déposer le dossier" in review
    challenge.refresh_from_db()
    assert challenge.pitch_deck_pages == 10
    assert challenge.eig_positions.count() == 2
    assert challenge.team_members.get().involvement_percent == 30
    assert {m.role for m in challenge.mentors.all()} == {MentorRole.OPERATIONAL, MentorRole.STRATEGIC}
    assert challenge.contacts.get().role == ContactRole.HR
    assert list(challenge.partner_administrations.all()) == [partner]

    response = contact_client.post(reverse("portal:dossier_submit", args=[challenge.pk]))
    assert response.headers["Location"] == reverse("portal:dossier", args=[challenge.pk])
    challenge.refresh_from_db()
    assert challenge.state == ChallengeState.SUBMITTED

    kinds = list(AuditEvent.objects.filter(challenge=challenge).values_list("kind", flat=True))
    assert kinds[0] == AuditKind.CREATED
    assert kinds[-1] == AuditKind.TRANSITION
    assert kinds.count(AuditKind.DOSSIER_CHANGED) >= 8
    changed = {}
    for event in AuditEvent.objects.filter(challenge=challenge, kind=AuditKind.DOSSIER_CHANGED):
        changed.update(personal.changes_of(event))  # the people's values read back where they were
    assert changed["eig[2].profile"] == [None, DefaultProfile.DATA_SCIENCE]
    assert changed["team[1].name"] == [None, "Dominique Bernard"]
    assert changed["mentor[strategic].email"] == [None, "sacha.lefevre@example.gouv.fr"]
    assert changed["partner_administrations"] == [[], ["Insee"]]
    assert changed["pitch_deck"][1].endswith(".pdf")

    detail = contact_client.get(reverse("portal:dossier", args=[challenge.pk])).content.decode()
    assert "Votre dossier est déposé" in detail
    assert "Brouillon → Déposé" in detail
    notifications = Notification.objects.filter(challenge=challenge).exclude(
        recipient_email=settings.NOTIFICATIONS_TEAM_EMAIL
    )
    assert contact.email in notifications.values_list("recipient_email", flat=True)
    for notification in notifications:
        assert notification.subject in detail
        assert notification.recipient_email in detail


def test_the_draft_button_stays_on_the_step(contact_client, contact):
    challenge = ChallengeFactory(administration=contact.profile.administration)
    response = fill(contact_client, challenge, "description", {"problem": "Autre"}, action="draft")
    assert response.headers["Location"] == step_url(challenge, "description")
    challenge.refresh_from_db()
    assert challenge.problem == "Autre"


def test_the_list_shows_the_dossiers_the_deadline_and_the_countdown(client, administration, contact):
    with time_machine.travel(dt.datetime(2018, 5, 16, 10, 0, tzinfo=dt.UTC), tick=False):
        challenge = ChallengeFactory(
            administration=administration,
            promotion__call__submission_deadline=dt.datetime(2018, 6, 15, 15, 0, tzinfo=dt.UTC),
        )
        client.force_login(contact)
        page = client.get(reverse("portal:dossiers")).content.decode()
    assert challenge.name in page
    assert "Brouillon" in page
    assert "vendredi 15 juin 2018 à 17:00" in page
    assert "il reste 30 jours" in page
    assert "Créer un nouveau dossier" in page


def test_no_open_call_no_creation(contact_client, administration):
    ChallengeFactory(
        administration=administration,
        promotion__call__submission_deadline=timezone.now() - dt.timedelta(days=1),
    )
    page = contact_client.get(reverse("portal:dossiers")).content.decode()
    assert "Créer un nouveau dossier" not in page
    response = contact_client.post(reverse("portal:dossier_create"), {"name": "Trop tard"})
    assert "Aucun appel à projets n’est ouvert" in response.content.decode()
    assert not Challenge.objects.filter(name="Trop tard").exists()


@pytest.mark.parametrize(
    "step",
    [
        "administration",
        "description",
        "missions",
        "equipe",
        "ressources",
        "financement",
        "contacts",
        "presentation",
        "recapitulatif",
    ],
)
def test_every_step_shows_the_stepper_and_the_deadline(contact_client, contact, step):
    challenge = ChallengeFactory(administration=contact.profile.administration)
    page = contact_client.get(step_url(challenge, step)).content.decode()
    assert "sur 9" in page
    assert "Date limite de dépôt" in page
    assert page.count("<h1") == 1
