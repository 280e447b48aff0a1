"""Deliveries end to end: written with the event, sent after the commit by the worker's code
(django-q2 inline), to a real receiver on loopback that checks each signature."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conversations import services as conversations
from lifecycle import services as lifecycle
from lifecycle.enums import AuditKind
from lifecycle.models import AuditEvent
from tests.factories import administration_contact
from tests.webhooks.conftest import free_port, hook_for, submitted
from webhooks import delivery, outbox, services
from webhooks import rules as webhook_rules
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
    assert [claimed.pk for claimed in first.deliveries] == ids
    assert delivery.deliver_many(ids) == {"skipped": 3}  # another worker's: left alone
    assert receiver.taken == []
    assert set(Delivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.SENDING, 1)}


def test_a_call_out_of_time_releases_its_rest_for_the_sweep_which_sends_it_once(world, manager, settings):
    settings.WEBHOOKS_SENDING_TIMEOUT = 0.4  # a call sends for 0.2 s at most
    with Receiver(delay=0.15) as slow:
        hook = hook_for(manager, slow)
        ids = [made.pk for made in Delivery.objects.bulk_create(_deliveries(hook, 4))]
        first = delivery.deliver_many(ids)
        left = dict(Delivery.objects.order_by().values_list("status").annotate(Count("id")))
        assert first["delivered"] < 4 and first["released"] == 4 - first["delivered"]
        assert left == {
            DeliveryStatus.DELIVERED: first["delivered"],
            DeliveryStatus.PENDING: first["released"],
        }
        while Delivery.objects.filter(status=DeliveryStatus.PENDING).exists():
            delivery.send_due()
    assert sorted(taken["id"] for taken in slow.taken) == sorted(
        str(uid) for uid in Delivery.objects.values_list("uid", flat=True)
    )
    assert slow.duplicates == []
    # Released, not counted: one attempt each.
    assert set(Delivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.DELIVERED, 1)}


def test_an_address_that_does_not_answer_is_tried_once_per_group_the_others_sent(world, manager, receiver):
    alive = hook_for(manager, receiver)
    dead, _secret = services.register(manager, name="SI arrêté", url=f"http://127.0.0.1:{free_port()}/hook")
    ids = [made.pk for made in Delivery.objects.bulk_create(_deliveries(dead, 3) + _deliveries(alive, 3))]

    outcome = delivery.deliver_many(ids)

    assert outcome == {DeliveryStatus.PENDING: 1, "deferred": 2, DeliveryStatus.DELIVERED: 3}
    waiting = list(
        Delivery.objects.filter(webhook=dead).order_by("id").values_list("attempts", "next_attempt_at")
    )
    assert [attempts for attempts, _at in waiting] == [1, 0, 0]  # tried once; the others not counted
    assert len({at for _attempts, at in waiting}) == 1  # all three wait for the address's next attempt
    assert len(receiver.taken) == 3


def test_a_webhook_whose_person_lost_the_role_sends_nothing_more(world, manager, receiver):
    contact = administration_contact(world["dinum"])
    hook = hook_for(contact, receiver)
    ids = [made.pk for made in Delivery.objects.bulk_create(_deliveries(hook, 2))]
    contact.profile.administration = world["culture"]
    contact.profile.save()

    assert delivery.deliver_many(ids) == {DeliveryStatus.FAILED: 2}
    assert receiver.taken == []
    assert set(Delivery.objects.values_list("last_error", flat=True)) == {
        "La personne qui a enregistré ce webhook n’en a plus le droit : envoi abandonné."
    }
    with pytest.raises(ValidationError, match="n’en a plus le droit"):
        services.replay(Delivery.objects.first(), by=manager)


def test_an_address_inside_the_network_is_not_sent_to(world, manager, receiver, settings):
    hook = hook_for(manager, receiver)  # registered where loopback is allowed (development)
    ids = [made.pk for made in Delivery.objects.bulk_create(_deliveries(hook, 1))]
    settings.WEBHOOKS_ALLOW_PRIVATE = False

    assert delivery.deliver_many(ids) == {DeliveryStatus.PENDING: 1}
    assert receiver.taken == []
    assert Delivery.objects.get().last_error == (
        "Adresse interne refusée : 127.0.0.1 mène au réseau du programme, pas à un service public."
    )


def test_old_delivered_and_failed_deliveries_are_purged_the_waiting_kept(world, manager, receiver, settings):
    hook = hook_for(manager, receiver)
    old = timezone.now() - dt.timedelta(days=settings.WEBHOOKS_KEEP_DAYS + 1)
    made = Delivery.objects.bulk_create(_deliveries(hook, 4))
    for row, (status, created_at) in zip(
        made,
        [
            (DeliveryStatus.DELIVERED, old),
            (DeliveryStatus.FAILED, old),
            (DeliveryStatus.PENDING, old),
            (DeliveryStatus.DELIVERED, timezone.now()),
        ],
        strict=True,
    ):
        Delivery.objects.filter(pk=row.pk).update(status=status, created_at=created_at)

    assert delivery.purge() == 2
    assert sorted(Delivery.objects.values_list("pk", flat=True)) == [made[2].pk, made[3].pk]


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


def test_disabling_a_webhook_abandons_what_waits_and_keeps_what_was_delivered(world, manager, receiver):
    hook = hook_for(manager, receiver)
    made = Delivery.objects.bulk_create(_deliveries(hook, 3))
    Delivery.objects.filter(pk=made[0].pk).update(status=DeliveryStatus.DELIVERED)

    services.disable(hook, by=manager)

    assert list(Delivery.objects.order_by("id").values_list("status", "last_error")) == [
        (DeliveryStatus.DELIVERED, ""),
        (DeliveryStatus.FAILED, "Webhook désactivé : envoi abandonné."),
        (DeliveryStatus.FAILED, "Webhook désactivé : envoi abandonné."),
    ]
    assert delivery.send_due() == {"resumed": 0}


def test_a_name_that_resolves_inside_when_connecting_is_refused_there_too(
    world, manager, receiver, settings, monkeypatch
):
    """DNS rebinding: the address checked public before the attempt, internal when connecting."""
    hook, receiver.secret = services.register(
        manager, name="SI", url=f"http://localhost:{receiver.port}/webhook"
    )
    ids = [made.pk for made in Delivery.objects.bulk_create(_deliveries(hook, 1))]
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    checked = []
    monkeypatch.setattr(webhook_rules, "check_destination", checked.append)  # it looked public then

    assert delivery.deliver_many(ids) == {DeliveryStatus.PENDING: 1}

    assert checked == [hook.url] and receiver.taken == []
    error = Delivery.objects.get().last_error
    assert error.startswith("ConnectError: internal address refused: localhost resolves to ")
