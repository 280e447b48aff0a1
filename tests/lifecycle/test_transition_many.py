"""`services.transition_many`: one move on several challenges in one transaction, each with the
refusals it would get alone, one statement to lock them, one to write their states, one write of
their chained events."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifecycle import audit, services
from lifecycle.enums import AuditKind, ChallengeState
from lifecycle.models import AuditEvent, Challenge
from notifications.models import Notification
from tests.factories import ChallengeFactory, programme_manager

S = ChallengeState


@pytest.fixture
def manager(db):
    return programme_manager(username="gestionnaire")


def submitted(count, **kwargs):
    return [ChallengeFactory(state=S.SUBMITTED, name=f"Défi n°{n}", **kwargs) for n in range(count)]


def captured_sql(captured):
    return [query["sql"] for query in captured.captured_queries]


def statements(captured, start):
    return [sql for sql in captured_sql(captured) if sql.startswith(start)]


def test_every_challenge_moves_with_its_own_chained_event_and_its_e_mails(
    manager, django_capture_on_commit_callbacks
):
    challenges = submitted(3)
    alone = ChallengeFactory(state=S.SUBMITTED, name="Défi seul")
    services.transition(alone, "preselect", by=manager, reason="Dossier solide")
    mails_alone = Notification.objects.filter(challenge=alone).count()

    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.transition_many(challenges, "preselect", by=manager, reason="Dossiers solides")

    assert [challenge.pk for challenge in outcome.moved] == [challenge.pk for challenge in challenges]
    assert outcome.refused == {}
    assert set(
        Challenge.objects.filter(pk__in=[c.pk for c in challenges]).values_list("state", flat=True)
    ) == {S.PRESELECTED}
    events = list(
        AuditEvent.objects.filter(challenge__in=challenges, kind=AuditKind.TRANSITION).order_by("id")
    )
    assert [(e.challenge_id, e.transition, e.from_state, e.to_state, e.reason) for e in events] == [
        (challenge.pk, "preselect", S.SUBMITTED, S.PRESELECTED, "Dossiers solides")
        for challenge in challenges
    ]
    assert [Notification.objects.filter(audit_event=event).count() for event in events] == [mails_alone] * 3
    assert audit.verify().intact


def test_the_refused_are_reported_each_with_its_reasons_and_the_others_move(manager):
    movable, stale, elsewhere = submitted(3)
    Challenge.objects.filter(pk=stale.pk).update(state=S.PRESELECTED)  # moved by someone else meanwhile
    elsewhere = Challenge.objects.get(pk=elsewhere.pk)
    services.transition(elsewhere, "preselect", by=manager, reason="Déjà fait")
    elsewhere = Challenge.objects.get(pk=elsewhere.pk)  # read as it is now: preselected

    outcome = services.transition_many(
        [movable, stale, elsewhere], "preselect", by=manager, reason="Dossiers solides"
    )

    assert [challenge.pk for challenge in outcome.moved] == [movable.pk]
    assert {pk: (refusal.code, refusal.reasons) for pk, refusal in outcome.refused.items()} == {
        stale.pk: (
            "conflict",
            [
                "Le défi a changé d’état pendant votre action : il est maintenant « Présélectionné ». "
                "Rechargez-le avant d’agir."
            ],
        ),
        elsewhere.pk: (
            "not_allowed",
            ["« Présélectionner » n’est pas possible depuis l’état « Présélectionné »."],
        ),
    }
    assert Challenge.objects.get(pk=movable.pk).state == S.PRESELECTED


def test_asked_whole_one_refusal_moves_none(manager):
    movable, stale = submitted(2)
    Challenge.objects.filter(pk=stale.pk).update(state=S.PRESELECTED)
    before = AuditEvent.objects.count()

    with pytest.raises(services.BulkTransitionRefused) as caught:
        services.transition_many(
            [movable, stale], "preselect", by=manager, reason="Tout ou rien", all_or_nothing=True
        )

    assert list(caught.value.refused) == [stale.pk]
    assert caught.value.code == "bulk"
    assert Challenge.objects.get(pk=movable.pk).state == S.SUBMITTED
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("count", [2, 12])
def test_one_statement_locks_them_one_writes_their_states_one_their_events(manager, count):
    first, *challenges = submitted(count + 1)
    services.transition(first, "preselect", by=manager, reason="La chaîne a sa tête")

    with CaptureQueriesContext(connection) as captured:
        outcome = services.transition_many(challenges, "preselect", by=manager, reason="Dossiers solides")

    assert len(outcome.moved) == count
    assert len(statements(captured, 'UPDATE "lifecycle_challenge"')) == 1
    assert len(statements(captured, 'INSERT INTO "lifecycle_auditevent"')) == 1
    assert len(statements(captured, 'UPDATE "lifecycle_auditchainhead"')) == 1
    locks = [
        sql
        for sql in statements(captured, "SELECT")
        if 'FROM "lifecycle_challenge"' in sql.split(" WHERE ")[0]
    ]
    assert len(locks) == 1
    if connection.vendor == "postgresql":
        assert (
            locks[0].endswith('FOR NO KEY UPDATE OF "lifecycle_challenge"') or " FOR UPDATE OF " in locks[0]
        )
    # Their e-mails: the contacts of all their administrations read at once, each template once,
    # one query for those already queued, one insert.
    assert len([sql for sql in captured_sql(captured) if 'FROM "accounts_profile"' in sql]) == 1
    assert len([sql for sql in captured_sql(captured) if 'FROM "lifecycle_mentor"' in sql]) == 1
    assert len(statements(captured, 'INSERT INTO "notifications_notification"')) == 1
    assert len([sql for sql in captured_sql(captured) if '"notifications_messagetemplate"' in sql]) == 1
    assert len([sql for sql in captured_sql(captured) if '."idempotency_key" AS' in sql]) == 1
    alone = Notification.objects.filter(challenge=first).count()  # as the single move wrote them
    assert alone >= 3
    assert Notification.objects.filter(audit_event__challenge__in=challenges).count() == alone * count


def test_after_the_commit_their_e_mails_are_handed_over_at_once(manager, django_capture_on_commit_callbacks):
    first, *challenges = submitted(4)
    services.transition(first, "preselect", by=manager, reason="La chaîne a sa tête")

    with django_capture_on_commit_callbacks() as callbacks:
        services.transition_many(challenges, "preselect", by=manager, reason="Dossiers solides")
    assert len(callbacks) == 1  # one announcement for the whole move
    with CaptureQueriesContext(connection) as captured:
        callbacks[0]()

    handed = [
        sql for sql in captured_sql(captured) if '"notifications_notification"."audit_event_id" IN' in sql
    ]
    assert len(handed) == 1


def test_one_move_s_statements_one_by_one(manager, django_capture_on_commit_callbacks):
    """What one move sends inside its transaction, in order (docs/benchmarks.md, section 1): no
    look for e-mails already queued under a key made in the same transaction, and the caller's
    copy brought up to the saved state without reading it again after the commit."""
    services.transition(ChallengeFactory(state=S.SUBMITTED), "preselect", by=manager, reason="Chaud")
    challenge = ChallengeFactory(state=S.SUBMITTED, name="Défi suivi")
    with (
        CaptureQueriesContext(connection) as captured,
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        services.transition(challenge, "preselect", by=manager, reason="Dossier solide")
    inside = [
        " ".join(re.match(r'(\w+) .*?(?:FROM|INTO|UPDATE) "(\w+)"', sql).groups())
        if not sql.startswith("UPDATE")
        else "UPDATE " + re.match(r'UPDATE "(\w+)"', sql).group(1)
        for sql in captured_sql(captured)
        if not sql.startswith(("SAVEPOINT", "RELEASE"))
    ]
    assert inside == [
        "SELECT lifecycle_challenge",  # the row locked, with what the guards read
        "UPDATE lifecycle_challenge",  # the state
        "SELECT lifecycle_auditchainhead",  # the chain's head locked
        "INSERT lifecycle_auditevent",  # the event
        "INSERT lifecycle_personaldata",  # the author's name kept apart
        "UPDATE lifecycle_auditchainhead",  # the head moved on
        "SELECT lifecycle_mentor",  # the recipients: mentors,
        "SELECT accounts_profile",  # the administration's contacts,
        "SELECT notifications_messagetemplate",  # the message's text,
        "INSERT notifications_notification",  # the e-mails, in one insert
        "SELECT webhooks_webhook",  # the webhooks that hear moves (none here: nothing to insert)
    ]
    assert len(callbacks) == 1
    assert (challenge.state, challenge.state_changed_at) == (
        S.PRESELECTED,
        Challenge.objects.get(pk=challenge.pk).state_changed_at,
    )
