"""Sending the webhooks' outbox over HTTP (httpx), at least once each, never twice at once.

A delivery is claimed by a conditional UPDATE (pending and due → sending) before it is sent: of
two workers only one claim succeeds. A 2xx answer delivers it; anything else (another status, a
refused connection, a time-out) schedules the next attempt after `WEBHOOKS_RETRY_DELAYS`, then
fails it for good. A time-out may hide a delivery the receiver took: it is sent again, with the
same id (`X-EIG-Delivery`), for the receiver to drop. A delivery left "sending" by a worker that
died is sent again by the sweep after `WEBHOOKS_SENDING_TIMEOUT`.
"""

import datetime as dt
import logging

import httpx
from django.conf import settings
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


def _claim(delivery_id) -> bool:
    now = timezone.now()
    return bool(
        Delivery.objects.filter(
            pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        ).update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    )


def deliver(delivery_id, *, http: httpx.Client) -> str:
    """Send one delivery if it is still due; returns its new status (or "skipped")."""
    if not _claim(delivery_id):
        return "skipped"
    delivery = Delivery.objects.select_related("webhook").get(pk=delivery_id)
    hook = delivery.webhook
    if hook.disabled_at is not None:
        delivery.status = DeliveryStatus.FAILED
        delivery.last_error = _("Webhook désactivé : envoi abandonné.")
        delivery.save(update_fields=["status", "last_error"])
        return delivery.status
    body = delivery.body.encode()
    headers = signing.headers(
        hook.secret, body, delivery_id=str(delivery.uid), event_type=delivery.event_type
    )
    if delivery.replay_of_id:
        headers["X-EIG-Replay-Of"] = str(
            Delivery.objects.filter(pk=delivery.replay_of_id).values_list("uid", flat=True).first() or ""
        )
    try:
        answer = http.post(hook.url, content=body, headers=headers)
    except httpx.HTTPError as error:
        _failed_attempt(delivery, None, f"{type(error).__name__}: {error}")
        return delivery.status
    if 200 <= answer.status_code < 300:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.last_status_code = answer.status_code
        delivery.last_error = ""
        delivery.save(update_fields=["status", "delivered_at", "last_status_code", "last_error"])
    else:
        text = " ".join(answer.text[:200].split())
        _failed_attempt(delivery, answer.status_code, f"HTTP {answer.status_code} {text}".strip())
    return delivery.status


def _failed_attempt(delivery, status_code, error):
    delays = settings.WEBHOOKS_RETRY_DELAYS
    delivery.last_status_code = status_code
    delivery.last_error = error[:1000]
    if delivery.attempts <= len(delays):
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = timezone.now() + dt.timedelta(seconds=delays[delivery.attempts - 1])
    else:
        delivery.status = DeliveryStatus.FAILED
    delivery.save(update_fields=["status", "last_status_code", "last_error", "next_attempt_at"])


def deliver_many(delivery_ids, *, http: httpx.Client | None = None) -> dict:
    """Send several deliveries over one client (its connections kept alive); one that fails never
    stops the others."""
    outcome = {}
    own = http is None
    http = http or client()
    try:
        for delivery_id in delivery_ids:
            try:
                status = deliver(delivery_id, http=http)
            except Exception:  # an unforeseen error of one delivery: logged, the batch goes on
                logger.exception("Webhook delivery %s failed", delivery_id)
                status = "error"
            outcome[status] = outcome.get(status, 0) + 1
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
