"""The tamper-evident audit trail: writing an event, verifying the chain, exporting it.

Each event stores a SHA-256 over its content and the previous event's hash; the chain head row
is locked by every writer so that events are chained strictly one after another.
"""

import csv
import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.db import transaction

from lifecycle import clock
from lifecycle.actors import SYSTEM, actor_label
from lifecycle.models import AuditChainHead, AuditEvent
from lifecycle.models.audit import GENESIS_HASH

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
    return hashlib.sha256(payload.encode()).hexdigest()


def compute_hash(prev_hash: str, values: dict) -> str:
    return _content_hash(prev_hash, *[values[name] for name in HASHED_FIELDS])


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


def record(
    challenge, kind, *, by, subject="", transition="", from_state="", to_state="", reason="", changes=None
):
    """Append an event to the trail. Must run inside the transaction of the change it records.

    `challenge` is the case the event belongs to (None for an event of no case, e.g. a person's
    role); `subject` names what else it is about, as "<kind>:<id>" (e.g. "user:12").
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("An audit event is written in the transaction of its change.")
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
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
    event_hash = compute_hash(head.last_hash, values)
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
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    events, previous = [], head.last_hash
    for entry in entries:
        values = _values(**entry)
        event_hash = compute_hash(previous, values)
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

    @property
    def intact(self) -> bool:
        return not self.problem


def verify(*, chunk_size: int = 5000, progress=None) -> Verification:
    """Walk the whole chain in order; report the first event whose link does not hold."""
    previous = GENESIS_HASH
    checked = 0
    rows = AuditEvent.objects.order_by("id").values_list("id", "prev_hash", "hash", *HASHED_FIELDS)
    for row in rows.iterator(chunk_size=chunk_size):
        event_id, prev_hash, stored_hash, *content = row
        if prev_hash != previous:
            return Verification(
                checked, event_id, f"le lien vers l’événement précédent est rompu (#{event_id})"
            )
        if _content_hash(prev_hash, *content) != stored_hash:
            return Verification(checked, event_id, f"le contenu de l’événement #{event_id} a été modifié")
        previous = stored_hash
        checked += 1
        if progress and checked % chunk_size == 0:
            progress(checked)
    head = AuditChainHead.objects.filter(pk=1).first()
    expected_length, expected_hash = (head.length, head.last_hash) if head else (0, GENESIS_HASH)
    if (checked, previous) != (expected_length, expected_hash):
        return Verification(
            checked,
            None,
            f"la fin de la chaîne ne correspond pas à sa tête ({checked} événements lus, "
            f"{expected_length} attendus) : des événements ont été supprimés",
        )
    return Verification(checked)


def _export_rows(queryset):
    for row in queryset.order_by("id").values(*EXPORT_FIELDS).iterator(chunk_size=5000):
        row["created_at"] = _canonical_time(row["created_at"])
        yield row


def export_csv(stream, queryset=None):
    writer = csv.DictWriter(stream, fieldnames=EXPORT_FIELDS)
    writer.writeheader()
    for row in _export_rows(queryset if queryset is not None else AuditEvent.objects.all()):
        row["changes"] = json.dumps(row["changes"], ensure_ascii=False, sort_keys=True)
        writer.writerow(row)


def export_jsonl(stream, queryset=None):
    for row in _export_rows(queryset if queryset is not None else AuditEvent.objects.all()):
        stream.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
