"""axe-core (the engine of most accessibility audits) on the main pages: no serious violation."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from accounts.enums import Role
from accounts.services import create_user
from lifecycle import services
from lifecycle.actors import SYSTEM
from lifecycle.enums import ChallengeState
from tests.browser.conftest import log_in, screenshot
from tests.factories import ChallengeFactory, administration_contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()
PASSWORD = "mot-de-passe-a11y"


def serious_violations(page) -> list[str]:
    results = AXE.run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} – "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


def check(page, url, name):
    response = page.goto(url)
    assert response.status == 200, (url, page.content()[:3000])
    screenshot(page, name)
    assert serious_violations(page) == [], url


def test_the_sign_in_page(page, live_server):
    check(page, f"{live_server.url}/compte/connexion/", "connexion")
    check(page, f"{live_server.url}/compte/mot-de-passe/oubli/", "mot-de-passe-oublie")


def test_the_managers_pages(page, live_server):
    manager = create_user("gestionnaire", by=SYSTEM, role=Role.PROGRAMME_MANAGER, password=PASSWORD)
    challenge = ChallengeFactory(state=ChallengeState.SUBMITTED, name="Datafin")
    services.transition(challenge, "preselect", by=manager, reason="Dossier solide")
    log_in(page, live_server, "gestionnaire", PASSWORD)
    check(page, f"{live_server.url}/gestion/", "tableau-de-bord")
    check(page, f"{live_server.url}/gestion/defis/", "liste-des-defis")
    check(page, f"{live_server.url}/gestion/defis/{challenge.pk}/", "page-du-defi")
    check(page, f"{live_server.url}/gestion/audit/", "journal-audit")


def test_the_administrations_pages(page, live_server):
    challenge = ChallengeFactory(name="Datafin")
    contact = administration_contact(challenge.administration, username="contact")
    contact.set_password(PASSWORD)
    contact.save()
    log_in(page, live_server, "contact", PASSWORD)
    check(page, f"{live_server.url}/dossiers/", "portail-dossiers")
    check(page, f"{live_server.url}/dossiers/{challenge.pk}/", "portail-dossier")
