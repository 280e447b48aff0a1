"""Personal data kept apart from the audit chain (docs/personal-data.md).

A writer marks a person's value with `Personal(owner, value)` wherever it sits in an event's
`changes` (a value, one side of an [old, new] pair, an item of a list), or gives them grouped by
owner (`audit.record(…, personal={"contact:5": {"email": …}})`). `apart` takes them out: in the
hashed content each becomes a reference to its owner, {"personal": "contact:5"}; the author's
name becomes "user:<pk>"; the event's `personal_digests` (hashed with the rest) holds one digest
per owner, the HMAC of that owner's values with a random salt of their own. The values and the
salt go to a `PersonalData` row beside the event. Erasing blanks that row: the event's content,
hence its hash, is untouched.

Readers join them back (`changes_of`, `actor_of`) from the rows prefetched with the events
(`prefetch`: one query per page; `with_actor` for the authors alone, in the events' query), an
erased value read as `ERASED`.
"""

import json
import re
import secrets
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery, prefetch_related_objects
from django.utils.translation import gettext as _

from lifecycle.keyed import hmac_sha256
from lifecycle.models import PersonalData

# What stands in the hashed content where a person's value was.
REFERENCE = "personal"
# A person's account, as the author of an event written since personal data is kept apart.
ACTOR_REFERENCE = re.compile(r"user:(?P<pk>\d+)")
ACTOR_LABEL = "actor_label"


@dataclass(frozen=True)
class Personal:
    """A person's value in an event's changes: `owner` is the stable reference of the person it
    belongs to ("contact:5", "mentor:2", "entrepreneur:9", "user:12", "invitation:4"…)."""

    owner: str
    value: object

    def __str__(self):
        return str(self.value)


class Erased:
    """A value kept apart and erased since: read "donnée personnelle effacée"."""

    def __str__(self):
        return _("donnée personnelle effacée")

    def __repr__(self):
        return "ERASED"


ERASED = Erased()


def placeholder(owner: str) -> dict:
    return {REFERENCE: owner}


def is_placeholder(value) -> bool:
    return type(value) is dict and len(value) == 1 and type(value.get(REFERENCE)) is str


def owner_of(instance) -> str:
    """The reference of a row, as owners and subjects are written ("contact:5")."""
    return f"{instance._meta.model_name}:{instance.pk}"


# Writing ---------------------------------------------------------------------------------------


def _canonical(values) -> bytes:
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def digest(owner: str, salt: str, values, *, key: bytes) -> str:
    """The HMAC of an owner's values with the row's salt: what the chain keeps of them."""
    return digest_of_canonical(owner, salt, _canonical(values).decode(), key=key)


def digest_of_canonical(owner: str, salt: str, canonical: str, *, key: bytes) -> str:
    """`digest` of the values whose canonical JSON is `canonical` (the verification has it)."""
    return hmac_sha256(key, f"personal:{owner}:{salt}:{canonical}".encode())


_CONTAINERS = frozenset({Personal, dict, list, tuple})


def _taken_out(value, path, found):
    kind = type(value)
    if kind is Personal:
        found.setdefault(value.owner, []).append([path, value.value])
        return placeholder(value.owner)
    if kind is dict:
        return {key: _taken_out(item, [*path, key], found) for key, item in value.items()}
    if kind is list or kind is tuple:
        if not any(type(item) in _CONTAINERS for item in value):  # a change's [old, new] of plain values
            return list(value)
        return [_taken_out(item, [*path, index], found) for index, item in enumerate(value)]
    return value


def apart(values: dict, *, by_pk, personal=None, key: bytes) -> list[tuple[str, list, str]]:
    """Take a person's values out of an event's `values` (audit._values), in place; return the
    rows to keep apart, as (owner, [[path, value], …], salt).

    `by_pk`: the author's account (None for the system), whose name is kept apart as theirs;
    `personal`: {owner: {key: value}}, entries of the changes given grouped by owner."""
    changes = dict(values["changes"])
    for owner, entries in (personal or {}).items():
        for name, value in entries.items():
            if name in changes:
                raise ValueError(f"“{name}” is given twice, in changes and as {owner}'s personal data.")
            changes[name] = Personal(owner, value)
    found: dict[str, list] = {}
    if by_pk is not None:
        owner = f"user:{by_pk}"
        found[owner] = [[[ACTOR_LABEL], values[ACTOR_LABEL]]]
        values[ACTOR_LABEL] = owner
    changes = {name: _taken_out(value, ["changes", name], found) for name, value in changes.items()}
    values["changes"] = changes
    if not found:
        return []
    rows = []
    digests = {}
    for owner, entries in found.items():
        entries = json.loads(_canonical(entries))  # as the database gives them back (tuples as lists…)
        salt = secrets.token_hex(16)
        digests[owner] = digest(owner, salt, entries, key=key)
        rows.append((owner, entries, salt))
    values["personal_digests"] = digests
    return rows


# Reading ---------------------------------------------------------------------------------------


def prefetch(events):
    """The personal rows of a page of events, in one query (events already read are skipped)."""
    prefetch_related_objects([event for event in events if event.pk is not None], "personal_data")
    return events


def with_actor(queryset):
    """The events with their author's name kept apart, in the same query (a list that shows who
    made each event and nothing else kept apart: the dashboard's latest events)."""
    row = PersonalData.objects.filter(event=OuterRef("pk"), owner=OuterRef("actor_label"))
    return queryset.annotate(
        actor_kept=Subquery(row.values("values")[:1]), actor_erased_at=Subquery(row.values("erased_at")[:1])
    )


def _rows(event) -> dict:
    return {row.owner: row for row in event.personal_data.all()}


def _value_at(rows, owner, path):
    row = rows.get(owner)
    if row is None or row.erased_at is not None:
        return ERASED
    for at, value in row.values:
        if at == path:
            return value
    return ERASED


def _filled(value, path, rows):
    if is_placeholder(value):
        return _value_at(rows, value[REFERENCE], path)
    kind = type(value)
    if kind is dict:
        return {key: _filled(item, [*path, key], rows) for key, item in value.items()}
    if kind is list:
        return [_filled(item, [*path, index], rows) for index, item in enumerate(value)]
    return value


def changes_of(event) -> dict:
    """The event's changes as people read them: a person's values joined back where they were
    (`ERASED` once erased)."""
    changes = event.changes or {}
    if not event.personal_digests:
        return changes
    rows = _rows(event)
    return {key: _filled(value, ["changes", key], rows) for key, value in changes.items()}


def keeps_actor_apart(event) -> bool:
    """Whether the event names its author by reference ("user:<pk>"), their name kept apart."""
    found = ACTOR_REFERENCE.fullmatch(event.actor_label or "")
    return found is not None and event.actor_id is not None and int(found["pk"]) == event.actor_id


def actor_of(event) -> str:
    """The author's name as the event recorded it (kept apart since), or `ERASED`'s text."""
    if not keeps_actor_apart(event):
        return event.actor_label
    if hasattr(event, "actor_kept"):  # read with the event (`with_actor`)
        kept = None if event.actor_erased_at is not None else event.actor_kept
        return str(next((value for at, value in kept or [] if at == [ACTOR_LABEL]), ERASED))
    return str(_value_at(_rows(event), event.actor_label, [ACTOR_LABEL]))
