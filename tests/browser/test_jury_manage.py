"""The managers' jury pages in Chromium at a phone's width: readable, nothing out of reach, and
no serious or critical axe-core violation."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from accounts.services import create_user
from jury import services
from jury.models import Conflict, SubJury
from lifecycle.actors import SYSTEM
from lifecycle.enums import ChallengeState
from tests.browser.conftest import log_in, screenshot
from tests.browser.test_accessibility import serious_violations
from tests.browser.test_readable_pages import MEASURE
from tests.factories import AdministrationFactory, ChallengeFactory, PromotionFactory, jury_member, pitch_slot
from tests.jury.test_manage_pages import PAGES


def pitched(promotion, name, administration="Direction du numérique"):
    return ChallengeFactory(
        promotion=promotion,
        name=name,
        state=ChallengeState.PITCHED,
        administration=AdministrationFactory(name=administration),
    )


# --- At a phone's width, in Chromium --------------------------------------------------------------

PASSWORD = "mot-de-passe-du-jury"


@pytest.fixture
def phone(browser, live_server, settings):
    """A page in Chromium, 375 px wide, in French."""
    settings.SITE_URL = live_server.url
    context = browser.new_context(locale="fr-FR", viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_pages_read_at_375_px_without_a_serious_violation(phone, live_server):
    create_user(
        "gestionnaire", by=SYSTEM, role=Role.PROGRAMME_MANAGER, password=PASSWORD, first_name="Claire"
    )
    promotion = PromotionFactory(number=7, name="EIG 7")
    jury = services.jury_of(promotion)
    sub_jury = SubJury.objects.create(jury=jury, name="Sous-jury des administrations centrales")
    members = [
        jury_member(jury, first_name="Marie-Dominique", last_name=f"Delacroix-Beaumarchais{n}")
        for n in range(3)
    ]
    sub_jury.members.set(members[:2])
    started = timezone.now() - dt.timedelta(hours=2)
    challenges = []
    for n in range(3):
        challenge = pitched(
            promotion,
            f"Défi de la transformation numérique des services déconcentrés n°{n}",
            administration=f"Direction interministérielle du numérique et du système d’information n°{n}",
        )
        pitch_slot(challenge, sub_jury=sub_jury, starts_at=started + dt.timedelta(minutes=45 * n))
        challenges.append(challenge)
    Conflict.objects.create(
        member=members[0],
        challenge=challenges[1],
        reason="A dirigé ce service jusqu’en 2017, et garde des liens avec son équipe.",
        declared_by=members[0].user,
        declared_at=timezone.now(),
    )
    pitched(promotion, "Défi sans audition encore")
    log_in(phone, live_server, "gestionnaire", PASSWORD)
    urls = [reverse(name) for name in PAGES] + [reverse("jury:manage_grid", args=[challenges[0].pk])]
    for target in urls:
        response = phone.goto(live_server.url + target)
        assert response.status == 200, target
        assert serious_violations(phone) == [], target
        measures = phone.evaluate(MEASURE)
        screenshot(phone, f"jury-gestion-{target.strip('/').replace('/', '-')}-375")
        assert measures["page"] <= measures["viewport"], (target, measures)
        assert measures["unreachable"] == [], (target, measures)
