"""The managers' and the auditor's pages read at 375 and 1280 px wide, in Chromium: nothing scrolls
sideways but a table's own region (focusable and named), no table is wider than its box on a wide
screen, and axe-core finds no serious violation on a narrow one. The case is hard to read on
purpose: long texts, URLs, hashes and JSON, a dossier change with a file and child rows."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.enums import Role
from accounts.services import create_user
from lifecycle.actors import SYSTEM
from lifecycle.enums import ChallengeState
from lifecycle.models import Challenge
from mentoring import services as mentoring
from tests.backoffice.readable_case import hard_case
from tests.browser.conftest import log_in, screenshot
from tests.browser.test_accessibility import serious_violations
from tests.factories import ChallengeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "mot-de-passe-lisible"
WIDTHS = (375, 1280)

# What scrolls sideways on the page: the document, and each box that scrolls its content.
MEASURE = """() => {
  document.querySelectorAll('details').forEach(details => { details.open = true; });
  const scrolling = [...document.querySelectorAll('body *')].filter(element => {
    const overflow = getComputedStyle(element).overflowX;
    return (overflow === 'auto' || overflow === 'scroll') && element.scrollWidth > element.clientWidth + 1;
  });
  const describe = element => `${element.tagName.toLowerCase()}.${element.className} in #${
    element.closest('[id]') ? element.closest('[id]').id : ''}`;
  return {
    page: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
    wideTables: [...document.querySelectorAll('table')]
      .filter(table => table.scrollWidth > table.clientWidth + 1).map(describe),
    scrolling: scrolling.map(describe),
    unreachable: scrolling.filter(element => element.getAttribute('tabindex') !== '0'
      || element.getAttribute('role') !== 'region' || !element.getAttribute('aria-label')).map(describe),
  };
}"""


@pytest.fixture
def pages(live_server):
    manager = create_user(
        "gestionnaire", by=SYSTEM, role=Role.PROGRAMME_MANAGER, password=PASSWORD, first_name="Camille"
    )
    case = hard_case(manager, auditor_username="auditrice", password=PASSWORD)
    # A case waiting for a move, and two tasks of a selected one: the dashboard's tables have rows.
    waiting = ChallengeFactory(promotion=case.promotion, state=ChallengeState.SUBMITTED, manager=manager)
    Challenge.objects.filter(pk=waiting.pk).update(state_changed_at=timezone.now() - dt.timedelta(days=40))
    selected = ChallengeFactory(promotion=case.promotion, state=ChallengeState.SELECTED, manager=manager)
    mentoring.follow(selected)
    return {
        "gestionnaire": [
            ("tableau-de-bord", "/gestion/"),
            ("defi", f"/gestion/defis/{case.pk}/"),
            ("journal-audit", "/gestion/audit/"),
        ],
        "auditrice": [("journal-audit", "/gestion/audit/")],
    }


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("person", ["gestionnaire", "auditrice"])
def test_the_pages_read_without_scrolling_sideways(page, live_server, pages, person, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, person, PASSWORD)
    for name, url in pages[person]:
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        if width == 375:  # the page as it comes, details closed
            assert serious_violations(page) == [], url
        measures = page.evaluate(MEASURE)
        screenshot(page, f"lisible-{person}-{name}-{width}")

        assert measures["page"] <= measures["viewport"], (url, measures)
        assert measures["unreachable"] == [], (url, measures)  # a region scrolls: keyboard reaches it
        if width == 1280:
            assert measures["wideTables"] == [], (url, measures)
            assert measures["scrolling"] == [], (url, measures)
        if width == 375:
            assert serious_violations(page) == [], url  # and with every detail open
