"""The django-q2 schedules that run the jobs of the calls' calendars and of the cohort sessions.

Each job is one ONCE schedule whose `next_run` is its moment, named after what it belongs to
("call-3/recruitment-opening", "session-41/reminder"). `repeats=1`: once run, django-q2 keeps the
row with `repeats=0`, so that a sync knows it ran and does not run it again, unless its moment
moved (a changed date re-arms it). A row whose next_run is past and repeats=1 runs at the
worker's next scheduler pass: that is the catch-up after a worker was down.
The jobs themselves are idempotent (`triggers.recruitment`, `cohort.services`).
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_q.models import Schedule, Task

from cohort import services as cohort_services
from cohort.models import CohortSession, SessionStatus
from lifecycle.models import Call
from triggers.recruitment import days_before


@dataclass(frozen=True)
class Job:
    name: str
    label: str
    func: str
    args: tuple
    at: dt.datetime

    @property
    def args_text(self) -> str:
        return repr(self.args)


@dataclass(frozen=True)
class Synced:
    """One schedule after a sync: what the sync did, and the row as it is now (None: removed)."""

    name: str
    label: str
    action: str  # "installée", "déplacée", "inchangée", "supprimée"
    schedule: Schedule | None

    @property
    def state(self) -> str:
        return state_of(self.schedule) if self.schedule else ""


def state_of(schedule) -> str:
    if schedule.repeats == 0:
        return str(_("exécutée"))
    if schedule.schedule_type == Schedule.ONCE and schedule.next_run <= timezone.now():
        return str(_("due : s’exécute au prochain passage du worker"))
    return str(_("à venir"))


SYNC_NAME = "triggers: sync"
UNCHANGED = _("inchangée")


def ensure_sync(**_kwargs):
    """The hourly sync: re-runs a job that failed, and catches a date changed without a save signal."""
    Schedule.objects.update_or_create(
        name=SYNC_NAME,
        defaults={"func": "triggers.tasks.sync", "schedule_type": Schedule.HOURLY, "repeats": -1},
    )


def call_prefix(call_pk) -> str:
    return f"call-{call_pk}/"


def session_prefix(session_pk) -> str:
    return f"session-{session_pk}/"


def call_jobs(call) -> list[Job]:
    """What the call's calendar triggers, for the dates it has."""
    prefix, promotion = call_prefix(call.pk), call.promotion
    jobs = []
    if call.submission_deadline:
        for days in sorted(set(settings.SUBMISSION_REMINDER_DAYS), reverse=True):
            jobs.append(
                Job(
                    f"{prefix}deadline-reminder-{days}d",
                    _("%(promotion)s : rappel J-%(days)d avant la date limite de dépôt")
                    % {"promotion": promotion, "days": days},
                    "triggers.jobs.remind_submission_deadline",
                    (call.pk, days),
                    days_before(call.submission_deadline, days),
                )
            )
    if call.recruitment_opens_at:
        jobs.append(
            Job(
                f"{prefix}recruitment-opening",
                _("%(promotion)s : ouverture du recrutement") % {"promotion": promotion},
                "triggers.jobs.open_recruitment",
                (call.pk,),
                call.recruitment_opens_at,
            )
        )
    if call.recruitment_closes_at:
        jobs.append(
            Job(
                f"{prefix}recruitment-closing",
                _("%(promotion)s : clôture du recrutement") % {"promotion": promotion},
                "triggers.jobs.close_recruitment",
                (call.pk,),
                call.recruitment_closes_at,
            )
        )
    if call.starts_on:
        day = call.starts_on - dt.timedelta(days=settings.COHORT_PLANNING_LEAD_DAYS)
        jobs.append(
            Job(
                f"{prefix}cohort-planning",
                _("%(promotion)s : planification des sessions de promotion") % {"promotion": promotion},
                "cohort.jobs.plan_sessions",
                (call.pk,),
                timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0))),
            )
        )
    return jobs


def session_jobs(session) -> list[Job]:
    if session.status == SessionStatus.CANCELLED:
        return []
    return [
        Job(
            f"{session_prefix(session.pk)}reminder",
            _("%(promotion)s : rappel de la session du %(date)s")
            % {"promotion": session.promotion, "date": session.date.strftime("%d/%m/%Y")},
            "cohort.jobs.remind_session",
            (session.pk,),
            cohort_services.reminder_at(session),
        )
    ]


def _sync(prefix: str, jobs: list[Job]) -> list[Synced]:
    """Make the schedules named `prefix…` exactly `jobs`."""
    existing = {schedule.name: schedule for schedule in Schedule.objects.filter(name__startswith=prefix)}
    synced = []
    for job in jobs:
        schedule = existing.pop(job.name, None)
        if schedule is None:
            schedule = Schedule.objects.create(
                name=job.name,
                func=job.func,
                args=job.args_text,
                schedule_type=Schedule.ONCE,
                repeats=1,
                next_run=job.at,
            )
            action = _("installée")
        elif (schedule.next_run, schedule.func, schedule.args) != (job.at, job.func, job.args_text):
            schedule.next_run, schedule.func, schedule.args = job.at, job.func, job.args_text
            schedule.schedule_type, schedule.repeats = Schedule.ONCE, 1  # moved: runs (again) then
            schedule.save()
            action = _("déplacée")
        elif schedule.repeats == 0 and Task.objects.filter(id=schedule.task, success=False).exists():
            schedule.repeats = 1  # django-q2 does not retry a task that raised: run it again
            schedule.save(update_fields=["repeats"])
            action = _("relancée après un échec")
        else:
            action = UNCHANGED
        synced.append(Synced(job.name, str(job.label), str(action), schedule))
    for name, schedule in existing.items():
        schedule.delete()
        synced.append(Synced(name, name, str(_("supprimée")), None))
    return synced


def sync_call(call) -> list[Synced]:
    return _sync(call_prefix(call.pk), call_jobs(call))


def sync_session(session) -> list[Synced]:
    return _sync(session_prefix(session.pk), session_jobs(session))


def forget(prefix: str) -> int:
    return Schedule.objects.filter(name__startswith=prefix).delete()[0]


def sync_all() -> list[Synced]:
    """Every call's and every session's schedules, and the rows of calls or sessions now gone."""
    synced = []
    for call in Call.objects.select_related("promotion").order_by("promotion__number", "pk"):
        synced += sync_call(call)
    sessions = CohortSession.objects.select_related("promotion").order_by("promotion__number", "date", "pk")
    for session in sessions:
        synced += sync_session(session)
    known = {call_prefix(pk) for pk in Call.objects.values_list("pk", flat=True)} | {
        session_prefix(pk) for pk in CohortSession.objects.values_list("pk", flat=True)
    }
    for schedule in Schedule.objects.filter(name__regex=r"^(call|session)-[0-9]+/"):
        if schedule.name.split("/", 1)[0] + "/" not in known:
            schedule.delete()
            synced.append(Synced(schedule.name, schedule.name, str(_("supprimée")), None))
    return synced
