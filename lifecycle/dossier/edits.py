"""The only functions that change a dossier: the portal's steps, the admin, the mentor tasks,
the import and the demo call them; none writes a dossier's rows or its audit events itself.

Each edit checks the actor's right (`lifecycle.rules`: a contact edits its draft, never who
carries or follows the case), validates, writes and is audited through
`recording_dossier_changes` in one transaction. Several edits inside one `recording_dossier_changes`
block make one audit event.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from lifecycle import audit, bulk, calendar, clock, pitch_deck, promotions, rules
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
    # The positions' whole rows ({"profile", "mission", "expertise"}), when the source has more
    # than their profiles; the project team's rows; the people by role (`set_people`'s values).
    positions: list[dict] | None = None
    team: list[dict] = field(default_factory=list)
    people: dict = field(default_factory=dict)
    pitch_deck: bytes = b""  # a PDF already checked (`pitch_deck.count_slides`), and its slides
    pitch_deck_pages: int | None = None
    # Where the dossier comes from, for its audit event (démarches-simplifiées: its kind, the
    # dossier's reference as subject, its number in words as reason).
    audit_kind: str = ""
    audit_subject: str = ""
    audit_reason: str = ""

    def rows(self, challenge) -> tuple[list, list, list]:
        """The dossier's unsaved rows: its EIG positions, team members and people."""
        positions = self.positions if self.positions is not None else [{"profile": p} for p in self.profiles]
        people = [
            (Mentor if role in MentorRole.values else Contact)(challenge=challenge, role=role, **values)
            for role, values in self.people.items()
            if values
        ]
        return (
            [
                EigPosition(
                    challenge=challenge,
                    rank=rank,
                    **{name: row.get(name, "") for name in POSITION_FIELDS[:3]},
                )
                for rank, row in enumerate(positions, start=1)
            ],
            [TeamMember(challenge=challenge, **row) for row in self.team],
            people,
        )


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


class InvalidEntries(ValidationError):
    """Entries of a bulk creation that the dossier's checks refuse: {index: message}, every one
    (nothing was written)."""

    def __init__(self, problems: dict[int, str]):
        self.problems = problems
        super().__init__([f"{index}: {message}" for index, message in problems.items()])


def create_challenges(entries: list[NewChallenge], *, by) -> list[Challenge]:
    """Create many dossiers at once, each with its audit event; a programme manager's act.

    What `create_challenge` does for one, in bulk: every entry is checked first (InvalidEntries
    lists the refused ones, nothing written); the administrations not saved yet are saved (a new
    ministry before its operator); the rows are inserted together and each one's event written
    from them (a `created` event listing the whole dossier, or an `imported` event naming the
    state of a challenge brought in a later state, since it did not go through the transitions).
    Must run in the caller's transaction.
    """
    _check_managers(by)
    now = clock.now()
    challenges, problems = [], {}
    for index, entry in enumerate(entries):
        challenge = Challenge(
            promotion=entry.promotion,
            administration=entry.administration,
            name=entry.name,
            state=entry.state,
            state_changed_at=now if entry.state != ChallengeState.DRAFT else None,
            **entry.fields,
        )
        try:
            # The promotion, the administration and the uniqueness of the name are the caller's.
            challenge.full_clean(
                exclude=["promotion", "administration", "state"],
                validate_unique=False,
                validate_constraints=False,
            )
            _check_new_rows(entry, challenge)
        except ValidationError as error:
            problems[index] = " ".join(error.messages)
            continue
        _as_stored(challenge)
        if entry.pitch_deck:
            challenge.pitch_deck = ContentFile(entry.pitch_deck, name="pitch.pdf")  # stored by the insert
            challenge.pitch_deck_pages = entry.pitch_deck_pages
        challenges.append(challenge)
    if problems:
        raise InvalidEntries(problems)
    stored = []
    try:
        with transaction.atomic():
            save_new_administrations(entry.administration for entry in entries)
            for challenge in challenges:
                challenge.administration = challenge.administration  # its id, now that it has one
            bulk.create(challenges)
            stored = [challenge.pitch_deck.name for challenge in challenges if challenge.pitch_deck]
            positions, team, people = [], [], []
            for challenge, entry in zip(challenges, entries, strict=True):
                rows = entry.rows(challenge)
                for all_rows, more in zip((positions, team, people), rows, strict=True):
                    all_rows.extend(more)
                _prefetched(challenge, *rows)
            bulk.create(positions)
            bulk.create(team)
            bulk.create([row for row in people if isinstance(row, Mentor)])
            bulk.create([row for row in people if isinstance(row, Contact)])
            _audit_created(challenges, entries, by=by)
    except Exception:
        for name in stored:  # a refused batch leaves no file behind
            Challenge._meta.get_field("pitch_deck").storage.delete(name)
        raise
    return challenges


def _check_eig_count(call, count: int):
    if count > call.max_eigs_per_challenge:
        raise ValidationError(
            _("Le défi demande au plus %(max)d EIG.") % {"max": call.max_eigs_per_challenge}
        )


def _check_new_rows(entry: NewChallenge, challenge: Challenge):
    """A new dossier's rows checked as the edits check them (`set_positions`, `set_team`,
    `set_people`): their fields, at most the call's EIGs, two distinct mentors."""
    positions, team, people = entry.rows(challenge)
    _check_eig_count(entry.promotion.call, len(positions))
    for row in (*positions, *team, *people):
        row.full_clean(exclude=["challenge", "rank"])
    mentors = [row for row in people if isinstance(row, Mentor)]
    if len(mentors) == 2 and same_person(*mentors):
        raise ValidationError(distinct_mentors_problem())


def save_new_administrations(administrations):
    """The administrations not saved yet, each once, a new ministry before its operator."""
    seen = set()
    for administration in administrations:
        for one in (administration.ministry, administration):
            if one is not None and one.pk is None and id(one) not in seen:
                seen.add(id(one))
                if one.ministry is not None:
                    one.ministry = one.ministry  # its id, now that it has one
                one.save()


def _as_stored(challenge: Challenge):
    """The values as the database gives them back (an amount with its two decimals), so that the
    event written from the new rows is the snapshot a later read makes."""
    for model_field in Challenge._meta.concrete_fields:
        if model_field.get_internal_type() == "DecimalField":
            value = getattr(challenge, model_field.attname)
            if value is not None:
                setattr(
                    challenge,
                    model_field.attname,
                    value.quantize(Decimal(1).scaleb(-model_field.decimal_places)),
                )


def _prefetched(challenge: Challenge, positions, team, people):
    """The new dossier's rows as its prefetched relations, in DOSSIER_RELATIONS' orders: its
    snapshot is read from memory, not from the database again."""
    challenge._prefetched_objects_cache = {
        "partner_administrations": [],
        "eig_positions": sorted(positions, key=lambda row: row.rank),
        "team_members": list(team),
        "mentors": sorted((row for row in people if isinstance(row, Mentor)), key=lambda row: row.role),
        "contacts": sorted((row for row in people if isinstance(row, Contact)), key=lambda row: row.role),
        "entrepreneurs": [],
    }


def _audit_created(challenges: list[Challenge], entries: list[NewChallenge], *, by):
    try:
        events = [
            {
                "challenge": challenge,
                "kind": entry.audit_kind
                or (AuditKind.CREATED if challenge.state == ChallengeState.DRAFT else AuditKind.IMPORTED),
                "subject": entry.audit_subject,
                "reason": entry.audit_reason,
                "to_state": "" if challenge.state == ChallengeState.DRAFT else challenge.state,
                "by": by,
                "changes": snapshot.diff({}, snapshot.snapshot(challenge)),
            }
            for challenge, entry in zip(challenges, entries, strict=True)
        ]
    finally:
        for challenge in challenges:
            del challenge._prefetched_objects_cache  # a later read goes to the database
    audit.record_many(events, insert=bulk.insert_events)


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
    _check_eig_count(challenge.promotion.call, len(rows))
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


def set_profiles(challenge: Challenge, profiles: list[str], *, by) -> list[EigPosition]:
    """The positions' profiles, in rank order (an import's, a sync's): each rank keeps its
    mission and expertise; ranks beyond the list go, new ones come without."""
    kept = {position.rank: position for position in challenge.eig_positions.all()}
    return set_positions(
        challenge,
        [
            {
                "mission": kept[rank].mission if rank in kept else "",
                "expertise": kept[rank].expertise if rank in kept else "",
                "profile": profile,
            }
            for rank, profile in enumerate(profiles, start=1)
        ],
        by=by,
    )


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
