"""The candidates' call end to end in Chromium, through the real pages (issue 14): a candidate
signs up (the link read from the e-mail sent), applies to two EIG 3 challenges on a phone's width
(375 px), a mentor of one of them sees only its applications, scores ours, comments and
preselects it; a programme manager schedules the interview, ranks it and offers the challenge;
the candidate signs in again and accepts; the manager starts the challenge from its case. The
candidate's pages never scroll sideways and axe-core finds no serious or critical violation on
any page; the challenge runs with its two EIGs, the audit chain intact, and the candidate got an
e-mail at each decision (the interview's with its .ics)."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from demo.pdfs import cv_pdf
from lifecycle import audit
from lifecycle.enums import ChallengeState, DefaultProfile, MentorRole
from lifecycle.models import Challenge, EigPosition, Entrepreneur, Mentor
from notifications.enums import MessageEvent
from notifications.models import Notification
from recruitment import moves
from recruitment.enums import ApplicationState
from recruitment.models import Application, Candidate
from tests.browser.conftest import log_in, screenshot
from tests.browser.test_accessibility import serious_violations
from tests.factories import (
    AdministrationFactory,
    PromotionFactory,
    mentor_user,
    mentored_elsewhere,
    open_candidates_call,
    programme_manager,
    recruiting_challenge,
    submitted_candidate,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "une-phrase-de-passe-solide-2018"
EMAIL = "elise.guerin@example.org"
VERIFY_SUBJECT = "[EIG] Confirmez votre adresse pour ouvrir votre compte de candidat·e"

# Three challenges of promotion 3 (2019), from the programme's public pages.
CHALLENGES = {
    "datajust": {
        "name": "DataJust",
        "administration": "Ministère de la Justice, Direction des affaires civiles et du Sceau (DACS)",
        "address": "13 place Vendôme, 75001 Paris",
        "summary": "Construire un référentiel d’indemnisation des préjudices corporels",
        "public_description": (
            "Le Ministère de la Justice, à travers sa Direction des affaires civiles et du sceau, "
            "souhaite analyser les données de la jurisprudence administrative et judiciaire sur "
            "l’indemnisation des préjudices corporels afin de mettre à disposition des victimes, des "
            "magistrats, des avocats, des assureurs et des fonds d’indemnisation un référentiel "
            "indicatif officiel, permettant de mieux évaluer financièrement les préjudices.\n\n"
            "**Évaluer le montant de l’indemnisation d’une victime pour la réparation de son préjudice "
            "corporel est complexe à plusieurs égards** : il s’agit d’une matière technique, à la "
            "frontière du droit et de la médecine légale, et les acteurs sont nombreux."
        ),
        "missions": [
            (
                DefaultProfile.DATA_SCIENCE,
                "Extraire des décisions de justice les montants alloués par préjudice.",
            ),
            (
                DefaultProfile.DEVELOPMENT,
                "Construire l’outil qui met le référentiel à disposition des acteurs.",
            ),
        ],
        "mentor": ("Hélène", "Rivière", "helene.riviere@justice.gouv.fr"),
    },
    "openjustice": {
        "name": "Open Justice",
        "administration": "Cour de cassation",
        "address": "5 quai de l’Horloge, 75001 Paris",
        "summary": "Ouvrir la jurisprudence par la pseudonymisation des données",
        "public_description": (
            "La Cour de cassation, en lien avec le Ministère de la Justice, souhaite développer des "
            "techniques d’apprentissage automatique afin d’identifier les données à pseudonymiser dans "
            "les décisions de justice avant de les rendre accessibles et réutilisables.\n\n"
            "**Chaque année sont rendues près de 3,9 millions de décisions de justice qui pourraient, à "
            "terme, être mises à disposition du public.**"
        ),
        "missions": [
            (
                DefaultProfile.DATA_SCIENCE,
                "Entraîner les modèles de reconnaissance des noms à pseudonymiser.",
            ),
            (
                DefaultProfile.DEVELOPMENT,
                "Intégrer la pseudonymisation dans la chaîne de diffusion des décisions.",
            ),
        ],
        "mentor": ("Joël", "Lefèbvre", "joel.lefebvre@justice.fr"),
    },
    "cartobio": {
        "name": "CartoBio",
        "administration": (
            "Agence Française pour le Développement et la Promotion de l’Agriculture Biologique"
        ),
        "address": "6 rue Lavoisier, 93100 Montreuil",
        "summary": "Cartographier les parcelles cultivées en agriculture biologique",
        "public_description": (
            "L’Agence BIO, en lien avec le Ministère de la Transition écologique et solidaire, souhaite "
            "associer les données du Registre Parcellaire Graphique et celles des opérateurs bio pour "
            "construire une cartographie des parcelles bio afin de simplifier les démarches des "
            "agriculteurs, fiabiliser la certification bio et mieux accompagner les politiques "
            "territoriales."
        ),
        "missions": [
            (
                DefaultProfile.DATA_SCIENCE,
                "Croiser le Registre Parcellaire Graphique et les données des certificateurs.",
            ),
            (DefaultProfile.DEVELOPMENT, "Construire la carte des parcelles et son API."),
        ],
        "mentor": ("Maëlle", "Bénard", "maelle.benard@agencebio.org"),
    },
}

MOTIVATIONS = {
    "datajust": (
        "Juriste devenue data scientist, j’ai annoté des décisions de cours d’appel pendant deux ans : "
        "je veux aider la DACS à bâtir un référentiel d’indemnisation juste, ouvert et documenté."
    ),
    "openjustice": (
        "La pseudonymisation des décisions est le problème de traitement du langage qui m’occupe "
        "depuis mon master ; ouvrir la jurisprudence à tous me tient à cœur."
    ),
}


def overflow(page) -> int:
    """How far the page is wider than the viewport (0: no horizontal scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth") - page.viewport_size["width"]


def looked_at(page, name):
    """The page as it is: a screenshot, no sideways scrolling on a phone, axe-core clean."""
    screenshot(page, name)
    assert overflow(page) <= 0, (page.url, overflow(page))
    assert serious_violations(page) == [], page.url


def status_text(page) -> str:
    """The page's success message (Django's messages, in the DSFR's alert)."""
    return page.locator("div.fr-alert--success[role=status]").inner_text().strip()


def badge(page, application) -> str:
    """An application's state in the candidate's space, as written (the badge's CSS capitalises it)."""
    return page.locator(f"#state-{application.pk}").text_content().strip()


@pytest.fixture
def new_page(browser, live_server):
    """Another person's browser (their own cookies), as the `page` fixture makes it."""
    contexts = []

    def make(viewport=DESKTOP):
        context = browser.new_context(locale="fr-FR", viewport=viewport, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def scene():
    """Promotion 3's candidates' call open; three recruiting challenges, each with its own
    operational mentor; DataJust's two mentors confirmed, its mentor's account, a programme
    manager, and a first candidate who has already accepted DataJust (the team needs two)."""
    promotion = PromotionFactory(number=3, name="EIG 3", year=2019)
    call = open_candidates_call(promotion)
    challenges = {}
    for key, data in CHALLENGES.items():
        challenge = recruiting_challenge(
            call,
            name=data["name"],
            administration=AdministrationFactory(name=data["administration"]),
            address=data["address"],
            summary=data["summary"],
            public_description=data["public_description"],
        )
        for rank, (profile, mission) in enumerate(data["missions"], start=1):
            positions = EigPosition.objects.filter(challenge=challenge, rank=rank)
            positions.update(profile=profile, mission=mission)
        first_name, last_name, email = data["mentor"]
        mentored_elsewhere(challenge, email=email)
        Mentor.objects.filter(challenge=challenge, role=MentorRole.OPERATIONAL).update(
            first_name=first_name, last_name=last_name
        )
        challenges[key] = challenge
    datajust = challenges["datajust"]
    datajust.mentors.update(confirmed_at=timezone.now())
    first_name, last_name, email = CHALLENGES["datajust"]["mentor"]
    mentor = mentor_user(email=email, username="mentor-datajust", first_name=first_name, last_name=last_name)
    mentor.set_password(PASSWORD)
    mentor.save()
    manager = programme_manager(username="gestion", first_name="Claire", last_name="Gestion")
    manager.set_password(PASSWORD)
    manager.save()

    # Inès Morel, a developer, was interviewed, ranked first, offered DataJust and accepted it.
    first = submitted_candidate(
        call, [datajust], first_name="Inès", last_name="Morel", profile=DefaultProfile.DEVELOPMENT
    )
    application = first.applications.get()
    application = moves.transition(application, "preselect", by=manager)
    application = moves.schedule_interview(
        application, at=timezone.now() + dt.timedelta(days=2), place="Place Vendôme, salle 204", by=manager
    )
    application = moves.set_rank(application, 1, by=manager)
    application = moves.transition(application, "offer", by=manager)
    moves.transition(application, "accept", by=first.user)
    return {"call": call, "challenges": challenges, "mentor": mentor, "manager": manager, "first": first}


def verification_link(mailoutbox, live_server) -> str:
    messages = [message for message in mailoutbox if message.subject == VERIFY_SUBJECT]
    assert [message.to for message in messages] == [[EMAIL]]
    body = messages[0].body
    link = re.search(r"(http\S+/candidatures/verification/\S+/)", body).group(1)
    assert link.startswith(live_server.url)
    return link


def test_a_candidate_applies_a_mentor_preselects_a_manager_offers_and_the_challenge_starts(
    page, new_page, live_server, scene, mailoutbox
):
    url = live_server.url
    challenges = scene["challenges"]
    datajust, openjustice = challenges["datajust"], challenges["openjustice"]
    assert url == settings.SITE_URL

    # 1. The candidate, on a phone: the public list, a challenge, "postuler", an account.
    page.set_viewport_size(PHONE)
    response = page.goto(f"{url}/candidatures/")
    assert response.status == 200
    assert page.locator("#result-count").inner_text() == "3 défis ouverts aux candidatures."
    looked_at(page, "recrutement-01-liste-publique")
    page.locator(f"#challenge-{datajust.pk}").get_by_role("link", name="DataJust", exact=True).click()
    page.wait_for_url(f"{url}/candidatures/defis/{datajust.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "DataJust"
    assert page.locator("#address").inner_text().strip() == "13 place Vendôme, 75001 Paris"
    looked_at(page, "recrutement-02-defi-public")
    page.locator("#apply-link").click()
    page.wait_for_url(f"{url}/candidatures/defis/{datajust.pk}/postuler/")
    assert page.get_by_role("heading", level=1).inner_text() == "Créez votre compte pour postuler"
    looked_at(page, "recrutement-03-creer-son-compte-pour-postuler")
    page.get_by_role("link", name="Créer mon compte").click()
    page.wait_for_url(f"{url}/candidatures/inscription/")
    page.get_by_label("Prénom").fill("Élise")
    page.get_by_label("Nom", exact=True).fill("Guérin")
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    looked_at(page, "recrutement-04-inscription")
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url(f"{url}/candidatures/inscription/envoyee/")
    assert f"Nous avons écrit à {EMAIL}." in page.locator("#sent").inner_text()
    looked_at(page, "recrutement-05-inscription-envoyee")

    page.goto(verification_link(mailoutbox, live_server))
    looked_at(page, "recrutement-06-confirmer-son-adresse")
    page.get_by_role("button", name="Confirmer et ouvrir mon compte").click()
    page.wait_for_url(f"{url}/candidatures/espace/")
    assert f"Votre identifiant est « {EMAIL} »" in status_text(page)
    looked_at(page, "recrutement-07-espace-vide")

    # Two challenges chosen, a motivation each.
    for index, (key, challenge) in enumerate([("datajust", datajust), ("openjustice", openjustice)]):
        page.goto(f"{url}/candidatures/")
        page.locator(f"#challenge-{challenge.pk}").get_by_role("link", name="Postuler").click()
        page.wait_for_url(f"{url}/candidatures/defis/{challenge.pk}/postuler/")
        assert page.locator("#choice-count").inner_text().startswith(f"Vous avez choisi {index} ")
        page.get_by_label("Votre motivation pour ce défi").fill(MOTIVATIONS[key])
        looked_at(page, f"recrutement-08-postuler-{key}")
        page.get_by_role("button", name="Ajouter ce défi à ma candidature").click()
        page.wait_for_url(re.compile(re.escape(f"{url}/candidatures/espace/")))
        assert status_text(page) == (
            f"Le défi « {challenge.name} » est ajouté à votre candidature (brouillon)."
        )
    assert page.locator("#choice-count").inner_text() == "2 défis choisis sur 2 au plus."
    assert page.locator("#choose-link").count() == 0  # no room left for a third
    looked_at(page, "recrutement-09-espace-deux-brouillons")

    # Identity, profile and links; the CV; the declarations.
    page.locator("#id_phone").fill("06 12 34 56 78")
    page.locator("#id_profile").select_option(DefaultProfile.DATA_SCIENCE.value)
    page.locator("#id_code_url").fill("https://github.com/eguerin")
    page.get_by_role("button", name="Enregistrer mon identité et mes liens").click()
    page.wait_for_url(f"{url}/candidatures/espace/#identite")
    assert status_text(page) == "Vos informations sont enregistrées."

    cv = cv_pdf(
        "Élise Guérin",
        "Data scientist, juriste de formation",
        [
            ("Expérience", ["2016-2018 : annotation et analyse de décisions de cours d’appel, Lyon."]),
            ("Formation", ["Master de droit privé ; master de science des données, Université de Lyon."]),
        ],
    )
    page.locator("#id_cv").set_input_files(
        files=[{"name": "CV Élise Guérin.pdf", "mimeType": "application/pdf", "buffer": cv}]
    )
    page.locator("#cv-form").get_by_role("button", name="Déposer mon CV").click()
    page.wait_for_url(f"{url}/candidatures/espace/#cv")
    assert status_text(page) == "Votre CV est enregistré."
    assert page.locator("#cv-current").inner_text().startswith("Votre CV : CV Élise Guérin.pdf")

    boxes = page.locator("#declarations input[type=checkbox]")
    assert boxes.count() == 5
    for index in range(boxes.count()):
        page.locator(f"label[for={boxes.nth(index).get_attribute('id')}]").click()
    page.get_by_role("button", name="Enregistrer mes déclarations").click()
    page.wait_for_url(f"{url}/candidatures/espace/#eligibilite")
    assert status_text(page) == "Vos déclarations sont enregistrées."
    assert page.locator("#checklist").get_by_text("Votre candidature est complète").is_visible()
    looked_at(page, "recrutement-10-espace-complet")

    # The submission, confirmed on its own page.
    page.locator("#submit-link").click()
    page.wait_for_url(f"{url}/candidatures/espace/deposer/")
    assert page.locator("#chosen h3").all_inner_texts() == [
        f"DataJust — {CHALLENGES['datajust']['administration']}",
        f"Open Justice — {CHALLENGES['openjustice']['administration']}",
    ]
    looked_at(page, "recrutement-11-deposer")
    page.locator("#submit-form").get_by_role("button", name="Déposer ma candidature").click()
    page.wait_for_url(f"{url}/candidatures/espace/#defis")
    assert status_text(page).startswith("Votre candidature est déposée : un e-mail vous le confirme.")
    candidate = Candidate.objects.get(email=EMAIL)
    ours = candidate.applications.get(challenge=datajust)
    elsewhere = candidate.applications.get(challenge=openjustice)
    for application in (ours, elsewhere):
        assert badge(page, application) == "Déposée"
    looked_at(page, "recrutement-12-espace-deposee")

    # 2. DataJust's operational mentor: its applications only; ours scored, commented, preselected.
    mentor = new_page()
    log_in(mentor, live_server, "mentor-datajust", PASSWORD)
    mentor.wait_for_url(f"{url}/mentor/candidatures/")
    rows = mentor.locator("#applications tbody th[scope=row]")
    assert sorted(rows.all_inner_texts()) == ["Inès Morel", "Élise Guérin"]
    assert mentor.locator("#applications").get_by_text("Open Justice").count() == 0
    looked_at(mentor, "recrutement-13-mentor-liste")
    assert mentor.goto(f"{url}/mentor/candidatures/{elsewhere.pk}/").status == 404
    assert mentor.goto(f"{url}/mentor/candidatures/{elsewhere.pk}/cv/").status == 404
    mentor.goto(f"{url}/mentor/candidatures/")
    mentor.get_by_role("link", name="Élise Guérin").click()
    mentor.wait_for_url(f"{url}/mentor/candidatures/{ours.pk}/")
    assert mentor.locator("#motivation").inner_text() == MOTIVATIONS["datajust"]
    with mentor.expect_download() as download:
        mentor.locator("#cv-link").click()
    assert download.value.suggested_filename == "cv-elise-guerin.pdf"
    assert Path(download.value.path()).read_bytes() == cv

    criteria = list(scene["call"].candidate_criteria.order_by("rank"))
    for criterion, value in zip(criteria, [4, 3, 3, 2, 4], strict=True):
        mentor.locator(f"label[for=id_grille-criterion_{criterion.pk}_{value}]").click()
    looked_at(mentor, "recrutement-14-mentor-grille")
    mentor.get_by_role("button", name="Enregistrer ma grille").click()
    mentor.wait_for_url(f"{url}/mentor/candidatures/{ours.pk}/#grille")
    assert status_text(mentor) == "Votre grille est enregistrée."
    mentor.get_by_label("Votre commentaire").fill(
        "Très bonne connaissance du contentieux de l’indemnisation : à voir en entretien."
    )
    mentor.get_by_role("button", name="Ajouter le commentaire").click()
    mentor.wait_for_url(f"{url}/mentor/candidatures/{ours.pk}/#commentaires")
    assert status_text(mentor) == "Votre commentaire est enregistré."
    form = mentor.locator("#move-preselect")
    form.locator("label[for=confirm-preselect]").click()
    form.get_by_role("button", name="Présélectionner").click()
    mentor.wait_for_url(f"{url}/mentor/candidatures/{ours.pk}/")
    assert status_text(mentor) == (
        "« Présélectionner » : la candidature de Élise Guérin est maintenant « Présélectionnée ». "
        "Un e-mail l’en informe."
    )
    looked_at(mentor, "recrutement-15-mentor-preselectionnee")
    ours.refresh_from_db()
    assert ours.state == ApplicationState.PRESELECTED

    # 3. The programme manager: the interview planned, the rank, the offer on the challenge's page.
    manager = new_page()
    log_in(manager, live_server, "gestion", PASSWORD)
    manager.wait_for_url(f"{url}/gestion/")
    manager.goto(f"{url}/gestion/candidatures/?challenge={datajust.pk}")
    looked_at(manager, "recrutement-16-gestion-liste")
    manager.goto(f"{url}/gestion/candidatures/{ours.pk}/")
    day = timezone.localdate() + dt.timedelta(days=7)
    manager.locator("#id_entretien-day").fill(day.isoformat())
    manager.locator("#id_entretien-time").fill("14:30")
    manager.locator("#id_entretien-place").fill("Ministère de la Justice, 13 place Vendôme, salle 204")
    looked_at(manager, "recrutement-17-gestion-candidature")
    manager.get_by_role("button", name="Convoquer à l’entretien").click()
    manager.wait_for_url(f"{url}/gestion/candidatures/{ours.pk}/#entretien")
    assert status_text(manager).startswith("L’entretien de Élise Guérin est planifié le ")
    manager.locator("#id_rang-rank").fill("1")  # the first of the data scientists
    manager.get_by_role("button", name="Enregistrer le rang").click()
    manager.wait_for_url(f"{url}/gestion/candidatures/{ours.pk}/#classement")
    assert status_text(manager) == "Élise Guérin est classé·e au rang 1 pour « DataJust »."
    ours.refresh_from_db()
    assert (ours.state, ours.rank) == (ApplicationState.RANKED, 1)

    manager.goto(f"{url}/gestion/candidatures/defis/{datajust.pk}/")
    assert manager.locator("#team-count").inner_text().startswith("1 EIG dans l’équipe")
    looked_at(manager, "recrutement-18-gestion-classement")
    manager.locator(f"label[for=confirm-offer-{ours.pk}]").click()  # the design system's checkbox
    manager.locator(f"#offer-{ours.pk}").get_by_role("button", name="Proposer le défi").click()
    manager.wait_for_url(f"{url}/gestion/candidatures/defis/{datajust.pk}/#classement")
    assert status_text(manager) == (
        "« Proposer le défi » : la candidature de Élise Guérin est maintenant « Proposition faite ». "
        "Un e-mail l’en informe."
    )
    ours.refresh_from_db()
    assert ours.state == ApplicationState.OFFERED

    # 4. The candidate signs in again (another day, another browser) and accepts the offer.
    page.context.close()
    candidate_page = new_page(PHONE)
    log_in(candidate_page, live_server, EMAIL, PASSWORD)
    candidate_page.wait_for_url(f"{url}/candidatures/espace/")
    assert badge(candidate_page, ours) == "Proposition faite"
    assert candidate_page.locator(f"#interview-{ours.pk}").inner_text().startswith("Entretien :")
    looked_at(candidate_page, "recrutement-19-espace-proposition")
    candidate_page.locator(f"#accept-{ours.pk}").click()
    candidate_page.wait_for_url(f"{url}/candidatures/espace/candidatures/{ours.pk}/accepter/")
    assert candidate_page.get_by_text("Vous ne pourrez accepter aucun autre défi.").is_visible()
    looked_at(candidate_page, "recrutement-20-accepter")
    candidate_page.get_by_role("button", name="Oui, j’accepte ce défi").click()
    candidate_page.wait_for_url(f"{url}/candidatures/espace/#defis")
    assert status_text(candidate_page).startswith("Vous avez accepté le défi « DataJust ».")
    assert badge(candidate_page, ours) == "Acceptée"
    # Her other application is withdrawn with the acceptance (by the system, no e-mail of its own).
    assert badge(candidate_page, elsewhere) == "Retirée"
    looked_at(candidate_page, "recrutement-21-espace-acceptee")

    # 5. The manager starts DataJust from its case: the team (2) and both mentors are confirmed.
    manager.goto(f"{url}/gestion/candidatures/defis/{datajust.pk}/")
    assert manager.locator("#team-count").inner_text().startswith("2 EIG dans l’équipe")
    assert sorted(manager.locator("#team-members li").all_inner_texts()) == [
        "Inès Morel — Développement",
        "Élise Guérin — Data science",
    ]
    assert "possible maintenant" in manager.locator("#start").text_content()
    looked_at(manager, "recrutement-22-gestion-equipe-complete")
    manager.locator("#start").get_by_role("link", name="Démarrer depuis le dossier du défi").click()
    manager.wait_for_url(f"{url}/gestion/defis/{datajust.pk}/#actions")
    form = manager.locator("#transition-start")
    form.locator("label[for=confirm-start]").click()
    screenshot(manager, "recrutement-23-dossier-demarrer")
    with manager.expect_navigation():
        form.get_by_role("button", name="Démarrer le défi").click()
    assert manager.url.startswith(f"{url}/gestion/defis/{datajust.pk}/")
    assert status_text(manager) == "« Démarrer le défi » effectué : le défi est maintenant « En cours »."
    assert sorted(manager.locator("#people tbody th[scope=row]").all_inner_texts()) == [
        "Inès Morel",
        "Élise Guérin",
    ]
    looked_at(manager, "recrutement-24-dossier-demarre")

    datajust = Challenge.objects.get(pk=datajust.pk)
    assert datajust.state == ChallengeState.RUNNING
    team = Entrepreneur.objects.filter(challenge=datajust)
    assert sorted((person.first_name, person.last_name, person.profile) for person in team) == [
        ("Inès", "Morel", DefaultProfile.DEVELOPMENT),
        ("Élise", "Guérin", DefaultProfile.DATA_SCIENCE),
    ]
    candidate.refresh_from_db()
    assert candidate.entrepreneur in team
    assert Application.objects.get(pk=elsewhere.pk).state == ApplicationState.WITHDRAWN
    assert audit.verify().intact

    # Her e-mails: each decision, in French, the interview's with its invitation (.ics).
    mails = Notification.objects.filter(recipient_email=EMAIL).order_by("pk")
    assert [(mail.event, mail.challenge.name) for mail in mails] == [
        (MessageEvent.APPLICATION_RECEIVED, "DataJust"),
        (MessageEvent.APPLICATION_RECEIVED, "Open Justice"),
        (MessageEvent.APPLICATION_PRESELECTED, "DataJust"),
        (MessageEvent.INTERVIEW_INVITATION, "DataJust"),
        (MessageEvent.OFFER_MADE, "DataJust"),
        (MessageEvent.OFFER_ACCEPTED, "DataJust"),
    ]
    assert {mail.language for mail in mails} == {"fr"}
    invitation = mails.get(event=MessageEvent.INTERVIEW_INVITATION)
    assert invitation.attachment_name.endswith(".ics")
    assert invitation.attachment_type.startswith("text/calendar")
    assert f"DTSTART;TZID=Europe/Paris:{day:%Y%m%d}T143000" in bytes(invitation.attachment).decode()
    sent = [message for message in mailoutbox if message.to == [EMAIL]]
    assert len(sent) == 1 + len(mails)  # the verification link, then each decision
    assert get_user_model().objects.get(username=EMAIL).is_active
