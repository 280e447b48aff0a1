"""How a delivery is signed, and how a receiver checks it (docs/webhooks.md gives `verify` to
receivers: it needs nothing but Python's standard library).

Each attempt sends
    X-EIG-Delivery:  the delivery's id (the same at every attempt: drop the ones already seen)
    X-EIG-Timestamp: the attempt's time, in seconds since 1970 (UTC)
    X-EIG-Signature: "v1=" + hex HMAC-SHA256(secret, "<timestamp>." + body)
The timestamp is signed with the body: a receiver that refuses old timestamps refuses a captured
request sent again later (a replay), and one that keeps the ids it saw refuses it within the
tolerance too.
"""

import hashlib
import hmac
import time

VERSION = "v1"
TOLERANCE = 300  # seconds a receiver accepts between the attempt's time and its own


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"{VERSION}={digest}"


def headers(secret: str, body: bytes, *, delivery_id: str, event_type: str, timestamp: int | None = None):
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "EIG-webhooks/1",
        "X-EIG-Delivery": delivery_id,
        "X-EIG-Event": event_type,
        "X-EIG-Timestamp": str(timestamp),
        "X-EIG-Signature": signature(secret, timestamp, body),
    }


class InvalidSignature(Exception):
    pass


def verify(
    secret: str, body: bytes, headers, *, tolerance: int = TOLERANCE, now: float | None = None
) -> None:
    """Raise InvalidSignature unless `body` and `headers` (a mapping, case as sent) are a delivery
    signed with `secret` less than `tolerance` seconds ago. Give it the body's bytes as received,
    before any JSON parsing."""
    lowered = {key.lower(): value for key, value in headers.items()}
    stamp, given = lowered.get("x-eig-timestamp", ""), lowered.get("x-eig-signature", "")
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12 and given):
        raise InvalidSignature("missing or malformed X-EIG-Timestamp / X-EIG-Signature")
    timestamp = int(stamp)
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        raise InvalidSignature("timestamp outside the tolerance: an old or replayed request")
    expected = signature(secret, timestamp, body).encode()
    if not hmac.compare_digest(expected, given.encode("utf-8", "replace")):
        raise InvalidSignature("signature does not match the body")
