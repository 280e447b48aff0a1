from django.dispatch import receiver

from lifecycle.signals import transition_applied
from notifications import outbox
from notifications.enums import EVENT_OF_TRANSITION


@receiver(transition_applied, dispatch_uid="notifications.queue_transition_messages")
def queue_transition_messages(sender, challenge, name, by, event, hold_mail=False, **kwargs):
    """Write the e-mails announcing a move in the move's own transaction."""
    outbox.queue(
        challenge,
        EVENT_OF_TRANSITION[name],
        key=f"audit-{event.pk}",
        audit_event=event,
        reason=event.reason,
        hold=hold_mail,
        by=by,
    )
