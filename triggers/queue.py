"""Handing work to django-q2, for the outboxes (e-mails, webhooks): one broker per process and
configuration, the rows handed over a task's worth at a time."""

import logging
import os

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
