"""A case that is hard to read: long texts, a long address and URL, a hash, JSON, a dossier change
with a file and child rows, a recruited EIG, a role change, a held review released. Built through
the domain's functions, as people would make it; the readable pages' tests (server and browser)
read it."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.enums import Role
from accounts.services import create_user
from demo.pdfs import blank_pdf
from lifecycle import services
from lifecycle.dossier import edits
from lifecycle.enums import ChallengeState, MentorRole
from lifecycle.models import Challenge
from notifications import outbox
from notifications.models import Batch
from tests.factories import AdministrationFactory, ChallengeFactory

LONG_URL = "https://www.data.gouv.fr/fr/datasets/" + "base-nationale-des-etablissements-penitentiaires" * 3
HASH = "sha256:" + "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" * 2
JSON = (
    '{"jeux":[{"nom":"Base nationale des établissements","url":"'
    + LONG_URL
    + '","empreinte":"'
    + HASH
    + '"}]}'
)
LONG_TEXT = (
    "Les données de l’administration pénitentiaire sont dispersées entre plusieurs applications "
    "métier, chacune avec ses référentiels, ses identifiants et ses exports : les agents passent "
    "des journées à rapprocher des tableurs au lieu d’analyser les parcours. "
) * 4
DESCRIPTION = (
    "### La problématique\n\n"
    f"{LONG_TEXT}\n\n"
    f"Les jeux de données : <{LONG_URL}>, empreinte `{HASH}`.\n\n"
    "- un premier point\n- un second point, **important**\n"
)
NAME = "Défi des parcours en détention et de la réinsertion : données ouvertes et outils partagés"
SOURCE_URL = "https://git.example.gouv.fr/" + "administration-penitentiaire/" * 5 + "parcours"


def hard_case(manager, *, auditor_username="auditrice", password=None):
    """The case, its trail and what the trail names around it; returns the challenge."""
    administration = AdministrationFactory(
        name="Direction de l’administration pénitentiaire et de la protection judiciaire de la "
        "jeunesse, sous-direction des métiers et de l’organisation des services"
    )
    challenge = ChallengeFactory(
        name=NAME,
        administration=administration,
        state=ChallengeState.SUBMITTED,
        manager=manager,
        public_description=DESCRIPTION,
        address="Bâtiment B, 13 place Vendôme, 75042 Paris Cedex 01 — " + HASH,
        datasets=JSON,
        attests_data_access=False,
    )
    edits.update_dossier(
        challenge,
        {
            "problem": LONG_TEXT,
            "source_code_url": SOURCE_URL,
            "attests_data_access": True,
            "datasets": JSON + " " + LONG_URL,
        },
        by=manager,
    )
    edits.set_positions(
        challenge,
        [
            {"mission": "Construire l’API des parcours. " + LONG_URL, "profile": "development"},
            {"mission": "Analyser les données de santé.", "profile": "design", "expertise": HASH},
        ],
        by=manager,
    )
    member = challenge.team_members.get()
    edits.set_team(
        challenge,
        [{"pk": member.pk, "function": "Cheffe du bureau des études, de la prospective et des données"}],
        by=manager,
    )
    edits.set_people(
        challenge, {MentorRole.OPERATIONAL: {"function": "Directrice de projet, " + HASH}}, by=manager
    )
    edits.attach_pitch_deck(challenge, SimpleUploadedFile("presentation.pdf", blank_pdf(3)), by=manager)
    edits.add_entrepreneur(
        challenge,
        by=manager,
        first_name="Camille",
        last_name="Dupont",
        email="camille.dupont@example.gouv.fr",
        profile="data_science",
        recruited_on=dt.date(2019, 1, 7),
    )
    services.transition(
        Challenge.objects.get(pk=challenge.pk),
        "preselect",
        by=manager,
        reason="Impact fort, équipe solide. " + LONG_URL,
        options={outbox.HOLD_MAIL: True},
    )
    outbox.release(Batch.objects.order_by("-pk").first(), by=manager)
    create_user(auditor_username, by=manager, role=Role.AUDITOR, password=password, first_name="Dominique")
    return Challenge.objects.get(pk=challenge.pk)
