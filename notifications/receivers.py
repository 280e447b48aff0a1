from django.dispatch import receiver

from lifecycle import workflow
from lifecycle.signals import transition_applied, transition_committed
from notifications import outbox
from notifications.enums import DeliveryStatus, MessageEvent
from notifications.models import Notification


@receiver(transition_applied, dispatch_uid="notifications.queue_transition_messages")
def queue_transition_messages(sender, challenge, name, by, event, options, **kwargs):
    """Write the e-mails announcing a move in the move's own transaction (held for review when
    the actor asked for it); they are handed to the workers once the move is committed."""
    outbox.queue(
        challenge,
        MessageEvent(workflow.move(name).message),
        key=f"audit-{event.pk}",
        audit_event=event,
        reason=event.reason,
        hold=bool(options.get(outbox.HOLD_MAIL)),
        by=by,
        enqueue=False,
    )


@receiver(transition_committed, dispatch_uid="notifications.deliver_transition_messages")
def deliver_transition_messages(sender, challenge, name, by, event, options, **kwargs):
    """After the commit: hand the move's pending e-mails to the workers (the sweep catches up if
    the broker is down)."""
    pending = Notification.objects.filter(audit_event=event, status=DeliveryStatus.PENDING)
    outbox.enqueue(list(pending.order_by("pk").values_list("pk", flat=True)))
