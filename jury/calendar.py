"""A pitch slot as people read it, and as a calendar invitation (.ics) the administration's
people receive by e-mail when it is planned, changed or cancelled."""

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from lifecycle import clock
from lifecycle.enums import AuditKind
from lifecycle.models import AuditEvent
from notifications import outbox
from notifications.enums import MessageEvent

ICS_TYPE = "text/calendar; method={method}; charset=utf-8"


def moment(value) -> str:
    return date_format(timezone.localtime(value), _("l j F Y à H:i"))


def when(slot) -> str:
    """ "mardi 3 juillet 2018, 10:00–10:40" in Paris time."""
    start, end = timezone.localtime(slot.starts_at), timezone.localtime(slot.ends_at)
    return _("%(day)s, %(start)s–%(end)s") % {
        "day": date_format(start, _("l j F Y")),
        "start": date_format(start, "H:i"),
        "end": date_format(end, "H:i"),
    }


def where(slot) -> str:
    parts = [slot.place] if slot.place else []
    if slot.video_link:
        parts.append(_("en visioconférence : %(link)s") % {"link": slot.video_link})
    return " ; ".join(parts)


def uid(slot) -> str:
    return f"pitch-slot-{slot.challenge_id}@eig.etalab.gouv.fr"


def sequence(slot) -> int:
    """The invitation's version: how many times the challenge's audition was planned, changed or
    cancelled before (the trail is append-only, so it only grows, across a cancellation too)."""
    return max(
        AuditEvent.objects.filter(challenge_id=slot.challenge_id, kind=AuditKind.SLOT_PLANNED).count() - 1, 0
    )


def ics(slot, *, method: str = "REQUEST") -> bytes:
    """The audition as an iCalendar invitation; a change is a new SEQUENCE of the same UID, a
    cancellation the same UID with METHOD:CANCEL, so calendars update or remove it."""
    calendar = Calendar()
    calendar.add("prodid", "-//Etalab//Programme EIG//FR")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", uid(slot))
    event.add("dtstamp", clock.now())
    event.add("sequence", sequence(slot))
    event.add("dtstart", timezone.localtime(slot.starts_at))
    event.add("dtend", timezone.localtime(slot.ends_at))
    event.add(
        "summary",
        _("Audition devant le jury EIG : %(challenge)s") % {"challenge": slot.challenge.name},
    )
    if slot.place:
        event.add("location", slot.place)
    elif slot.video_link:
        event.add("location", slot.video_link)
    if slot.video_link:
        event.add("url", slot.video_link)
    event.add("description", _("%(sub_jury)s. %(where)s") % {"sub_jury": slot.sub_jury, "where": where(slot)})
    event.add("organizer", f"mailto:{settings.DEFAULT_FROM_EMAIL.split('<')[-1].rstrip('>')}")
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _attachment(slot, method):
    return outbox.Attachment(
        name=f"audition-jury-eig-{slot.challenge_id}.ics",
        content_type=ICS_TYPE.format(method=method),
        content=ics(slot, method=method),
    )


def _context(slot) -> dict:
    """The slot's words, each written in the language of the recipient reading it."""
    return {"slot_date": lazy(when, str)(slot), "slot_place": lazy(where, str)(slot)}


def announce(slot, *, event, by, changed: bool, hold=False):
    """Write the e-mails announcing the slot (in the transaction that plans it), with the
    invitation; each version of the slot is announced once. `hold`: as `outbox.queue`'s (a
    review of the planning act, `outbox.review_of_act(event=…)`)."""
    return outbox.queue(
        slot.challenge,
        MessageEvent.PITCH_SLOT_CHANGED if changed else MessageEvent.PITCH_SLOT_PLANNED,
        key=f"pitch-slot-{event.pk}",
        audit_event=event,
        by=by,
        context=_context(slot),
        attachment=_attachment(slot, "REQUEST"),
        hold=hold,
    )


def announce_cancellation(slot, *, event, by, hold=False):
    return outbox.queue(
        slot.challenge,
        MessageEvent.PITCH_SLOT_CANCELLED,
        key=f"pitch-slot-{event.pk}",
        audit_event=event,
        by=by,
        context=_context(slot),
        attachment=_attachment(slot, "CANCEL"),
        hold=hold,
    )
