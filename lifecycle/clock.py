"""The one place the domain asks what time it is.

Replaying history (the demo, an import of past promotions) needs the domain to act at a past
moment with its guards intact: `at(moment)` sets that moment for the current thread.
"""

import contextlib
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
