from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from lifecycle.models import Call
from triggers import schedules


@receiver(post_save, sender=Call, dispatch_uid="triggers.sync_call_schedules")
def sync_call_schedules(sender, instance, raw=False, **kwargs):
    """A call's dates changed (or it was created): its jobs move with them, in the same transaction."""
    if not raw:
        schedules.sync_call(instance)


@receiver(post_delete, sender=Call, dispatch_uid="triggers.forget_call_schedules")
def forget_call_schedules(sender, instance, **kwargs):
    schedules.forget(schedules.call_prefix(instance.pk))
