"""Handing work to django-q2, for the outboxes (e-mails, webhooks): one broker per process and
configuration, the rows handed over a task's worth at a time, and after a move's commit its
pending rows (a bulk move's all at once)."""

import contextvars
import logging
import os
from contextlib import contextmanager

logger = logging.getLogger(__name__)

# Rows handed to one task (sent over one SMTP connection, one HTTP client).
TASK_SIZE = 50

_brokers = {}


def broker():
    """django-q2 builds a new broker (with Redis, a new client that also reads the package's
    metadata) at every `async_task` not given one, which cost a move a fifth of its time
    (docs/benchmarks.md, section 1)."""
    from django_q.brokers import get_broker
    from django_q.conf import Conf

    wanted = repr((os.getpid(), Conf.CLUSTER_NAME, Conf.ORM, Conf.REDIS, Conf.BROKER_CLASS))
    if wanted not in _brokers:
        _brokers.clear()
        _brokers[wanted] = get_broker()
    return _brokers[wanted]


def hand_over(task: str, ids, *, group: str) -> None:
    """Hand `ids` to the workers' `task`, TASK_SIZE to a task. If the broker is down, it is
    logged: the outbox's periodic sweep sends what was not handed over."""
    from django_q.tasks import async_task  # django-q2 reads its settings on import

    for start in range(0, len(ids), TASK_SIZE):
        chunk = list(ids[start : start + TASK_SIZE])
        try:
            async_task(task, chunk, task_name=f"{group}-{chunk[0]}-{chunk[-1]}", group=group, broker=broker())
        except Exception:  # the sweep catches up whatever the broker lost
            logger.exception("Could not hand %s %s to the workers", group, chunk)


class AfterCommit:
    """An outbox's hand-over once a move is committed: `pending_of(event)` hands the rows its
    audit event left pending; inside `together()` (a bulk move) it only notes the event, and every
    noted event's rows are handed over on leaving, by one query and one hand-over."""

    def __init__(self, name: str, *, pending, hand):
        self._events = contextvars.ContextVar(name, default=None)
        self._pending, self._hand = pending, hand  # event ids -> row ids; row ids -> None

    @contextmanager
    def together(self, challenges=()):
        if self._events.get() is not None:
            yield
            return
        events = []
        token = self._events.set(events)
        try:
            yield
        finally:
            self._events.reset(token)
        if events:
            self._hand(self._pending(events))

    def pending_of(self, event) -> None:
        events = self._events.get()
        if events is not None:
            events.append(event.pk)
            return
        self._hand(self._pending([event.pk]))
