"""The tamper-evident audit trail: writing an event, verifying the chain, exporting it.

Each event stores an HMAC-SHA256, keyed with `settings.AUDIT_HMAC_KEY` (from the environment,
never in the database), over its content and the previous event's hash; the chain head row is
locked by every writer so that events are chained strictly one after another. Without the key
nobody can re-hash a rewritten trail so that it verifies; with it, the head published outside
the database every day (`lifecycle.anchoring`) still catches a rewrite of what was published.

The head (length, last hash, keyed) is sealed with the same key (`head_seal`): deleting the
last events and moving the head back over them takes the key too.

A trail begun before the key existed kept plain SHA-256 hashes: its first keyed event is a
`chain_keyed` event, written by the first writer that finds the chain unkeyed; everything before
it is checked as plain SHA-256, everything from it as HMAC (a trail without such an event is
keyed from its first event, unless its sealed head says it was never keyed).

Verification reads the head first and walks the events up to it: an event committed while it
walks belongs to a later head, and is checked if the head has moved by the end of the walk.
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


def head_seal(length: int, last_hash: str, keyed: bool, *, key: bytes) -> str:
    """The head's HMAC (migration 0009 computes the same)."""
    return hmac.new(key, f"head:{length}:{last_hash}:{int(keyed)}".encode(), hashlib.sha256).hexdigest()


def _move_head(last_hash: str, length: int, *, key: bytes):
    AuditChainHead.objects.filter(pk=1).update(
        last_hash=last_hash, length=length, keyed=True, seal=head_seal(length, last_hash, True, key=key)
    )


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
        _move_head(head.last_hash, head.length, key=key)
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
    _move_head(event_hash, head.length + 1, key=key)
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
    _move_head(previous, head.length + len(events), key=key)
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


def _read_head():
    head = AuditChainHead.objects.filter(pk=1).first()
    return head or AuditChainHead(pk=1, length=0, last_hash=GENESIS_HASH, keyed=True)


def _head_problem(head: AuditChainHead, key: bytes) -> str:
    if head.length == 0 and not head.seal:
        return ""  # the trail has not begun
    if not hmac.compare_digest(head.seal, head_seal(head.length, head.last_hash, head.keyed, key=key)):
        return (
            "la tête de la chaîne n’est pas celle qu’a écrite l’application (son sceau ne correspond "
            f"pas à ses {head.length} événements) : elle a été déplacée, des événements ont pu être supprimés"
        )
    return ""


def verify(*, chunk_size: int = 5000, progress=None, head: tuple[int, str] | None = None) -> Verification:
    """Walk the chain in order, up to its sealed head; report the first event whose link does
    not hold.

    With `head` (the length and last hash published outside the database), also prove that the
    first `length` events are those that were published: the event at that position must carry
    that hash (and the chain up to it verifies, so every event before it is the published one).
    """
    key = chain_key()
    stored = _read_head()
    marker = (
        AuditEvent.objects.filter(kind=AuditKind.CHAIN_KEYED)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    # A trail whose (sealed) head was never keyed and without a marker is all plain SHA-256.
    all_plain = marker is None and not stored.keyed
    previous, checked, last_id = GENESIS_HASH, 0, None
    published_found = None
    while True:
        rows = AuditEvent.objects.order_by("id").values_list("id", "prev_hash", "hash", *HASHED_FIELDS)
        if last_id is not None:
            rows = rows.filter(id__gt=last_id)
        for row in rows[: stored.length - checked].iterator(chunk_size=chunk_size):
            event_id, prev_hash, stored_hash, *content = row
            if prev_hash != previous:
                return Verification(
                    checked, event_id, f"le lien vers l’événement précédent est rompu (#{event_id})"
                )
            plain = all_plain or (marker is not None and event_id < marker)
            if _content_hash(prev_hash, *content, key=None if plain else key) != stored_hash:
                return Verification(checked, event_id, f"le contenu de l’événement #{event_id} a été modifié")
            previous, last_id = stored_hash, event_id
            checked += 1
            if head is not None and checked == head[0]:
                published_found = stored_hash == head[1]
            if progress and checked % chunk_size == 0:
                progress(checked)
        # The events first (an event changed is the more precise report), then the head itself.
        if problem := _head_problem(stored, key):
            return Verification(checked, None, problem)
        if checked < stored.length or previous != stored.last_hash:
            return Verification(
                checked,
                None,
                f"la fin de la chaîne ne correspond pas à sa tête ({checked} événements lus, "
                f"{stored.length} attendus) : des événements ont été supprimés",
            )
        beyond = AuditEvent.objects.order_by("id")
        if last_id is not None:
            beyond = beyond.filter(id__gt=last_id)
        extra = beyond.values_list("id", flat=True).first()
        if extra is None:
            break
        # An event after the head: committed during the walk (its head is committed with it, so
        # the head has moved: walk on), or written around the application.
        fresh = _read_head()
        if fresh.length == stored.length:
            return Verification(
                checked, extra, f"l’événement #{extra} a été ajouté hors de la chaîne (après sa tête)"
            )
        stored = fresh
    if head is None:
        return Verification(checked)
    length, digest = head
    if length == 0:
        if digest == GENESIS_HASH:
            return Verification(checked, matches_published_head=True)
        return Verification(
            checked,
            None,
            "la tête publiée (0 événement) ne porte pas l’empreinte d’une chaîne vide : elle n’est pas "
            "une tête de ce journal",
            matches_published_head=False,
        )
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


def _export_rows(queryset):
    for row in queryset.order_by("id").values(*EXPORT_FIELDS).iterator(chunk_size=5000):
        row["created_at"] = _canonical_time(row["created_at"])
        yield row


def export_csv(stream, queryset=None):
    """The events as CSV, for a spreadsheet: a text starting like a formula stays text."""
    # Every cell quoted: a spreadsheet then reads each as one text, line breaks and all.
    writer = csv.DictWriter(stream, fieldnames=EXPORT_FIELDS, quoting=csv.QUOTE_ALL)
    writer.writeheader()
    for row in _export_rows(queryset if queryset is not None else AuditEvent.objects.all()):
        row["changes"] = json.dumps(row["changes"], ensure_ascii=False, sort_keys=True)
        writer.writerow({name: spreadsheet_safe(value) for name, value in row.items()})


def export_jsonl(stream, queryset=None):
    for row in _export_rows(queryset if queryset is not None else AuditEvent.objects.all()):
        stream.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
