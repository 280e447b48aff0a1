"""The notifications' dated jobs (registered with `triggers.schedules`) and their django-q2
entry points; each entry point returns a line for the task's result."""

from django.utils.translation import gettext_lazy as _

from lifecycle.models import Call
from notifications import reminders
from triggers.schedules import Job


def call_jobs(call) -> list[Job]:
    """The reminders of the submission deadline, at the days the call sets."""
    if not call.submission_deadline:
        return []
    return [
        Job(
            f"deadline-reminder-{days}d",
            _("%(promotion)s : rappel J-%(days)d avant la date limite de dépôt")
            % {"promotion": call.promotion, "days": days},
            "notifications.jobs.remind_submission_deadline",
            (call.pk, days),
            reminders.reminder_at(call, days),
        )
        for days in call.reminder_days
    ]


def remind_submission_deadline(call_id, days):
    written = reminders.remind_submission_deadline(Call.objects.get(pk=call_id), days)
    return f"{len(written)} rappel(s) écrit(s)"
