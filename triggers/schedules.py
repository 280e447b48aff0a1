"""The django-q2 schedules of the apps' dated jobs and periodic sweeps, registered in their
`ready()`; this module knows no domain.

- `register_jobs(model, prefix, provider)`: `provider(instance)` returns the dated `Job`s an
  instance of `model` triggers (a call's reminders, its recruitment opening, a session's
  reminder…). The jobs of all the providers of a model are named "<prefix>-<pk>/<job name>"
  and follow the instance: when it is saved they are installed, moved or removed, when it is
  deleted they are removed, in its transaction.
- `register_periodic(name, func, minutes=…)`: a sweep that runs for ever (every `minutes`, or
  hourly), installed after each migration and by `manage.py schedules sync`.

Each dated job is one ONCE schedule whose `next_run` is its moment. `repeats=1`: once run,
django-q2 keeps the row with `repeats=0`, so that a sync knows it ran and does not run it again,
unless its moment moved (a changed date re-arms it). A row whose next_run is past and repeats=1
runs at the worker's next scheduler pass: that is the catch-up after a worker was down. The
jobs themselves are idempotent (each app says how).
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_q.models import Schedule, Task


@dataclass(frozen=True)
class Job:
    name: str  # within the instance, e.g. "recruitment-opening"
    label: str
    func: str  # dotted path of the django-q2 task
    args: tuple
    at: dt.datetime

    @property
    def args_text(self) -> str:
        return repr(self.args)


@dataclass(frozen=True)
class Periodic:
    name: str
    func: str
    minutes: int | None  # every this many minutes; None: hourly, or daily
    daily: bool = False


_prefixes: dict[type, str] = {}
_providers: dict[str, list] = {}
PERIODIC: dict[str, Periodic] = {}


def register_jobs(model, prefix: str, provider):
    """Schedule the jobs `provider(instance)` returns for every instance of `model`."""
    if _prefixes.setdefault(model, prefix) != prefix:
        raise ValueError(f"{model.__name__} is already scheduled under «{_prefixes[model]}»")
    if any(other is not model and known == prefix for other, known in _prefixes.items()):
        raise ValueError(f"The prefix «{prefix}» already names the jobs of another model")
    providers = _providers.setdefault(prefix, [])
    if provider not in providers:
        providers.append(provider)
    post_save.connect(_instance_saved, sender=model, dispatch_uid=f"triggers.sync.{prefix}")
    post_delete.connect(_instance_deleted, sender=model, dispatch_uid=f"triggers.forget.{prefix}")


def register_periodic(name: str, func: str, *, minutes: int | None = None, daily: bool = False):
    """A sweep: every `minutes`, else every day (`daily`), else every hour."""
    PERIODIC[name] = Periodic(name, func, minutes, daily)


def _instance_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        sync(instance)


def _instance_deleted(sender, instance, **kwargs):
    forget(prefix_of(instance))


def prefix_of(instance) -> str:
    return f"{_prefixes[type(instance)]}-{instance.pk}/"


def jobs_of(instance) -> list[Job]:
    return [job for provider in _providers[_prefixes[type(instance)]] for job in provider(instance)]


# Periodic sweeps ---------------------------------------------------------------------------------

SYNC_NAME = "triggers: sync"
register_periodic(SYNC_NAME, "triggers.tasks.sync")  # re-runs a failed job, catches a missed change


def ensure_periodic(**_kwargs):
    """Install (or bring up to date) every registered sweep; after the triggers app's migrations,
    and by `manage.py schedules sync`."""
    for periodic in PERIODIC.values():
        if periodic.minutes:
            timing = {"schedule_type": Schedule.MINUTES, "minutes": periodic.minutes}
        else:
            timing = {"schedule_type": Schedule.DAILY if periodic.daily else Schedule.HOURLY, "minutes": None}
        Schedule.objects.update_or_create(
            name=periodic.name, defaults={"func": periodic.func, "repeats": -1, **timing}
        )


# Dated jobs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Synced:
    """One schedule after a sync: what the sync did, and the row as it is now (None: removed)."""

    name: str
    label: str
    action: str  # "installée", "déplacée", "inchangée", "supprimée"…
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


UNCHANGED = _("inchangée")


def _sync(prefix: str, jobs: list[Job]) -> list[Synced]:
    """Make the schedules named `prefix…` exactly `jobs`."""
    existing = {schedule.name: schedule for schedule in Schedule.objects.filter(name__startswith=prefix)}
    synced = []
    for job in jobs:
        name = prefix + job.name
        schedule = existing.pop(name, None)
        if schedule is None:
            schedule = Schedule.objects.create(
                name=name,
                func=job.func,
                args=job.args_text,
                schedule_type=Schedule.ONCE,
                repeats=1,
                next_run=job.at,
            )
            action = _("installée")
        elif schedule.next_run != job.at or schedule.args != job.args_text:
            schedule.next_run, schedule.func, schedule.args = job.at, job.func, job.args_text
            schedule.schedule_type, schedule.repeats = Schedule.ONCE, 1  # moved: runs (again) then
            schedule.save()
            action = _("déplacée")
        elif schedule.func != job.func:
            schedule.func = job.func  # the task moved in the code: same job, not run again
            schedule.save(update_fields=["func"])
            action = _("mise à jour")
        elif schedule.repeats == 0 and Task.objects.filter(id=schedule.task, success=False).exists():
            schedule.repeats = 1  # django-q2 does not retry a task that raised: run it again
            schedule.save(update_fields=["repeats"])
            action = _("relancée après un échec")
        else:
            action = UNCHANGED
        synced.append(Synced(name, str(job.label), str(action), schedule))
    for name, schedule in existing.items():
        schedule.delete()
        synced.append(Synced(name, name, str(_("supprimée")), None))
    return synced


def sync(instance) -> list[Synced]:
    return _sync(prefix_of(instance), jobs_of(instance))


def forget(prefix: str) -> int:
    return Schedule.objects.filter(name__startswith=prefix).delete()[0]


def sync_all() -> list[Synced]:
    """Every registered instance's schedules, and the rows of instances now gone."""
    synced, known = [], set()
    for model in _prefixes:
        for instance in model.objects.order_by("pk"):
            known.add(prefix_of(instance))
            synced += sync(instance)
    pattern = r"^(" + "|".join(re.escape(prefix) for prefix in sorted(_providers)) + r")-[0-9]+/"
    for schedule in Schedule.objects.filter(name__regex=pattern):
        if schedule.name.split("/", 1)[0] + "/" not in known:
            schedule.delete()
            synced.append(Synced(schedule.name, schedule.name, str(_("supprimée")), None))
    return synced
