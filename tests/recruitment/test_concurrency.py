"""A candidate accepts two offers at the same moment, each through their own connection: the
candidate's row lock makes the second wait and its guard refuse it (PostgreSQL)."""

import datetime as dt
import threading

from django.db import connections
from django.utils import timezone

from recruitment import candidacy, messages, moves
from recruitment.enums import ApplicationState as S
from recruitment.models import Application
from tests.factories import complete_candidate, open_candidates_call, programme_manager, recruiting_challenge
from tests.lifecycle.test_concurrency import wait_until_a_backend_waits_on_a_lock


def test_a_candidate_accepting_two_offers_at_once_gets_one(postgresql_transactional, monkeypatch):
    manager = programme_manager(username="gestionnaire")
    call = open_candidates_call()
    first_challenge, second_challenge = recruiting_challenge(call), recruiting_challenge(call)
    candidate = complete_candidate(call, challenges=[first_challenge, second_challenge])
    candidacy.submit(candidate, by=candidate.user)
    for application in candidate.applications.all():
        application = moves.transition(application, "preselect", by=manager)
        application = moves.schedule_interview(
            application, at=timezone.now() + dt.timedelta(days=2), place="Salle 101", by=manager
        )
        moves.transition(moves.set_rank(application, 1, by=manager), "offer", by=manager)

    first_holds_the_lock, release_first = threading.Event(), threading.Event()
    tell = messages.tell_candidate

    def hold_first_inside_its_transaction(application, event, **kwargs):
        if threading.current_thread().name == "first":
            first_holds_the_lock.set()
            release_first.wait(10)
        return tell(application, event, **kwargs)

    monkeypatch.setattr(messages, "tell_candidate", hold_first_inside_its_transaction)
    outcomes = {}

    def accept(challenge):
        try:
            moves.transition(
                Application.objects.get(challenge=challenge, candidate=candidate), "accept", by=candidate.user
            )
            outcomes[threading.current_thread().name] = "accepted"
        except moves.ApplicationMoveRefused as refusal:
            outcomes[threading.current_thread().name] = refusal
        finally:
            connections.close_all()

    first = threading.Thread(target=accept, args=(first_challenge,), name="first")
    second = threading.Thread(target=accept, args=(second_challenge,), name="second")
    try:
        first.start()
        assert first_holds_the_lock.wait(10)
        second.start()
        wait_until_a_backend_waits_on_a_lock()
        release_first.set()
        first.join(10)
        second.join(10)
    finally:
        release_first.set()

    assert outcomes["first"] == "accepted"
    # The first acceptance withdrew the other offer: the second finds it moved, and changes nothing.
    assert (outcomes["second"].code, outcomes["second"].reasons) == (
        "conflict",
        [
            "La candidature a changé d’état pendant votre action : elle est maintenant « Retirée ». "
            "Rechargez la page avant d’agir."
        ],
    )
    assert sorted(candidate.applications.values_list("state", flat=True)) == [S.ACCEPTED, S.WITHDRAWN]
