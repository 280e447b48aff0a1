"""Everything that changes the jury, each function checking its rules and auditing its change.

Views, the admin, commands and the demo call these; none writes the jury's rows another way.
Conflicts of interest are enforced here, not only in the pages: a member in conflict with a
challenge is never put in the sub-jury that hears it, never reads its dossier or its grid, and
never scores it (`set_members`, `plan_slot`, `slots_heard_by`, `can_read`, `save_grid`,
`save_general_grid`, `counted_opinions`).
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import invitations
from accounts.enums import Role
from jury import calendar as slot_calendar
from jury import signals
from jury.models import Conflict, Jury, JuryMember, Opinion, PitchSlot, Score, SubJury
from lifecycle import audit, clock, criteria, rules
from lifecycle.configuration import record_change, subject_of, values_of
from lifecycle.dossier.snapshot import diff
from lifecycle.enums import AuditKind, ChallengeState
from lifecycle.models import Challenge
from lifecycle.personal import Personal

# The challenges a conflict of interest is declared on: those the jury may still hear.
CONFLICT_STATES = (ChallengeState.PRESELECTED, ChallengeState.PITCHED)
# A general grid's explanation is short: a few sentences, as on the paper grid.
EXPLANATION_MAX_LENGTH = 1000


def _moment(value) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value else None


def _check_manager(by):
    if not (rules.is_system(by) or rules.is_programme_manager(by)):
        raise PermissionDenied(_("Seul·e un·e chargé·e de programme organise le jury."))


def check_open(jury: Jury):
    if jury.closed:
        raise ValidationError(
            _("Le jury est clos depuis le %(date)s : plus rien n’y change.")
            % {"date": date_format(timezone.localtime(jury.closed_at), "j F Y")}
        )


def _locked_jury(jury: Jury) -> Jury:
    """The jury's row locked: closing and every change of the jury are decided one at a time."""
    return Jury.objects.select_for_update().get(pk=jury.pk)


def criteria_frozen(call) -> str:
    """A closed jury's criteria and scale are those its ranking was read on: they no longer change
    (`lifecycle.criteria.FREEZERS`)."""
    if Jury.objects.filter(promotion_id=call.promotion_id, closed_at__isnull=False).exists():
        return _("Le jury de cette promotion est clos : ses critères et son barème ne changent plus.")
    return ""


def jury_of(promotion) -> Jury:
    jury, _created = Jury.objects.get_or_create(promotion=promotion)
    return jury


def _record(challenge, kind, *, by, row, changes, reason=""):
    return audit.record(challenge, kind, by=by, subject=subject_of(row), changes=changes, reason=reason)


# --- Members --------------------------------------------------------------------------------


def seats_of(user):
    """The seats of a jury member's account, the latest promotion first."""
    if not rules.is_jury_member(user):
        return JuryMember.objects.none()
    return (
        JuryMember.objects.filter(user=user)
        .select_related("jury__promotion__call")
        .order_by("-jury__promotion__number")
    )


@transaction.atomic
def invite_member(
    jury: Jury,
    *,
    email: str,
    first_name: str,
    last_name: str,
    kind,
    organisation: str = "",
    language: str = "fr",
    by,
) -> JuryMember:
    """Seat a person on the jury. A new address is invited by e-mail (the link lets them choose
    their password: `accounts.invitations`); an existing jury member's account is seated at once
    (e.g. a member of last year's jury). Another role's account is refused."""
    _check_manager(by)
    jury = _locked_jury(jury)
    check_open(jury)
    email = email.strip()
    if jury.members.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("Cette personne est déjà membre de ce jury.")})
    member = JuryMember(
        jury=jury,
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        kind=kind,
        organisation=organisation.strip(),
    )
    member.full_clean(exclude=["jury", "user", "invitation"])
    account = invitations.account_for(email)
    if account is not None:
        if rules.role_of(account) != Role.JURY_MEMBER:
            raise ValidationError(
                {
                    "email": _(
                        "Cette adresse a déjà un compte, d’un autre rôle (%(role)s) : un membre du jury "
                        "a un compte de membre du jury."
                    )
                    % {"role": account.profile.get_role_display() if hasattr(account, "profile") else "—"}
                }
            )
        if not account.is_active:
            raise ValidationError(
                {"email": _("Le compte de cette personne est désactivé : réactivez-le d’abord.")}
            )
        member.user, member.email = account, account.email or member.email
    else:
        member.invitation = invitations.invite(
            email,
            role=Role.JURY_MEMBER,
            by=by,
            first_name=member.first_name,
            last_name=member.last_name,
            language=language,
        )
    member.save()
    record_change(member, {}, by=by, kind=AuditKind.JURY_CHANGED)
    return member


@transaction.atomic
def remove_member(member: JuryMember, *, by) -> None:
    """Take a person off the jury before they have given their opinions (a wrong address, a
    person who declined): out of their sub-juries, their pending invitation revoked. Audited."""
    _check_manager(by)
    check_open(_locked_jury(member.jury))
    if member.opinions.exists():
        raise ValidationError(
            _("%(name)s a donné sa grille générale : ses avis restent au jury.") % {"name": member}
        )
    invitation = member.invitation
    if invitation is not None and invitation.accepted_at is None and invitation.revoked_at is None:
        invitations.revoke(invitation, by=by)
    before = {
        **values_of(member),
        "sub_juries": sorted(str(sub_jury) for sub_jury in member.sub_juries.all()),
    }
    _record(None, AuditKind.JURY_CHANGED, by=by, row=member, changes=diff(before, {}))
    member.delete()


def seat_accepted_invitation(invitation, user):
    """The account an invitation created takes the seats it was for (the signal's receiver)."""
    JuryMember.objects.filter(invitation=invitation, user__isnull=True).update(user=user)


# --- Sub-juries -----------------------------------------------------------------------------


@transaction.atomic
def create_sub_jury(jury: Jury, *, name: str, by) -> SubJury:
    _check_manager(by)
    jury = _locked_jury(jury)
    check_open(jury)
    sub_jury = SubJury(jury=jury, name=name.strip())
    if jury.sub_juries.filter(name__iexact=sub_jury.name).exists():
        raise ValidationError({"name": _("Un sous-jury de ce jury porte déjà ce nom.")})
    sub_jury.full_clean()
    sub_jury.save()
    _record(None, AuditKind.JURY_CHANGED, by=by, row=sub_jury, changes={"name": [None, sub_jury.name]})
    return sub_jury


def _overlapping(slots_a, slots_b) -> tuple | None:
    for first in slots_a:
        for second in slots_b:
            if (
                first.pk != second.pk
                and first.starts_at < second.ends_at
                and second.starts_at < first.ends_at
            ):
                return first, second
    return None


def _slots_elsewhere(members, sub_jury) -> dict[int, list[PitchSlot]]:
    """The slots each member hears in their other sub-juries, in two queries whatever their number."""
    seats = list(
        SubJury.members.through.objects.filter(jurymember__in=members)
        .exclude(subjury=sub_jury)
        .values_list("jurymember_id", "subjury_id")
    )
    by_sub_jury: dict[int, list[PitchSlot]] = {}
    for slot in PitchSlot.objects.filter(
        sub_jury_id__in={sub_jury_id for _member, sub_jury_id in seats}
    ).select_related("challenge", "sub_jury"):
        by_sub_jury.setdefault(slot.sub_jury_id, []).append(slot)
    found: dict[int, list[PitchSlot]] = {member.pk: [] for member in members}
    for member_id, sub_jury_id in seats:
        found[member_id] += by_sub_jury.get(sub_jury_id, [])
    return found


def _slot_label(slot) -> str:
    return _("« %(challenge)s » (%(when)s)") % {
        "challenge": slot.challenge.name,
        "when": slot_calendar.when(slot),
    }


@transaction.atomic
def set_members(sub_jury: SubJury, members: list[JuryMember], *, by) -> SubJury:
    """Make the sub-jury's members `members`. Refused for a member in conflict with a challenge
    the sub-jury hears, or heard elsewhere at the same time."""
    _check_manager(by)
    check_open(_locked_jury(sub_jury.jury))
    if any(member.jury_id != sub_jury.jury_id for member in members):
        raise ValidationError(_("Chaque membre d’un sous-jury est membre de son jury."))
    slots = list(sub_jury.slots.select_related("challenge"))
    heard = {slot.challenge_id: slot for slot in slots}
    problems = []
    for conflict in Conflict.objects.filter(member__in=members, challenge_id__in=heard).select_related(
        "member", "challenge"
    ):
        problems.append(
            _("%(member)s a déclaré un conflit d’intérêts avec « %(challenge)s », que ce sous-jury entend.")
            % {"member": conflict.member, "challenge": conflict.challenge.name}
        )
    elsewhere = _slots_elsewhere(members, sub_jury)
    for member in members:
        clash = _overlapping(slots, elsewhere[member.pk])
        if clash:
            problems.append(
                _("%(member)s entend déjà %(other)s avec le %(sub_jury)s, en même temps que %(this)s.")
                % {
                    "member": member,
                    "other": _slot_label(clash[1]),
                    "sub_jury": clash[1].sub_jury,
                    "this": _slot_label(clash[0]),
                }
            )
    if problems:
        raise ValidationError(problems)
    # The members' names are theirs, kept apart from the trail's chain (docs/personal-data.md).
    before = _named(sub_jury.members.all())
    sub_jury.members.set(members)
    after = _named(members)
    if before != after:
        _record(None, AuditKind.JURY_CHANGED, by=by, row=sub_jury, changes={"members": [before, after]})
    return sub_jury


def _named(members) -> list:
    """The members by their names (theirs: `Personal`), in their names' order."""
    named = [Personal(subject_of(member), str(member)) for member in members]
    return sorted(named, key=lambda item: (item.value, item.owner))


# --- Pitch slots ----------------------------------------------------------------------------


def _slot_values(slot) -> dict:
    return {
        "sub_jury": str(slot.sub_jury) if slot.sub_jury_id else None,
        "starts_at": _moment(slot.starts_at),
        "ends_at": _moment(slot.ends_at),
        "place": slot.place,
        "video_link": slot.video_link,
    }


def _slot_problems(slot: PitchSlot, call) -> list[str]:
    problems = []
    if slot.ends_at <= slot.starts_at:
        return [_("L’audition finit après son début.")]
    if not (slot.place or slot.video_link):
        problems.append(_("Indiquez la salle ou le lien de visioconférence de l’audition."))
    first, last = call.jury_starts_on, call.jury_ends_on or call.jury_starts_on
    if first is None:
        problems.append(_("Les jours du jury ne sont pas fixés dans le calendrier de l’appel."))
    else:
        days = {timezone.localdate(slot.starts_at), timezone.localdate(slot.ends_at)}
        if any(day < first or day > last for day in days):
            problems.append(
                _("L’audition a lieu pendant les jours du jury : du %(first)s au %(last)s.")
                % {"first": date_format(first, "j F Y"), "last": date_format(last, "j F Y")}
            )
    same_sub_jury = slot.sub_jury.slots.select_related("challenge").exclude(challenge=slot.challenge)
    clash = _overlapping([slot], list(same_sub_jury))
    if clash:
        problems.append(
            _("Le %(sub_jury)s entend déjà %(other)s à ce moment.")
            % {"sub_jury": slot.sub_jury, "other": _slot_label(clash[1])}
        )
    members = list(slot.sub_jury.members.all())
    elsewhere = _slots_elsewhere(members, slot.sub_jury)
    for member in members:
        clash = _overlapping([slot], elsewhere[member.pk])
        if clash:
            problems.append(
                _("%(member)s entend %(other)s avec le %(sub_jury)s à ce moment.")
                % {"member": member, "other": _slot_label(clash[1]), "sub_jury": clash[1].sub_jury}
            )
    for conflict in Conflict.objects.filter(
        challenge=slot.challenge, member__sub_juries=slot.sub_jury
    ).select_related("member"):
        problems.append(
            _("%(member)s, membre du %(sub_jury)s, a déclaré un conflit d’intérêts avec ce défi.")
            % {"member": conflict.member, "sub_jury": slot.sub_jury}
        )
    return problems


@transaction.atomic
def plan_slot(
    challenge: Challenge,
    *,
    sub_jury: SubJury,
    starts_at,
    ends_at,
    place: str = "",
    video_link: str = "",
    by,
    hold=False,
) -> PitchSlot:
    """Plan (or change) when and where `sub_jury` hears the pitched `challenge`, within the call's
    jury days, without overlap for the sub-jury or any of its members, never before a member in
    conflict. The administration is told through the outbox, with the calendar invitation (held
    for review with `hold`, as `outbox.queue` reads it)."""
    _check_manager(by)
    jury = _locked_jury(sub_jury.jury)
    check_open(jury)
    challenge = Challenge.objects.select_related("promotion__call").get(pk=challenge.pk)
    if challenge.promotion_id != jury.promotion_id:
        raise ValidationError(_("Ce défi n’est pas de la promotion de ce jury."))
    if challenge.state != ChallengeState.PITCHED:
        raise ValidationError(
            _("Seul un défi invité à pitcher a une audition (celui-ci est « %(state)s »).")
            % {"state": ChallengeState(challenge.state).label}
        )
    slot = PitchSlot.objects.select_for_update().filter(challenge=challenge).first()
    before = _slot_values(slot) if slot else {}
    if slot and slot.sub_jury_id != sub_jury.pk and Score.objects.filter(challenge=challenge).exists():
        raise ValidationError(
            _("Le %(sub_jury)s a déjà noté ce défi : son audition ne change plus de sous-jury.")
            % {"sub_jury": slot.sub_jury}
        )
    slot = slot or PitchSlot(challenge=challenge)
    slot.sub_jury, slot.starts_at, slot.ends_at = sub_jury, starts_at, ends_at
    slot.place, slot.video_link = place.strip(), video_link.strip()
    if not (starts_at and ends_at):
        raise ValidationError(_("Indiquez le début et la fin de l’audition."))
    slot.full_clean(exclude=["challenge", "sub_jury"], validate_constraints=False)
    problems = _slot_problems(slot, challenge.promotion.call)
    if problems:
        raise ValidationError(problems)
    after = _slot_values(slot)
    if before == after:
        return slot
    slot.save()
    changes = {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}
    event = _record(challenge, AuditKind.SLOT_PLANNED, by=by, row=slot, changes=changes)
    slot_calendar.announce(slot, event=event, by=by, changed=bool(before), hold=hold)
    return slot


@transaction.atomic
def cancel_slot(slot: PitchSlot, *, by, reason: str = "", hold=False) -> None:
    """Cancel an audition not yet scored; the administration receives the cancellation."""
    _check_manager(by)
    jury = _locked_jury(slot.sub_jury.jury)
    check_open(jury)
    if Score.objects.filter(challenge_id=slot.challenge_id).exists():
        raise ValidationError(_("Le sous-jury a déjà noté ce défi : son audition ne s’annule plus."))
    before = _slot_values(slot)
    challenge = slot.challenge
    event = _record(
        challenge,
        AuditKind.SLOT_PLANNED,
        by=by,
        row=slot,
        changes={key: [value, None] for key, value in before.items() if value},
        reason=reason.strip(),
    )
    slot_calendar.announce_cancellation(slot, event=event, by=by, hold=hold)
    slot.delete()


# --- Conflicts of interest ------------------------------------------------------------------


@transaction.atomic
def declare_conflict(member: JuryMember, challenge: Challenge, *, reason: str, by) -> Conflict:
    """Record `member`'s conflict of interest with `challenge`: by the member, or a manager for
    them. From then on the member neither reads nor scores it; a sub-jury already hearing it
    keeps the member for its other challenges (the planning shows the conflict)."""
    is_manager = rules.is_programme_manager(by) or rules.is_system(by)
    if not is_manager and not (member.user_id and member.user_id == getattr(by, "pk", None)):
        raise PermissionDenied(
            _("Un membre déclare ses propres conflits ; un·e chargé·e de programme, tous.")
        )
    jury = _locked_jury(member.jury)
    check_open(jury)
    if challenge.promotion_id != jury.promotion_id:
        raise ValidationError(_("Ce défi n’est pas de la promotion de ce jury."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Dites en quelques mots la nature du conflit d’intérêts.")})
    if Conflict.objects.filter(member=member, challenge=challenge).exists():
        raise ValidationError(_("Ce conflit d’intérêts est déjà déclaré."))
    conflict = Conflict.objects.create(
        member=member, challenge=challenge, reason=reason, declared_by=by, declared_at=clock.now()
    )
    _record(
        challenge,
        AuditKind.CONFLICT_DECLARED,
        by=by,
        row=conflict,
        changes={
            "member": [None, Personal(subject_of(member), str(member))],
            "challenge": [None, challenge.name],
        },
        reason=reason,
    )
    return conflict


# --- Who hears what -------------------------------------------------------------------------


def slot_of(challenge) -> PitchSlot | None:
    """The challenge's audition, if planned."""
    return PitchSlot.objects.select_related("challenge", "sub_jury__jury").filter(challenge=challenge).first()


def slots_heard_by(member: JuryMember):
    """The slots a member hears: those of their sub-juries, never a challenge they are in
    conflict with."""
    return (
        PitchSlot.objects.filter(sub_jury__members=member)
        .exclude(challenge__jury_conflicts__member=member)
        .select_related("challenge__administration", "sub_jury")
        .distinct()
        .order_by("starts_at", "pk")
    )


def can_read(user, challenge) -> bool:
    """A challenge's dossier, pitch deck and grid: managers, and the members who hear it, never a
    member in conflict."""
    if rules.is_programme_manager(user):
        return True
    if not rules.is_jury_member(user):
        return False
    return (
        PitchSlot.objects.filter(
            challenge=challenge,
            sub_jury__members__user=user,
            sub_jury__jury__promotion_id=challenge.promotion_id,
        )
        .exclude(challenge__jury_conflicts__member__user=user)
        .exists()
    )


# --- The collective grid --------------------------------------------------------------------


def _check_scorer(challenge, by):
    """A member who hears the challenge (never one in conflict) or a manager recording the
    sub-jury's paper grid."""
    if rules.is_programme_manager(by) or rules.is_system(by):
        return
    if not can_read(by, challenge):
        raise PermissionDenied(_("Seuls les membres du sous-jury qui entend ce défi le notent."))


def grid_not_open(slot) -> str:
    """Why a collective grid cannot be written yet ("" once its audition has started): no
    audition, or one still to come. A closed jury says so itself (`check_open`)."""
    if slot is None:
        return _("Ce défi n’a pas d’audition : aucun sous-jury ne le note.")
    if clock.now() < slot.starts_at:
        return _("L’audition commence le %(when)s : la grille se remplit à partir de là.") % {
            "when": slot_calendar.when(slot)
        }
    return ""


@dataclass(frozen=True)
class Mark:
    """One criterion's score and comment, as a grid's form gives it."""

    criterion_id: int
    value: int | None
    comment: str = ""


@transaction.atomic
def save_grid(challenge: Challenge, marks: list[Mark], *, by) -> list[Score]:
    """Write the collective grid's marks for `challenge` (some or all of its criteria). Each mark
    is a score on the call's scale with its comment; each change is an audited event with the old
    and new values. Refused before the audition has started and once the jury is closed."""
    # The jury's row first: a conflict declared or a member moved meanwhile is decided before, or
    # waits for this grid; the rights and the slot are read under that lock.
    jury = Jury.objects.select_for_update().filter(promotion_id=challenge.promotion_id).first()
    slot = (
        PitchSlot.objects.select_related("sub_jury", "challenge__promotion__call")
        .filter(challenge=challenge)
        .first()
    )
    if jury is None or slot is None:
        raise ValidationError(grid_not_open(None))
    _check_scorer(challenge, by)
    check_open(jury)
    if problem := grid_not_open(slot):
        raise ValidationError(problem)
    call = slot.challenge.promotion.call
    known = {criterion.pk: criterion for criterion in criteria.of_call(call)}
    top = criteria.top_of_scale(call)
    problems = []
    if len({mark.criterion_id for mark in marks}) != len(marks):
        problems.append(_("Chaque critère est noté une seule fois dans la grille."))
    for mark in marks:
        criterion = known.get(mark.criterion_id)
        if criterion is None:
            problems.append(_("Ce critère n’est pas un critère de l’appel."))
        elif mark.value is None or not 1 <= mark.value <= top:
            problems.append(
                _("« %(criterion)s » : une note de 1 à %(top)s.") % {"criterion": criterion.name, "top": top}
            )
        elif not mark.comment.strip():
            problems.append(
                _("« %(criterion)s » : un commentaire accompagne la note.") % {"criterion": criterion.name}
            )
    if problems:
        raise ValidationError(problems)
    existing = {
        score.criterion_id: score for score in Score.objects.select_for_update().filter(challenge=challenge)
    }
    now, written, entries = clock.now(), [], []
    for mark in marks:
        score = existing.get(mark.criterion_id)
        comment = mark.comment.strip()
        if score is not None and (score.value, score.comment) == (mark.value, comment):
            continue
        if score is None:
            score = Score(challenge=challenge, criterion_id=mark.criterion_id)
            changes = {"criterion": [None, known[mark.criterion_id].name]}
        else:
            changes = {}
        for field, value in (("value", mark.value), ("comment", comment)):
            old = getattr(score, field) if score.pk else None
            if old != value:
                changes[field] = [old, value]
        score.value, score.comment, score.updated_at, score.updated_by = mark.value, comment, now, by
        score.save()
        written.append(score)
        entries.append(
            {
                "challenge": challenge,
                "kind": AuditKind.SCORE_GIVEN,
                "by": by,
                "subject": subject_of(score),
                "changes": changes,
            }
        )
    audit.record_many(entries)
    return written


def scored_criteria(challenge_ids) -> dict[int, set[int]]:
    """The criteria each challenge's collective grid has scored, in one query."""
    scored: dict[int, set[int]] = {challenge_id: set() for challenge_id in challenge_ids}
    rows = (
        Score.objects.filter(challenge_id__in=scored).order_by().values_list("challenge_id", "criterion_id")
    )
    for challenge_id, criterion_id in rows:
        scored[challenge_id].add(criterion_id)
    return scored


def unscored(call, scored: set[int]) -> list:
    """The call's criteria a grid that scored `scored` still misses: the one rule of a complete
    grid (the selection's guard, the closing, the progress, the pages, the ranking)."""
    return [criterion for criterion in criteria.of_call(call) if criterion.pk not in scored]


def missing_criteria(challenge) -> list[str]:
    """The names of the call's criteria the challenge's collective grid has not scored yet."""
    scored = scored_criteria([challenge.pk])[challenge.pk]
    return [criterion.name for criterion in unscored(challenge.promotion.call, scored)]


# --- The general grid -----------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """A member's opinion on one challenge they heard, as the general grid's form gives it."""

    challenge_id: int
    favourable: bool | None
    preference: int | None
    explanation: str = ""
    favourite: bool = False


def general_grid_opens_at(member: JuryMember):
    """When the member's last audition ends (None: they hear nothing yet)."""
    ends = [slot.ends_at for slot in slots_heard_by(member)]
    return max(ends) if ends else None


@transaction.atomic
def save_general_grid(member: JuryMember, verdicts: list[Verdict], *, by) -> list[Opinion]:
    """The member's general grid, whole: once all their challenges are heard, an opinion on each
    (favourable or not), a preference ranking (1 to n, each rank once), a short explanation, and
    at most one coup de coeur, among the favourable. Each changed opinion is an audited event."""
    if not (member.user_id and member.user_id == getattr(by, "pk", None) and rules.is_jury_member(by)):
        raise PermissionDenied(_("Chaque membre remplit sa propre grille générale."))
    jury = _locked_jury(member.jury)
    check_open(jury)
    slots = list(slots_heard_by(member))
    if not slots:
        raise ValidationError(_("Vous n’entendez aucun défi : votre grille générale est vide."))
    opens_at = max(slot.ends_at for slot in slots)
    if clock.now() < opens_at:
        raise ValidationError(
            _("La grille générale s’ouvre après votre dernière audition, le %(when)s.")
            % {"when": slot_calendar.moment(opens_at)}
        )
    heard = {slot.challenge_id: slot.challenge for slot in slots}
    given = {verdict.challenge_id: verdict for verdict in verdicts}
    problems = []
    if set(given) != set(heard):
        problems.append(
            _("La grille générale donne un avis sur chacun des défis que vous avez entendus, et eux seuls.")
        )
    n = len(heard)
    for challenge_id, verdict in given.items():
        challenge = heard.get(challenge_id)
        if challenge is None:
            continue
        if verdict.favourable is None:
            problems.append(
                _("« %(challenge)s » : avis favorable ou défavorable ?") % {"challenge": challenge.name}
            )
        if not verdict.explanation.strip():
            problems.append(
                _("« %(challenge)s » : expliquez brièvement votre avis.") % {"challenge": challenge.name}
            )
        elif len(verdict.explanation.strip()) > EXPLANATION_MAX_LENGTH:
            problems.append(
                _("« %(challenge)s » : l’explication tient en %(max)s caractères.")
                % {"challenge": challenge.name, "max": EXPLANATION_MAX_LENGTH}
            )
        if verdict.favourite and verdict.favourable is False:
            problems.append(
                _("« %(challenge)s » : un coup de cœur est un avis favorable.")
                % {"challenge": challenge.name}
            )
    ranks = sorted(verdict.preference for verdict in given.values() if verdict.preference is not None)
    if ranks != list(range(1, n + 1)):
        problems.append(
            _("Classez les défis de 1 (votre préféré) à %(n)s, chaque rang une seule fois.") % {"n": n}
        )
    if sum(1 for verdict in given.values() if verdict.favourite) > 1:
        problems.append(_("Un seul coup de cœur par membre."))
    if problems:
        raise ValidationError(problems)
    existing = {
        opinion.challenge_id: opinion for opinion in Opinion.objects.select_for_update().filter(member=member)
    }
    now, written, entries = clock.now(), [], []
    for challenge_id, verdict in given.items():
        opinion = existing.get(challenge_id) or Opinion(member=member, challenge_id=challenge_id)
        fields = ("favourable", "preference", "explanation", "favourite")
        before = {field: getattr(opinion, field) for field in fields} if opinion.pk else {}
        after = {
            "favourable": verdict.favourable,
            "preference": verdict.preference,
            "explanation": verdict.explanation.strip(),
            "favourite": bool(verdict.favourite),
        }
        if before == after:
            continue
        for field, value in after.items():
            setattr(opinion, field, value)
        opinion.updated_at = now
        opinion.save()
        written.append(opinion)
        entries.append(
            {
                "challenge": heard[challenge_id],
                "kind": AuditKind.OPINION_GIVEN,
                "by": by,
                "subject": subject_of(opinion),
                "changes": {
                    field: [before.get(field), value]
                    for field, value in after.items()
                    if before.get(field) != value
                },
            }
        )
    for opinion in existing.values():
        if opinion.challenge_id not in heard:  # a challenge the member no longer hears
            entries.append(
                {
                    "challenge": opinion.challenge,
                    "kind": AuditKind.OPINION_GIVEN,
                    "by": by,
                    "subject": subject_of(opinion),
                    "changes": {
                        field: [getattr(opinion, field), None]
                        for field in ("favourable", "preference", "explanation", "favourite")
                    },
                }
            )
            opinion.delete()
    audit.record_many(entries)
    return written


def counted_opinions():
    """The opinions that count (the ranking, the case page): given by a member who sits in the
    sub-jury that heard the challenge and has no conflict with it. An opinion given before a
    conflict was declared, or before the member left that sub-jury, stays in the trail, uncounted."""
    conflict = Conflict.objects.filter(member=OuterRef("member"), challenge=OuterRef("challenge"))
    return Opinion.objects.filter(member__sub_juries=F("challenge__pitch_slot__sub_jury")).exclude(
        Exists(conflict)
    )


# --- Closing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    slots: int
    grids_complete: int
    members: int
    general_grids_given: int
    incomplete: list  # the challenges whose collective grid misses a criterion


def progress(jury: Jury) -> Progress:
    """How far the jury's grids are, in a constant number of queries."""
    call = jury.promotion.call
    slots = list(PitchSlot.objects.filter(sub_jury__jury=jury).select_related("challenge"))
    scored = scored_criteria([slot.challenge_id for slot in slots])
    incomplete = [slot.challenge for slot in slots if unscored(call, scored[slot.challenge_id])]
    members = list(jury.members.all())
    given = set(Opinion.objects.filter(member__jury=jury).values_list("member_id", flat=True).distinct())
    return Progress(
        slots=len(slots),
        grids_complete=len(slots) - len(incomplete),
        members=len(members),
        general_grids_given=len([member for member in members if member.pk in given]),
        incomplete=incomplete,
    )


@transaction.atomic
def close(jury: Jury, *, by) -> Jury:
    """Close the jury: no score, opinion, slot, seat or conflict changes afterwards. Refused while
    a heard challenge's collective grid is incomplete (the selection needs it)."""
    _check_manager(by)
    jury = _locked_jury(jury)
    check_open(jury)
    figures = progress(jury)
    if figures.slots == 0:
        raise ValidationError(_("Aucune audition n’est planifiée : il n’y a rien à clore."))
    if figures.incomplete:
        raise ValidationError(
            _("Des grilles collectives sont incomplètes : %(challenges)s.")
            % {"challenges": ", ".join(f"« {challenge.name} »" for challenge in figures.incomplete)}
        )
    jury.closed_at, jury.closed_by = clock.now(), (None if rules.is_system(by) else by)
    jury.save(update_fields=["closed_at", "closed_by"])
    event = _record(
        None,
        AuditKind.JURY_CLOSED,
        by=by,
        row=jury,
        changes={"closed_at": [None, _moment(jury.closed_at)]},
        reason=_(
            "Auditions : %(slots)s, grilles collectives toutes complètes ; grilles générales données : "
            "%(given)s sur %(members)s."
        )
        % {"slots": figures.slots, "given": figures.general_grids_given, "members": figures.members},
    )
    signals.jury_closed.send(sender=Jury, jury=jury, by=by, event=event)
    return jury
