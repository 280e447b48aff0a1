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
import socket
import time
from dataclasses import dataclass

import httpcore
import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from webhooks import rules as webhook_rules
from webhooks import signing
from webhooks.enums import DeliveryStatus
from webhooks.models import Delivery

logger = logging.getLogger(__name__)


class PublicOnly(httpcore.SyncBackend):
    """Connects to public addresses only, and to the very address it checked: a name that
    resolves to a public address when the webhook's address is checked and to an internal one
    when the request connects (DNS rebinding) is refused. TLS still checks the certificate
    against the name (httpcore starts it with the URL's host)."""

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as error:
            raise httpcore.ConnectError(f"cannot resolve {host}: {error}") from error
        addresses = [info[4][0] for info in found]
        refused = [address for address in addresses if webhook_rules.internal(address)]
        if refused:
            raise httpcore.ConnectError(f"internal address refused: {host} resolves to {refused[0]}")
        return super().connect_tcp(addresses[0], port, timeout, local_address, socket_options)


def client() -> httpx.Client:
    """No redirect followed (a webhook's URL is the one registered), no proxy from the
    environment, the settings' time-out; connections to public addresses only (but where
    `WEBHOOKS_ALLOW_PRIVATE`: development, tests)."""
    transport = httpx.HTTPTransport(trust_env=False)
    if not settings.WEBHOOKS_ALLOW_PRIVATE:
        # httpx does not take a network backend; its pool (httpcore's) does.
        transport._pool._network_backend = PublicOnly()
    return httpx.Client(
        transport=transport, timeout=settings.WEBHOOKS_TIMEOUT, follow_redirects=False, trust_env=False
    )


# Deliveries claimed together: one locking read and one update to claim them, one update per
# distinct result to record them.
GROUP = 50


@dataclass
class Claim:
    """A group of deliveries this worker holds: every write back names the claim's moment, so a
    row the sweep has handed to another worker meanwhile is left to it."""

    at: dt.datetime
    deliveries: list

    def rows(self, deliveries):
        pks = [delivery.pk for delivery in deliveries]
        return Delivery.objects.filter(pk__in=pks, status=DeliveryStatus.SENDING, claimed_at=self.at)


def _claim(delivery_ids) -> Claim:
    """Take the deliveries of `delivery_ids` still pending and due (pending and due → sending),
    with their webhook and its person: rows another worker holds are skipped, never waited for
    (SQLite: its immediate transactions take the write lock first)."""
    now = timezone.now()
    with transaction.atomic():
        claimed = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=delivery_ids, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .select_related("webhook__owner__profile", "replay_of")
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
    return Claim(at=now, deliveries=claimed)


def _abandon(delivery, reason) -> None:
    delivery.status = DeliveryStatus.FAILED
    delivery.last_error = reason


def _destination_refused(hook, checked: dict) -> str:
    """Why `hook`'s address is refused now ("" if it is not), asked once per group and webhook."""
    if hook.pk not in checked:
        try:
            webhook_rules.check_destination(hook.url)
        except webhook_rules.Unreachable as error:
            checked[hook.pk] = str(error)
        else:
            checked[hook.pk] = ""
    return checked[hook.pk]


def _send(delivery, http: httpx.Client, *, now, checked: dict) -> bool:
    """One claimed delivery POSTed; its result set on the object (`_record` writes its group's).
    False when its webhook's address did not answer at all (refused, timed out)."""
    hook = delivery.webhook
    if hook.disabled_at is not None:
        _abandon(delivery, _("Webhook désactivé : envoi abandonné."))
        return True
    if not webhook_rules.may_hold(hook.owner, hook.administration_id):
        _abandon(
            delivery, _("La personne qui a enregistré ce webhook n’en a plus le droit : envoi abandonné.")
        )
        return True
    refused = _destination_refused(hook, checked)
    if refused:
        _failed_attempt(delivery, None, refused, now=now)
        return True
    body = delivery.body.encode()
    headers = signing.headers(
        hook.secret, body, delivery_id=str(delivery.uid), event_type=delivery.event_type
    )
    if delivery.replay_of_id:
        headers["X-EIG-Replay-Of"] = str(delivery.replay_of.uid)
    try:
        answer = http.post(hook.url, content=body, headers=headers)
    except (httpx.ConnectError, httpx.TimeoutException) as error:
        _failed_attempt(delivery, None, f"{type(error).__name__}: {error}", now=now)
        return False
    except httpx.HTTPError as error:
        _failed_attempt(delivery, None, f"{type(error).__name__}: {error}", now=now)
        return True
    delivery.last_status_code = answer.status_code
    if 200 <= answer.status_code < 300:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.last_error = ""
    else:
        # The status only: the answer's text is the receiver's, not ours to keep or to show.
        _failed_attempt(delivery, answer.status_code, f"HTTP {answer.status_code}", now=now)
    return True


def _failed_attempt(delivery, status_code, error, *, now):
    delays = settings.WEBHOOKS_RETRY_DELAYS
    delivery.last_status_code = status_code
    delivery.last_error = error[:1000]
    if delivery.attempts <= len(delays):
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = now + dt.timedelta(seconds=delays[delivery.attempts - 1])
    else:
        delivery.status = DeliveryStatus.FAILED


def _record(claim: Claim, sent) -> None:
    """A group's results, one UPDATE per distinct result (all delivered: one). A delivery's
    `delivered_at` is when its group's results are recorded, right after its last POST."""
    results: dict = {}
    for delivery in sent:
        next_attempt_at = delivery.next_attempt_at if delivery.status == DeliveryStatus.PENDING else None
        key = (delivery.status, delivery.last_status_code, delivery.last_error, next_attempt_at)
        results.setdefault(key, []).append(delivery)
    now = timezone.now()
    for (status, status_code, error, next_attempt_at), deliveries in results.items():
        values = {"status": status, "last_status_code": status_code, "last_error": error}
        if status == DeliveryStatus.DELIVERED:
            values["delivered_at"] = now
        if next_attempt_at is not None:
            values["next_attempt_at"] = next_attempt_at
        claim.rows(deliveries).update(**values)


def _release(claim: Claim, deliveries, *, next_attempt_at=None) -> None:
    """Claimed but not sent: pending again (due now, or when their webhook's address is tried
    again), the attempt not counted."""
    claim.rows(deliveries).update(
        status=DeliveryStatus.PENDING,
        attempts=F("attempts") - 1,
        next_attempt_at=next_attempt_at or timezone.now(),
    )


def deliver_many(delivery_ids, *, http: httpx.Client | None = None) -> dict:
    """Send the deliveries still due, a group at a time over one client (its connections kept
    alive): claimed together, POSTed one by one, their results recorded together.

    A call sends for half `WEBHOOKS_SENDING_TIMEOUT` at most (the task's time-out is longer):
    then the group's unsent rest is released and the deliveries not claimed yet stay pending,
    for the sweep — never sent by two workers, never cut off by the task's time-out. A webhook
    whose address does not answer (refused, timed out) is not tried again within its group: its
    other deliveries wait for its next attempt, their own attempts not counted. One delivery that
    fails unexpectedly never stops the others."""
    outcome: dict = {}
    own = http is None
    http = http or client()
    deadline = time.monotonic() + settings.WEBHOOKS_SENDING_TIMEOUT / 2
    waiting = list(delivery_ids)
    try:
        while waiting and time.monotonic() < deadline:
            group, waiting = waiting[:GROUP], waiting[GROUP:]
            claim = _claim(group)
            if len(claim.deliveries) < len(group):
                outcome["skipped"] = outcome.get("skipped", 0) + len(group) - len(claim.deliveries)
            now = timezone.now()
            sent, silent, checked = [], {}, {}  # silent: webhook id -> its next attempt
            deferred: dict = {}
            for index, delivery in enumerate(claim.deliveries):
                if index and time.monotonic() > deadline:
                    _release(claim, claim.deliveries[index:])
                    outcome["released"] = outcome.get("released", 0) + len(claim.deliveries) - index
                    break
                if delivery.webhook_id in silent:
                    deferred.setdefault(delivery.webhook_id, []).append(delivery)
                    continue
                try:
                    answered = _send(delivery, http, now=now, checked=checked)
                except Exception as error:  # an unforeseen error of one delivery: logged, the group goes on
                    logger.exception("Webhook delivery %s failed", delivery.pk)
                    _failed_attempt(delivery, None, f"{type(error).__name__}: {error}", now=now)
                    answered = True
                if not answered:
                    silent[delivery.webhook_id] = delivery.next_attempt_at
                sent.append(delivery)
            _record(claim, sent)
            for hook_id, deliveries in deferred.items():
                _release(claim, deliveries, next_attempt_at=silent[hook_id])
                outcome["deferred"] = outcome.get("deferred", 0) + len(deliveries)
            for delivery in sent:
                outcome[delivery.status] = outcome.get(delivery.status, 0) + 1
    finally:
        if own:
            http.close()
    return outcome


def purge(now=None) -> int:
    """Delivered and failed deliveries older than `WEBHOOKS_KEEP_DAYS` are deleted: their bodies
    hold messages and names, and the audit trail keeps what happened."""
    now = now or timezone.now()
    limit = now - dt.timedelta(days=settings.WEBHOOKS_KEEP_DAYS)
    old = Delivery.objects.filter(
        status__in=[DeliveryStatus.DELIVERED, DeliveryStatus.FAILED], created_at__lt=limit
    )
    deleted, _by_model = old.delete()
    return deleted


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
