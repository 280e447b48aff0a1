"""The django-q2 entry points of the cohort sessions; each returns a line for the task's result."""

from cohort import services
from cohort.models import CohortSession
from lifecycle.models import Call


def plan_sessions(call_id):
    sessions = services.plan_sessions(Call.objects.get(pk=call_id))
    return f"{len(sessions)} session(s) planifiée(s)"


def remind_session(session_id):
    session = CohortSession.objects.filter(pk=session_id).select_related("promotion").first()
    if session is None:
        return "session supprimée"
    return f"{len(services.remind(session))} rappel(s) écrit(s)"
