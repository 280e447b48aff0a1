"""The only functions that change a dossier: the portal's steps, the admin, the mentor tasks,
the import and the demo call them; none writes a dossier's rows or its audit events itself.

Each edit checks the actor's right (`lifecycle.rules`: a contact edits its draft, never who
carries or follows the case), validates, writes and is audited through
`recording_dossier_changes` in one transaction. Several edits inside one `recording_dossier_changes`
block make one audit event.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from lifecycle import audit, calendar, clock, pitch_deck, promotions, rules
from lifecycle.dossier import snapshot
from lifecycle.dossier.rules import (
    MENTOR_FIELDS,
    distinct_mentors_problem,
    mentor_details_problems,
    same_person,
)
from lifecycle.dossier.sections import FORM_FIELDS
from lifecycle.enums import AuditKind, ChallengeState, ContactRole, MentorRole
from lifecycle.models import (
    PERSON_FIELDS,
    Administration,
    Challenge,
    Contact,
    EigPosition,
    Entrepreneur,
    Mentor,
    TeamMember,
)

recording_dossier_changes = snapshot.recording_dossier_changes

# The fields of the challenge an edit may set: the form's, and who carries and follows the case.
EDITABLE_FIELDS = frozenset({*FORM_FIELDS, "administration", "manager"})
POSITION_FIELDS = ("mission", "profile", "expertise", "pay_level")
TEAM_FIELDS = ("name", "function", "status", "involvement_percent", "contribution")
ENTREPRENEUR_FIELDS = (*PERSON_FIELDS, "profile", "recruited_on")


class DossierLocked(PermissionDenied):
    """The actor may not change this dossier now (submitted, or not theirs)."""


def _check_can_edit(challenge, by, section=None):
    """`section`: the form's section the edit belongs to (a dossier sent back for corrections
    opens only some)."""
    if not rules.can_edit_dossier(by, challenge):
        raise DossierLocked(_("Ce dossier ne peut plus être modifié : il a été déposé."))
    if section and not rules.can_edit_section(by, challenge, section):
        raise DossierLocked(
            _(
                "Cette partie du dossier n’est pas ouverte aux corrections : seules les parties "
                "demandées le sont."
            )
        )


def _check_managers(by):
    if not (rules.is_system(by) or rules.is_programme_manager(by)):
        raise PermissionDenied(_("Seul·e un·e chargé·e de programme peut faire cette modification."))


# Creating dossiers ---------------------------------------------------------------------------


def create_challenge(*, promotion, administration, name, by, **fields) -> Challenge:
    """Open a new dossier (a draft) for an administration.

    An administration's contact opens its own only, in a promotion whose call takes dossiers now,
    and sets none of the programme's fields; `fields` are the form's (no state, no page count).
    """
    unknown = sorted(set(fields) - EDITABLE_FIELDS - {"name"})
    if unknown:
        raise ValidationError(
            _("Champ inconnu ou non modifiable : %(field)s") % {"field": ", ".join(unknown)}
        )
    if not (rules.is_system(by) or rules.is_programme_manager(by)):
        if not (rules.is_administration_contact(by) and by.profile.administration_id == administration.pk):
            raise PermissionDenied(_("Vous ne pouvez ouvrir un dossier que pour votre administration."))
        if set(fields) & rules.MANAGER_ONLY_FIELDS:
            raise PermissionDenied(_("Ces champs sont réservés à l’équipe du programme."))
        if not promotions.open_for_submission().filter(pk=promotion.pk).exists():
            opens_at = promotion.call.submission_opens_at
            if opens_at is not None and clock.now() < opens_at:
                raise PermissionDenied(
                    _(
                        "L’appel à projets de la promotion %(promotion)s n’ouvre que le %(date)s "
                        "(heure de Paris)."
                    )
                    % {"promotion": promotion, "date": calendar.label(opens_at)}
                )
            raise PermissionDenied(
                _("L’appel à projets de la promotion %(promotion)s ne prend pas de dossier en ce moment.")
                % {"promotion": promotion}
            )
    challenge = Challenge(promotion=promotion, administration=administration, name=name, **fields)
    challenge.full_clean(exclude=["state"])
    with transaction.atomic():
        challenge.save()
        audit.record(
            challenge,
            AuditKind.CREATED,
            by=by,
            changes=snapshot.diff({}, snapshot.snapshot(challenge)),
        )
    return challenge


@dataclass
class NewChallenge:
    """A dossier to create in bulk (an import): its fields, the profiles of its EIG positions in
    rank order, and the state it had elsewhere (draft when it starts here)."""

    promotion: object
    administration: Administration
    name: str
    fields: dict = field(default_factory=dict)
    profiles: list = field(default_factory=list)
    state: str = ChallengeState.DRAFT


# The dossier's rows, read back in the order the snapshot lists them (the models' default
# orderings sort by challenge first, which costs a join when prefetching).
DOSSIER_RELATIONS = [
    Prefetch("partner_administrations", queryset=Administration.objects.order_by("name")),
    Prefetch("eig_positions", queryset=EigPosition.objects.select_related("pay_level").order_by("rank")),
    Prefetch("team_members", queryset=TeamMember.objects.order_by("id")),
    Prefetch("mentors", queryset=Mentor.objects.order_by("role")),
    Prefetch("contacts", queryset=Contact.objects.order_by("role")),
    Prefetch("entrepreneurs", queryset=Entrepreneur.objects.order_by("last_name")),
]


def create_challenges(entries: list[NewChallenge], *, by) -> list[Challenge]:
    """Create many dossiers at once, each with its audit event; a programme manager's act.

    What `create_challenge` does for one, in bulk: the rows are inserted together, then read back
    once to write each one's event (a `created` event listing the whole dossier, or an `imported`
    event naming the state of a challenge brought in a later state, since it did not go through
    the transitions). Must run in the caller's transaction.
    """
    _check_managers(by)
    now = clock.now()
    challenges = []
    for entry in entries:
        challenge = Challenge(
            promotion=entry.promotion,
            administration=entry.administration,
            name=entry.name,
            state=entry.state,
            state_changed_at=now if entry.state != ChallengeState.DRAFT else None,
            **entry.fields,
        )
        # The promotion, the administration and the uniqueness of the name are the caller's.
        challenge.full_clean(
            exclude=["promotion", "administration", "state"],
            validate_unique=False,
            validate_constraints=False,
        )
        challenges.append(challenge)
    with transaction.atomic():
        Challenge.objects.bulk_create(challenges)
        EigPosition.objects.bulk_create(
            EigPosition(challenge=challenge, rank=rank, profile=profile)
            for challenge, entry in zip(challenges, entries, strict=True)
            for rank, profile in enumerate(entry.profiles, start=1)
        )
        saved = (
            Challenge.objects.filter(pk__in=[challenge.pk for challenge in challenges])
            .select_related("administration", "administrative_carrier", "manager")
            .prefetch_related(*DOSSIER_RELATIONS)
            .in_bulk()
        )
        audit.record_many(
            [
                {
                    "challenge": challenge,
                    "kind": AuditKind.CREATED
                    if challenge.state == ChallengeState.DRAFT
                    else AuditKind.IMPORTED,
                    "to_state": "" if challenge.state == ChallengeState.DRAFT else challenge.state,
                    "by": by,
                    "changes": snapshot.diff({}, snapshot.snapshot(saved[challenge.pk])),
                }
                for challenge in challenges
            ]
        )
    return challenges


# The challenge's own fields ------------------------------------------------------------------


def update_dossier(challenge: Challenge, changes: dict, *, by) -> Challenge:
    """Change fields of the dossier (partner administrations included), validated, audited.

    Refused with `DossierLocked` once the dossier is locked for the actor, with PermissionDenied
    for a field the actor may not set (a contact: who carries or follows the case).
    """
    unknown = sorted(set(changes) - EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Champ inconnu ou non modifiable : %(field)s") % {"field": ", ".join(unknown)}
        )
    with recording_dossier_changes(challenge, by=by) as locked:
        _check_can_edit(locked, by)
        forbidden = sorted(name for name in changes if not rules.can_edit_field(by, locked, name))
        if forbidden:
            raise PermissionDenied(
                _("Vous ne pouvez pas modifier : %(fields)s.")
                % {
                    "fields": ", ".join(
                        str(Challenge._meta.get_field(name).verbose_name) for name in forbidden
                    )
                }
            )
        partners = changes.get("partner_administrations")
        for name, value in changes.items():
            if name != "partner_administrations":
                setattr(locked, name, value)
        locked.full_clean(exclude=["state"])
        locked.save()
        if partners is not None:
            locked.partner_administrations.set(partners)
    _refresh(challenge)
    return challenge


def _refresh(challenge):
    """The caller's copy takes the saved values (its state included: django-fsm's field is
    protected, so the copy is refreshed rather than assigned)."""
    challenge.refresh_from_db()


# Child rows ----------------------------------------------------------------------------------


def _clean_rows(model, challenge, rows, names):
    cleaned = []
    for index, values in enumerate(rows, start=1):
        row = model(
            challenge=challenge,
            **{name: values.get(name, model._meta.get_field(name).get_default()) for name in names},
        )
        try:
            row.full_clean(exclude=["challenge", "rank"])
        except ValidationError as error:
            raise ValidationError({f"{index}": error.messages}) from error
        cleaned.append(row)
    return cleaned


def set_positions(challenge: Challenge, rows: list[dict], *, by) -> list[EigPosition]:
    """The EIGs the challenge asks for, in rank order (rank 1 first); replaces the previous list.
    At most the call's number of EIGs; each row has a mission, a profile and expertise."""
    call = challenge.promotion.call
    if len(rows) > call.max_eigs_per_challenge:
        raise ValidationError(
            _("Le défi demande au plus %(max)d EIG.") % {"max": call.max_eigs_per_challenge}
        )
    with recording_dossier_changes(challenge, by=by) as locked:
        _check_can_edit(locked, by, section="missions")
        wanted = _clean_rows(EigPosition, locked, rows, POSITION_FIELDS)
        existing = {position.rank: position for position in locked.eig_positions.all()}
        EigPosition.objects.filter(challenge=locked, rank__gt=len(wanted)).delete()
        for rank, row in enumerate(wanted, start=1):
            position = existing.get(rank) or EigPosition(challenge=locked, rank=rank)
            for name in POSITION_FIELDS:
                setattr(position, name, getattr(row, name))
            position.save()
    return list(challenge.eig_positions.all())


def _sync_rows(model, challenge, rows, names):
    """Make the challenge's rows of `model` the given rows: a row with the "pk" of an existing
    one updates it, one without is created, existing rows not given are deleted."""
    existing = {row.pk: row for row in model.objects.filter(challenge=challenge)}
    kept = []
    for index, values in enumerate(rows, start=1):
        row = existing.get(values.get("pk")) or model(challenge=challenge)
        for name in names:
            if name in values:
                setattr(row, name, values[name])
        try:
            row.full_clean(exclude=["challenge"])
        except ValidationError as error:
            raise ValidationError(
                _("Ligne %(index)d : %(problems)s") % {"index": index, "problems": " ".join(error.messages)}
            ) from error
        kept.append(row)
    model.objects.filter(pk__in=set(existing) - {row.pk for row in kept if row.pk}).delete()
    for row in kept:
        row.save()
    return kept


def set_team(challenge: Challenge, rows: list[dict], *, by) -> list[TeamMember]:
    """The project team, in order; rows with the "pk" of a member update it."""
    with recording_dossier_changes(challenge, by=by) as locked:
        _check_can_edit(locked, by, section="equipe")
        return _sync_rows(TeamMember, locked, rows, TEAM_FIELDS)


IDENTITY_FIELDS = ("first_name", "last_name", "email")


def set_people(challenge: Challenge, people: dict, *, by) -> None:
    """The two mentors and the two contacts: {MentorRole or ContactRole: values, or None to
    remove}; values given change those fields, the others stay. The two mentors must be two
    people. A confirmed mentor replaced by someone else (name or e-mail) must be confirmed again."""
    unknown = [role for role in people if role not in MentorRole.values and role not in ContactRole.values]
    if unknown:
        raise ValidationError(_("Rôle inconnu : %(role)s") % {"role": ", ".join(map(str, unknown))})
    with recording_dossier_changes(challenge, by=by) as locked:
        _check_can_edit(locked, by, section="contacts")
        current = {row.role: row for row in [*locked.mentors.all(), *locked.contacts.all()]}
        rows = {}
        for role, values in people.items():
            if not values:
                continue
            model = Mentor if role in MentorRole.values else Contact
            row = current.get(role) or model(challenge=locked, role=role)
            identity = [getattr(row, name) for name in IDENTITY_FIELDS]
            for name in (*PERSON_FIELDS, "function") if model is Mentor else PERSON_FIELDS:
                if name in values:
                    setattr(row, name, values[name])
            if model is Mentor and row.pk and identity != [getattr(row, name) for name in IDENTITY_FIELDS]:
                row.confirmed_at = None
            rows[role] = row
        # The two mentors as they will be (a removed one is no longer either).
        operational, strategic = (
            rows.get(role, current.get(role)) if people.get(role, True) else None for role in MentorRole
        )
        if operational and strategic and same_person(operational, strategic):
            raise ValidationError({"strategic": [distinct_mentors_problem()]})
        for role, values in people.items():
            if not values:
                if role in current:
                    current[role].delete()
                continue
            row = rows[role]
            row.full_clean(exclude=["challenge"])
            row.save()


def confirm_mentor(challenge: Challenge, role, *, by, **details) -> Mentor:
    """Confirm a mentor with their name, function, professional e-mail and phone (a manager's
    act: the mentor assignment's task, or the admin). The same person cannot hold both roles."""
    if not rules.is_system(by) and not by.has_perm("lifecycle.confirm_mentor"):
        raise PermissionDenied(_("Seul·e un·e chargé·e de programme confirme un mentor."))
    role = MentorRole(role)
    values = {name: str(details.get(name) or "").strip() for name in MENTOR_FIELDS}
    errors = mentor_details_problems(values)
    for name, value in values.items():
        if value and name not in errors:
            try:
                Mentor._meta.get_field(name).run_validators(value)
            except ValidationError as error:
                errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
    with recording_dossier_changes(challenge, by=by) as locked:
        other = locked.mentors.exclude(role=role).first()
        if other is not None and same_person(other, values):
            raise ValidationError(
                _("%(name)s est déjà le %(role)s : une même personne ne peut tenir les deux rôles.")
                % {"name": other.full_name, "role": other.get_role_display().lower()}
            )
        mentor = Mentor.objects.filter(challenge=locked, role=role).first() or Mentor(
            challenge=locked, role=role
        )
        for name, value in values.items():
            setattr(mentor, name, value)
        mentor.confirmed_at = clock.now()
        mentor.full_clean()
        mentor.save()
    return mentor


def set_entrepreneurs(challenge: Challenge, rows: list[dict], *, by) -> list[Entrepreneur]:
    """The EIGs recruited for the challenge (a manager's record); rows with a "pk" update one."""
    _check_managers(by)
    with recording_dossier_changes(challenge, by=by) as locked:
        return _sync_rows(Entrepreneur, locked, rows, ENTREPRENEUR_FIELDS)


def add_entrepreneur(challenge: Challenge, *, by, **values) -> Entrepreneur:
    """Record one recruited EIG of the challenge."""
    _check_managers(by)
    with recording_dossier_changes(challenge, by=by) as locked:
        entrepreneur = Entrepreneur(challenge=locked, **values)
        entrepreneur.full_clean()
        entrepreneur.save()
    return entrepreneur


# The pitch deck ------------------------------------------------------------------------------


def attach_pitch_deck(challenge: Challenge, upload, *, by) -> Challenge:
    """Store the pitch deck after checking it is a readable PDF of at most the call's slides.

    A refused file leaves nothing behind: neither a stored file nor a changed dossier.
    """
    _check_can_edit(challenge, by, section="presentation")
    content = pitch_deck.read_upload(upload)
    pages = pitch_deck.count_slides(content, max_slides=challenge.promotion.call.max_pitch_slides)
    stored = None
    try:
        with recording_dossier_changes(challenge, by=by) as locked:
            _check_can_edit(locked, by, section="presentation")
            previous = locked.pitch_deck.name if locked.pitch_deck else ""
            locked.pitch_deck.save("pitch.pdf", ContentFile(content), save=False)
            stored = locked.pitch_deck.name
            locked.pitch_deck_pages = pages
            locked.save(update_fields=["pitch_deck", "pitch_deck_pages", "updated_at"])
            if previous:
                # The replaced deck goes once the new one is committed (it stays if this rolls back).
                storage = locked.pitch_deck.storage
                transaction.on_commit(lambda: storage.delete(previous))
    except Exception:
        if stored:
            challenge.pitch_deck.storage.delete(stored)
        raise
    _refresh(challenge)
    return challenge
