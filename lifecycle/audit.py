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

Personal data never enters the hashed content (docs/personal-data.md, `lifecycle.personal`):
a person's values are written beside the event (`PersonalData`), the content refers to them
and keeps their salted HMAC; the author is named "user:<pk>", their name kept apart too.
`erase_personal` blanks them and the chain still verifies. A trail begun before that got a
`personal_data_apart` event, written by the first writer after the change: the events before it
keep what they hashed (names included), and verify as they always did.
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

from lifecycle import clock, personal
from lifecycle.actors import SYSTEM, actor_label
from lifecycle.enums import AuditKind
from lifecycle.models import AuditChainHead, AuditEvent, PersonalData
from lifecycle.models.audit import GENESIS_HASH
from lifecycle.personal import ERASED, Personal
from lifecycle.text import spreadsheet_safe

__all__ = ["ERASED", "Personal"]  # for the writers and readers of the trail

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
    # The digests of the personal data kept apart ({owner: HMAC}); hashed only when there are.
    "personal_digests",
]
# The exports give the stored (hashed) fields, so that an export can be checked against its
# hashes, then what is kept apart: the author's name, and each person's values (null once erased).
STORED_FIELDS = ["id", *HASHED_FIELDS, "prev_hash", "hash"]
EXPORT_FIELDS = [*STORED_FIELDS, "actor", "personal_values"]


def _canonical_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


# The hashed payload is json.dumps([prev_hash, content], sort_keys=True, ensure_ascii=False,
# separators=(",", ":")), content being the HASHED_FIELDS with created_at in canonical form, and
# without `subject` when it is empty (events written before it existed keep their hashes), nor
# `personal_digests` when there are none (the same, for events written before personal data was
# kept apart). It is assembled here field by field, in the sorted order of the keys, with one
# reused encoder: the same characters, several times faster (audit verify hashes every event).
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
    personal_digests=None,
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
            f',"personal_digests":{_ENCODER.encode(personal_digests)}' if personal_digests else "",
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
    # `personal_digests` may be absent (the values of an event written before it existed).
    content = [values[name] for name in HASHED_FIELDS[:-1]]
    return _content_hash(prev_hash, *content, values.get("personal_digests"), key=key)


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
        "personal_digests": None,
    }


def head_seal(length: int, last_hash: str, keyed: bool, *, key: bytes) -> str:
    """The head's HMAC (migration 0009 computes the same)."""
    return hmac.new(key, f"head:{length}:{last_hash}:{int(keyed)}".encode(), hashlib.sha256).hexdigest()


def _move_head(last_hash: str, length: int, *, key: bytes):
    AuditChainHead.objects.filter(pk=1).update(
        last_hash=last_hash,
        length=length,
        keyed=True,
        personal_apart=True,
        seal=head_seal(length, last_hash, True, key=key),
    )


def _append(head, values, *, key):
    """Write one event of the trail itself (a marker, by the system) right after the head."""
    event_hash = compute_hash(head.last_hash, values, key=key)
    AuditEvent.objects.create(prev_hash=head.last_hash, hash=event_hash, **values)
    head.last_hash, head.length = event_hash, head.length + 1


def _locked_head(key) -> AuditChainHead:
    """The chain's head, locked; a trail begun before the key first gets its `chain_keyed` event,
    one begun before personal data was kept apart its `personal_data_apart` event."""
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    if head.keyed and head.personal_apart:
        return head
    if not head.keyed and head.length:
        reason = _("Les événements suivants sont scellés par une clé (HMAC-SHA256).")
        _append(head, _values(None, AuditKind.CHAIN_KEYED, by=SYSTEM, reason=reason), key=key)
    if not head.personal_apart and head.length:
        reason = _(
            "Dans les événements suivants, les données personnelles sont tenues hors de la chaîne : "
            "ils y renvoient et n’en gardent qu’une empreinte salée ; leur effacement laisse la "
            "chaîne vérifiable."
        )
        _append(head, _values(None, AuditKind.PERSONAL_DATA_APART, by=SYSTEM, reason=reason), key=key)
    head.keyed = head.personal_apart = True
    _move_head(head.last_hash, head.length, key=key)
    return head


def _prepared(
    challenge,
    kind,
    *,
    by,
    subject="",
    transition="",
    from_state="",
    to_state="",
    reason="",
    changes=None,
    personal_values=None,
    key: bytes,
):
    """An event's stored values, the person's values taken out of them, and the rows to keep
    them apart (`lifecycle.personal.apart`)."""
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
    rows = personal.apart(values, by_pk=values["actor_id"], personal=personal_values, key=key)
    return values, rows


def _kept_apart(pairs):
    """The personal rows of events just written: [(event, rows)]."""
    PersonalData.objects.bulk_create(
        PersonalData(event=event, owner=owner, values=values, salt=salt)
        for event, rows in pairs
        for owner, values, salt in rows
    )


def record(
    challenge,
    kind,
    *,
    by,
    subject="",
    transition="",
    from_state="",
    to_state="",
    reason="",
    changes=None,
    personal=None,
):
    """Append an event to the trail. Must run inside the transaction of the change it records.

    `challenge` is the case the event belongs to (None for an event of no case, e.g. a person's
    role); `subject` names what else it is about, as "<kind>:<id>" (e.g. "user:12").

    A person's values never enter the hashed content: mark them `Personal(owner, value)` where
    they sit in `changes`, or give them grouped by owner in `personal` ({"contact:5": {"email":
    …, "phone": …}}: entries read as those of `changes`); `owner` is the person's stable
    reference. They are kept apart (`PersonalData`), and the content refers to them. `reason`
    is hashed as it is: it names no one.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("An audit event is written in the transaction of its change.")
    key = chain_key()
    head = _locked_head(key)
    values, rows = _prepared(
        challenge,
        kind,
        by=by,
        subject=subject,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        changes=changes,
        personal_values=personal,
        key=key,
    )
    event_hash = compute_hash(head.last_hash, values, key=key)
    event = AuditEvent.objects.create(prev_hash=head.last_hash, hash=event_hash, **values)
    if rows:
        _kept_apart([(event, rows)])
    _move_head(event_hash, head.length + 1, key=key)
    return event


def record_many(entries: list[dict]) -> list[AuditEvent]:
    """Append several events at once (a bulk import): the chain head is locked once, the events
    are chained in order and inserted together, then their personal rows. Each entry holds the
    arguments of `record` (`personal` included)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("An audit event is written in the transaction of its change.")
    if not entries:
        return []
    key = chain_key()
    head = _locked_head(key)
    events, apart, previous = [], [], head.last_hash
    for entry in entries:
        entry = dict(entry)
        given = entry.pop("personal", None)
        values, rows = _prepared(**entry, personal_values=given, key=key)
        event_hash = compute_hash(previous, values, key=key)
        event = AuditEvent(prev_hash=previous, hash=event_hash, **values)
        events.append(event)
        if rows:
            apart.append((event, rows))
        previous = event_hash
    AuditEvent.objects.bulk_create(events)
    if apart:
        _kept_apart(apart)
    _move_head(previous, head.length + len(events), key=key)
    return events


def erase_personal(owners, *, by, reason="", challenge=None, kind=AuditKind.PERSONAL_DATA_ERASED) -> int:
    """Erase what the trail keeps of a person (or of several): every value kept apart for
    `owners` ("contact:5", or a list of such references) is blanked with its salt, and the
    moment of erasure set; returns the number of rows erased.

    One event records the erasure (whoever asks it, with their reason, which names no one): its
    subject is the owner (when there is one), its changes list the references and the number of
    rows, never a value. The events' hashed content is untouched: the chain still verifies, and
    the digests left in it can no longer be tied to any value (their salts are gone)."""
    owners = [owners] if isinstance(owners, str) else sorted(set(owners))
    with transaction.atomic():
        erased = (
            PersonalData.objects.filter(owner__in=owners, erased_at__isnull=True).update(
                values=[], salt="", erased_at=clock.now()
            )
            if owners
            else 0
        )
        record(
            challenge,
            kind,
            by=by,
            subject=owners[0] if len(owners) == 1 else "",
            reason=reason,
            changes={"owners": [None, owners], "erased": [None, erased]},
        )
    return erased


def kept_about(owners) -> list[dict]:
    """What the trail still keeps of a person (or of several), for someone who asks what is held
    about them: per event, its number, moment, kind, the owner and the values (not erased)."""
    owners = [owners] if isinstance(owners, str) else list(owners)
    rows = (
        PersonalData.objects.filter(owner__in=owners, erased_at__isnull=True)
        .order_by("event_id", "owner")
        .values_list("event_id", "event__created_at", "event__kind", "owner", "values")
    )
    return [
        {"event": event_id, "created_at": _canonical_time(at), "kind": kind, "owner": owner, "values": values}
        for event_id, at, kind, owner, values in rows
    ]


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


def _personal_rows(after, chunk_size):
    """The personal rows kept apart, in their events' order, from the event after `after`."""
    rows = PersonalData.objects.order_by("event_id").values_list("event_id", "owner", "salt", "values")
    if after is not None:
        rows = rows.filter(event_id__gt=after)
    return rows.iterator(chunk_size=chunk_size)


def _personal_problem(event_id, digests, rows, key) -> str:
    """What is wrong with an event's personal rows, against the digests its content keeps. An
    erased row (no salt, no values) stands for the values it held; any other is checked."""
    digests = digests if type(digests) is dict else {}
    if len(rows) != len(digests) or any(row[1] not in digests for row in rows):
        owners = {row[1] for row in rows}
        for owner in sorted(set(digests) - owners):
            return f"la donnée personnelle de {owner} de l’événement #{event_id} a été supprimée"
        for owner in sorted(owners - set(digests)):
            return f"une donnée personnelle de {owner} a été ajoutée à l’événement #{event_id}"
        return f"une donnée personnelle de l’événement #{event_id} y figure deux fois"
    for _event_id, owner, salt, values in rows:
        if (salt or values) and not hmac.compare_digest(
            personal.digest(owner, salt, values, key=key), str(digests[owner])
        ):
            return f"la donnée personnelle de {owner} de l’événement #{event_id} a été modifiée"
    return ""


def verify(
    *, chunk_size: int = 5000, progress=None, head: tuple[int, str] | None = None, personal_rows: bool = True
) -> Verification:
    """Walk the chain in order, up to its sealed head; report the first event whose link does
    not hold.

    With `head` (the length and last hash published outside the database), also prove that the
    first `length` events are those that were published: the event at that position must carry
    that hash (and the chain up to it verifies, so every event before it is the published one).

    With `personal_rows` (the default), also check the personal data kept apart beside the
    events, read alongside them in the same order: each digest an event keeps has its row, each
    row not erased still gives its digest (a name or an address changed is caught).
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
        apart = _personal_rows(last_id, chunk_size) if personal_rows else iter(())
        waiting = next(apart, None)
        for row in rows[: stored.length - checked].iterator(chunk_size=chunk_size):
            event_id, prev_hash, stored_hash, *content = row
            if prev_hash != previous:
                return Verification(
                    checked, event_id, f"le lien vers l’événement précédent est rompu (#{event_id})"
                )
            plain = all_plain or (marker is not None and event_id < marker)
            if _content_hash(prev_hash, *content, key=None if plain else key) != stored_hash:
                return Verification(checked, event_id, f"le contenu de l’événement #{event_id} a été modifié")
            digests = content[-1]
            if personal_rows and (digests or (waiting is not None and waiting[0] <= event_id)):
                mine = []
                while waiting is not None and waiting[0] <= event_id:
                    mine.append(waiting)
                    waiting = next(apart, None)
                if problem := _personal_problem(event_id, digests, mine, key):
                    return Verification(checked, event_id, problem)
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


def _batches(rows, size):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _export_rows(queryset, *, size=2000):
    """The stored fields of each event, then the author's name and the values kept apart (one
    query per batch of events)."""
    rows = queryset.order_by("id").values(*STORED_FIELDS).iterator(chunk_size=size)
    for batch in _batches(rows, size):
        apart: dict[int, dict] = {}
        for event_id, owner, values, erased_at in PersonalData.objects.filter(
            event_id__in=[row["id"] for row in batch]
        ).values_list("event_id", "owner", "values", "erased_at"):
            apart.setdefault(event_id, {})[owner] = None if erased_at is not None else values
        for row in batch:
            row["created_at"] = _canonical_time(row["created_at"])
            kept = apart.get(row["id"], {})
            row["actor"] = row["actor_label"]
            if personal.ACTOR_REFERENCE.fullmatch(row["actor_label"]) and row["actor_id"] is not None:
                entries = kept.get(row["actor_label"])
                found = [value for at, value in entries or [] if at == [personal.ACTOR_LABEL]]
                row["actor"] = found[0] if found else str(ERASED)
            row["personal_values"] = kept
            yield row


def export_csv(stream, queryset=None):
    """The events as CSV, for a spreadsheet: a text starting like a formula stays text."""
    # Every cell quoted: a spreadsheet then reads each as one text, line breaks and all.
    writer = csv.DictWriter(stream, fieldnames=EXPORT_FIELDS, quoting=csv.QUOTE_ALL)
    writer.writeheader()
    for row in _export_rows(queryset if queryset is not None else AuditEvent.objects.all()):
        for name in ("changes", "personal_digests", "personal_values"):
            row[name] = json.dumps(row[name], ensure_ascii=False, sort_keys=True)
        writer.writerow({name: spreadsheet_safe(value) for name, value in row.items()})


def export_jsonl(stream, queryset=None):
    for row in _export_rows(queryset if queryset is not None else AuditEvent.objects.all()):
        stream.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
