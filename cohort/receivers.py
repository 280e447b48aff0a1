from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cohort.models import CohortSession
from triggers import schedules


@receiver(post_save, sender=CohortSession, dispatch_uid="cohort.sync_session_schedules")
def sync_session_schedules(sender, instance, raw=False, **kwargs):
    """A session planned, moved or cancelled (here or in the admin): its reminder follows."""
    if not raw:
        schedules.sync_session(instance)


@receiver(post_delete, sender=CohortSession, dispatch_uid="cohort.forget_session_schedules")
def forget_session_schedules(sender, instance, **kwargs):
    schedules.forget(schedules.session_prefix(instance.pk))
