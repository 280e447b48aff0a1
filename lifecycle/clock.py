"""The one place the domain asks what time it is.

Replaying history (the demo, an import of past promotions) needs the domain to act at a past
moment with its guards intact: `at(moment)` sets that moment for the current thread.
"""

import contextlib
import datetime as dt
import threading

from django.utils import timezone

_local = threading.local()


def now():
    return getattr(_local, "moment", None) or timezone.now()


@contextlib.contextmanager
def at(moment):
    previous = getattr(_local, "moment", None)
    _local.moment = moment
    try:
        yield
    finally:
        _local.moment = previous


def days_before(moment, days: int):
    """The same wall-clock time (in the project's time zone) `days` days earlier, across a
    daylight-saving change: the J-7 reminder of a 17:00 deadline is at 17:00 too."""
    local = timezone.make_naive(moment)
    return timezone.make_aware(local - dt.timedelta(days=days))
