"""The business of the lifecycle: the one function that moves a challenge, and the dossier's edits.

Views, admin, commands and the API call these functions; none of them changes a challenge's
state or dossier another way.
"""

import contextlib
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from lifecycle import audit, clock, dossier, guards, pitch_deck, rules, signals
from lifecycle.enums import AuditKind, ChallengeState, TransitionName
from lifecycle.models import Challenge

logger = logging.getLogger(__name__)


class TransitionRefused(Exception):
    """A move that cannot happen now, with every reason why (French, for people)."""

    def __init__(self, reasons: list[str], *, code: str):
        self.reasons = [str(reason) for reason in reasons]
        self.code = code
        super().__init__(" ; ".join(self.reasons))


class DossierLocked(Exception):
    pass


def _transition_name(name) -> TransitionName:
    try:
        return TransitionName(name)
    except ValueError:
        known = ", ".join(TransitionName.values)
        raise TransitionRefused(
            [_("Transition inconnue : « %(name)s » (connues : %(known)s).") % {"name": name, "known": known}],
            code="unknown",
        ) from None


def _refusals(challenge, name, *, by, reason) -> tuple[str, list[str]]:
    if not rules.can_transition(by, challenge, name):
        return "forbidden", [
            _("Vous n’avez pas le droit de faire « %(action)s » pour ce défi.") % {"action": name.label}
        ]
    if not can_proceed(getattr(challenge, name)):
        return "not_allowed", [
            _("« %(action)s » n’est pas possible depuis l’état « %(state)s ».")
            % {"action": name.label, "state": ChallengeState(challenge.state).label}
        ]
    context = guards.Context(by=by, now=clock.now(), reason=reason)
    return "guards", guards.refusals(challenge, name, context)


def transition(challenge: Challenge, name, *, by, reason: str = "", hold_mail: bool = False) -> Challenge:
    """Move `challenge` along its lifecycle: the only way its state ever changes.

    In order, in one database transaction:
    1. the challenge's row is locked and read again; if its state moved since the caller read
       it, the move is refused (code "conflict"): someone else acted first;
    2. the actor's right is checked (`rules.can_transition`): managers move every case, an
       administration's contact submits and withdraws its own, SYSTEM runs scheduled moves;
    3. the move must leave from the current state (the graph declared on `Challenge`);
    4. every guard of the move gives its reasons (`guards.GUARDS`); any reason refuses it;
    5. the state is written (django-fsm; `ConcurrentTransitionMixin` checks it once more);
    6. an `AuditEvent` is appended to the hash chain, with the reason;
    7. `signals.transition_applied` lets receivers write what commits with the move: the
       notification outbox writes its e-mails there (held for review when `hold_mail`).
    After the commit, `signals.transition_committed` starts the work that follows the move.

    Returns the challenge as saved; raises `TransitionRefused` with the reasons.
    """
    name = _transition_name(name)
    reason = reason.strip()
    try:
        with transaction.atomic():
            locked = (
                Challenge.objects.select_for_update(of=("self",))
                .select_related("promotion__call", "administration")
                .get(pk=challenge.pk)
            )
            if locked.state != challenge.state:
                raise TransitionRefused(
                    [
                        _(
                            "Le défi a changé d’état pendant votre action : il est maintenant « %(state)s ». "
                            "Rechargez-le avant d’agir."
                        )
                        % {"state": ChallengeState(locked.state).label}
                    ],
                    code="conflict",
                )
            code, reasons = _refusals(locked, name, by=by, reason=reason)
            if reasons:
                raise TransitionRefused(reasons, code=code)

            from_state = locked.state
            getattr(locked, name)()
            locked.state_changed_at = clock.now()
            locked.save(update_fields=["state", "state_changed_at", "updated_at"])
            event = audit.record(
                locked,
                AuditKind.TRANSITION,
                by=by,
                transition=name,
                from_state=from_state,
                to_state=locked.state,
                reason=reason,
            )
            signals.transition_applied.send(
                sender=Challenge, challenge=locked, name=name, by=by, event=event, hold_mail=hold_mail
            )
            transaction.on_commit(lambda: _announce(locked, name, by, event))
    except ConcurrentTransition as error:
        raise TransitionRefused(
            [_("Le défi a changé d’état pendant votre action. Rechargez-le avant d’agir.")],
            code="conflict",
        ) from error
    challenge.refresh_from_db(fields=["state", "state_changed_at", "updated_at"])
    return locked


def _announce(challenge, name, by, event):
    for receiver, response in signals.transition_committed.send_robust(
        sender=Challenge, challenge=challenge, name=name, by=by, event=event
    ):
        if isinstance(response, Exception):
            logger.error("After-commit receiver %r failed on event %s", receiver, event.pk, exc_info=response)


@dataclass(frozen=True)
class TransitionOption:
    name: TransitionName
    reasons: list[str]
    needs_reason: bool

    @property
    def possible(self) -> bool:
        return not self.reasons

    @property
    def label(self) -> str:
        return self.name.label


def transition_options(challenge: Challenge, *, by) -> list[TransitionOption]:
    """The moves leaving the current state that `by` has the right to make, with the reasons
    of those not possible now; for interfaces that show a button per move."""
    options = []
    for name in TransitionName:
        if not rules.can_transition(by, challenge, name) or not can_proceed(getattr(challenge, name)):
            continue
        _code, reasons = _refusals(challenge, name, by=by, reason=None)
        options.append(
            TransitionOption(
                name=name, reasons=reasons, needs_reason=guards.reason_given in guards.GUARDS[name]
            )
        )
    return options


# The dossier ------------------------------------------------------------------------------------


def _check_can_edit(challenge, by):
    if not rules.can_edit_dossier(by, challenge):
        raise DossierLocked(_("Ce dossier ne peut plus être modifié : il a été déposé."))


@contextlib.contextmanager
def recording_dossier_changes(challenge: Challenge, *, by, kind=AuditKind.DOSSIER_CHANGED):
    """Audit whatever the block changes in the dossier, in the block's transaction.

    The audit event lists each changed field with its old and new value; no change, no event.
    """
    with transaction.atomic():
        if challenge.pk is not None:
            before = dossier.snapshot(Challenge.objects.select_for_update().get(pk=challenge.pk))
        else:
            before = {}
        yield
        after = dossier.snapshot(Challenge.objects.get(pk=challenge.pk))
        changes = dossier.diff(before, after)
        if changes:
            audit.record(challenge, kind, by=by, changes=changes)


def create_challenge(*, promotion, administration, name, by, **fields) -> Challenge:
    """Open a new dossier (a draft) for an administration."""
    challenge = Challenge(promotion=promotion, administration=administration, name=name, **fields)
    challenge.full_clean(exclude=["state"])
    with recording_dossier_changes(challenge, by=by, kind=AuditKind.CREATED):
        challenge.save()
    return challenge


def update_dossier(challenge: Challenge, changes: dict, *, by) -> Challenge:
    """Change fields of the dossier, validated, audited; refused once the dossier is locked."""
    _check_can_edit(challenge, by)
    with recording_dossier_changes(challenge, by=by):
        for field_name, value in changes.items():
            if field_name not in dossier.SCALAR_FIELDS or field_name == "pitch_deck":
                raise ValidationError(
                    _("Champ inconnu ou non modifiable : %(field)s") % {"field": field_name}
                )
            setattr(challenge, field_name, value)
        challenge.full_clean(exclude=["state"])
        challenge.save()
    return challenge


def attach_pitch_deck(challenge: Challenge, upload, *, by) -> Challenge:
    """Store the pitch deck after checking it is a readable PDF of at most the call's slides.

    A refused file leaves nothing behind: neither a stored file nor a changed dossier.
    """
    _check_can_edit(challenge, by)
    content = pitch_deck.read_upload(upload)
    pages = pitch_deck.count_slides(content, max_slides=challenge.promotion.call.max_pitch_slides)
    previous = challenge.pitch_deck.name if challenge.pitch_deck else ""
    challenge.pitch_deck.save(upload.name.rsplit("/", 1)[-1], ContentFile(content), save=False)
    stored = challenge.pitch_deck.name
    try:
        with recording_dossier_changes(challenge, by=by):
            challenge.pitch_deck_pages = pages
            challenge.save(update_fields=["pitch_deck", "pitch_deck_pages", "updated_at"])
    except Exception:
        challenge.pitch_deck.storage.delete(stored)
        challenge.pitch_deck.name = previous
        raise
    return challenge
