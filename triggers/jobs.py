"""The django-q2 entry points of a call's calendar; each returns a line for the task's result."""

from lifecycle.models import Call
from triggers import recruitment


def open_recruitment(call_id):
    outcome = recruitment.open_recruitment(Call.objects.get(pk=call_id))
    return f"{len(outcome.moved)} défi(s) en recrutement, {len(outcome.refused)} refus"


def close_recruitment(call_id):
    closure = recruitment.close_recruitment(Call.objects.get(pk=call_id))
    return f"clôture enregistrée le {closure.recorded_at.isoformat()}" if closure else "pas encore close"


def remind_submission_deadline(call_id, days):
    written = recruitment.remind_submission_deadline(Call.objects.get(pk=call_id), days)
    return f"{len(written)} rappel(s) écrit(s)"
