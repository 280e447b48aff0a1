"""The dashboard's parts: the pipeline as bars, the call's dates as a timeline, my challenges, the
cases without a move for N days (`?jours=`), my tasks with their challenge."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.enums import Role
from accounts.services import create_user
from lifecycle.actors import SYSTEM
from lifecycle.enums import ChallengeState
from lifecycle.models import Call, Challenge
from mentoring import services as mentoring
from tests.backoffice.page_text import text_of
from tests.factories import ChallengeFactory, PromotionFactory

PARIS = ZoneInfo("Europe/Paris")
S = ChallengeState
URL = reverse("backoffice:dashboard")
NOW = dt.datetime(2018, 7, 4, 9, 0, tzinfo=PARIS)


@pytest.fixture
def promotion(db):
    promotion = PromotionFactory(number=3, name="EIG 3", year=2018)
    Call.objects.filter(promotion=promotion).update(
        information_event_at=dt.datetime(2018, 4, 12, 18, 30, tzinfo=PARIS),
        submission_opens_at=dt.datetime(2018, 5, 2, 9, 0, tzinfo=PARIS),
        submission_deadline=dt.datetime(2018, 6, 17, 23, 59, tzinfo=PARIS),
        jury_starts_on=dt.date(2018, 7, 3),
        jury_ends_on=dt.date(2018, 7, 5),
        recruitment_opens_at=dt.datetime(2018, 7, 10, 10, 0, tzinfo=PARIS),
        recruitment_closes_at=dt.datetime(2018, 9, 30, 23, 59, tzinfo=PARIS),
        starts_on=dt.date(2019, 1, 7),
    )
    return promotion


def section(html, element_id):
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</section>", start)]


def moved(challenge, days):
    Challenge.objects.filter(pk=challenge.pk).update(state_changed_at=NOW - dt.timedelta(days=days))


def test_the_pipeline_is_drawn_as_bars_with_its_numbers_as_text(manager_client, promotion):
    for state in [S.SUBMITTED, S.SUBMITTED, S.SUBMITTED, S.PRESELECTED]:
        ChallengeFactory(promotion=promotion, state=state, dossier_rows=False)

    html = manager_client.get(URL).content.decode()
    chart = section(html, "pipeline-chart")

    bars = dict(re.findall(r'data-state="(\w+)">.*?style="width: (\d+)%;"', chart, re.S))
    assert (bars["submitted"], bars["preselected"], bars["draft"]) == ("100", "33", "0")
    # The bars are drawn for the eyes only; the numbers are text, and a table says the same.
    assert chart.count('<span class="eig-bars__track" aria-hidden="true">') == len(ChallengeState)
    assert '3<span class="fr-sr-only"> défis</span>' in chart
    assert "<details" in chart and "<table>" in chart


def test_the_calls_dates_as_a_timeline_past_current_and_next(manager_client, promotion):
    with time_machine.travel(NOW, tick=False):
        html = manager_client.get(URL).content.decode()
    dates = section(html, "dates")
    items = re.findall(r'<li class="eig-dates__item eig-dates__item--(\w+)( eig-dates__item--next)?"', dates)

    labels = re.findall(r'<span class="eig-dates__label">(.*?)</span>', dates)
    assert labels[:6] == [
        "Événement d’information",
        "Ouverture du dépôt des dossiers",
        "Date limite de dépôt des dossiers",
        "Jury",
        "Ouverture de l’appel à candidatures",
        "Clôture de l’appel à candidatures",
    ]
    assert [status for status, _next in items[:5]] == ["past", "past", "past", "current", "ahead"]
    # The jury, under way, is the next thing to happen: highlighted, and the only one.
    assert [bool(next_) for _status, next_ in items].index(True) == 3
    assert dates.count("eig-dates__item--next") == 1
    assert dates.count('aria-current="step"') == 1
    text = text_of(dates)
    assert "Date limite de dépôt des dossiers dimanche 17 juin 2018 à 23:59 incluse passée" in text
    assert "Jury du mardi 3 juillet 2018 au jeudi 5 juillet 2018 prochaine — en cours" in text
    assert "Ouverture de l’appel à candidatures mardi 10 juillet 2018 à 10:00 dans 6 jours" in text
    assert "Arrivée des EIG lundi 7 janvier 2019" in text


def test_cases_without_a_move_for_n_days(manager_client, manager, promotion):
    waiting = ChallengeFactory(promotion=promotion, state=S.SUBMITTED, name="Datafin", dossier_rows=False)
    recent = ChallengeFactory(promotion=promotion, state=S.PRESELECTED, name="Signaux", dossier_rows=False)
    closed = ChallengeFactory(
        promotion=promotion, state=S.NOT_PRESELECTED, name="Archivé", dossier_rows=False
    )
    older = PromotionFactory(number=2, name="EIG 2", year=2017)
    other = ChallengeFactory(promotion=older, state=S.SUBMITTED, name="Autre promotion", dossier_rows=False)
    moved(waiting, 20)
    moved(recent, 5)
    moved(closed, 60)
    moved(other, 60)

    with time_machine.travel(NOW, tick=False):
        default = text_of(section(manager_client.get(URL).content.decode(), "stale"))
        three = text_of(section(manager_client.get(URL, {"jours": "3"}).content.decode(), "stale"))
        thirty = text_of(section(manager_client.get(URL, {"jours": "30"}).content.decode(), "stale"))
        wrong = text_of(section(manager_client.get(URL, {"jours": "-2"}).content.decode(), "stale"))

    assert "Défis sans changement d’état depuis 14 jours" in default
    assert "1 défi attend un changement d’état" in default
    assert "Datafin" in default and "il y a 20 jours" in default
    assert "Signaux" not in default and "Archivé" not in default and "Autre promotion" not in default
    assert "2 défis attendent un changement d’état" in three
    assert three.index("Datafin") < three.index("Signaux")  # the oldest first
    assert "Aucun défi ne dépasse ce délai." in thirty
    assert "depuis 14 jours" in wrong


def test_my_challenges_are_those_i_am_in_charge_of_and_still_open(manager_client, manager, promotion):
    colleague = create_user("collegue", by=SYSTEM, role=Role.PROGRAMME_MANAGER)
    mine = ChallengeFactory(promotion=promotion, state=S.SUBMITTED, name="Datafin", manager=manager)
    ChallengeFactory(promotion=promotion, state=S.SUBMITTED, name="Signaux", manager=colleague)
    ChallengeFactory(promotion=promotion, state=S.WITHDRAWN, name="Retiré", manager=manager)

    html = manager_client.get(URL).content.decode()
    part = section(html, "mine")

    assert f'<a href="{reverse("backoffice:challenge", args=[mine.pk])}">Datafin</a>' in part
    assert "Signaux" not in part and "Retiré" not in part
    assert "1 défi en cours dont je suis chargé·e" in text_of(part)


def test_my_tasks_name_their_challenge_and_link_to_the_task_and_the_case(manager_client, manager, promotion):
    challenge = ChallengeFactory(
        promotion=promotion, state=S.SELECTED, name="Données de santé", manager=manager
    )
    mentoring.follow(challenge)
    tasks = list(mentoring.inbox(manager))
    assert len(tasks) == 2

    html = manager_client.get(URL).content.decode()
    start = html.index('id="tasks"')
    part = html[start : html.index("</table>", start)]

    for task in tasks:
        assert f'href="{reverse("mentoring:task", args=[task.pk])}"' in part
    assert (
        part.count(f'<a href="{reverse("backoffice:challenge", args=[challenge.pk])}">Données de santé</a>')
        == 2
    )
    assert "Confirmer le mentor opérationnel" in part and "Confirmer le mentor stratégique" in part
