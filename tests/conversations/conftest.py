import pytest
from django.test import Client

from accounts.enums import Role
from accounts.services import create_user
from lifecycle.actors import SYSTEM
from lifecycle.enums import ChallengeState
from tests.factories import AdministrationFactory, ChallengeFactory, administration_contact


@pytest.fixture
def administration(db):
    return AdministrationFactory(name="Direction interministérielle du numérique")


@pytest.fixture
def manager(db):
    return create_user(
        "gestionnaire",
        by=SYSTEM,
        role=Role.PROGRAMME_MANAGER,
        first_name="Claude",
        last_name="Etalab",
        email="claude.etalab@beta.gouv.fr",
    )


@pytest.fixture
def contact(administration):
    return administration_contact(
        administration, username="contact-dinum", first_name="Dominique", last_name="Numérique"
    )


@pytest.fixture
def challenge(administration, manager):
    return ChallengeFactory(
        name="Défi Hopkins", administration=administration, manager=manager, state=ChallengeState.SUBMITTED
    )


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def manager_client(manager):
    return signed_in(manager)


@pytest.fixture
def contact_client(contact):
    return signed_in(contact)
