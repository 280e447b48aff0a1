"""The webhooks' outbox: deliveries written in the transaction of the event they announce (a
move, a message, the jury's closing), handed to the workers once it is committed.

Who hears what: a manager's webhook every challenge (of its promotion, if it names one), a
contact's webhook the challenges its administration carries (as `portal.access.challenges_of`),
while its person still holds that role; a disabled webhook nothing.
"""

import contextvars
import json
import logging
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from lifecycle import clock
from triggers import queue as task_queue
from webhooks import rules as webhook_rules
from webhooks.enums import EventType
from webhooks.models import Delivery, Webhook

logger = logging.getLogger(__name__)

FLAG = {EventType.MOVE: "on_moves", EventType.MESSAGE: "on_messages", EventType.JURY_CLOSED: "on_jury_closed"}


def listening(event_type: EventType) -> list[Webhook]:
    """The enabled webhooks of `event_type` whose person may still hear it (one query)."""
    hooks = Webhook.objects.filter(disabled_at=None, **{FLAG[event_type]: True}).select_related(
        "owner__profile"
    )
    return [hook for hook in hooks if webhook_rules.may_hold(hook.owner, hook.administration_id)]


def concerns(hook: Webhook, challenge) -> bool:
    if hook.promotion_id is not None and hook.promotion_id != challenge.promotion_id:
        return False
    return hook.administration_id is None or hook.administration_id in (
        challenge.administration_id,
        challenge.administrative_carrier_id,
    )


def challenge_part(challenge) -> dict:
    """What a body says of its challenge: read from the row the event holds (no query)."""
    return {
        "id": challenge.pk,
        "name": challenge.name,
        "promotion_id": challenge.promotion_id,
        "administration_id": challenge.administration_id,
        "state": challenge.state,
        "url": f"{settings.SITE_URL.rstrip('/')}/api/v1/challenges/{challenge.pk}/",
    }


def move_body(challenge, event) -> dict:
    return {
        "challenge": challenge_part(challenge),
        "move": {
            "transition": event.transition,
            "from_state": event.from_state,
            "to_state": event.to_state,
            "reason": event.reason,
        },
    }


def _delivery(hook, event_type, audit_event, content: dict, *, now, replay_of=None) -> Delivery:
    uid = uuid.uuid4()
    body = {
        "delivery": str(uid),
        "type": str(event_type),
        "event": audit_event.pk if audit_event else None,
        "at": audit_event.created_at if audit_event else now,
        **content,
    }
    return Delivery(
        uid=uid,
        webhook=hook,
        event_type=event_type,
        audit_event=audit_event,
        body=json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False),
        created_at=now,
        next_attempt_at=now,
        replay_of=replay_of,
    )


@dataclass
class _Together:
    moves: list = field(default_factory=list)


_written_together = contextvars.ContextVar("webhooks_written_together", default=None)


def queue_move(challenge, event):
    """The deliveries of a move, in its transaction (a bulk move's all at once, on leaving
    `written_together`)."""
    together = _written_together.get()
    if together is not None:
        together.moves.append((challenge, event))
        return
    _write_moves([(challenge, event)])


def _write_moves(moves):
    """The moves' deliveries, one insert, handed to the workers by a callback of the commit
    (none when no webhook hears them: no query after the commit)."""
    hooks = listening(EventType.MOVE)
    if not hooks:
        return
    now = clock.now()
    created = Delivery.objects.bulk_create(
        _delivery(hook, EventType.MOVE, event, move_body(challenge, event), now=now)
        for challenge, event in moves
        for hook in hooks
        if concerns(hook, challenge)
    )
    _hand_over_on_commit([delivery.pk for delivery in created])


def _hand_over_on_commit(ids):
    if ids:
        transaction.on_commit(lambda: enqueue(ids))


@contextmanager
def written_together(challenges=()):
    """A bulk move's deliveries: the webhooks read once, one insert, on leaving."""
    if _written_together.get() is not None:
        yield
        return
    together = _Together()
    token = _written_together.set(together)
    try:
        yield
    finally:
        _written_together.reset(token)
    if together.moves:
        _write_moves(together.moves)


def enqueue(delivery_ids):
    """Hand the deliveries to the workers; if the broker is down, the periodic sweep sends them."""
    task_queue.hand_over("webhooks.tasks.deliver_many", delivery_ids, group="webhooks")


def queue_message(message, event):
    """A message between the programme and an administration, for the webhooks of its challenge
    (in the message's transaction; handed over after the commit)."""
    challenge = message.challenge
    hooks = [hook for hook in listening(EventType.MESSAGE) if concerns(hook, challenge)]
    content = {
        "challenge": challenge_part(challenge),
        "message": {
            "id": message.pk,
            "side": message.side,
            "author": message.author_name,
            "body": message.body,
            "attachment": message.attachment_name or None,
        },
    }
    _write_and_hand_over(hooks, EventType.MESSAGE, event, content)


def queue_jury_closed(jury, event, heard):
    """The jury's closing, for managers' webhooks (of its promotion) and for the contacts' whose
    administration had a challenge heard (`heard`: those challenges)."""
    promotion_id = jury.promotion_id

    def hears(hook):
        if hook.promotion_id not in (None, promotion_id):
            return False
        return hook.administration_id is None or any(concerns(hook, challenge) for challenge in heard)

    hooks = [hook for hook in listening(EventType.JURY_CLOSED) if hears(hook)]
    content = {
        "promotion": {"id": promotion_id, "number": jury.promotion.number},
        "jury": {"closed_at": jury.closed_at, "heard": len(heard)},
    }
    _write_and_hand_over(hooks, EventType.JURY_CLOSED, event, content)


def _write_and_hand_over(hooks, event_type, event, content):
    if not hooks:
        return
    now = clock.now()
    created = Delivery.objects.bulk_create(
        _delivery(hook, event_type, event, content, now=now) for hook in hooks
    )
    _hand_over_on_commit([delivery.pk for delivery in created])


def replayed(delivery: Delivery, *, now) -> Delivery:
    """A new delivery of the same body (a new id, `replay_of` the first)."""
    body = json.loads(delivery.body)
    replay = Delivery(
        webhook=delivery.webhook,
        event_type=delivery.event_type,
        audit_event=delivery.audit_event,
        created_at=now,
        next_attempt_at=now,
        replay_of=delivery,
    )
    body["delivery"] = str(replay.uid)
    replay.body = json.dumps(body, ensure_ascii=False)
    replay.save()
    return replay
