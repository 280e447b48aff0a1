"""Handing work to django-q2: one broker per process and configuration, shared by the outboxes
(e-mails, webhooks)."""

import os

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
