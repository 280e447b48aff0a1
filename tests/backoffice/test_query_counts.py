"""The dashboard and the list run a fixed number of SQL queries, whatever the number of cases."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lifecycle import services
from lifecycle.enums import AdministrationKind, ChallengeState
from lifecycle.models import Administration, Challenge
from tests.factories import ChallengeFactory, PromotionFactory

STATES = [ChallengeState.SUBMITTED, ChallengeState.SELECTED, ChallengeState.RUNNING, ChallengeState.PITCHED]
KINDS = [AdministrationKind.MINISTRY, AdministrationKind.TERRITORIAL_AUTHORITY]

PAGES = {
    "dashboard": (reverse("backoffice:dashboard"), {}),
    "list": (reverse("backoffice:challenges"), {}),
    "list filtered and sorted": (
        reverse("backoffice:challenges"),
        {"q": "défi", "cofinancement": "oui", "tri": "-administration", "page": "2"},
    ),
    "csv export": (reverse("backoffice:challenges_export", args=["csv"]), {"tri": "etat"}),
    "xlsx export": (reverse("backoffice:challenges_export", args=["xlsx"]), {}),
}


def add_challenges(promotion, count, start):
    """`count` cases, each carried by its own administration, in several states."""
    administrations = Administration.objects.bulk_create(
        Administration(name=f"Administration {n}", kind=kind)
        for n, kind in zip(range(start, start + count), itertools.cycle(KINDS), strict=False)
    )
    Challenge.objects.bulk_create(
        Challenge(
            name=f"Défi {n:04d}",
            promotion=promotion,
            administration=administration,
            state=state,
            cofinancing_requested=True,
        )
        for n, administration, state in zip(
            range(start, start + count), administrations, itertools.cycle(STATES), strict=False
        )
    )


def count_queries(client, url, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", list(PAGES))
def test_the_query_count_does_not_grow_with_the_number_of_challenges(manager_client, manager, page):
    url, params = PAGES[page]
    promotion = PromotionFactory(number=3)
    # Some audit events, so that the recent activity has rows to show.
    for challenge in ChallengeFactory.create_batch(
        3, promotion=promotion, state=ChallengeState.SUBMITTED, dossier_rows=False
    ):
        services.transition(challenge, "preselect", by=manager, reason="Comité")

    add_challenges(promotion, 10, start=0)
    at_10 = count_queries(manager_client, url, params)
    add_challenges(promotion, 490, start=10)
    assert Challenge.objects.count() == 503
    at_500 = count_queries(manager_client, url, params)

    print(f"{page}: {at_10} queries at 10 challenges, {at_500} at 500")
    assert at_500 == at_10
    assert at_500 <= 13
