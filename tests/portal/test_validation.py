"""Each field validated in French, bad files refused, the deadline and the lock enforced."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from demo.pdfs import blank_pdf
from lifecycle import services
from lifecycle.enums import ChallengeState
from lifecycle.models import AuditEvent, Challenge
from portal import editing
from tests.factories import ChallengeFactory, administration_contact
from tests.html_forms import form_data
from tests.portal.test_access import STEPS
from tests.portal.test_filing import fill, step_url

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_too_long_answer_shows_the_french_error_linked_to_its_field(contact_client, contact):
    challenge = ChallengeFactory(administration=contact.profile.administration)
    response = fill(contact_client, challenge, "description", {"problem": "x" * 1201})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Assurez-vous que cette valeur comporte au plus 1200 caractères (actuellement 1201)." in page
    assert 'aria-describedby="id_problem-help id_problem-error"' in page
    assert 'id="id_problem-error"' in page
    assert "Rien n’a été enregistré" in page
    challenge.refresh_from_db()
    assert challenge.problem == ChallengeFactory._meta.declarations["problem"]


def test_a_row_needs_its_required_fields(contact_client, contact):
    challenge = ChallengeFactory(administration=contact.profile.administration, dossier_rows=False)
    response = fill(contact_client, challenge, "equipe", {"team-0-name": "Dominique Bernard"})
    page = response.content.decode()
    assert page.count("Ce champ est obligatoire.") == 2  # function and involvement
    assert not challenge.team_members.exists()

    response = fill(contact_client, challenge, "missions", {"eig-0-expertise": "Python"})
    assert response.content.decode().count("Ce champ est obligatoire.") == 2  # mission and profile
    assert not challenge.eig_positions.exists()


def test_the_same_person_cannot_be_both_mentors(contact_client, contact):
    challenge = ChallengeFactory(administration=contact.profile.administration)
    response = fill(contact_client, challenge, "contacts", {"strategic-email": "ALIX.durand@example.gouv.fr"})
    assert "Les mentors opérationnel et stratégique doivent être deux personnes." in response.content.decode()
    assert challenge.mentors.get(role="strategic").email == "sacha.lefevre@example.gouv.fr"


def test_an_invalid_email_is_refused_in_french(contact_client, contact):
    challenge = ChallengeFactory(administration=contact.profile.administration)
    response = fill(contact_client, challenge, "contacts", {"hr-email": "pas-une-adresse"})
    assert "Saisissez une adresse e-mail valide." in response.content.decode()


def test_a_blank_person_is_removed(contact_client, contact):
    challenge = ChallengeFactory(administration=contact.profile.administration)
    fill(contact_client, challenge, "contacts", {"hr-first_name": "", "hr-last_name": "", "hr-email": ""})
    assert not challenge.contacts.exists()


def test_a_png_is_refused_with_the_french_message_and_nothing_is_stored(contact_client, contact, media_root):
    challenge = ChallengeFactory(
        administration=contact.profile.administration, pitch_deck="", pitch_deck_pages=None
    )
    upload = SimpleUploadedFile("pitch.pdf", PNG, content_type="application/pdf")
    response = fill(contact_client, challenge, "presentation", {}, files={"pitch_deck": upload})
    page = response.content.decode()
    assert "Le fichier de présentation n’est pas un PDF : exportez votre diaporama au format PDF." in page
    assert 'id="id_pitch_deck-error"' in page
    challenge.refresh_from_db()
    assert not challenge.pitch_deck
    assert not AuditEvent.objects.filter(challenge=challenge).exists()
    assert not list(media_root.rglob("*.pdf")) if media_root.exists() else True


def test_a_thirteen_slide_deck_is_refused(contact_client, contact, media_root):
    challenge = ChallengeFactory(administration=contact.profile.administration)
    before = challenge.pitch_deck.name
    stored_before = sorted(media_root.rglob("*"))
    upload = SimpleUploadedFile("long.pdf", blank_pdf(13), content_type="application/pdf")
    response = fill(contact_client, challenge, "presentation", {}, files={"pitch_deck": upload})
    assert (
        "La présentation compte 13 diapositives ; l’appel en autorise 12 au plus."
        in response.content.decode()
    )
    challenge.refresh_from_db()
    assert challenge.pitch_deck.name == before
    assert sorted(media_root.rglob("*")) == stored_before


def test_the_pitch_deck_is_streamed_to_the_contact(contact_client, contact):
    challenge = ChallengeFactory(administration=contact.profile.administration)
    response = contact_client.get(reverse("portal:pitch_deck", args=[challenge.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_the_review_lists_the_remaining_problems(contact_client, contact):
    challenge = ChallengeFactory(administration=contact.profile.administration, attests_data_access=False)
    page = contact_client.get(step_url(challenge, "recapitulatif")).content.decode()
    assert "Il reste 1 point à compléter avant le dépôt" in page
    assert "Attestation manquante : « atteste l’engagement de mettre à disposition des EIG" in page

    response = contact_client.post(reverse("portal:dossier_submit", args=[challenge.pk]))
    assert response.status_code == 200
    assert "Le dossier n’a pas pu être déposé" in response.content.decode()
    challenge.refresh_from_db()
    assert challenge.state == ChallengeState.DRAFT


def test_after_the_deadline_the_submission_is_refused_with_the_reason(client, administration):
    with time_machine.travel(dt.datetime(2018, 6, 15, 14, 0, tzinfo=dt.UTC), tick=False):
        challenge = ChallengeFactory(
            administration=administration,
            promotion__call__submission_deadline=dt.datetime(2018, 6, 15, 15, 0, tzinfo=dt.UTC),
        )
        client.force_login(administration_contact(administration))
    with time_machine.travel(dt.datetime(2018, 6, 15, 15, 0, 1, tzinfo=dt.UTC), tick=False):
        response = client.post(reverse("portal:dossier_submit", args=[challenge.pk]))
    page = response.content.decode()
    assert "La date limite de dépôt est passée (vendredi 15 juin 2018 à 17:00, heure de Paris)." in page
    challenge.refresh_from_db()
    assert challenge.state == ChallengeState.DRAFT


def test_a_duplicate_name_is_refused_at_creation(contact_client, contact, promotion):
    ChallengeFactory(administration=contact.profile.administration, promotion=promotion, name="Datafin")
    response = contact_client.post(
        reverse("portal:dossier_create"), {"name": "Datafin", "promotion": promotion.pk}
    )
    assert "Un défi de ce nom existe déjà dans cette promotion." in response.content.decode()
    assert Challenge.objects.filter(name="Datafin").count() == 1


def test_a_submitted_dossier_is_read_only(contact_client, contact):
    challenge = ChallengeFactory(administration=contact.profile.administration)
    services.transition(challenge, "submit", by=contact)
    events = AuditEvent.objects.count()

    page = contact_client.get(step_url(challenge, "description")).content.decode()
    assert challenge.problem in page
    assert "<textarea" not in page and "Enregistrer le brouillon" not in page

    response = contact_client.post(
        step_url(challenge, "description"), {"problem": "Changé", "action": "draft"}, follow=True
    )
    assert "Ce dossier a été déposé : il ne peut plus être modifié." in response.content.decode()
    upload = SimpleUploadedFile("pitch.pdf", blank_pdf(3), content_type="application/pdf")
    contact_client.post(step_url(challenge, "presentation"), {"pitch_deck": upload})
    challenge.refresh_from_db()
    assert challenge.problem != "Changé"
    assert challenge.pitch_deck_pages == 10
    assert AuditEvent.objects.count() == events

    for step in STEPS:
        response = contact_client.get(step_url(challenge, step))
        assert response.status_code == 200
        assert "Enregistrer le brouillon" not in response.content.decode()
        assert "<textarea" not in response.content.decode()
    review = contact_client.get(step_url(challenge, "recapitulatif")).content.decode()
    assert "Déposer le dossier" not in review
    detail = contact_client.get(reverse("portal:dossier", args=[challenge.pk])).content.decode()
    assert "Déposé" in detail and "Brouillon → Déposé" in detail


@pytest.mark.parametrize(
    ("step_class", "step", "values"),
    [
        (editing.DescriptionStep, "description", {"problem": "Changé"}),
        (editing.ContactsStep, "contacts", {"hr-first_name": "Changé"}),
    ],
)
def test_a_dossier_submitted_while_a_step_is_saved_is_not_changed(
    contact_client, contact, monkeypatch, step_class, step, values
):
    challenge = ChallengeFactory(administration=contact.profile.administration)
    page = contact_client.get(step_url(challenge, step)).content.decode()
    data = form_data(page, "step-form") | values | {"action": "draft"}
    original = step_class.is_valid

    def submitted_meanwhile(self):
        services.transition(challenge, "submit", by=contact)
        return original(self)

    monkeypatch.setattr(step_class, "is_valid", submitted_meanwhile)
    events = AuditEvent.objects.count()
    response = contact_client.post(step_url(challenge, step), data, follow=True)
    assert "Ce dossier a été déposé : il ne peut plus être modifié." in response.content.decode()
    assert AuditEvent.objects.count() == events + 1  # the submission only
    challenge.refresh_from_db()
    assert challenge.state == ChallengeState.SUBMITTED
    assert challenge.problem != "Changé"
    assert challenge.contacts.get().first_name == "Lou"
