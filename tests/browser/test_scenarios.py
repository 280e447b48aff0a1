"""The main journeys, clicked through in Chromium against the live server."""

import pytest

from accounts.enums import Role
from accounts.services import create_user
from demo.pdfs import blank_pdf
from lifecycle import audit
from lifecycle.actors import SYSTEM
from lifecycle.enums import AuditKind, ChallengeState
from lifecycle.models import AuditEvent, Challenge
from notifications.enums import DeliveryStatus
from notifications.models import Notification
from tests.browser.conftest import log_in, screenshot
from tests.factories import AdministrationFactory, PromotionFactory, administration_contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "mot-de-passe-eig-2018"


def fill_group(page, group, values):
    scope = page.get_by_role("group", name=group)
    for label, value in values.items():
        scope.get_by_label(label, exact=label in {"Nom", "Prénom"}).fill(value)


def file_a_complete_dossier(page, live_server, tmp_path):
    page.get_by_role("link", name="Créer un nouveau dossier").click()
    page.get_by_label("Nom du défi").fill("Signaux faibles")
    page.get_by_role("button", name="Créer le dossier").click()
    save = page.get_by_role("button", name="Enregistrer et continuer")

    page.get_by_label("Adresse de l’administration d’accueil").fill("139 rue de Bercy, 75012 Paris")
    screenshot(page, "portail-etape-1")
    save.click()
    for label, text in {
        "Problématique à résoudre": "Détecter plus tôt les entreprises en difficulté.",
        "Solution proposée": "Un modèle prédictif à partir des données publiques.",
        "Bénéfices et impacts attendus": "Des emplois préservés par une aide plus précoce.",
        "Types d’innovations mobilisées": "Science des données, open source.",
        "État d’avancement": "Phase pilote en Bourgogne-Franche-Comté.",
    }.items():
        page.get_by_label(label).fill(text)
    save.click()
    for rank, (mission, profile) in enumerate(
        [("Construire le modèle prédictif", "data_science"), ("Développer l’interface", "development")]
    ):
        page.locator(f"#id_eig-{rank}-mission").fill(mission)
        page.locator(f"#id_eig-{rank}-profile").select_option(profile)
    save.click()
    fill_group(
        page,
        "Membre n°1",
        {
            "Nom": "Dominique Bernard",
            "Fonction": "Cheffe de bureau",
            "Statut": "Titulaire",
            "Implication (%)": "30",
            "Apport": "Pilotage métier",
        },
    )
    save.click()
    for label, text in {
        "Ressources techniques et opérationnelles": "Serveurs de calcul, accès aux bases.",
        "Jeux de données nécessaires": "Défaillances, effectifs, comptes annuels.",
        "Actions pour pérenniser": "Reprise par la DGE.",
        "Obstacles potentiels": "Accès aux données fiscales : convention en cours.",
        "Pourquoi postulez-vous": "Apporter la science des données au service.",
    }.items():
        page.get_by_label(label).fill(text)
    page.get_by_role("group", name="Ces jeux de données sont-ils déjà accessibles ?").get_by_label(
        "Oui"
    ).check(force=True)
    for start in (
        "Atteste la possibilité",
        "Atteste l’engagement d’ouvrir",
        "Atteste l’engagement de mettre",
    ):
        page.get_by_label(start).check(force=True)
    save.click()
    asking = page.get_by_role("group", name="Demandez-vous le co-financement PIA ?")
    asking.get_by_label("Oui").check(force=True)
    page.get_by_label("Coût total employeur prévisionnel (€)").fill("150000")
    page.get_by_label("Montant du co-financement PIA envisagé (€)").fill("105000")
    save.click()
    people = {
        "Mentor opérationnel": ("Alix", "Durand", "alix.durand@example.gouv.fr"),
        "Mentor stratégique": ("Sacha", "Lefèvre", "sacha.lefevre@example.gouv.fr"),
        "Contact RH": ("Lou", "Petit", "lou.petit@example.gouv.fr"),
        "Contact convention de co-financement": ("Noa", "Roux", "noa.roux@example.gouv.fr"),
    }
    for group, (first, last, email) in people.items():
        fields = {
            "Prénom": first,
            "Nom": last,
            "E-mail professionnel": email,
            "Téléphone professionnel": "01 23 45 67 89",
        }
        if group.startswith("Mentor"):
            fields["Fonction"] = "Cheffe de projet"
        fill_group(page, group, fields)
    save.click()
    pitch = tmp_path / "pitch.pdf"
    pitch.write_bytes(blank_pdf(12))
    page.get_by_label("Présentation de synthèse (PDF)").set_input_files(str(pitch))
    save.click()
    assert "Le dossier est complet" in page.content()
    screenshot(page, "portail-recapitulatif")
    page.get_by_role("button", name="Déposer le dossier").click()


def test_an_administration_files_its_dossier_and_a_manager_preselects_it(
    page, live_server, smtp_server, tmp_path
):
    PromotionFactory(number=3, name="EIG 3")
    administration = AdministrationFactory(name="Direction générale des entreprises")
    contact = administration_contact(administration, username="contact-dge", email="contact@dge.gouv.fr")
    contact.set_password(PASSWORD)
    contact.save()
    create_user("gestionnaire", by=SYSTEM, role=Role.PROGRAMME_MANAGER, password=PASSWORD)

    # The administration files and submits a complete dossier with its PDF.
    log_in(page, live_server, "contact-dge", PASSWORD)
    file_a_complete_dossier(page, live_server, tmp_path)
    assert page.locator("#state").text_content().strip() == "Déposé"
    assert "Brouillon → Déposé" in page.locator("#timeline").inner_text()
    screenshot(page, "portail-depose")
    challenge = Challenge.objects.get(name="Signaux faibles")
    assert (challenge.state, challenge.pitch_deck_pages, challenge.mentors.count()) == ("submitted", 12, 2)
    assert "[EIG] Dossier reçu : « Signaux faibles »" in smtp_server.header("Subject")

    # A programme manager preselects it, sees the timeline and the e-mail.
    page.get_by_role("button", name="Se déconnecter").click()
    log_in(page, live_server, "gestionnaire", PASSWORD)
    page.goto(f"{live_server.url}/gestion/defis/{challenge.pk}/")
    action = page.locator("form", has=page.get_by_role("button", name="Présélectionner", exact=True))
    action.get_by_label("Motif (obligatoire)").fill("Impact fort, équipe solide")
    action.get_by_label("Je confirme").check(force=True)
    action.get_by_role("button", name="Présélectionner", exact=True).click()

    assert page.locator("#state").text_content().strip() == "Présélectionné"
    timeline = page.locator("#timeline").inner_text()
    assert "Déposé → Présélectionné" in timeline
    assert "Impact fort, équipe solide" in timeline
    assert "Votre défi « Signaux faibles » est présélectionné" in page.locator("#mails").inner_text()
    screenshot(page, "gestion-defi-preselectionne")
    subjects = smtp_server.header("Subject")
    assert (
        subjects.count("[EIG] Votre défi « Signaux faibles » est présélectionné") == 4
    )  # 2 mentors, contact, team
    assert Notification.objects.filter(status=DeliveryStatus.SENT).count() == len(subjects)
    assert list(
        AuditEvent.objects.filter(challenge=challenge, kind=AuditKind.TRANSITION).values_list(
            "transition", flat=True
        )
    ) == ["submit", "preselect"]
    assert audit.verify().intact
    assert Challenge.objects.get(pk=challenge.pk).state == ChallengeState.PRESELECTED
