"""The one function that moves a challenge along its lifecycle, and what interfaces ask of it.

Views, admin, commands, scheduled jobs and the API call `transition`; none of them changes a
challenge's state another way. What is particular to each move (its guards, who may make it,
its message…) is declared once in `lifecycle.workflow`. The dossier's edits are in
`lifecycle.dossier.edits`.
"""

import logging
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from types import MappingProxyType

from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from lifecycle import audit, clock, guards, rules, signals, workflow
from lifecycle.enums import AuditKind, TransitionName
from lifecycle.models import Call, Challenge

logger = logging.getLogger(__name__)

NO_OPTIONS = MappingProxyType({})


class TransitionRefused(Exception):
    """A move that cannot happen now, with every reason why (French, for people)."""

    def __init__(self, reasons: list[str], *, code: str):
        self.reasons = [str(reason) for reason in reasons]
        self.code = code
        super().__init__(" ; ".join(self.reasons))


def _transition_name(name) -> TransitionName:
    try:
        return TransitionName(name)
    except ValueError:
        known = ", ".join(TransitionName.values)
        raise TransitionRefused(
            [_("Transition inconnue : « %(name)s » (connues : %(known)s).") % {"name": name, "known": known}],
            code="unknown",
        ) from None


def not_from_state(action, state) -> str:
    """Why a move is refused from the state its subject is in (a challenge's, an application's):
    `action` and `state`, their labels."""
    return _("« %(action)s » n’est pas possible depuis l’état « %(state)s ».") % {
        "action": action,
        "state": state,
    }


def _refusals(challenge, name, *, by, reason, options=NO_OPTIONS) -> tuple[str, list[str]]:
    if not rules.can_transition(by, challenge, name):
        return "forbidden", [
            _("Vous n’avez pas le droit de faire « %(action)s » pour ce défi.") % {"action": name.label}
        ]
    if not can_proceed(getattr(challenge, name)):
        return "not_allowed", [not_from_state(name.label, challenge.get_state_display())]
    move = workflow.move(name)
    if move.made_through and options.get(workflow.MADE_THROUGH) != name:
        return "guards", [
            _("« %(action)s » se fait par son propre formulaire, qui demande aussi ce qu’il lui faut.")
            % {"action": name.label}
        ]
    context = guards.Context(by=by, now=clock.now(), reason=reason)
    return "guards", workflow.refusals(challenge, name, context)


def transition(
    challenge: Challenge, name, *, by, reason: str = "", options: Mapping | None = None
) -> Challenge:
    """Move `challenge` along its lifecycle: the only way its state ever changes.

    In order, in one database transaction:
    1. the challenge's row is locked and read again; if its state moved since the caller read
       it, the move is refused (code "conflict"): someone else acted first. A move whose guards
       weigh the promotion's other challenges (`Move.one_at_a_time_per_promotion`: the selection
       and its envelope) first locks the promotion's call, so two managers selecting different
       challenges at the same moment are decided one after the other, the second on the first's
       committed amounts;
    2. the actor's right is checked (`rules.can_transition`): managers move every case, an
       administration's contact makes the moves `workflow` allows it on its own, SYSTEM runs
       scheduled moves;
    3. the move must leave from the current state (the graph declared on `Challenge`);
    4. every guard of the move (`workflow.MOVES`) gives its reasons; any reason refuses it;
    5. the state is written (django-fsm; `ConcurrentTransitionMixin` checks it once more);
    6. an `AuditEvent` is appended to the hash chain, with the reason;
    7. `signals.transition_applied` lets receivers write what commits with the move:
       - `notifications.receivers.queue_transition_messages` writes the move's e-mails in the
         outbox (held for review when `options["hold_mail"]`: True, a review of this move's
         own; a Batch, the review of the act the move belongs to);
       - `recruitment.receivers.enrol_the_team` makes the candidates who accepted a starting
         challenge its recruited EIGs.
       - `webhooks.receivers.queue_move_deliveries` writes the move's deliveries to the webhooks
         that hear it, in their outbox (handed to the workers by a callback of the commit, when
         there are any).
    After the commit, one callback sends `signals.transition_committed` for the work that
    leaves the building:
       - `notifications.receivers.deliver_transition_messages` hands those e-mails to the
         workers;
       - `mentoring.receivers.follow_the_lifecycle` starts, closes or cancels the mentor
         assignment on the moves that concern it;
       - `recruitment.receivers.publish_when_selected` publishes a challenge selected while the
         candidates' call is open (selected → recruiting, a move of its own).
    `options` are passed, read-only, to the receivers of both signals (the core reads none).
    A test pins these receivers: adding one is a deliberate change of this list.

    Returns the challenge as saved; raises `TransitionRefused` with the reasons.
    """
    name = _transition_name(name)
    reason = reason.strip()
    options = MappingProxyType(dict(options)) if options else NO_OPTIONS
    try:
        with transaction.atomic():
            if workflow.move(name).one_at_a_time_per_promotion:
                # Before the challenge's row, always in this order, so that two such moves (a bulk
                # selection and a single one) wait for each other instead of deadlocking.
                list(
                    Call.objects.select_for_update()
                    .filter(promotion_id=challenge.promotion_id)
                    .values_list("pk")
                )
            locked = _locked(Challenge.objects.filter(pk=challenge.pk)).get()
            if locked.state != challenge.state:
                raise _moved_meanwhile(locked)
            code, reasons = _refusals(locked, name, by=by, reason=reason, options=options)
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
                sender=Challenge, challenge=locked, name=name, by=by, event=event, options=options
            )
            transaction.on_commit(lambda: _announce(locked, name, by, event, options))
    except ConcurrentTransition as error:
        raise TransitionRefused(
            [_("Le défi a changé d’état pendant votre action. Rechargez-le avant d’agir.")],
            code="conflict",
        ) from error
    _brought_up_to(challenge, locked)
    return locked


def _brought_up_to(challenge, saved):
    """The caller's copy given the state just saved, without reading the row again. The state
    field is protected (django-fsm lets only a transition or a refresh set it): written in the
    instance's dict, then django-fsm's concurrency check told it is the saved one."""
    challenge.__dict__["state"] = saved.state
    challenge.state_changed_at = saved.state_changed_at
    challenge.updated_at = saved.updated_at
    challenge._update_initial_state()


def _locked(challenges):
    """The challenges' rows locked for a move, read with what the guards and rights read."""
    return challenges.select_for_update(of=("self",)).select_related("promotion__call", "administration")


def _moved_meanwhile(locked) -> TransitionRefused:
    return TransitionRefused(
        [
            _(
                "Le défi a changé d’état pendant votre action : il est maintenant « %(state)s ». "
                "Rechargez-le avant d’agir."
            )
            % {"state": locked.get_state_display()}
        ],
        code="conflict",
    )


@dataclass
class BulkOutcome:
    """What `transition_many` did: the challenges moved (as saved), and the refusals of the others
    by challenge pk, in the order given."""

    moved: list
    refused: dict


class BulkTransitionRefused(TransitionRefused):
    """A bulk move asked whole (`all_or_nothing`) that some challenge refused: nothing moved."""

    def __init__(self, refused: dict):
        self.refused = refused
        reasons = [reason for refusal in refused.values() for reason in refusal.reasons]
        super().__init__(reasons, code="bulk")


def transition_many(
    challenges, name, *, by, reason: str = "", options: Mapping | None = None, all_or_nothing: bool = False
) -> BulkOutcome:
    """Make one move on several challenges (a manager's bulk action, a scheduled opening), each
    as `transition` would, in one database transaction: one statement locks their rows (in the
    order of their keys, so that two bulk moves wait for each other rather than deadlock), each
    gets the refusals it would get alone (a copy read before another's move is refused as
    "conflict"), one statement writes the states, one write appends their N chained events to
    the audit trail, then `signals.transition_applied` per challenge (their outbox rows) and,
    after the commit, one callback announcing them all (`transition_committed`).

    Refused challenges are reported in `BulkOutcome.refused` and the others move, unless
    `all_or_nothing`: then one refusal moves none (`BulkTransitionRefused`, with every refusal).
    A move whose guards weigh the promotion's other challenges (the selection's envelope:
    `Move.one_at_a_time_per_promotion`) takes them one after the other through `transition`, in
    the same transaction, so that each guard reads the moves before it."""
    name = _transition_name(name)
    reason = reason.strip()
    options = MappingProxyType(dict(options)) if options else NO_OPTIONS
    given = {challenge.pk: challenge for challenge in challenges}
    refused, moved = {}, []
    if workflow.move(name).one_at_a_time_per_promotion:
        with transaction.atomic():
            for challenge in given.values():
                try:
                    moved.append(transition(challenge, name, by=by, reason=reason, options=options))
                except TransitionRefused as refusal:
                    refused[challenge.pk] = refusal
            if refused and all_or_nothing:
                raise BulkTransitionRefused(refused)
        return BulkOutcome(moved=moved, refused=refused)

    with transaction.atomic():
        rows = _locked(Challenge.objects.filter(pk__in=given).order_by("pk")).prefetch_related("mentors")
        locked = {row.pk: row for row in rows}
        for pk, challenge in given.items():
            current = locked.get(pk)
            if current is None:
                refused[pk] = TransitionRefused([_("Ce défi n’existe plus.")], code="conflict")
            elif current.state != challenge.state:
                refused[pk] = _moved_meanwhile(current)
            else:
                code, reasons = _refusals(current, name, by=by, reason=reason, options=options)
                if reasons:
                    refused[pk] = TransitionRefused(reasons, code=code)
                else:
                    moved.append(current)
        if refused and all_or_nothing:
            raise BulkTransitionRefused(refused)
        if not moved:
            return BulkOutcome(moved=[], refused=refused)
        now, from_states = clock.now(), {}
        for challenge in moved:
            from_states[challenge.pk] = challenge.state
            getattr(challenge, name)()
            challenge.state_changed_at = now
            challenge.updated_at = now  # `auto_now` is `save()`'s: the one UPDATE below writes it
        targets = {challenge.state for challenge in moved}
        if len(targets) == 1:  # a move has one target: one plain UPDATE (bulk_update's CASE costs more)
            Challenge.objects.filter(pk__in=[challenge.pk for challenge in moved]).update(
                state=targets.pop(), state_changed_at=now, updated_at=now
            )
        else:
            Challenge.objects.bulk_update(moved, ["state", "state_changed_at", "updated_at"])
        events = audit.record_many(
            [
                {
                    "challenge": challenge,
                    "kind": AuditKind.TRANSITION,
                    "by": by,
                    "transition": name,
                    "from_state": from_states[challenge.pk],
                    "to_state": challenge.state,
                    "reason": reason,
                }
                for challenge in moved
            ]
        )
        with ExitStack() as together:
            for context in signals.applied_together:
                together.enter_context(context(moved))
            for challenge, event in zip(moved, events, strict=True):
                signals.transition_applied.send(
                    sender=Challenge, challenge=challenge, name=name, by=by, event=event, options=options
                )
        announced = list(zip(moved, events, strict=True))
        transaction.on_commit(lambda: _announce_all(announced, name, by, options))
    return BulkOutcome(moved=moved, refused=refused)


def _announce_all(announced, name, by, options):
    with ExitStack() as together:
        for context in signals.committed_together:
            together.enter_context(context([challenge for challenge, _event in announced]))
        for challenge, event in announced:
            _announce(challenge, name, by, event, options)


def _announce(challenge, name, by, event, options):
    for receiver, response in signals.transition_committed.send_robust(
        sender=Challenge, challenge=challenge, name=name, by=by, event=event, options=options
    ):
        if isinstance(response, Exception):
            logger.error("After-commit receiver %r failed on event %s", receiver, event.pk, exc_info=response)


@dataclass(frozen=True)
class TransitionOption:
    name: TransitionName
    reasons: list[str]
    needs_reason: bool
    notice: str = ""  # what the move will also bring about now (`workflow.Move.notice`)

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
    for move in workflow.MOVES.values():
        if not rules.can_transition(by, challenge, move.name) or not can_proceed(
            getattr(challenge, move.name)
        ):
            continue
        _code, reasons = _refusals(challenge, move.name, by=by, reason=None)
        options.append(
            TransitionOption(
                name=move.name,
                reasons=reasons,
                needs_reason=move.asks_reason(challenge, clock.now()),
                notice=move.notice(challenge, clock.now()) if move.notice else "",
            )
        )
    return options
