"""A jury member in Chromium, on a phone's width (375 px): signs in, opens their auditions, fills
a collective grid and sees it saved; the members' pages never scroll sideways and axe-core finds
no serious or critical violation on them."""

import datetime as dt

import pytest
from django.utils import timezone

from jury import services
from jury.models import Score, SubJury
from lifecycle import criteria
from lifecycle.enums import ChallengeState
from tests.browser.conftest import log_in, screenshot
from tests.browser.test_accessibility import serious_violations
from tests.factories import ChallengeFactory, PromotionFactory, jury_member, pitch_slot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "mot-de-passe-du-jury"
PHONE = {"width": 375, "height": 800}


def overflow(page) -> int:
    """How far the page is wider than the viewport (0: no horizontal scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth") - PHONE["width"]


def check(page, url, name):
    response = page.goto(url)
    assert response.status == 200, (url, page.content()[:3000])
    screenshot(page, name)
    assert overflow(page) <= 0, url
    assert serious_violations(page) == [], url


@pytest.fixture
def hearing():
    """The two challenges a member's sub-jury has just heard: their grids and the general grid open."""
    promotion = PromotionFactory(name="EIG 3")
    jury = services.jury_of(promotion)
    sub_jury = SubJury.objects.create(jury=jury, name="Sous-jury Lamartine")
    member = jury_member(jury, first_name="Dominique", last_name="Juré", username="jure")
    member.user.set_password(PASSWORD)
    member.user.save()
    sub_jury.members.add(member)
    now = timezone.now().replace(second=0, microsecond=0)
    challenges = []
    for index, name in enumerate(["Datafin : la fraude aux finances publiques", "Signaux faibles"]):
        challenge = ChallengeFactory(promotion=promotion, name=name, state=ChallengeState.PITCHED)
        pitch_slot(challenge, sub_jury=sub_jury, starts_at=now - dt.timedelta(minutes=100 - 45 * index))
        challenges.append(challenge)
    return challenges


def test_a_member_signs_in_and_fills_a_grid_on_a_phone(page, live_server, hearing):
    challenge = hearing[0]
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "jure", PASSWORD)
    page.wait_for_url(f"{live_server.url}/jury/")

    assert page.get_by_role("heading", level=1).inner_text() == "Mes auditions"
    assert page.get_by_role(
        "link", name="Datafin : la fraude aux finances publiques", exact=True
    ).is_visible()
    check(page, f"{live_server.url}/jury/", "jury-mes-auditions")

    page.locator(f"#slot-{challenge.pk}").get_by_role("link", name="Grille collective").click()
    page.wait_for_url(f"{live_server.url}/jury/defis/{challenge.pk}/grille/")
    assert overflow(page) <= 0
    for criterion in criteria.of_call(challenge.promotion.call):
        page.locator(f"label[for=id_value_{criterion.pk}_2]").click()
        page.locator(f"#id_comment_{criterion.pk}").fill(f"Le sous-jury retient « {criterion.name} ».")
    screenshot(page, "jury-grille-remplie")
    page.get_by_role("button", name="Enregistrer la grille").click()

    page.wait_for_url(f"{live_server.url}/jury/defis/{challenge.pk}/grille/")
    assert page.get_by_role("status").inner_text().strip() == (
        "La grille collective de « Datafin : la fraude aux finances publiques » est enregistrée. "
        "Tous les critères sont notés."
    )
    assert overflow(page) <= 0
    screenshot(page, "jury-grille-enregistree")
    assert sorted(Score.objects.filter(challenge=challenge).values_list("value", flat=True)) == [3] * 5


def test_the_members_pages_on_a_phone(page, live_server, hearing):
    challenge, other = hearing
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "jure", PASSWORD)
    page.wait_for_url(f"{live_server.url}/jury/")

    check(page, f"{live_server.url}/jury/defis/{challenge.pk}/", "jury-dossier")
    check(page, f"{live_server.url}/jury/defis/{challenge.pk}/grille/", "jury-grille")
    check(page, f"{live_server.url}/jury/grille-generale/", "jury-grille-generale")
    assert page.locator("#general-grid-form").is_visible()
    check(page, f"{live_server.url}/jury/conflits/", "jury-conflits")

    # A refused general grid (two coups de coeur) keeps what was typed, its errors readable too.
    page.goto(f"{live_server.url}/jury/grille-generale/")
    for index, item in enumerate([challenge, other], start=1):
        page.locator(f"label[for=id_favourable_{item.pk}_0]").click()
        page.locator(f"#id_preference_{item.pk}").select_option(str(index))
        page.locator(f"#id_explanation_{item.pk}").fill("Un défi porté par une équipe solide.")
        page.locator(f"label[for=id_favourite_{item.pk}]").click()
    page.get_by_role("button", name="Enregistrer ma grille générale").click()
    assert page.locator("#form-errors").get_by_text("Un seul coup de cœur par membre.").is_visible()
    assert page.locator(f"#id_explanation_{other.pk}").input_value() == "Un défi porté par une équipe solide."
    screenshot(page, "jury-grille-generale-refusee")
    assert overflow(page) <= 0
    assert serious_violations(page) == []
