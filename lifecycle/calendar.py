"""The call's moments as people read them and as the guards apply them: one definition each.

A deadline entered at HH:59 (the programme writes "23:59") includes that whole minute: a dossier
submitted at 23:59:59 is on time, one at 00:00:00 the next day is late. Any other deadline is the
first late moment (17:00 means 16:59:59 is on time, 17:00:00 late), as in the 2018 call. The
portal's countdown, the guards' messages and the reminders all read `closing` and `label`.
"""

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

MINUTE = dt.timedelta(minutes=1)


def includes_its_minute(deadline) -> bool:
    local = timezone.localtime(deadline)
    return local.minute == 59 and local.second == 0 and local.microsecond == 0


def closing(deadline):
    """The first moment after `deadline` (None stays None)."""
    if deadline is None:
        return None
    return deadline + MINUTE if includes_its_minute(deadline) else deadline


def label(moment, *, seconds=False) -> str:
    """ "lundi 1 octobre 2018 à 23:59" in Paris time, in the active language."""
    local = timezone.localtime(moment)
    return date_format(local, _("l j F Y à H:i:s") if seconds else _("l j F Y à H:i"))


def deadline_label(deadline) -> str:
    """How every page and message announces a deadline: the time as entered, "inclus" for a
    deadline that includes its minute (so 23:59 is read as the last minute still open)."""
    text = label(deadline)
    if includes_its_minute(deadline):
        return _("%(moment)s incluse") % {"moment": text}
    return text


def time_label(deadline) -> str:
    """The deadline's time alone, as `deadline_label` says it ("23:59 incluse", "17:00")."""
    text = date_format(timezone.localtime(deadline), "H:i")
    if includes_its_minute(deadline):
        return _("%(moment)s incluse") % {"moment": text}
    return text


def days_left(deadline, now) -> int:
    """Calendar days from today to the deadline's day, in Paris: 0 on its last day. The portal's
    countdown and the reminders both say this number."""
    return (timezone.localdate(deadline) - timezone.localdate(now)).days


# Where the candidates' call stands, by its dates (its closing job aside: `recruitment`).
UNSET, BEFORE, OPEN, CLOSED = "unset", "before", "open", "closed"


def candidates_call_stage(call, now) -> str:
    """UNSET (no opening), BEFORE its opening, OPEN, or CLOSED (its closing's minute included)."""
    opens, closes = call.recruitment_opens_at, call.recruitment_closes_at
    if opens is None:
        return UNSET
    if now < opens:
        return BEFORE
    if closes is not None and now >= closing(closes):
        return CLOSED
    return OPEN
