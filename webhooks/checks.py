"""The webhooks' time-outs must nest: a call of `deliver_many` sends for half
WEBHOOKS_SENDING_TIMEOUT, then its last request may take a few WEBHOOKS_TIMEOUT (connect, write,
read), all within the workers' task time-out, or django-q2 kills a task whose results are not
recorded and the sweep sends them again."""

from django.conf import settings
from django.core.checks import Warning, register

# httpx's time-out applies to each phase of a request: connecting, writing, reading (and the pool).
PHASES = 4


@register()
def check_timeouts(app_configs, **kwargs):
    task_timeout = settings.Q_CLUSTER.get("timeout") or 0
    longest = settings.WEBHOOKS_SENDING_TIMEOUT / 2 + PHASES * settings.WEBHOOKS_TIMEOUT
    if task_timeout and longest >= task_timeout:
        return [
            Warning(
                f"A webhooks task may last {longest:.0f} s, beyond the workers' time-out ({task_timeout} s).",
                hint="Lower WEBHOOKS_TIMEOUT (or WEBHOOKS_SENDING_TIMEOUT), or raise Q_CLUSTER's timeout.",
                id="webhooks.W001",
            )
        ]
    return []
