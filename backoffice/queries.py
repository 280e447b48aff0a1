"""The figures of the managers' dashboard, each in a fixed number of queries."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lifecycle import calendar, clock, guards, personal
from lifecycle.enums import ChallengeState, TransitionName
from lifecycle.models import AuditEvent, Challenge
from mentoring import services as mentoring
from web.templatetags import moments

# Cases without a move for this many days are shown by default (`?jours=` changes it).
STALE_DAYS = 14


def pipeline(promotion) -> list[dict]:
    """Every state in the lifecycle's order with its number of cases (zeros included)."""
    rows = Challenge.objects.filter(promotion=promotion).order_by().values("state").annotate(count=Count("*"))
    counts = {row["state"]: row["count"] for row in rows}
    most = max(counts.values(), default=0)
    return [
        {
            "state": state,
            "label": state.label,
            "count": counts.get(state.value, 0),
            # The bar's length in the chart, in % of the largest count.
            "share": round(counts.get(state.value, 0) * 100 / most) if most else 0,
        }
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
        return moments.moment(self.when)

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


# The call's calendar as a timeline: (label, first moment or day, last day, is a deadline).
def _calendar_items(call) -> list[tuple]:
    return [
        (_("Événement d’information"), call.information_event_at, None, False),
        (_("Ouverture du dépôt des dossiers"), call.submission_opens_at, None, False),
        (_("Date limite de dépôt des dossiers"), call.submission_deadline, None, True),
        (_("Jury"), call.jury_starts_on, call.jury_ends_on, False),
        (_("Ouverture de l’appel à candidatures"), call.recruitment_opens_at, None, False),
        (_("Clôture de l’appel à candidatures"), call.recruitment_closes_at, None, True),
        (_("Fin de la présélection des candidats"), call.candidate_preselection_ends_on, None, False),
        (
            _("Entretiens des candidats"),
            call.candidate_interviews_start_on,
            call.candidate_interviews_end_on,
            False,
        ),
        (_("Jury des candidats"), call.candidate_jury_on, None, False),
        (_("Arrivée des EIG"), call.starts_on, None, False),
        (_("Fin de la période d’intégration"), call.onboarding_ends_on, None, False),
        (_("Début des travaux sur les défis"), call.work_starts_on, None, False),
        (_("Fin des défis"), call.ends_on, None, False),
    ]


def _day_start(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def call_timeline(call, now=None) -> list[dict]:
    """The call's dates in time order, each past, current (a day or a span under way) or ahead;
    the first one not past is the next. Moments in Paris time; a 23:59 deadline includes its
    minute (`calendar.closing`)."""
    if call is None:
        return []
    now = now or clock.now()
    today = timezone.localtime(now).date()
    items = []
    for label, start, last_day, is_deadline in _calendar_items(call):
        if start is None:
            continue
        if isinstance(start, dt.datetime):
            begins, ends = start, calendar.closing(start)
            when = calendar.deadline_label(start) if is_deadline else calendar.label(start)
            first_day = timezone.localtime(start).date()
        else:
            last_day = last_day if last_day and last_day > start else None
            begins, ends = _day_start(start), _day_start((last_day or start) + dt.timedelta(days=1))
            first_day = start
            when = (
                _("du %(start)s au %(end)s")
                % {"start": moments.long_day(start), "end": moments.long_day(last_day)}
                if last_day
                else moments.long_day(start)
            )
        if ends <= now:
            status = "past"
        elif begins <= now or first_day == today:
            status = "current"
        else:
            status = "ahead"
        days = (first_day - today).days
        items.append(
            {
                "label": label,
                "when": when,
                "begins": begins,
                "status": status,
                "countdown": _("en cours")
                if status == "current"
                else ngettext("dans %(days)d jour", "dans %(days)d jours", days) % {"days": days},
                "next": False,
            }
        )
    items.sort(key=lambda item: item["begins"])
    upcoming = next((item for item in items if item["status"] != "past"), None)
    if upcoming is not None:
        upcoming["next"] = True
    return items


def stale_challenges(promotion, days=STALE_DAYS, now=None, limit=20) -> dict:
    """The promotion's cases without a change of state for `days` days or more (since their
    creation, if they never moved), in the states that still expect one; the oldest first. Two
    queries."""
    now = now or clock.now()
    today = timezone.localtime(now).date()
    cases = (
        Challenge.objects.filter(promotion=promotion)
        .exclude(state__in=ChallengeState.final())
        .annotate(last_move=Coalesce("state_changed_at", "created_at"))
        .filter(last_move__lte=now - dt.timedelta(days=days))
        .select_related("administration", "manager")
        .order_by("last_move", "name")
    )
    rows = [
        {
            "challenge": challenge,
            "state_label": ChallengeState(challenge.state).label,
            "since": challenge.last_move,
            "days": (today - timezone.localtime(challenge.last_move).date()).days,
        }
        for challenge in cases[:limit]
    ]
    return {"rows": rows, "count": cases.count() if len(rows) == limit else len(rows), "days": days}


def my_challenges(user, limit=50) -> dict:
    """The cases `user` is in charge of (`Challenge.manager`) that are not closed, the latest
    promotion first. Two queries at most."""
    cases = (
        Challenge.objects.filter(manager=user)
        .exclude(state__in=ChallengeState.final())
        .select_related("promotion", "administration")
        .order_by("-promotion__number", "name")
    )
    rows = [
        {"challenge": challenge, "state_label": ChallengeState(challenge.state).label}
        for challenge in cases[:limit]
    ]
    return {"rows": rows, "count": cases.count() if len(rows) == limit else len(rows)}


def my_tasks(user, limit=20) -> list[dict]:
    """The mentoring tasks waiting for `user` (assigned to them), each with its challenge, the
    task's page and the case's: three queries, whatever the number of tasks."""
    tasks = list(mentoring.inbox(user).select_related("process")[:limit])
    if not tasks:
        return []
    challenge_type = ContentType.objects.get_for_model(Challenge)  # cached once read
    ids = {
        int(task.process.artifact_object_id)
        for task in tasks
        if task.process.artifact_content_type_id == challenge_type.pk and task.process.artifact_object_id
    }
    challenges = Challenge.objects.select_related("administration").in_bulk(ids) if ids else {}
    rows = []
    for task in tasks:
        try:
            title = str(task.flow_task.task_title or task.flow_task)
        except Exception:  # a flow no longer declared: show its stored type
            title = task.flow_task_type
        challenge = challenges.get(int(task.process.artifact_object_id or 0))
        rows.append(
            {
                "title": title,
                "status": task.get_status_display(),
                "created": task.created,
                "url": reverse("mentoring:task", args=[task.pk]),
                "challenge": challenge,
            }
        )
    return rows


def transition_label(name) -> str:
    try:
        return str(TransitionName(name).label)
    except ValueError:
        return name


def recent_activity(limit=10):
    # Each author's name kept apart (docs/personal-data.md) read in the same query.
    events = list(personal.with_actor(AuditEvent.objects.select_related("challenge")).order_by("-id")[:limit])
    for event in events:
        event.transition_label = transition_label(event.transition) if event.transition else ""
    return events
