"""The tamper-evident audit trail: writing an event, verifying the chain, exporting it.

Each event stores an HMAC-SHA256, keyed with `settings.AUDIT_HMAC_KEY` (from the environment,
never in the database), over its content and the previous event's hash; the chain head row is
locked by every writer so that events are chained strictly one after another. Without the key
nobody can re-hash a rewritten trail so that it verifies; with it, the head published outside
the database every day (`lifecycle.anchoring`) still catches a rewrite of what was published.

A trail begun before the key existed kept plain SHA-256 hashes: its first keyed event is a
`chain_keyed` event, written by the first writer that finds the chain unkeyed; everything before
it is checked as plain SHA-256, everything from it as HMAC (and a trail without such an event is
keyed from its first event).
"""

import csv
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.translation import gettext as _

from lifecycle import clock
from lifecycle.actors import SYSTEM, actor_label
from lifecycle.enums import AuditKind
from lifecycle.models import AuditChainHead, AuditEvent
from lifecycle.models.audit import GENESIS_HASH
from lifecycle.text import spreadsheet_safe

HASHED_FIELDS = [
    "challenge_id",
    "subject",
    "kind",
    "actor_id",
    "actor_label",
    "created_at",
    "transition",
    "from_state",
    "to_state",
    "reason",
    "changes",
]
EXPORT_FIELDS = ["id", *HASHED_FIELDS, "prev_hash", "hash"]


def _canonical_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


# The hashed payload is json.dumps([prev_hash, content], sort_keys=True, ensure_ascii=False,
# separators=(",", ":")), content being the HASHED_FIELDS with created_at in canonical form, and
# without `subject` when it is empty (events written before it existed keep their hashes). It is
# assembled here field by field, in the sorted order of the keys, with one reused encoder: the
# same characters, several times faster (audit verify hashes every event of the trail).
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
_encode_string = json.encoder.encode_basestring  # what the encoder uses when ensure_ascii=False


def _json(value) -> str:
    kind = type(value)
    if kind is str:
        return _encode_string(value)
    if value is None:
        return "null"
    if kind is int:
        return int.__repr__(value)
    return _ENCODER.encode(value)


def chain_key() -> bytes:
    key = settings.AUDIT_HMAC_KEY
    if not key:
        raise ImproperlyConfigured("AUDIT_HMAC_KEY must be set: the audit trail is keyed.")
    return key.encode()


def _content_hash(
    prev_hash,
    challenge_id,
    subject,
    kind,
    actor_id,
    actor_label,
    created_at,
    transition,
    from_state,
    to_state,
    reason,
    changes,
    *,
    key: bytes | None,
) -> str:
    payload = "".join(
        (
            "[",
            _json(prev_hash),
            ',{"actor_id":',
            _json(actor_id),
            ',"actor_label":',
            _json(actor_label),
            ',"challenge_id":',
            _json(challenge_id),
            ',"changes":',
            _ENCODER.encode(changes),
            ',"created_at":',
            _encode_string(_canonical_time(created_at)),
            ',"from_state":',
            _json(from_state),
            ',"kind":',
            _json(kind),
            ',"reason":',
            _json(reason),
            f',"subject":{_encode_string(subject)}' if subject else "",
            ',"to_state":',
            _json(to_state),
            ',"transition":',
            _json(transition),
            "}]",
        )
    )
    if key is None:  # an event of a trail begun before the key
        return hashlib.sha256(payload.encode()).hexdigest()
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def compute_hash(prev_hash: str, values: dict, *, key: bytes | None) -> str:
    return _content_hash(prev_hash, *[values[name] for name in HASHED_FIELDS], key=key)


def _values(
    challenge, kind, *, by, subject="", transition="", from_state="", to_state="", reason="", changes=None
):
    return {
        "challenge_id": challenge.pk if challenge is not None else None,
        "subject": subject,
        "kind": str(kind),
        "actor_id": None if by is SYSTEM else by.pk,
        "actor_label": actor_label(by),
        "created_at": clock.now(),
        "transition": str(transition),
        "from_state": str(from_state),
        "to_state": str(to_state),
        "reason": reason,
        "changes": changes or {},
    }


def _locked_head(key) -> AuditChainHead:
    """The chain's head, locked; a trail begun before the key first gets its `chain_keyed` event."""
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    if not head.keyed:
        if head.length:
            values = _values(
                None,
                AuditKind.CHAIN_KEYED,
                by=SYSTEM,
                reason=_("Les événements suivants sont scellés par une clé (HMAC-SHA256)."),
            )
            event_hash = compute_hash(head.last_hash, values, key=key)
            AuditEvent.objects.create(prev_hash=head.last_hash, hash=event_hash, **values)
            head.last_hash, head.length = event_hash, head.length + 1
        head.keyed = True
        AuditChainHead.objects.filter(pk=1).update(last_hash=head.last_hash, length=head.length, keyed=True)
    return head


def record(
    challenge, kind, *, by, subject="", transition="", from_state="", to_state="", reason="", changes=None
):
    """Append an event to the trail. Must run inside the transaction of the change it records.

    `challenge` is the case the event belongs to (None for an event of no case, e.g. a person's
    role); `subject` names what else it is about, as "<kind>:<id>" (e.g. "user:12").
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("An audit event is written in the transaction of its change.")
    key = chain_key()
    head = _locked_head(key)
    values = _values(
        challenge,
        kind,
        by=by,
        subject=subject,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        changes=changes,
    )
    event_hash = compute_hash(head.last_hash, values, key=key)
    event = AuditEvent.objects.create(prev_hash=head.last_hash, hash=event_hash, **values)
    AuditChainHead.objects.filter(pk=1).update(last_hash=event_hash, length=head.length + 1)
    return event


def record_many(entries: list[dict]) -> list[AuditEvent]:
    """Append several events at once (a bulk import): the chain head is locked once, the events
    are chained in order and inserted together. Each entry holds the arguments of `record`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("An audit event is written in the transaction of its change.")
    if not entries:
        return []
    key = chain_key()
    head = _locked_head(key)
    events, previous = [], head.last_hash
    for entry in entries:
        values = _values(**entry)
        event_hash = compute_hash(previous, values, key=key)
        events.append(AuditEvent(prev_hash=previous, hash=event_hash, **values))
        previous = event_hash
    AuditEvent.objects.bulk_create(events)
    AuditChainHead.objects.filter(pk=1).update(last_hash=previous, length=head.length + len(events))
    return events


@dataclass
class Verification:
    checked: int
    broken_event_id: int | None = None
    problem: str = ""
    # With a published head: it was found at its position (None: no head was given).
    matches_published_head: bool | None = None

    @property
    def intact(self) -> bool:
        return not self.problem


def parse_head(text: str) -> tuple[int, str]:
    """ "LENGTH:HASH", as the published head gives it."""
    length, _sep, digest = text.strip().partition(":")
    if not (length.isdigit() and len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)):
        raise ValueError(_("Une tête de chaîne s’écrit LONGUEUR:EMPREINTE (64 caractères hexadécimaux)."))
    return int(length), digest


def verify(*, chunk_size: int = 5000, progress=None, head: tuple[int, str] | None = None) -> Verification:
    """Walk the whole chain in order; report the first event whose link does not hold.

    With `head` (the length and last hash published outside the database), also prove that the
    first `length` events are those that were published: the event at that position must carry
    that hash (and the chain up to it verifies, so every event before it is the published one).
    """
    key = chain_key()
    marker = (
        AuditEvent.objects.filter(kind=AuditKind.CHAIN_KEYED)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    previous = GENESIS_HASH
    checked = 0
    published_found = None
    rows = AuditEvent.objects.order_by("id").values_list("id", "prev_hash", "hash", *HASHED_FIELDS)
    for row in rows.iterator(chunk_size=chunk_size):
        event_id, prev_hash, stored_hash, *content = row
        if prev_hash != previous:
            return Verification(
                checked, event_id, f"le lien vers l’événement précédent est rompu (#{event_id})"
            )
        event_key = None if marker is not None and event_id < marker else key
        if _content_hash(prev_hash, *content, key=event_key) != stored_hash:
            return Verification(checked, event_id, f"le contenu de l’événement #{event_id} a été modifié")
        previous = stored_hash
        checked += 1
        if head is not None and checked == head[0]:
            published_found = stored_hash == head[1]
        if progress and checked % chunk_size == 0:
            progress(checked)
    stored_head = AuditChainHead.objects.filter(pk=1).first()
    expected_length, expected_hash = (
        (stored_head.length, stored_head.last_hash) if stored_head else (0, GENESIS_HASH)
    )
    if (checked, previous) != (expected_length, expected_hash):
        return Verification(
            checked,
            None,
            f"la fin de la chaîne ne correspond pas à sa tête ({checked} événements lus, "
            f"{expected_length} attendus) : des événements ont été supprimés",
        )
    if head is not None:
        length, digest = head
        if head == (0, GENESIS_HASH):
            return Verification(checked, matches_published_head=True)
        if published_found is None:
            return Verification(
                checked,
                None,
                f"la chaîne compte {checked} événements, moins que les {length} de la tête publiée : "
                "des événements publiés ont disparu",
                matches_published_head=False,
            )
        if not published_found:
            return Verification(
                checked,
                None,
                f"l’événement n°{length} ne porte pas l’empreinte publiée ({digest[:12]}…) : "
                "la chaîne a été réécrite depuis sa publication",
                matches_published_head=False,
            )
        return Verification(checked, matches_published_head=True)
    return Verification(checked)


def _export_rows(queryset):
    for row in queryset.order_by("id").values(*EXPORT_FIELDS).iterator(chunk_size=5000):
        row["created_at"] = _canonical_time(row["created_at"])
        yield row


def export_csv(stream, queryset=None):
    """The events as CSV, for a spreadsheet: a text starting like a formula stays text."""
    writer = csv.DictWriter(stream, fieldnames=EXPORT_FIELDS)
    writer.writeheader()
    for row in _export_rows(queryset if queryset is not None else AuditEvent.objects.all()):
        row["changes"] = json.dumps(row["changes"], ensure_ascii=False, sort_keys=True)
        writer.writerow({name: spreadsheet_safe(value) for name, value in row.items()})


def export_jsonl(stream, queryset=None):
    for row in _export_rows(queryset if queryset is not None else AuditEvent.objects.all()):
        stream.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
