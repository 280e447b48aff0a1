"""The cohort sessions' business: planning around French public holidays, changes, reminders,
attendance and the iCalendar feed. Admin, commands and jobs call these functions."""

import datetime as dt
import logging

import holidays
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from icalendar import Calendar, Event

from cohort.models import Attendance, CohortCalendar, CohortSession, SessionStatus
from lifecycle import audit, clock, configuration, rules
from lifecycle.actors import SYSTEM
from lifecycle.enums import AuditKind, ChallengeState, MentorRole
from lifecycle.models import Challenge, Entrepreneur, Mentor, Promotion
from notifications import outbox
from notifications.enums import MessageEvent
from notifications.recipients import recipient

logger = logging.getLogger(__name__)

# French public holidays (metropolitan France), computed by the `holidays` library year by year.
FRENCH_HOLIDAYS = holidays.country_holidays("FR", language="fr")
WEEKEND = {5: gettext_lazy("samedi"), 6: gettext_lazy("dimanche")}


# Working days -------------------------------------------------------------------------------------


def non_working_reason(day: dt.date) -> str:
    """Why no session can take place that day (a public holiday, a weekend), or ""."""
    if day in FRENCH_HOLIDAYS:
        return _("%(holiday)s, jour férié") % {"holiday": FRENCH_HOLIDAYS.get(day)}
    if day.weekday() in WEEKEND:
        return str(WEEKEND[day.weekday()])
    return ""


def next_working_day(day: dt.date) -> tuple[dt.date, str]:
    """The day itself if it is a working day, else the next one, with the reason of the move."""
    reason = non_working_reason(day)
    while non_working_reason(day):
        day += dt.timedelta(days=1)
    return day, reason


def _check_working_day(day):
    reason = non_working_reason(day)
    if reason:
        raise ValidationError(
            {
                "date": _("Le %(date)s n’est pas un jour ouvré (%(reason)s) : choisissez un autre jour.")
                % {"date": date_format(day, "j F Y"), "reason": reason}
            }
        )


def _hours(call):
    return call.cohort_session_starts_at, call.cohort_session_ends_at


# Planning -----------------------------------------------------------------------------------------


def fortnightly_dates(call) -> list[dt.date]:
    """Every `call.cohort_session_every_days` days from the EIGs' arrival, while the promotion runs."""
    if call.starts_on is None:
        return []
    step = dt.timedelta(days=call.cohort_session_every_days)
    dates, day = [], call.starts_on
    while day < call.ends_on:
        dates.append(day)
        day += step
    return dates


def plan_sessions(call, *, by=SYSTEM) -> list[CohortSession]:
    """Plan the promotion's sessions, once: a promotion that has sessions keeps them (managers may
    have moved, cancelled or added some). A session falling on a public holiday moves to the next
    working day, its calendar date and the reason kept. Audited (one event for the planning)."""
    start_time, end_time = _hours(call)
    with transaction.atomic():
        promotion = Promotion.objects.select_for_update().get(pk=call.promotion_id)
        if promotion.cohort_sessions.exists():
            return []
        sessions = []
        for number, planned_on in enumerate(fortnightly_dates(call), start=1):
            day, reason = next_working_day(planned_on)
            sessions.append(
                CohortSession.objects.create(
                    promotion=promotion,
                    date=day,
                    start_time=start_time,
                    end_time=end_time,
                    place=call.cohort_session_place,
                    title=_("Session n°%(number)d de la promotion %(promotion)s")
                    % {"number": number, "promotion": promotion},
                    planned_on=planned_on,
                    change_reason=_("Reportée au jour ouvré suivant : %(reason)s.") % {"reason": reason}
                    if reason
                    else "",
                )
            )
        if sessions:
            audit.record(
                None,
                AuditKind.SESSION_CHANGED,
                by=by,
                subject=f"promotion:{promotion.pk}",
                reason=_("%(count)d sessions planifiées pour la promotion %(promotion)s.")
                % {"count": len(sessions), "promotion": promotion},
                changes={"sessions": [None, [f"{s.date:%Y-%m-%d}" for s in sessions]]},
            )
    logger.info("Planned %d cohort sessions for %s", len(sessions), promotion)
    return sessions


def move_session(
    session, *, by, date, start_time=None, end_time=None, place=None, reason=""
) -> CohortSession:
    """Move a session to another working day (or other hours, another place)."""
    _check_working_day(date)
    session.date = date
    session.start_time = start_time or session.start_time
    session.end_time = end_time or session.end_time
    session.place = session.place if place is None else place
    session.change_reason = reason or _("Déplacée par l’équipe du programme.")
    return save_change(session, by=by)


def cancel_session(session, *, by, reason="") -> CohortSession:
    session.status = SessionStatus.CANCELLED
    session.change_reason = reason or _("Annulée par l’équipe du programme.")
    return save_change(session, by=by)


def add_session(
    promotion, *, by, date, start_time=None, end_time=None, place=None, title=""
) -> CohortSession:
    _check_working_day(date)
    call = promotion.call
    default_start, default_end = _hours(call)
    session = CohortSession(
        promotion=promotion,
        date=date,
        start_time=start_time or default_start,
        end_time=end_time or default_end,
        place=call.cohort_session_place if place is None else place,
        title=title or _("Session de la promotion %(promotion)s") % {"promotion": promotion},
    )
    return configuration.save(session, by=by, kind=AuditKind.SESSION_CHANGED)


def save_change(session, *, by):
    """Save a changed session (here or in the admin) as a new version of its calendar event;
    audited with its old and new values."""
    if session.pk:
        session.sequence += 1
    return configuration.save(session, by=by, kind=AuditKind.SESSION_CHANGED)


# Moments ------------------------------------------------------------------------------------------


def starts_at(session) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(session.date, session.start_time))


def ends_at(session) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(session.date, session.end_time))


def reminder_at(session) -> dt.datetime:
    """The call's number of days before the session, at its reminder time (Paris)."""
    call = session.promotion.call
    day = session.date - dt.timedelta(days=call.cohort_session_reminder_days)
    return timezone.make_aware(dt.datetime.combine(day, call.cohort_session_reminder_time))


def describe(session) -> str:
    return _("%(day)s, de %(start)s à %(end)s") % {
        "day": date_format(session.date, "l j F Y"),
        "start": session.start_time.strftime("%H:%M"),
        "end": session.end_time.strftime("%H:%M"),
    }


# Who attends --------------------------------------------------------------------------------------


def attendees(session) -> list:
    """The EIGs and the operational mentors of the promotion's running challenges."""
    running = Challenge.objects.filter(promotion_id=session.promotion_id, state=ChallengeState.RUNNING)
    eigs = Entrepreneur.objects.filter(challenge__in=running).order_by("challenge__name", "last_name", "pk")
    mentors = Mentor.objects.filter(challenge__in=running, role=MentorRole.OPERATIONAL).order_by(
        "challenge__name", "pk"
    )
    return [*eigs, *mentors]


def attendance_sheet(session, *, by) -> list[Attendance]:
    """One row per expected person (absent until marked present); the rows kept as they are."""
    with transaction.atomic():
        for person in attendees(session):
            field = "mentor" if isinstance(person, Mentor) else "entrepreneur"
            attendance = Attendance.objects.filter(session=session, **{field: person}).first()
            if attendance is None:
                configuration.save(
                    Attendance(session=session, **{field: person}), by=by, kind=AuditKind.ATTENDANCE_RECORDED
                )
    return list(session.attendances.select_related("entrepreneur", "mentor"))


def record_attendance(session, person, *, by, present: bool, note: str = "") -> Attendance:
    field = "mentor" if isinstance(person, Mentor) else "entrepreneur"
    attendance = Attendance.objects.filter(session=session, **{field: person}).first()
    attendance = attendance or Attendance(session=session, **{field: person})
    attendance.present, attendance.note = present, note
    return configuration.save(attendance, by=by, kind=AuditKind.ATTENDANCE_RECORDED)


# Reminders ----------------------------------------------------------------------------------------


def remind(session) -> list:
    """E-mail each EIG and operational mentor of the promotion's running challenges before a
    session; nothing for a cancelled or past session. Once per session date and time: a moved
    session is announced again, a second run sends nothing."""
    if session.status == SessionStatus.CANCELLED or starts_at(session) <= clock.now():
        return []
    key = f"session-{session.pk}-{session.date:%Y%m%d}T{session.start_time:%H%M}"
    context = {
        "session_date": describe(session),
        "session_place": session.place,
        "calendar_url": calendar_url(session.promotion),
    }
    written = []
    running = Challenge.objects.filter(promotion_id=session.promotion_id, state=ChallengeState.RUNNING)
    for challenge in running.select_related("promotion__call", "administration").order_by("pk"):
        people = [
            recipient(eig.email, eig.full_name, _("EIG"))
            for eig in challenge.entrepreneurs.order_by("last_name", "pk")
        ] + [
            recipient(mentor.email, mentor.full_name, str(mentor.get_role_display()))
            for mentor in challenge.mentors.filter(role=MentorRole.OPERATIONAL)
        ]
        if people:
            with transaction.atomic():
                written += outbox.queue(
                    challenge, MessageEvent.SESSION_REMINDER, key=key, recipients=people, context=context
                )
    return written


# The iCalendar feed -------------------------------------------------------------------------------


def calendar_of(promotion) -> CohortCalendar:
    return CohortCalendar.objects.get_or_create(promotion=promotion)[0]


def calendar_url(promotion) -> str:
    token = calendar_of(promotion).token
    return settings.SITE_URL.rstrip("/") + reverse("cohort:ics", args=[token])


def renew_token(calendar, *, by) -> CohortCalendar:
    """A new secret address (the old one leaked): the old address answers 404 from now on.
    Audited without the tokens themselves (they are secrets)."""
    if not (rules.is_system(by) or rules.is_programme_manager(by)):
        raise PermissionDenied(_("Seul·e un·e chargé·e de programme renouvelle l’adresse du calendrier."))
    with transaction.atomic():
        calendar.token = CohortCalendar._meta.get_field("token").default()
        calendar.save(update_fields=["token"])
        audit.record(
            None,
            AuditKind.CALENDAR_RENEWED,
            by=by,
            subject=f"cohortcalendar:{calendar.pk}",
            reason=_("Nouvelle adresse secrète du calendrier de la promotion %(promotion)s.")
            % {"promotion": calendar.promotion},
        )
    return calendar


def ics(promotion) -> bytes:
    """The promotion's sessions as an iCalendar feed; a cancelled session stays, marked cancelled,
    so that subscribed calendars remove it."""
    calendar = Calendar()
    calendar.add("prodid", "-//Etalab//Programme EIG//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Sessions de la promotion %(promotion)s") % {"promotion": promotion})
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for session in promotion.cohort_sessions.order_by("date", "start_time", "pk"):
        event = Event()
        event.add("uid", f"cohort-session-{session.pk}@eig.etalab.gouv.fr")
        event.add("dtstamp", session.updated_at)
        event.add("last-modified", session.updated_at)
        event.add("sequence", session.sequence)
        event.add("dtstart", timezone.localtime(starts_at(session)))
        event.add("dtend", timezone.localtime(ends_at(session)))
        event.add("summary", session.title or _("Session de promotion"))
        if session.place:
            event.add("location", session.place)
        if session.change_reason:
            event.add("description", session.change_reason)
        event.add("status", "CANCELLED" if session.status == SessionStatus.CANCELLED else "CONFIRMED")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
