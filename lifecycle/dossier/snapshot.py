"""The dossier as flat values, and the context manager that audits what a block changes in it.

A person's values (the mentors', contacts' and recruited EIGs' names, e-mails and phones, the
project team members' names, the manager's account) are `Personal` values of their row
("mentor:<pk>", "contact:<pk>", "entrepreneur:<pk>", "teammember:<pk>", "user:<pk>"): the trail
keeps them apart from its chain (docs/personal-data.md), the event refers to them."""

import contextlib
import re
import threading

from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lifecycle import audit
from lifecycle.dossier.sections import FORM_FIELDS
from lifecycle.enums import AuditKind, ContactRole, MentorRole
from lifecycle.models import PERSON_FIELDS, Challenge, Contact, EigPosition, Entrepreneur, Mentor, TeamMember
from lifecycle.personal import Personal, owner_of

# The challenge's own fields of the dossier, as the audit trail lists them: the form's (its
# sections), who carries and follows the case, and the pitch deck.
SCALAR_FIELDS = [
    "administration",
    "manager",
    *(name for name in FORM_FIELDS if name != "partner_administrations"),
    "pitch_deck",
]


ROW_KEY = re.compile(r"^(?P<kind>eig|team|mentor|contact|recruited)\[(?P<which>[^\]]+)\]\.(?P<field>\w+)$")


def _verbose(model, name) -> str:
    try:
        text = str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name
    return text[:1].upper() + text[1:]


# The attestations' fields are named by the form's whole sentences; a change reads their short names.
_SHORT_LABELS = {
    "attests_outside_walls": gettext_lazy("Travail hors les murs attesté"),
    "attests_open_data_open_source": gettext_lazy("Ouverture des données et du code attestée"),
    "attests_data_access": gettext_lazy("Accès aux données attesté"),
}


def key_label(key: str, *, recruited=None) -> str:
    """A snapshot's key as people read it: "problem" → "Problématique à résoudre",
    "attests_data_access" → "Accès aux données attesté", "eig[1].mission" → "EIG n°1 — Mission",
    "mentor[operational].email" → "Mentor opérationnel — E-mail professionnel"; `recruited`
    ({id: name}) names the recruited EIGs ("EIG recruté·e (Camille Dupont) — Profil"); an unknown
    key is shown as it is."""
    if key in _SHORT_LABELS:
        return str(_SHORT_LABELS[key])
    found = ROW_KEY.match(key)
    if found is None:
        return _verbose(Challenge, key)
    kind, which, field = found["kind"], found["which"], found["field"]
    if kind == "eig":
        return _("EIG n°%(rank)s — %(field)s") % {"rank": which, "field": _verbose(EigPosition, field)}
    if kind == "team":
        return _("Équipe projet, membre %(rank)s — %(field)s") % {
            "rank": which,
            "field": _verbose(TeamMember, field),
        }
    if kind == "recruited":
        name = (recruited or {}).get(which)
        if name:
            return _("EIG recruté·e (%(name)s) — %(field)s") % {
                "name": name,
                "field": _verbose(Entrepreneur, field),
            }
        return _("EIG recruté·e — %(field)s") % {"field": _verbose(Entrepreneur, field)}
    roles, model = (MentorRole, Mentor) if kind == "mentor" else (ContactRole, Contact)
    role = roles(which).label if which in roles.values else which
    return f"{role} — {_verbose(model, field)}"


def _plain(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if hasattr(value, "name") and hasattr(value, "storage"):  # a stored file
        return value.name or ""
    return str(value)


def _personal(row, value):
    """A person's value, theirs (blank: no one's data)."""
    return Personal(owner_of(row), value) if value not in (None, "") else value


def snapshot(challenge) -> dict:
    """The dossier as flat, JSON-ready values (a person's marked `Personal`): the audit trail
    compares two of them."""
    values = {name: _plain(getattr(challenge, name)) for name in SCALAR_FIELDS}
    if challenge.manager_id:
        values["manager"] = _personal(challenge.manager, values["manager"])
    values["partner_administrations"] = sorted(
        str(administration) for administration in challenge.partner_administrations.all()
    )
    for position in challenge.eig_positions.all():
        prefix = f"eig[{position.rank}]"
        values[f"{prefix}.mission"] = position.mission
        values[f"{prefix}.profile"] = position.profile
        values[f"{prefix}.expertise"] = position.expertise
        if position.pay_level_id:
            values[f"{prefix}.pay_level"] = str(position.pay_level.name)
    for index, member in enumerate(challenge.team_members.all(), start=1):
        values[f"team[{index}].name"] = _personal(member, member.name)
        for name in ("function", "status", "involvement_percent", "contribution"):
            values[f"team[{index}].{name}"] = _plain(getattr(member, name))
    # The mentors' function and confirmation (by the mentoring tasks) are audited too.
    for mentor in challenge.mentors.all():
        for name in PERSON_FIELDS:
            values[f"mentor[{mentor.role}].{name}"] = _personal(mentor, getattr(mentor, name))
        for name in ("function", "confirmed_at"):
            values[f"mentor[{mentor.role}].{name}"] = _plain(getattr(mentor, name))
    for contact in challenge.contacts.all():
        for name in PERSON_FIELDS:
            values[f"contact[{contact.role}].{name}"] = _personal(contact, getattr(contact, name))
    for entrepreneur in challenge.entrepreneurs.all():
        prefix = f"recruited[{entrepreneur.pk}]"
        for name in PERSON_FIELDS:
            values[f"{prefix}.{name}"] = _personal(entrepreneur, getattr(entrepreneur, name))
        for name in ("profile", "recruited_on"):
            values[f"{prefix}.{name}"] = _plain(getattr(entrepreneur, name))
    return values


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for every value that changed, appeared or disappeared."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(before.keys() | after.keys())
        if before.get(key) != after.get(key)
    }


_recording = threading.local()


@contextlib.contextmanager
def recording_dossier_changes(
    challenge: Challenge, *, by, kind=AuditKind.DOSSIER_CHANGED, subject="", reason=""
):
    """Audit whatever the block changes in the dossier, in the block's transaction.

    The challenge's row is locked for the block (its state cannot move meanwhile); the audit
    event lists each changed field with its old and new value; no change, no event. Yields a
    locked copy of the challenge, read at the start of the block. Blocks nest: the outermost one
    records every change of the inner ones in a single event (an admin save, a portal step).
    """
    open_blocks = _recording.__dict__.setdefault("challenges", set())
    with transaction.atomic():
        locked = (
            Challenge.objects.select_for_update(of=("self",))
            .select_related("promotion__call")
            .get(pk=challenge.pk)
        )
        if challenge.pk in open_blocks:
            yield locked
            return
        before = snapshot(locked)
        open_blocks.add(challenge.pk)
        try:
            yield locked
        finally:
            open_blocks.discard(challenge.pk)
        changes = diff(before, snapshot(Challenge.objects.get(pk=challenge.pk)))
        if changes:
            audit.record(challenge, kind, by=by, subject=subject, reason=reason, changes=changes)
