from django.dispatch import receiver

from lifecycle import workflow
from lifecycle.signals import corrections_extended, transition_applied, transition_committed
from notifications import outbox
from notifications.enums import MessageEvent


@receiver(transition_applied, dispatch_uid="notifications.queue_transition_messages")
def queue_transition_messages(sender, challenge, name, by, event, options, **kwargs):
    """Write the e-mails announcing a move in the move's own transaction; they are handed to the
    workers once the move is committed. Held for review when the actor asked for it: in a review
    of this move's own (`{HOLD_MAIL: True}`) or in the review of the act the move is part of
    (`{HOLD_MAIL: batch}`, a bulk move: `outbox.review_of_act`)."""
    outbox.queue(
        challenge,
        MessageEvent(workflow.move(name).message),
        key=f"audit-{event.pk}",
        new_key=True,
        audit_event=event,
        reason=event.reason,
        hold=options.get(outbox.HOLD_MAIL) or False,
        by=by,
        enqueue=False,
    )


@receiver(transition_committed, dispatch_uid="notifications.deliver_transition_messages")
def deliver_transition_messages(sender, challenge, name, by, event, options, **kwargs):
    """After the commit: hand the move's pending e-mails to the workers (the sweep catches up if
    the broker is down)."""
    outbox.enqueue_pending_of(event)


@receiver(corrections_extended, dispatch_uid="notifications.announce_corrections_extended")
def announce_corrections_extended(sender, challenge, by, event, **kwargs):
    """The administration hears that it has more time: written with the change, sent after it."""
    outbox.queue(
        challenge,
        MessageEvent.CORRECTIONS_EXTENDED,
        key=f"audit-{event.pk}",
        new_key=True,
        audit_event=event,
        by=by,
    )
