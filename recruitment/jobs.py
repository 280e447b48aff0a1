"""The candidates' call's dated jobs (registered with `triggers.schedules`) and their django-q2
entry points; each entry point returns a line for the task's result."""

from django.utils.translation import gettext_lazy as _

from lifecycle import calendar
from lifecycle.models import Call
from recruitment import services
from triggers.schedules import Job


def call_jobs(call) -> list[Job]:
    jobs = []
    if call.recruitment_opens_at:
        jobs.append(
            Job(
                "recruitment-opening",
                _("%(promotion)s : ouverture du recrutement") % {"promotion": call.promotion},
                "recruitment.jobs.open_recruitment",
                (call.pk,),
                call.recruitment_opens_at,
            )
        )
    if call.recruitment_closes_at:
        jobs.append(
            Job(
                "recruitment-closing",
                _("%(promotion)s : clôture du recrutement") % {"promotion": call.promotion},
                "recruitment.jobs.close_recruitment",
                (call.pk,),
                calendar.closing(call.recruitment_closes_at),  # a 23:59 closing lasts its minute
            )
        )
    return jobs


def open_recruitment(call_id):
    outcome = services.open_recruitment(Call.objects.get(pk=call_id))
    return f"{len(outcome.moved)} défi(s) en recrutement, {len(outcome.refused)} refus"


def close_recruitment(call_id):
    closure = services.close_recruitment(Call.objects.get(pk=call_id))
    return f"clôture enregistrée le {closure.recorded_at.isoformat()}" if closure else "pas encore close"
