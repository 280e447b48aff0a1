"""The periodic sweep of the mentor assignment: due reminders, and processes a receiver missed."""

from django_q.models import Schedule

SWEEP_NAME = "mentoring: sweep"


def ensure_sweep(**_kwargs):
    Schedule.objects.update_or_create(
        name=SWEEP_NAME,
        defaults={
            "func": "mentoring.tasks.sweep",
            "schedule_type": Schedule.MINUTES,
            "minutes": 5,
            "repeats": -1,
        },
    )
