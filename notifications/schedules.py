"""The periodic sweep that sends due messages (retries, and anything the broker lost)."""

from django_q.models import Schedule

SWEEP_NAME = "notifications: send pending"


def ensure_sweep(**_kwargs):
    Schedule.objects.update_or_create(
        name=SWEEP_NAME,
        defaults={
            "func": "notifications.tasks.send_pending",
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )
