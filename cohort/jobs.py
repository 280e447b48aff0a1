"""The cohort sessions' dated jobs (registered with `triggers.schedules`) and their django-q2
entry points; each entry point returns a line for the task's result."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohort import services
from cohort.models import CohortSession, SessionStatus
from lifecycle.models import Call
from triggers.schedules import Job


def call_jobs(call) -> list[Job]:
    """The planning of the promotion's sessions, the call's lead time before the EIGs arrive."""
    if not call.starts_on:
        return []
    day = call.starts_on - dt.timedelta(days=call.cohort_planning_lead_days)
    return [
        Job(
            "cohort-planning",
            _("%(promotion)s : planification des sessions de promotion") % {"promotion": call.promotion},
            "cohort.jobs.plan_sessions",
            (call.pk,),
            timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0))),
        )
    ]


def session_jobs(session) -> list[Job]:
    """A session's reminder; none for a cancelled one."""
    if session.status == SessionStatus.CANCELLED:
        return []
    return [
        Job(
            "reminder",
            _("%(promotion)s : rappel de la session du %(date)s")
            % {"promotion": session.promotion, "date": session.date.strftime("%d/%m/%Y")},
            "cohort.jobs.remind_session",
            (session.pk,),
            services.reminder_at(session),
        )
    ]


def plan_sessions(call_id):
    sessions = services.plan_sessions(Call.objects.get(pk=call_id))
    return f"{len(sessions)} session(s) planifiée(s)"


def remind_session(session_id):
    session = CohortSession.objects.filter(pk=session_id).select_related("promotion__call").first()
    if session is None:
        return "session supprimée"
    return f"{len(services.remind(session))} rappel(s) écrit(s)"
