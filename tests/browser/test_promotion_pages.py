"""The promotions' pages in a browser: a manager creates a promotion through real fields (dates,
radios and checkboxes of the design system), and axe-core finds no serious violation."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from accounts.enums import Role
from accounts.services import create_user
from lifecycle.actors import SYSTEM
from lifecycle.models import Promotion
from tests.browser.conftest import log_in, screenshot
from tests.browser.test_accessibility import serious_violations
from tests.factories import PromotionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "mot-de-passe-promotions"


def test_a_manager_creates_a_promotion_in_the_browser(page, live_server):
    PromotionFactory(number=3, name="EIG 3")
    create_user("gestionnaire", by=SYSTEM, role=Role.PROGRAMME_MANAGER, password=PASSWORD)
    log_in(page, live_server, "gestionnaire", PASSWORD)

    page.get_by_role("link", name="Promotions", exact=True).click()
    assert serious_violations(page) == []
    page.get_by_role("link", name="Nouvelle promotion").click()
    assert page.locator("#id_number").input_value() == "4"
    assert serious_violations(page) == []

    page.fill("#id_submission_opens_at", "2019-06-03T09:00")
    page.fill("#id_submission_deadline", "2019-09-30T23:59")
    page.fill("#id_recruitment_opens_at", "2019-10-01T10:00")
    page.fill("#id_recruitment_closes_at", "2019-09-01T18:00")  # before its opening
    page.get_by_text("Le coût total employeur d’un nombre de mois").click()
    page.fill("#id_cofinancing_months", "3")
    page.get_by_text("Collectivité territoriale").click()
    page.fill("#id_profils-3-code", "juriste")
    page.fill("#id_profils-3-label", "Juriste")
    page.get_by_role("button", name="Créer la promotion").click()

    assert page.locator("#form-errors").inner_text().count("La clôture doit suivre l’ouverture.") == 1
    assert not Promotion.objects.filter(number=4).exists()
    screenshot(page, "promotion-erreur")
    assert serious_violations(page) == []

    page.fill("#id_recruitment_closes_at", "2019-11-15T18:00")
    page.get_by_role("button", name="Créer la promotion").click()

    assert page.get_by_text("La promotion EIG 4 est créée avec son appel.").is_visible()
    screenshot(page, "promotion")
    assert serious_violations(page) == []
    call = Promotion.objects.get(number=4).call
    paris = ZoneInfo("Europe/Paris")
    assert call.submission_deadline == dt.datetime(2019, 9, 30, 23, 59, tzinfo=paris)
    assert (call.cofinancing_kind, call.cofinancing_months) == ("months", 3)
    assert call.cofinancing_eligible_kinds == ["ministry", "ministry_operator", "territorial_authority"]
    assert list(call.profiles.values_list("code", flat=True)) == [
        "development",
        "data_science",
        "design",
        "juriste",
    ]
