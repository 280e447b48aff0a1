"""The figures of the managers' dashboard, each in a fixed number of queries."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lifecycle import calendar, clock, guards
from lifecycle.enums import ChallengeState, TransitionName
from lifecycle.models import AuditEvent, Challenge


def pipeline(promotion) -> list[dict]:
    """Every state in the lifecycle's order with its number of cases (zeros included)."""
    rows = (
        Challenge.objects.filter(promotion=promotion).order_by().values("state").annotate(count=Count("id"))
    )
    counts = {row["state"]: row["count"] for row in rows}
    return [
        {"state": state, "label": state.label, "count": counts.get(state.value, 0)}
        for state in ChallengeState
    ]


def cofinancing_committed(promotion) -> Decimal:
    """The co-financing taken from the envelope: the guard's own sum (eligible by the call's
    rule, requested, selected or later)."""
    return guards.committed_cofinancing(promotion)


@dataclass(frozen=True)
class Deadline:
    label: str
    when: object  # an aware datetime or a date
    days: int

    @property
    def when_text(self) -> str:
        if isinstance(self.when, dt.datetime):
            return date_format(timezone.localtime(self.when), "j F Y à H:i")
        return date_format(self.when, "j F Y")

    @property
    def countdown(self) -> str:
        if self.days == 0:
            return _("aujourd’hui")
        return ngettext("dans %(days)d jour", "dans %(days)d jours", self.days) % {"days": self.days}


def call_dates(call) -> list[tuple[str, object]]:
    """The call's dates in the calendar's order."""
    return [
        (_("Ouverture du dépôt des dossiers"), call.submission_opens_at),
        (_("Date limite de dépôt des dossiers"), call.submission_deadline),
        (_("Jury"), call.jury_starts_on),
        (_("Ouverture de l’appel à candidatures"), call.recruitment_opens_at),
        (_("Clôture de l’appel à candidatures"), call.recruitment_closes_at),
        (_("Fin de la présélection des candidats"), call.candidate_preselection_ends_on),
        (_("Entretiens des candidats"), call.candidate_interviews_start_on),
        (_("Jury des candidats"), call.candidate_jury_on),
        (_("Arrivée des EIG"), call.starts_on),
        (_("Début des travaux sur les défis"), call.work_starts_on),
    ]


def next_deadline(call, now=None) -> Deadline | None:
    """The next date of the call still ahead; a day (jury, start) counts until its end."""
    if call is None:
        return None
    now = now or clock.now()
    today = timezone.localtime(now).date()
    ahead = []
    for label, when in call_dates(call):
        if when is None:
            continue
        if isinstance(when, dt.datetime):
            if calendar.closing(when) <= now:  # a 23:59 moment lasts until 23:59:59
                continue
            day = timezone.localtime(when).date()
            moment = when
        else:
            if when < today:
                continue
            day = when
            moment = timezone.make_aware(dt.datetime.combine(when, dt.time.min))
        ahead.append((moment, label, when, (day - today).days))
    if not ahead:
        return None
    _moment, label, when, days = min(ahead, key=lambda item: item[0])
    return Deadline(label=label, when=when, days=days)


def my_tasks(user, limit=20) -> list[dict]:
    """The viewflow tasks waiting for `user` (assigned to them and not finished)."""
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    tasks = (
        Task.objects.filter(owner=user)
        .exclude(status__in=[STATUS.DONE, STATUS.CANCELED])
        .select_related("process")
        .order_by("created")[:limit]
    )
    rows = []
    for task in tasks:
        try:
            title = str(task.flow_task.task_title or task.flow_task)
        except Exception:  # a flow no longer declared: show its stored type
            title = task.flow_task_type
        rows.append({"title": title, "status": task.get_status_display(), "created": task.created})
    return rows


def transition_label(name) -> str:
    try:
        return str(TransitionName(name).label)
    except ValueError:
        return name


def recent_activity(limit=10):
    events = list(AuditEvent.objects.select_related("challenge").order_by("-id")[:limit])
    for event in events:
        event.transition_label = transition_label(event.transition) if event.transition else ""
    return events
