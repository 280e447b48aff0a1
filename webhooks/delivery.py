"""Sending the webhooks' outbox over HTTP (httpx), at least once each, never twice at once.

Deliveries are claimed a group at a time (pending and due → sending, under a row lock that
skips the rows another worker holds) before they are sent: of two workers only one takes each.
A 2xx answer delivers it; anything else (another status, a refused connection, a time-out)
schedules the next attempt after `WEBHOOKS_RETRY_DELAYS`, then fails it for good. A group's
results are recorded together once it is sent. A time-out may hide a delivery the receiver
took: it is sent again, with the same id (`X-EIG-Delivery`), for the receiver to drop. A
delivery left "sending" by a worker that died is sent again by the sweep after
`WEBHOOKS_SENDING_TIMEOUT` (the same id: at least once).
"""

import datetime as dt
import logging
import time

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from webhooks import signing
from webhooks.enums import DeliveryStatus
from webhooks.models import Delivery

logger = logging.getLogger(__name__)


def client() -> httpx.Client:
    """No redirect followed (a webhook's URL is the one registered), no proxy from the
    environment, the settings' time-out."""
    return httpx.Client(timeout=settings.WEBHOOKS_TIMEOUT, follow_redirects=False, trust_env=False)


# Deliveries claimed together: one locking read and one update to claim them, one update to
# record their results.
GROUP = 50


def _claim(delivery_ids) -> list[Delivery]:
    """Take the deliveries of `delivery_ids` still pending and due (pending and due → sending),
    with their webhook: rows another worker holds are skipped, never waited for (SQLite: its
    immediate transactions take the write lock first)."""
    now = timezone.now()
    with transaction.atomic():
        claimed = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=delivery_ids, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .select_related("webhook", "replay_of")
            .order_by("id")
        )
        Delivery.objects.filter(pk__in=[delivery.pk for delivery in claimed]).update(
            status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now
        )
    for delivery in claimed:
        delivery.status, delivery.attempts, delivery.claimed_at = (
            DeliveryStatus.SENDING,
            delivery.attempts + 1,
            now,
        )
    return claimed


def _send(delivery, http: httpx.Client) -> None:
    """One claimed delivery POSTed; its result set on the object (`_record` writes its group's)."""
    hook = delivery.webhook
    if hook.disabled_at is not None:
        delivery.status = DeliveryStatus.FAILED
        delivery.last_error = _("Webhook désactivé : envoi abandonné.")
        return
    body = delivery.body.encode()
    headers = signing.headers(
        hook.secret, body, delivery_id=str(delivery.uid), event_type=delivery.event_type
    )
    if delivery.replay_of_id:
        headers["X-EIG-Replay-Of"] = str(delivery.replay_of.uid)
    try:
        answer = http.post(hook.url, content=body, headers=headers)
    except httpx.HTTPError as error:
        _failed_attempt(delivery, None, f"{type(error).__name__}: {error}")
        return
    if 200 <= answer.status_code < 300:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.last_status_code = answer.status_code
        delivery.last_error = ""
    else:
        text = " ".join(answer.text[:200].split())
        _failed_attempt(delivery, answer.status_code, f"HTTP {answer.status_code} {text}".strip())


def _failed_attempt(delivery, status_code, error):
    delays = settings.WEBHOOKS_RETRY_DELAYS
    delivery.last_status_code = status_code
    delivery.last_error = error[:1000]
    if delivery.attempts <= len(delays):
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = timezone.now() + dt.timedelta(seconds=delays[delivery.attempts - 1])
    else:
        delivery.status = DeliveryStatus.FAILED


def _record(sent) -> None:
    """A group's results, one UPDATE per distinct result (all delivered: one). A delivery's
    `delivered_at` is when its group's results are recorded, right after its last POST."""
    results: dict = {}
    for delivery in sent:
        next_attempt_at = delivery.next_attempt_at if delivery.status == DeliveryStatus.PENDING else None
        key = (delivery.status, delivery.last_status_code, delivery.last_error, next_attempt_at)
        results.setdefault(key, []).append(delivery.pk)
    now = timezone.now()
    for (status, status_code, error, next_attempt_at), pks in results.items():
        values = {"status": status, "last_status_code": status_code, "last_error": error}
        if status == DeliveryStatus.DELIVERED:
            values["delivered_at"] = now
        if next_attempt_at is not None:
            values["next_attempt_at"] = next_attempt_at
        Delivery.objects.filter(pk__in=pks).update(**values)


def _release(deliveries):
    """Claimed but not sent (the group ran out of time): pending and due again, the attempt not counted."""
    Delivery.objects.filter(pk__in=[delivery.pk for delivery in deliveries]).update(
        status=DeliveryStatus.PENDING, attempts=F("attempts") - 1, next_attempt_at=timezone.now()
    )


def deliver_many(delivery_ids, *, http: httpx.Client | None = None) -> dict:
    """Send the deliveries still due, a group at a time over one client (its connections kept
    alive): claimed together, POSTed one by one, their results recorded together. A group stops
    sending at half `WEBHOOKS_SENDING_TIMEOUT` after its claim (a slow receiver): its unsent rest
    is released and claimed again, so that the sweep never takes a delivery still in our hands.
    One delivery that fails unexpectedly never stops the others."""
    outcome: dict = {}
    own = http is None
    http = http or client()
    waiting = list(delivery_ids)
    try:
        while waiting:
            group, waiting = waiting[:GROUP], waiting[GROUP:]
            claimed = _claim(group)
            if len(claimed) < len(group):
                outcome["skipped"] = outcome.get("skipped", 0) + len(group) - len(claimed)
            deadline = time.monotonic() + settings.WEBHOOKS_SENDING_TIMEOUT / 2
            sent = []
            for index, delivery in enumerate(claimed):
                if index and time.monotonic() > deadline:
                    _release(claimed[index:])
                    waiting = [late.pk for late in claimed[index:]] + waiting
                    break
                try:
                    _send(delivery, http)
                except Exception as error:  # an unforeseen error of one delivery: logged, the group goes on
                    logger.exception("Webhook delivery %s failed", delivery.pk)
                    _failed_attempt(delivery, None, f"{type(error).__name__}: {error}")
                sent.append(delivery)
            _record(sent)
            for delivery in sent:
                outcome[delivery.status] = outcome.get(delivery.status, 0) + 1
    finally:
        if own:
            http.close()
    return outcome


def send_due(*, limit=None, http=None) -> dict:
    """The sweep: deliveries left "sending" by a dead worker made due again, then every due one sent."""
    stale = timezone.now() - dt.timedelta(seconds=settings.WEBHOOKS_SENDING_TIMEOUT)
    resumed = Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=stale).update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now()
    )
    due = (
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)
    )
    return {"resumed": resumed, **deliver_many(list(due[:limit] if limit else due), http=http)}
