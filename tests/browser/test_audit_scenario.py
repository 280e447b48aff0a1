import csv
import io

import pytest

from accounts.enums import Role
from accounts.services import create_user
from lifecycle import services
from lifecycle.actors import SYSTEM
from lifecycle.enums import ChallengeState
from tests.browser.conftest import log_in, screenshot
from tests.factories import ChallengeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_auditor_verifies_and_exports_the_trail(page, live_server):
    manager = create_user("gestionnaire", by=SYSTEM, role=Role.PROGRAMME_MANAGER)
    for name in ("Datafin", "Signaux faibles"):
        challenge = ChallengeFactory(state=ChallengeState.SUBMITTED, name=name)
        services.transition(challenge, "preselect", by=manager, reason="Dossier solide")
    create_user("auditrice", by=SYSTEM, role=Role.AUDITOR, password="mot-de-passe-audit")

    log_in(page, live_server, "auditrice", "mot-de-passe-audit")
    assert page.get_by_role("heading", level=1).inner_text() == "Journal d’audit"
    page.get_by_role("button", name="Vérifier la chaîne maintenant").click()
    # two moves, and the two accounts given their role
    assert "4 événements vérifiés le" in page.locator("#chain-status").inner_text()
    assert "chaîne intègre." in page.locator("#chain-status").inner_text()
    screenshot(page, "audit-review")

    page.get_by_label("Défi (nom ou numéro)").fill("datafin")
    page.get_by_role("button", name="Filtrer").click()
    assert page.locator("caption").inner_text() == "1 événement"
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exporter en CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("journal-audit-")
    rows = list(csv.DictReader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    assert [(row["transition"], row["reason"]) for row in rows] == [("preselect", "Dossier solide")]
