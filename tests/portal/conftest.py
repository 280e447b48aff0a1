import pytest

from tests.factories import AdministrationFactory, PromotionFactory, administration_contact


@pytest.fixture
def administration(db):
    return AdministrationFactory(name="Direction interministérielle du numérique")


@pytest.fixture
def promotion(db):
    return PromotionFactory(name="EIG 3")


@pytest.fixture
def contact(administration):
    return administration_contact(administration, username="contact-dinum")


@pytest.fixture
def contact_client(client, contact):
    client.force_login(contact)
    return client
