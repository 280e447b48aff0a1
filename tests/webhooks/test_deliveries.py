"""Deliveries end to end: written with the event, sent after the commit by the worker's code
(django-q2 inline), to a real receiver on loopback that checks each signature."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conversations import services as conversations
from lifecycle import services as lifecycle
from lifecycle.enums import AuditKind
from lifecycle.models import AuditEvent
from tests.factories import administration_contact
from tests.webhooks.conftest import free_port, hook_for, submitted
from webhooks import delivery, outbox, services
from webhooks.enums import DeliveryStatus, EventType
from webhooks.models import Delivery
from webhooks.receiver import Receiver


def move(challenge, by, reason="Dossier solide"):
    return lifecycle.transition(challenge, "preselect", by=by, reason=reason)


def test_a_move_is_delivered_after_its_commit_signed_with_its_id(
    world, manager, receiver, django_capture_on_commit_callbacks
):
    hook = hook_for(manager, receiver)
    (challenge,) = submitted(world, name="Démarches accessibles")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        move(challenge, manager, reason="Un défi clair, porté par la DINUM")
        written = Delivery.objects.get()  # in the move's transaction
        assert (written.status, written.webhook, written.event_type) == (
            DeliveryStatus.PENDING,
            hook,
            EventType.MOVE,
        )
        assert receiver.taken == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()

    (taken,) = receiver.taken
    event = AuditEvent.objects.get(kind=AuditKind.TRANSITION, challenge=challenge)
    assert taken["id"] == str(written.uid) == taken["body"]["delivery"]
    assert taken["headers"]["X-EIG-Event"] == "challenge.moved"
    assert taken["body"] == {
        "delivery": str(written.uid),
        "type": "challenge.moved",
        "event": event.pk,
        "at": taken["body"]["at"],
        "challenge": {
            "id": challenge.pk,
            "name": "Démarches accessibles",
            "promotion_id": world["promotion"].pk,
            "administration_id": world["dinum"].pk,
            "state": "preselected",
            "url": f"http://127.0.0.1:8000/api/v1/challenges/{challenge.pk}/",
        },
        "move": {
            "transition": "preselect",
            "from_state": "submitted",
            "to_state": "preselected",
            "reason": "Un défi clair, porté par la DINUM",
        },
    }
    written.refresh_from_db()
    assert (written.status, written.attempts, written.last_status_code) == (DeliveryStatus.DELIVERED, 1, 200)


def test_a_refused_move_writes_no_delivery(world, manager, receiver):
    hook_for(manager, receiver)
    (challenge,) = submitted(world)
    with pytest.raises(lifecycle.TransitionRefused):
        lifecycle.transition(challenge, "select", by=manager)
    assert not Delivery.objects.exists()


def test_receiver_down_during_50_moves_then_up_gets_each_once(
    world, manager, django_capture_on_commit_callbacks
):
    down = Receiver(port=free_port())  # nothing listens on its port yet
    hook_for(manager, down)
    challenges = submitted(world, 50)

    with django_capture_on_commit_callbacks(execute=True):
        for challenge in challenges:
            move(challenge, manager)

    waiting = Delivery.objects.all()
    assert waiting.count() == 50
    assert set(waiting.values_list("status", "attempts")) == {(DeliveryStatus.PENDING, 1)}
    assert all("ConnectError" in error for error in waiting.values_list("last_error", flat=True))
    assert delivery.send_due() == {"resumed": 0}  # their next attempt is not due yet

    with down:  # the receiver is up again, on the same address
        # The first retry is due after its back-off (WEBHOOKS_RETRY_DELAYS[0]).
        Delivery.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
        assert delivery.send_due() == {"resumed": 0, "delivered": 50}
        assert delivery.send_due() == {"resumed": 0}  # nothing left: nothing sent twice

    assert len(down.taken) == 50
    assert len({taken["id"] for taken in down.taken}) == 50
    assert down.duplicates == [] and down.rejected == []
    assert {taken["body"]["challenge"]["id"] for taken in down.taken} == {c.pk for c in challenges}
    assert set(Delivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.DELIVERED, 2)}


def test_a_time_out_is_retried_with_the_same_id_and_the_receiver_drops_it(
    world, manager, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_TIMEOUT = 0.3
    with Receiver(delay=0.6) as slow:  # takes the delivery, answers too late
        hook_for(manager, slow)
        (challenge,) = submitted(world)
        with django_capture_on_commit_callbacks(execute=True):
            move(challenge, manager)
        sent = Delivery.objects.get()
        assert (sent.status, sent.attempts) == (DeliveryStatus.PENDING, 1)
        assert "ReadTimeout" in sent.last_error
        slow.delay = 0
        Delivery.objects.update(next_attempt_at=timezone.now())
        assert delivery.send_due()["delivered"] == 1
    assert [taken["id"] for taken in slow.taken] == [str(sent.uid)]
    assert slow.duplicates == [str(sent.uid)]


def test_failures_back_off_then_fail_for_good_with_the_last_error(
    world, manager, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_RETRY_DELAYS = [60, 600]
    with Receiver(status=503) as unavailable:
        hook_for(manager, unavailable)
        (challenge,) = submitted(world)
        with django_capture_on_commit_callbacks(execute=True):
            move(challenge, manager)
        sent = Delivery.objects.get()
        waits = []
        for _attempt in range(2):
            sent.refresh_from_db()
            waits.append(round((sent.next_attempt_at - timezone.now()).total_seconds() / 60))
            Delivery.objects.update(next_attempt_at=timezone.now())
            delivery.send_due()
    sent.refresh_from_db()
    assert waits == [1, 10]
    assert (sent.status, sent.attempts, sent.last_status_code) == (DeliveryStatus.FAILED, 3, 503)
    assert sent.last_error == "HTTP 503"
    assert unavailable.taken == []


def test_a_delivery_left_sending_by_a_dead_worker_is_sent_again(world, manager, receiver, settings):
    hook = hook_for(manager, receiver)
    stale = timezone.now() - dt.timedelta(seconds=settings.WEBHOOKS_SENDING_TIMEOUT + 1)
    left = outbox._delivery(hook, EventType.MOVE, None, {"challenge": None}, now=timezone.now())
    left.status, left.claimed_at, left.attempts = DeliveryStatus.SENDING, stale, 1
    left.save()
    assert delivery.send_due() == {"resumed": 1, "delivered": 1}
    assert [taken["id"] for taken in receiver.taken] == [str(left.uid)]


def _deliveries(hook, count):
    now = timezone.now()
    return [outbox._delivery(hook, EventType.MOVE, None, {"challenge": None}, now=now) for _ in range(count)]


def test_a_claimed_delivery_is_not_taken_again_by_another_worker(world, manager, receiver):
    hook = hook_for(manager, receiver)
    ids = [made.pk for made in Delivery.objects.bulk_create(_deliveries(hook, 3))]

    first = delivery._claim(ids)
    assert [claimed.pk for claimed in first] == ids
    assert delivery.deliver_many(ids) == {"skipped": 3}  # another worker's: left alone
    assert receiver.taken == []
    assert set(Delivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.SENDING, 1)}


def test_a_group_out_of_time_releases_its_rest_which_is_sent_after_all_once(world, manager, settings):
    settings.WEBHOOKS_SENDING_TIMEOUT = 0.4  # a group sends for 0.2 s at most
    with Receiver(delay=0.15) as slow:
        hook = hook_for(manager, slow)
        ids = [made.pk for made in Delivery.objects.bulk_create(_deliveries(hook, 4))]
        with CaptureQueriesContext(connection) as captured:
            assert delivery.deliver_many(ids) == {"delivered": 4}
    assert sorted(taken["id"] for taken in slow.taken) == sorted(
        str(uid) for uid in Delivery.objects.values_list("uid", flat=True)
    )
    assert slow.duplicates == []
    # Released, not counted: one attempt each.
    assert set(Delivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.DELIVERED, 1)}
    released = [query["sql"] for query in captured if '"attempts" -' in query["sql"]]
    assert len(released) >= 1  # the group's rest handed back, then claimed again


def test_a_contact_s_webhook_hears_its_administration_only(
    world, manager, receiver, django_capture_on_commit_callbacks
):
    contact = administration_contact(world["dinum"])
    hook_for(contact, receiver)
    (ours,) = submitted(world, name="Démarches accessibles")
    (theirs,) = submitted(world, administration=world["culture"], name="Inventaire des orgues")
    with django_capture_on_commit_callbacks(execute=True):
        move(ours, manager)
        move(theirs, manager)
    assert [taken["body"]["challenge"]["name"] for taken in receiver.taken] == ["Démarches accessibles"]


def test_a_contact_who_left_the_role_hears_nothing_more(
    world, manager, receiver, django_capture_on_commit_callbacks
):
    contact = administration_contact(world["dinum"])
    hook_for(contact, receiver)
    contact.profile.administration = world["culture"]
    contact.profile.save()
    (ours,) = submitted(world)
    with django_capture_on_commit_callbacks(execute=True):
        move(ours, manager)
    assert not Delivery.objects.exists()


def test_a_promotion_s_webhook_and_a_disabled_one(
    world, manager, receiver, django_capture_on_commit_callbacks
):
    from tests.factories import PromotionFactory

    later = PromotionFactory(number=4)
    hook_for(manager, receiver, promotion=later)
    other = Receiver().start()
    try:
        disabled = hook_for(manager, other)
        services.disable(disabled, by=manager)
        (challenge,) = submitted(world)
        with django_capture_on_commit_callbacks(execute=True):
            move(challenge, manager)
        assert not Delivery.objects.exists()
        assert other.taken == []
    finally:
        other.stop()


def test_a_message_is_delivered_not_an_internal_note(
    world, manager, receiver, django_capture_on_commit_callbacks
):
    hook_for(manager, receiver, on_moves=False, on_messages=True)
    (challenge,) = submitted(world, name="Démarches accessibles")
    with django_capture_on_commit_callbacks(execute=True):
        message = conversations.post_message(challenge, by=manager, body="Pouvez-vous préciser l’équipe ?")
        conversations.post_note(challenge, by=manager, body="Note interne : à relancer")
        move(challenge, manager)  # not heard by this webhook
    (taken,) = receiver.taken
    assert taken["body"]["type"] == "message.posted"
    assert taken["body"]["message"] == {
        "id": message.pk,
        "side": "programme",
        "author": "Camille Martin",
        "body": "Pouvez-vous préciser l’équipe ?",
        "attachment": None,
    }


def test_a_bulk_move_reads_the_webhooks_once_and_writes_its_deliveries_in_one_insert(
    world, manager, receiver, django_capture_on_commit_callbacks
):
    hook_for(manager, receiver)
    challenges = submitted(world, 12)
    with (
        CaptureQueriesContext(connection) as captured,
        django_capture_on_commit_callbacks(execute=True),
    ):
        lifecycle.transition_many(challenges, "preselect", by=manager, reason="Dossiers solides")
    sql = [query["sql"] for query in captured.captured_queries]
    assert len([q for q in sql if q.startswith("SELECT") and 'FROM "webhooks_webhook"' in q]) == 1
    assert len([q for q in sql if q.startswith('INSERT INTO "webhooks_delivery"')]) == 1
    assert len(receiver.taken) == 12


def test_a_manager_replays_a_delivery_under_a_new_id(
    world, manager, receiver, django_capture_on_commit_callbacks
):
    hook_for(manager, receiver)
    (challenge,) = submitted(world)
    with django_capture_on_commit_callbacks(execute=True):
        move(challenge, manager)
    first = Delivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        replay = services.replay(first, by=manager)
    assert [taken["id"] for taken in receiver.taken] == [str(first.uid), str(replay.uid)]
    again = receiver.taken[1]
    assert again["headers"]["X-EIG-Replay-Of"] == str(first.uid)
    assert again["body"]["event"] == receiver.taken[0]["body"]["event"]
    event = AuditEvent.objects.get(kind=AuditKind.WEBHOOK_REPLAYED)
    assert (event.challenge_id, event.reason) == (challenge.pk, f"{first.uid} → {replay.uid}")


def test_only_a_manager_replays(world, manager, receiver, django_capture_on_commit_callbacks):
    from django.core.exceptions import PermissionDenied

    contact = administration_contact(world["dinum"])
    hook_for(contact, receiver)
    (challenge,) = submitted(world)
    with django_capture_on_commit_callbacks(execute=True):
        move(challenge, manager)
    with pytest.raises(PermissionDenied):
        services.replay(Delivery.objects.get(), by=contact)
    assert Delivery.objects.count() == 1


def test_the_jury_s_closing_reaches_the_managers_and_the_heard_administrations(
    world, manager, django_capture_on_commit_callbacks
):
    from jury import services as jury
    from lifecycle.enums import ChallengeState
    from tests.factories import ChallengeFactory, heard

    promotion = world["promotion"]
    challenge = ChallengeFactory(
        promotion=promotion, administration=world["dinum"], state=ChallengeState.PITCHED
    )
    heard(challenge)
    receivers = {name: Receiver().start() for name in ("programme", "dinum", "culture")}
    try:
        hook_for(manager, receivers["programme"], on_moves=False, on_jury_closed=True)
        hook_for(administration_contact(world["dinum"]), receivers["dinum"], on_jury_closed=True)
        hook_for(administration_contact(world["culture"]), receivers["culture"], on_jury_closed=True)
        with django_capture_on_commit_callbacks(execute=True):
            closed = jury.close(jury.jury_of(promotion), by=manager)
    finally:
        for running in receivers.values():
            running.stop()
    (taken,) = receivers["programme"].taken
    assert taken["body"]["type"] == "jury.closed"
    assert taken["body"]["promotion"] == {"id": promotion.pk, "number": 3}
    assert taken["body"]["jury"] == {"closed_at": taken["body"]["jury"]["closed_at"], "heard": 1}
    assert taken["body"]["jury"]["closed_at"].startswith(closed.closed_at.isoformat()[:19])
    assert len(receivers["dinum"].taken) == 1
    assert receivers["culture"].taken == []
