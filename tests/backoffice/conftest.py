import pytest

from accounts.enums import Role
from accounts.services import create_user
from lifecycle.actors import SYSTEM


@pytest.fixture
def manager(db):
    return create_user(
        "gestionnaire", by=SYSTEM, role=Role.PROGRAMME_MANAGER, first_name="Claude", last_name="Etalab"
    )


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client
