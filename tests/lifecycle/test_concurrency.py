"""Two people act on one challenge at the same moment, each through their own connection."""

import threading
import time

import pytest
from django.db import connection, connections

from lifecycle import services, signals
from lifecycle.enums import AuditKind, ChallengeState
from lifecycle.models import AuditEvent, Challenge
from tests.factories import ChallengeFactory, programme_manager


def wait_until_a_backend_waits_on_a_lock(timeout=10.0):
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the second connection never waited for the row lock")


@pytest.mark.parametrize(("first_move", "second_move"), [("preselect", "reject"), ("preselect", "preselect")])
def test_exactly_one_of_two_racing_moves_wins(postgresql_transactional, first_move, second_move):
    manager = programme_manager(username="gestionnaire")
    challenge = ChallengeFactory(state=ChallengeState.SUBMITTED)
    first_holds_the_lock, release_first = threading.Event(), threading.Event()
    outcomes = {}

    def hold_first_inside_its_transaction(sender, **kwargs):
        if threading.current_thread().name == "first":
            first_holds_the_lock.set()
            release_first.wait(10)

    def act(move):
        try:
            copy = Challenge.objects.get(pk=challenge.pk)  # both read "submitted"
            services.transition(copy, move, by=manager, reason="Décision du comité")
            outcomes[threading.current_thread().name] = "moved"
        except services.TransitionRefused as refusal:
            outcomes[threading.current_thread().name] = refusal
        finally:
            connections.close_all()

    signals.transition_applied.connect(hold_first_inside_its_transaction)
    try:
        first = threading.Thread(target=act, args=(first_move,), name="first")
        second = threading.Thread(target=act, args=(second_move,), name="second")
        first.start()
        assert first_holds_the_lock.wait(10)
        second.start()
        wait_until_a_backend_waits_on_a_lock()
        release_first.set()
        first.join(10)
        second.join(10)
    finally:
        release_first.set()
        signals.transition_applied.disconnect(hold_first_inside_its_transaction)

    assert outcomes["first"] == "moved"
    refusal = outcomes["second"]
    assert isinstance(refusal, services.TransitionRefused)
    assert (refusal.code, refusal.reasons) == (
        "conflict",
        [
            "Le défi a changé d’état pendant votre action : il est maintenant « Présélectionné ». "
            "Rechargez-le avant d’agir."
        ],
    )
    assert Challenge.objects.get(pk=challenge.pk).state == ChallengeState.PRESELECTED
    moves = AuditEvent.objects.filter(challenge=challenge, kind=AuditKind.TRANSITION)
    assert list(moves.values_list("transition", flat=True)) == ["preselect"]
