from django.dispatch import receiver

from conversations.signals import message_posted
from jury.models import PitchSlot
from jury.signals import jury_closed
from lifecycle.models import Challenge
from lifecycle.signals import transition_applied
from webhooks import outbox


@receiver(transition_applied, dispatch_uid="webhooks.queue_move_deliveries")
def queue_move_deliveries(sender, challenge, name, by, event, options, **kwargs):
    """Write the move's deliveries in the move's own transaction (handed over after its commit)."""
    outbox.queue_move(challenge, event)


@receiver(message_posted, dispatch_uid="webhooks.queue_message_deliveries")
def queue_message_deliveries(sender, challenge, message, by, event, **kwargs):
    outbox.queue_message(message, event)


@receiver(jury_closed, dispatch_uid="webhooks.queue_jury_deliveries")
def queue_jury_deliveries(sender, jury, by, event, **kwargs):
    heard = Challenge.objects.filter(
        pk__in=PitchSlot.objects.filter(sub_jury__jury=jury).values("challenge_id")
    )
    outbox.queue_jury_closed(
        jury, event, list(heard.only("pk", "promotion_id", "administration_id", "administrative_carrier_id"))
    )
