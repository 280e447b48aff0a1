"""An interview as people read it, and as the calendar invitation (.ics) the candidate receives."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from lifecycle import clock
from notifications import outbox

ICS_TYPE = "text/calendar; method=REQUEST; charset=utf-8"


def ends_at(application):
    return application.interview_at + dt.timedelta(minutes=application.interview_minutes)


def when(application) -> str:
    start, end = timezone.localtime(application.interview_at), timezone.localtime(ends_at(application))
    return _("%(day)s, %(start)s–%(end)s") % {
        "day": date_format(start, _("l j F Y")),
        "start": date_format(start, "H:i"),
        "end": date_format(end, "H:i"),
    }


def ics(application, *, sequence: int = 0) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Etalab//Programme EIG//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"interview-{application.pk}@eig.etalab.gouv.fr")
    event.add("dtstamp", clock.now())
    event.add("sequence", sequence)
    event.add("dtstart", timezone.localtime(application.interview_at))
    event.add("dtend", timezone.localtime(ends_at(application)))
    event.add("summary", _("Entretien EIG : %(challenge)s") % {"challenge": application.challenge.name})
    event.add("location", application.interview_place)
    if application.interview_place.startswith(("https://", "http://")):
        event.add("url", application.interview_place)
    event.add("organizer", f"mailto:{settings.DEFAULT_FROM_EMAIL.split('<')[-1].rstrip('>')}")
    event.add("status", "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def attachment(application, *, sequence: int = 0) -> outbox.Attachment:
    return outbox.Attachment(
        name=f"entretien-eig-{application.pk}.ics",
        content_type=ICS_TYPE,
        content=ics(application, sequence=sequence),
    )


def context(application) -> dict:
    if application.interview_at is None:
        return {}
    return {"interview_date": lazy(when, str)(application), "interview_place": application.interview_place}
