import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from lifecycle.dossier import edits
from lifecycle.enums import AuditKind, ChallengeState
from lifecycle.models import AuditEvent, Call
from notifications.models import Notification
from tests.factories import ChallengeFactory
from tests.html_forms import form_data

PARIS = ZoneInfo("Europe/Paris")
S = ChallengeState


def page(client, challenge):
    response = client.get(reverse("backoffice:challenge", args=[challenge.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_dossier_by_sections_with_documents_simulation_and_people(manager_client):
    challenge = ChallengeFactory(name="Défi Hopkins", state=S.SUBMITTED)
    html = page(manager_client, challenge)

    assert html.count("<h1") == 1
    assert "<h1>Défi Hopkins</h1>" in html
    assert "<title>Défi Hopkins — Entrepreneur·e d’Intérêt Général</title>" in html
    for title in [
        "Informations administratives",
        "Description du défi",
        "Missions et profils des EIG",
        "Équipe projet",
        "Ressources et données",
        "Simulation financière",
        "Mentors et contacts",
        "Présentation de synthèse",
    ]:  # the sections of the official form, as the portal shows them
        assert f'">{title}</h3>' in html
    assert "Les données de l’administration sont dispersées et peu réutilisées." in html
    assert "Construire l’API des données." in html
    assert '<h4 class="fr-h6 fr-mb-1w">Dominique Bernard</h4>' in html
    assert f'href="{reverse("backoffice:pitch_deck", args=[challenge.pk])}"' in html
    assert "10 diapositives" in html
    assert (
        '<dd class="fr-ml-0 fr-mb-1w">2 EIG × 10 mois × 4\xa0000,00 € nets = 80\xa0000,00 € nets</dd>' in html
    )
    assert '<dd class="fr-ml-0 fr-mb-1w">Co-financement PIA attendu (70 %) : 105\xa0000,00 €</dd>' in html
    # What managers read and administrations do not: the kind, the manager, the confirmations.
    assert '<dt class="fr-text--bold fr-mb-0">Nature</dt>' in html
    assert '<dd class="fr-ml-0 fr-mb-1w">non confirmé</dd>' in html
    assert '<dd class="fr-ml-0 fr-mb-1w">Alix</dd>' in html
    assert '<dd class="fr-ml-0 fr-mb-1w">Lou</dd>' in html
    assert "Aucun e-mail pour ce défi." in html


def test_possible_moves_have_a_form_and_impossible_ones_their_reasons(manager_client):
    challenge = ChallengeFactory(state=S.SUBMITTED)
    html = page(manager_client, challenge)

    data = form_data(html, "transition-preselect")
    assert set(data) == {"csrfmiddlewaretoken", "reason"}  # nothing checked by default
    assert '<textarea class="fr-input" id="reason-preselect" name="reason" rows="3" required>' in html
    assert '<input type="checkbox" id="confirm-preselect" name="confirm" value="1" required>' in html
    assert (
        '<label class="fr-label" for="hold-mail-withdraw">Retenir les e-mails pour relecture</label>' in html
    )
    assert 'id="reason-withdraw"' not in html  # withdrawing needs no reason

    draft = ChallengeFactory(state=S.DRAFT, problem="")
    Call.objects.filter(promotion=draft.promotion).update(
        submission_deadline=timezone.now() - dt.timedelta(days=1)
    )
    html = page(manager_client, draft)
    assert 'id="transition-submit"' not in html
    assert "<strong>Déposer le dossier</strong>" in html
    assert "<li>Champ obligatoire non rempli : « problématique à résoudre ».</li>" in html
    assert "La date limite de dépôt est passée" in html


def test_a_move_needs_the_confirmation(manager_client):
    challenge = ChallengeFactory(state=S.SUBMITTED, dossier_rows=False)
    url = reverse("backoffice:challenge_transition", args=[challenge.pk, "preselect"])
    response = manager_client.post(url, {"reason": "Bon dossier"}, follow=True)
    assert "« Présélectionner » n’a pas été effectué : cochez « Je confirme » pour le faire." in (
        response.content.decode()
    )
    challenge.refresh_from_db()
    assert challenge.state == S.SUBMITTED


def test_a_confirmed_move_is_made_audited_and_shown_in_the_timeline_and_mails(manager_client, manager):
    challenge = ChallengeFactory(state=S.SUBMITTED)
    url = reverse("backoffice:challenge_transition", args=[challenge.pk, "preselect"])
    data = form_data(page(manager_client, challenge), "transition-preselect")
    data.update(reason="Dossier solide", confirm="1")

    response = manager_client.post(url, data, follow=True)

    assert response.redirect_chain == [(reverse("backoffice:challenge", args=[challenge.pk]), 302)]
    html = response.content.decode()
    assert "« Présélectionner » effectué : le défi est maintenant « Présélectionné »." in html
    challenge.refresh_from_db()
    assert challenge.state == S.PRESELECTED
    event = AuditEvent.objects.get(challenge=challenge, kind=AuditKind.TRANSITION)
    assert (event.actor, event.reason) == (manager, "Dossier solide")
    when = timezone.localtime(event.created_at).strftime("%H:%M:%S")
    assert "— Claude Etalab (gestionnaire) — Présélectionner : Déposé → Présélectionné</p>" in html
    assert "Motif : Dossier solide" in html
    assert when in html
    mail = Notification.objects.filter(challenge=challenge).first()
    assert mail is not None
    assert f'<span class="eig-mail__subject eig-wrap">{mail.subject}</span>' in html  # a <details> each


def test_a_refused_move_shows_its_reasons(manager_client):
    challenge = ChallengeFactory(state=S.SUBMITTED, dossier_rows=False)
    url = reverse("backoffice:challenge_transition", args=[challenge.pk, "reject"])
    response = manager_client.post(url, {"reason": "  ", "confirm": "1"}, follow=True)
    assert (
        "« Ne pas présélectionner » refusé : Cette décision doit être motivée : indiquez un motif."
        in response.content.decode()
    )
    challenge.refresh_from_db()
    assert challenge.state == S.SUBMITTED

    url = reverse("backoffice:challenge_transition", args=[challenge.pk, "start"])
    response = manager_client.post(url, {"confirm": "1"}, follow=True)
    assert (
        "« Démarrer le défi » refusé : « Démarrer le défi » n’est pas possible depuis l’état « Déposé »."
        in (response.content.decode())
    )


def test_an_unknown_transition_is_404(manager_client):
    challenge = ChallengeFactory(state=S.SUBMITTED, dossier_rows=False)
    url = reverse("backoffice:challenge_transition", args=[challenge.pk, "explode"])
    assert manager_client.post(url, {"confirm": "1"}).status_code == 404


def test_the_timeline_shows_old_and_new_values(manager_client, manager):
    challenge = ChallengeFactory(state=S.SUBMITTED, problem="Ancien problème")
    edits.update_dossier(
        challenge,
        {"problem": "Nouveau problème", "cofinancing_requested": False, "cofinancing_amount": None},
        by=manager,
    )
    html = page(manager_client, challenge)
    value = '<span class="eig-value eig-value__text">{}</span>'.format
    assert (
        '<tr><th scope="row">Problématique à résoudre</th>'
        f"<td>{value('Ancien problème')}</td><td>{value('Nouveau problème')}</td></tr>" in html
    )
    assert (
        f'<tr><th scope="row">Demande de co-financement</th><td>{value("Oui")}</td>'
        f"<td>{value('Non')}</td></tr>" in html
    )
    assert "Modification du dossier" in html

    edits.set_positions(
        challenge,
        [
            {"mission": "Construire l’API des données.", "profile": "development", "expertise": "Python"},
            {"mission": "Analyser les données de santé.", "profile": "data_science", "expertise": ""},
        ],
        by=manager,
    )
    html = page(manager_client, challenge)
    assert (
        f'<tr><th scope="row">EIG n°1 — Expertises recherchées</th><td>{value("—")}</td>'
        f"<td>{value('Python')}</td></tr>" in html
    )


@pytest.mark.parametrize("pk_offset", [1000])
def test_an_unknown_challenge_is_404(manager_client, pk_offset):
    assert manager_client.get(reverse("backoffice:challenge", args=[pk_offset])).status_code == 404
