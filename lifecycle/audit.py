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

import contextlib
import csv
import datetime as dt
import functools
import hashlib
import hmac
import json
import multiprocessing
import multiprocessing.util
import queue
import threading
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections, transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from lifecycle import clock, personal
from lifecycle.actors import SYSTEM, actor_label
from lifecycle.enums import AuditKind
from lifecycle.keyed import hmac_sha256
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
# The C encoder that _ENCODER.encode() builds again at each call, built once with the same
# arguments (no check for circular values: what is hashed is plain JSON, or read back as such).
_c_encoder = json.encoder.c_make_encoder and json.encoder.c_make_encoder(
    None, _ENCODER.default, _encode_string, None, ":", ",", True, False, True
)
_scan_json = json.decoder.JSONDecoder().scan_once


def _encode(value) -> str:
    """The canonical JSON of a value (_ENCODER.encode's text)."""
    return "".join(_c_encoder(value, 0)) if _c_encoder else _ENCODER.encode(value)


def _decoded(text):
    """A JSON column's text as Django reads it (JSONField.from_db_value: json.loads, the text
    itself when it is not JSON), without json.loads' set-up at each call."""
    if type(text) is not str:  # None (SQL null), or a value the driver decoded already
        return text
    try:
        value, end = _scan_json(text, 0)
        if end == len(text):
            return value
    except (StopIteration, json.JSONDecodeError):
        pass
    try:
        return json.loads(text)  # blanks around it, or no JSON at all
    except json.JSONDecodeError:
        return text


def _json(value) -> str:
    kind = type(value)
    if kind is str:
        return _encode_string(value)
    if value is None:
        return "null"
    if kind is int:
        return int.__repr__(value)
    return _ENCODER.encode(value)


_DIGESTS_KEY, _SUBJECT_KEY = ',"personal_digests":', ',"subject":'


def _payload(
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
    digests,
) -> str:
    """The hashed text; `created_at`, `changes` and `digests` already in canonical form (the
    time stamp a string, the others JSON, `digests` "" when there are none)."""
    try:  # text fields are text (as the database gives them): one expression, no dispatch
        return (
            f'[{_encode_string(prev_hash)},{{"actor_id":{_json(actor_id)},'
            f'"actor_label":{_encode_string(actor_label)},"challenge_id":{_json(challenge_id)},'
            f'"changes":{changes},"created_at":{_encode_string(created_at)},'
            f'"from_state":{_encode_string(from_state)},"kind":{_encode_string(kind)}'
            f'{_DIGESTS_KEY + digests if digests else ""},"reason":{_encode_string(reason)}'
            f"{_SUBJECT_KEY + _encode_string(subject) if subject else ''},"
            f'"to_state":{_encode_string(to_state)},"transition":{_encode_string(transition)}}}]'
        )
    except TypeError:  # a value of another type given to `record`: each field by its type
        pass
    return "".join(
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
            changes,
            ',"created_at":',
            _encode_string(created_at),
            ',"from_state":',
            _json(from_state),
            ',"kind":',
            _json(kind),
            _DIGESTS_KEY + digests if digests else "",
            ',"reason":',
            _json(reason),
            _SUBJECT_KEY + _encode_string(subject) if subject else "",
            ',"to_state":',
            _json(to_state),
            ',"transition":',
            _json(transition),
            "}]",
        )
    )


def _signed(payload: str, key: bytes | None) -> str:
    if key is None:  # an event of a trail begun before the key
        return hashlib.sha256(payload.encode()).hexdigest()
    return hmac_sha256(key, payload.encode())


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
    payload = _payload(
        prev_hash,
        challenge_id,
        subject,
        kind,
        actor_id,
        actor_label,
        _canonical_time(created_at),
        transition,
        from_state,
        to_state,
        reason,
        _encode(changes),
        _encode(personal_digests) if personal_digests else "",
    )
    return _signed(payload, key)


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


def bulk_inserted(events, apart):
    """Write chained events (unsaved) and then their personal rows, [(event, rows)], with the
    ORM's bulk inserts: `record_many`'s default `insert`."""
    AuditEvent.objects.bulk_create(events)
    if apart:
        _kept_apart(apart)


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


def record_many(entries: list[dict], *, insert=bulk_inserted) -> list[AuditEvent]:
    """Append several events at once (a bulk import): the chain head is locked once, the events
    are chained in order and inserted together, then their personal rows. Each entry holds the
    arguments of `record` (`personal` included).

    `insert(events, apart)` writes the rows as chained here (the ORM's bulk inserts; the bench's
    synthetic load passes PostgreSQL's COPY): whatever writes them, this function alone computes
    what is hashed."""
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
    insert(events, apart)
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


# Verification -----------------------------------------------------------------------------------
#
# The walk reads rows as tuples (no model instances, no Django converters) in chunks by id (one
# indexed range per query), and builds each event's hashed text from what the database gives:
# on PostgreSQL the time stamp already in canonical form (to_char, in UTC), the JSON columns as
# text, decoded once and encoded in canonical form again. A long chain may be cut into parts by
# id, walked by worker processes; the parts are then joined, each one's first link checked
# against the last hash of the part before it.

# What the canonical time stamp is, computed by PostgreSQL itself (_canonical_time's text).
_PG_CANONICAL_TIME = "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"
# Events per part of a walk shared by worker processes.
SEGMENT_SIZE = 50_000


@dataclass(frozen=True)
class _Rules:
    """How each event of the chain is checked, the same for every part of the walk."""

    key: bytes
    marker: int | None  # the first keyed event (`chain_keyed`), if any
    all_plain: bool
    personal_rows: bool


@dataclass
class _Walked:
    """What a walk over consecutive events found: how many held, the first one's link and the
    last one's hash (to join it to the walks before and after it), or the first that broke."""

    count: int = 0
    first_id: int | None = None
    first_prev: str | None = None
    last_id: int | None = None
    last_hash: str | None = None
    broken_event_id: int | None = None
    problem: str = ""
    marked_hash: str | None = None  # the hash of the event at the position asked for
    # Personal rows numbered after its last event and up to its end: the next event's.
    leftover: bool = False


def _link_broken(event_id) -> str:
    return f"le lien vers l’événement précédent est rompu (#{event_id})"


def _events_sql(*, after, upto) -> str:
    quote = connection.ops.quote_name
    created_at = _PG_CANONICAL_TIME if connection.vendor == "postgresql" else "created_at"
    names = ("id", "prev_hash", "hash", *HASHED_FIELDS)
    columns = ", ".join(created_at if name == "created_at" else quote(name) for name in names)
    where = " AND ".join(
        (["id > %s"] if after is not None else []) + (["id <= %s"] if upto is not None else [])
    )
    return (
        f"SELECT {columns} FROM {quote(AuditEvent._meta.db_table)}"
        f"{' WHERE ' + where if where else ''} ORDER BY id LIMIT %s"
    )


def _stored_time(value) -> str:
    """created_at as Django reads it back from SQLite (text, in UTC), in canonical form."""
    moment = value if isinstance(value, dt.datetime) else parse_datetime(value)
    return _canonical_time(moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC))


def _personal_rows(cursor, after, last) -> list:
    """The personal rows kept apart for the events numbered after `after` (None: from the
    first) and up to `last`, in the events' order: (event_id, owner, salt, values as text)."""
    quote = connection.ops.quote_name
    where, params = "event_id <= %s", [last]
    if after is not None:
        where, params = "event_id > %s AND " + where, [after, last]
    cursor.execute(
        f"SELECT event_id, owner, salt, {quote('values')} FROM {quote(PersonalData._meta.db_table)} "
        f"WHERE {where} ORDER BY event_id, owner",
        params,
    )
    return cursor.fetchall()


@functools.lru_cache(maxsize=4096)
def _read_values(text: str) -> tuple[bool, str]:
    """A personal row's values, read as `text`: whether there are any (an erased row has none),
    and their canonical JSON. Once per text: a person's values recur from event to event (an
    author's name)."""
    values = _decoded(text)
    return bool(values), _encode(values)


def _personal_problem(event_id, digests, rows, key) -> str:
    """What is wrong with an event's personal rows (values as text), against the digests its
    content keeps. An erased row (no salt, no values) stands for the values it held; any other
    is checked."""
    digests = digests if type(digests) is dict else {}
    if len(rows) == 1 == len(digests):  # the usual: one person's values (the author's name)
        misplaced = rows[0][1] not in digests
    else:
        misplaced = len(rows) != len(digests) or any(row[1] not in digests for row in rows)
    if misplaced:
        owners = {row[1] for row in rows}
        for owner in sorted(set(digests) - owners):
            return f"la donnée personnelle de {owner} de l’événement #{event_id} a été supprimée"
        for owner in sorted(owners - set(digests)):
            return f"une donnée personnelle de {owner} a été ajoutée à l’événement #{event_id}"
        return f"une donnée personnelle de l’événement #{event_id} y figure deux fois"
    for _event_id, owner, salt, values in rows:
        if type(values) is str:
            some, values_json = _read_values(values)
        else:  # given already read (not as text)
            some, values_json = bool(values), _encode(values)
        if (salt or some) and not hmac.compare_digest(
            personal.digest_of_canonical(owner, salt, values_json, key=key), str(digests[owner])
        ):
            return f"la donnée personnelle de {owner} de l’événement #{event_id} a été modifiée"
    return ""


def _chunks(cursor, after, *, upto, limit, chunk_size, personal_rows):
    """The events numbered after `after` (None: from the first), up to `upto`, at most `limit`,
    chunk after chunk, each with the personal rows of its events (and of the numbers before)."""
    count = 0
    while count < limit:
        bounds = [bound for bound in (after, upto) if bound is not None]
        cursor.execute(_events_sql(after=after, upto=upto), [*bounds, min(chunk_size, limit - count)])
        rows = cursor.fetchall()
        if not rows:
            return
        yield rows, _personal_rows(cursor, after, rows[-1][0]) if personal_rows else []
        after, count = rows[-1][0], count + len(rows)


_END = object()


def _read_ahead(chunks_of):
    """The chunks `chunks_of(cursor)` gives, read by a thread on a connection of its own a
    couple of chunks ahead: the database prepares and sends the next ones (in a process of its
    own) while this thread checks one."""
    ready, stop = queue.Queue(maxsize=2), threading.Event()

    def read():
        try:
            with connection.cursor() as cursor:
                for chunk in chunks_of(cursor):
                    ready.put(chunk)
                    if stop.is_set():
                        break
        except Exception as error:
            ready.put(error)
        finally:
            connection.close()
            ready.put(_END)

    reader = threading.Thread(target=read, name="audit-verify-reader", daemon=True)
    reader.start()
    try:
        while (item := ready.get()) is not _END:
            if isinstance(item, Exception):
                raise item
            yield item
    finally:  # stopped early (a break found): let the reader put what it holds, and end
        stop.set()
        while reader.is_alive():
            with contextlib.suppress(queue.Empty):
                ready.get(timeout=0.05)
        reader.join()


def _walk(
    after, *, limit, rules, chunk_size, upto=None, previous=None, progress=None, done=0, mark=0, ahead=True
):
    """Check in order at most `limit` events numbered after `after` (None: from the first) and
    up to `upto`: each one's link to the one before (the first to `previous`; None: left to the
    caller), its hash, its personal rows. `done`: events checked before (for `progress`);
    `mark`: a position in this walk whose hash to keep (a published head's); `ahead`: the rows
    read ahead by a thread when another connection can read them."""
    key, marker, all_plain, check_personal = rules.key, rules.marker, rules.all_plain, rules.personal_rows
    convert_time = None if connection.vendor == "postgresql" else _stored_time
    count, first_id, first_prev, last_id, marked = 0, None, None, after, None

    def chunks_of(cursor):
        return _chunks(
            cursor, after, upto=upto, limit=limit, chunk_size=chunk_size, personal_rows=check_personal
        )

    ahead = ahead and _others_can_read()
    with (
        connection.cursor() as cursor,
        contextlib.closing(_read_ahead(chunks_of) if ahead else chunks_of(cursor)) as chunks,
    ):
        for rows, apart in chunks:
            waiting, taken = len(apart), 0
            for (
                event_id,
                prev_hash,
                stored_hash,
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
                digests,
            ) in rows:
                if previous is None and first_id is None:
                    first_id, first_prev = event_id, prev_hash
                elif prev_hash != previous:
                    problem = _link_broken(event_id)
                    return _Walked(count, first_id, first_prev, last_id, previous, event_id, problem)
                digests = _decoded(digests)
                payload = _payload(
                    prev_hash,
                    challenge_id,
                    subject,
                    kind,
                    actor_id,
                    actor_label,
                    convert_time(created_at) if convert_time else created_at,
                    transition,
                    from_state,
                    to_state,
                    reason,
                    "{}" if changes == "{}" else _encode(_decoded(changes)),
                    _encode(digests) if digests else "",
                )
                plain = all_plain or (marker is not None and event_id < marker)
                if _signed(payload, None if plain else key) != stored_hash:
                    problem = f"le contenu de l’événement #{event_id} a été modifié"
                    return _Walked(count, first_id, first_prev, last_id, previous, event_id, problem)
                if check_personal and (digests or (taken < waiting and apart[taken][0] <= event_id)):
                    mine = taken
                    while taken < waiting and apart[taken][0] <= event_id:
                        taken += 1
                    if problem := _personal_problem(event_id, digests, apart[mine:taken], key):
                        return _Walked(count, first_id, first_prev, last_id, previous, event_id, problem)
                previous, last_id = stored_hash, event_id
                count += 1
                if count == mark:
                    marked = stored_hash
                if progress and (done + count) % chunk_size == 0:
                    progress(done + count)
        leftover = False
        if upto is not None and check_personal and (last_id is None or last_id < upto):
            leftover = bool(_personal_rows(cursor, last_id, upto))
    return _Walked(count, first_id, first_prev, last_id, previous, marked_hash=marked, leftover=leftover)


# Worker processes -------------------------------------------------------------------------------

_INHERITED = []  # in a worker: the verifying process's connections, kept as they are


def _own_connections():
    """In a worker forked from the verifying process: connections of its own to the same
    databases. Those inherited with the fork are never used nor closed here (closing one would
    end the parent's session): kept alive until the worker ends."""
    for alias in connections:
        inherited = connections[alias]
        _INHERITED.append(inherited)
        connections[alias] = fresh = type(inherited)(inherited.settings_dict, alias)
        multiprocessing.util.Finalize(fresh, fresh.close, exitpriority=10)


def _part_walked(task) -> _Walked:
    # No reading ahead: the workers and their database processes already keep every core busy.
    after, upto, rules, chunk_size = task
    return _walk(after, upto=upto, limit=float("inf"), rules=rules, chunk_size=chunk_size, ahead=False)


def _others_can_read() -> bool:
    """Other connections see what this one reads: no transaction of its own under way (they
    would not see what it has not committed), a database outside its memory."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        return False
    return not connection.in_atomic_block


def _hash_at(after, position) -> str | None:
    """The hash of the event at `position` (1 for the first) after the event `after`."""
    events = AuditEvent.objects.order_by("id")
    if after is not None:
        events = events.filter(id__gt=after)
    return events.values_list("hash", flat=True)[position - 1 : position].first()


def _walk_in_parts(
    after, *, limit, last_hash, rules, chunk_size, previous, workers, segment_size, progress, done, mark
):
    """The walk `_walk` makes, cut into parts by id walked by `workers` processes (here, when
    they could not see what this process reads), then joined in order: the same first break.
    The walk ends at the event carrying the head's hash; where the parts do not add up to the
    walk the head asks for (events missing, added, personal rows astray), it is walked again in
    one piece, which says what is wrong exactly as it always has."""
    walk = dict(limit=limit, rules=rules, chunk_size=chunk_size, previous=previous, done=done, mark=mark)
    events = AuditEvent.objects.order_by("id")
    if after is not None:
        events = events.filter(id__gt=after)
    first = events.values_list("id", flat=True).first()
    end = AuditEvent.objects.filter(hash=last_hash).values_list("id", flat=True).first()
    if first is None or end is None or end < first:
        return _walk(after, progress=progress, **walk)
    parts = max(1, min(-(-limit // segment_size), end - first + 1))
    bounds = [after, *(first - 1 + (end - first + 1) * i // parts for i in range(1, parts)), end]
    tasks = [(bounds[i], bounds[i + 1], rules, chunk_size) for i in range(parts)]
    pool = None
    if workers > 1 and parts > 1 and _others_can_read() and "fork" in multiprocessing.get_all_start_methods():
        pool = multiprocessing.get_context("fork").Pool(min(workers, parts), initializer=_own_connections)
    results = pool.imap(_part_walked, tasks) if pool else map(_part_walked, tasks)
    joined = None
    try:
        joined = _joined(
            tasks, results, previous=previous, limit=limit, mark=mark, progress=progress, done=done
        )
    finally:
        if pool is not None:
            if joined is not None and not joined.problem:
                pool.close()  # every part walked: each worker closes its connection and ends
            else:
                pool.terminate()  # stopped early: the parts left are not needed
            pool.join()
    return joined if joined is not None else _walk(after, progress=progress, **walk)


def _joined(tasks, results, *, previous, limit, progress, done, mark) -> _Walked | None:
    """The parts' walks joined in order into one (None: they do not add up to the walk)."""
    count, last_id, marked = 0, tasks[0][0], None
    for (after, *_rest), part in zip(tasks, results, strict=True):
        if part.first_id is None:  # no event numbered in this part
            if part.leftover:
                return None
            continue
        if count >= limit:
            return None
        if part.first_prev != previous:
            return _Walked(count, broken_event_id=part.first_id, problem=_link_broken(part.first_id))
        if count + part.count + bool(part.problem) > limit:
            return None
        if part.problem:
            return _Walked(count + part.count, broken_event_id=part.broken_event_id, problem=part.problem)
        if part.leftover:
            return None
        if count < mark <= count + part.count:
            marked = _hash_at(after, mark - count)
        previous, last_id = part.last_hash, part.last_id
        count += part.count
        if progress:
            progress(done + count)
    if count != limit:
        return None
    return _Walked(count, last_id=last_id, last_hash=previous, marked_hash=marked)


def verify(
    *,
    chunk_size: int = 5000,
    progress=None,
    head: tuple[int, str] | None = None,
    personal_rows: bool = True,
    workers: int = 1,
    segment_size: int = SEGMENT_SIZE,
) -> Verification:
    """Walk the chain in order, up to its sealed head; report the first event whose link does
    not hold.

    With `head` (the length and last hash published outside the database), also prove that the
    first `length` events are those that were published: the event at that position must carry
    that hash (and the chain up to it verifies, so every event before it is the published one).

    With `personal_rows` (the default), also check the personal data kept apart beside the
    events, read alongside them in the same order: each digest an event keeps has its row, each
    row not erased still gives its digest (a name or an address changed is caught).

    With `workers` > 1, a chain longer than `segment_size` events is cut into parts of about
    that many, walked by as many worker processes (forked, each with its connection), and
    joined: each part's first link must hold to the last hash of the part before. The result is
    the walk's in one process, to the first broken event. Inside a transaction (the workers
    would not see what it has not written) the parts are walked in this process.
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
    rules = _Rules(key, marker, all_plain=marker is None and not stored.keyed, personal_rows=personal_rows)
    previous, checked, last_id = GENESIS_HASH, 0, None
    published_found = None
    while True:
        limit = stored.length - checked
        mark = head[0] - checked if head is not None and head[0] > checked else 0
        walk = dict(limit=limit, rules=rules, chunk_size=chunk_size, previous=previous, progress=progress)
        if workers > 1 and limit > segment_size:
            walked = _walk_in_parts(
                last_id,
                last_hash=stored.last_hash,
                workers=workers,
                segment_size=segment_size,
                done=checked,
                mark=mark,
                **walk,
            )
        else:
            walked = _walk(last_id, done=checked, mark=mark, **walk)
        if walked.problem:
            return Verification(checked + walked.count, walked.broken_event_id, walked.problem)
        if walked.count:
            previous, last_id = walked.last_hash, walked.last_id
        checked += walked.count
        if walked.marked_hash is not None:
            published_found = walked.marked_hash == head[1]
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
