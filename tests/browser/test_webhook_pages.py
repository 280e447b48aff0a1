"""Webhooks in Chromium: a contact registers one and copies its secret into a receiver on
loopback; a move is delivered, signed; a manager replays it after reading what is sent again."""

from accounts.enums import Role
from accounts.services import create_user
from lifecycle import services
from lifecycle.actors import SYSTEM
from lifecycle.enums import ChallengeState
from tests.browser.conftest import log_in, screenshot
from tests.factories import AdministrationFactory, ChallengeFactory, PromotionFactory, administration_contact
from webhooks.receiver import Receiver

PASSWORD = "mot-de-passe-des-tests"


def test_a_contact_registers_a_webhook_hears_a_move_and_a_manager_replays_it(page, live_server):
    promotion = PromotionFactory(number=3, name="EIG 3")
    dinum = AdministrationFactory(name="Direction interministérielle du numérique")
    challenge = ChallengeFactory(
        promotion=promotion,
        administration=dinum,
        name="Démarches accessibles",
        state=ChallengeState.SUBMITTED,
    )
    contact = administration_contact(dinum, username="contact-dinum")
    contact.set_password(PASSWORD)
    contact.save()
    manager = create_user("gestionnaire", by=SYSTEM, role=Role.PROGRAMME_MANAGER, password=PASSWORD)

    with Receiver() as receiver:
        log_in(page, live_server, "contact-dinum", PASSWORD)
        page.goto(f"{live_server.url}/compte/webhooks/")
        page.get_by_label("Nom (à quoi il sert)").fill("Système d’information de la DINUM")
        page.get_by_label("Adresse (URL) qui reçoit les envois").fill(receiver.url)
        page.get_by_role("button", name="Enregistrer le webhook").click()
        receiver.secret = page.locator("#secret").inner_text().strip()  # copied, as a person would
        screenshot(page, "webhooks-secret")
        assert receiver.secret.startswith("whsec_")
        page.reload()
        assert page.locator("#secret").count() == 0  # shown once

        services.transition(challenge, "preselect", by=manager, reason="Un défi clair, porté par la DINUM")

        (taken,) = receiver.taken
        assert taken["body"]["move"] == {
            "transition": "preselect",
            "from_state": "submitted",
            "to_state": "preselected",
            "reason": "Un défi clair, porté par la DINUM",
        }
        page.get_by_role("link", name="Système d’information de la DINUM").click()
        assert page.locator(f'tr[data-delivery="{taken["id"]}"]').inner_text().count("Remis") == 1
        assert page.get_by_role("link", name="Rejouer…").count() == 0  # a contact does not replay
        screenshot(page, "webhooks-envois-contact")

        page.get_by_role("button", name="Se déconnecter").click()
        log_in(page, live_server, "gestionnaire", PASSWORD)
        page.goto(f"{live_server.url}/compte/webhooks/")
        page.get_by_role("link", name="Système d’information de la DINUM").click()
        page.get_by_role("link", name="Rejouer…").click()
        assert "Un défi clair, porté par la DINUM" in page.locator("pre").inner_text()
        screenshot(page, "webhooks-rejouer")
        page.get_by_role("button", name="Confirmer : envoyer de nouveau").click()

        first, again = receiver.taken
        assert again["headers"]["X-EIG-Replay-Of"] == first["id"] != again["id"]
        assert receiver.rejected == [] and receiver.duplicates == []
        assert "Envoi rejoué" in page.locator(".fr-alert").first.inner_text()
