"""schemathesis over the API's own OpenAPI document, against the API served on loopback (Django's
live server), with a programme manager's read-write token: no generated input gets a 500.
(schemathesis is driven from the test, each operation's cases drawn by hypothesis.)"""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from api import tokens
from api.models import Scope
from lifecycle.enums import ChallengeState
from tests.factories import (
    AdministrationFactory,
    ChallengeFactory,
    PromotionFactory,
    heard,
    open_candidates_call,
    programme_manager,
    recruiting_challenge,
    submitted_candidate,
)


def test_no_generated_input_gets_a_server_error(live_server, transactional_db):
    promotion = PromotionFactory(number=3, name="EIG 3")
    administration = AdministrationFactory(name="Direction interministérielle du numérique")
    for name in ("Démarches accessibles", "Inventaire des orgues"):
        ChallengeFactory(
            promotion=promotion, administration=administration, name=name, state=ChallengeState.SUBMITTED
        )
    heard(ChallengeFactory(promotion=promotion, administration=administration, state=ChallengeState.PITCHED))
    call = open_candidates_call(promotion)
    submitted_candidate(call, [recruiting_challenge(call, administration=administration)])
    _token, secret = tokens.create(programme_manager(), name="Fuzz", scope=Scope.WRITE)
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/?format=json")
    seen = []
    for result in schema.get_all_operations():
        operation = result.ok()
        seen.append(f"{operation.method.upper()} {operation.path}")

        @given(case=operation.as_strategy())
        @settings(max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {secret}"}, checks=[not_a_server_error])

        check()
    assert sorted(seen) == [
        "GET /api/v1/applications/",
        "GET /api/v1/audit/",
        "GET /api/v1/challenges/",
        "GET /api/v1/challenges/{id}/",
        "GET /api/v1/promotions/",
        "GET /api/v1/promotions/{number}/",
        "GET /api/v1/promotions/{number}/ranking/",
        "POST /api/v1/challenges/{id}/moves/",
    ]
