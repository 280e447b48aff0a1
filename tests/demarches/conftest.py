import pytest

from demarches import fake as ds_server
from demarches.models import Demarche
from tests.factories import PromotionFactory, programme_manager


@pytest.fixture
def ds(settings):
    """DS on loopback, and the settings that reach it."""
    with ds_server.running() as fake:
        settings.DS_API_URL = f"{fake.base_url}/api/v2/graphql"
        settings.DS_API_TOKEN = ds_server.TOKEN
        settings.DS_TIMEOUT = 2.0
        settings.DS_RETRY_BACKOFF = 0.05
        yield fake


@pytest.fixture
def manager(db):
    return programme_manager(username="camille", first_name="Camille", last_name="Martin")


@pytest.fixture
def demarche(db):
    promotion = PromotionFactory(number=3, name="EIG 3", year=2018)
    return Demarche.objects.create(
        number=ds_server.DEMARCHE, promotion=promotion, mapping=ds_server.mapping()
    )


@pytest.fixture
def real():
    return ds_server.real_challenges()
