import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from django.db import transaction

from lifecycle import audit, clock
from lifecycle.actors import SYSTEM
from lifecycle.enums import AdministrationKind, AuditKind, ChallengeState, TransitionName
from tests.factories import AdministrationFactory, ChallengeFactory, PromotionFactory

PARIS = ZoneInfo("Europe/Paris")
PROGRAMME_DATA = Path("/work/shared/data/eig-defis-2017-2019.yml")


def programme_challenge(title: str) -> dict:
    """A challenge as the programme's site published it (its real texts)."""
    entries = yaml.safe_load(PROGRAMME_DATA.read_text(encoding="utf-8"))
    return next(entry for entry in entries if entry["title"] == title)


def moved(challenge, move: TransitionName, moment: dt.datetime):
    """The trail's event of `move` at `moment`, as `services.transition` writes it (test data:
    the move's guards are the lifecycle's tests)."""
    with clock.at(moment), transaction.atomic():
        audit.record(challenge, AuditKind.TRANSITION, by=SYSTEM, transition=move, reason="Décision du jury.")


@pytest.fixture
def promotion_3(db):
    return PromotionFactory(number=3, name="EIG 3", year=2018)


@pytest.fixture
def cartobio(promotion_3):
    """CartoBio (EIG 3), with its public texts: a long Markdown description, accents, a link."""
    entry = programme_challenge("CartoBio")
    ministry = AdministrationFactory(
        name="Ministère de l’Agriculture et de l’Alimentation", kind=AdministrationKind.MINISTRY
    )
    administration = AdministrationFactory(
        name=entry["administration"],
        kind=AdministrationKind.MINISTRY_OPERATOR,
        ministry=ministry,
        siret="18004202400036",
        website=entry["administration_website"],
        address="12 rue Henri Rol-Tanguy\n93100 Montreuil",
    )
    challenge = ChallengeFactory(
        promotion=promotion_3,
        administration=administration,
        name=entry["title"],
        summary=entry["summary"],
        public_description=entry["long_description"],
        source_code_url="https://github.com/entrepreneur-interet-general/cartobio",
        address="",
        state=ChallengeState.RUNNING,
    )
    challenge.partner_administrations.add(
        AdministrationFactory(name="Ministère de la Transition écologique et solidaire")
    )
    # Past midnight in Paris, still the 12th in UTC: the day published is Paris's.
    moved(challenge, TransitionName.SELECT, dt.datetime(2018, 7, 13, 0, 30, tzinfo=PARIS))
    moved(challenge, TransitionName.START, dt.datetime(2019, 1, 14, 9, 0, tzinfo=PARIS))
    return challenge
