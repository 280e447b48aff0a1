"""The reminders of a call's submission deadline to the administrations still writing their
dossier; run by a dated job (`notifications.jobs`), safe to run again."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from lifecycle import calendar, clock
from lifecycle.enums import ChallengeState
from lifecycle.models import Challenge
from notifications import outbox
from notifications.enums import MessageEvent

DAY = dt.timedelta(days=1)


def reminder_at(call, days: int) -> dt.datetime:
    """`days` days before the deadline, at the call's reminder time (Paris), else the deadline's."""
    moment = clock.days_before(call.submission_deadline, days)
    if call.submission_reminder_time is None:
        return moment
    day = timezone.localdate(moment)
    return timezone.make_aware(dt.datetime.combine(day, call.submission_reminder_time))


def remind_submission_deadline(call, days: int) -> list:
    """Remind the administrations whose dossier is still a draft that the deadline is near.

    Nothing once the deadline has passed, nor when a later reminder is already due (a worker
    that was down for a week sends the one-day reminder, not both). The key holds the deadline:
    moving the deadline reminds again, running twice does not.
    """
    deadline, now = call.submission_deadline, clock.now()
    if deadline is None or now >= calendar.closing(deadline):
        return []
    later = [other for other in call.reminder_days if other < days]
    if any(now >= reminder_at(call, other) for other in later):
        return []
    days_left = calendar.days_left(deadline, now)
    key = f"deadline-{call.pk}-{timezone.localtime(deadline):%Y%m%dT%H%M}-{days}d"
    written = []
    drafts = Challenge.objects.filter(promotion_id=call.promotion_id, state=ChallengeState.DRAFT)
    for challenge in drafts.select_related("promotion__call", "administration").order_by("pk"):
        with transaction.atomic():
            written += outbox.queue(challenge, MessageEvent.DEADLINE_REMINDER, key=key, days_left=days_left)
    return written
