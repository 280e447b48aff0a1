"""The moves of a challenge's lifecycle, declared once.

Each `Move` says everything that is particular to it: where it leaves from and where it goes,
the guards that must all agree, who besides programme managers may make it, whether it must be
motivated, the message that announces it and whether it concerns the mentor assignment. The
transition function (`lifecycle.services.transition`), the rights (`lifecycle.rules`), the
notifications, the mentoring and the demo read this table; none of them spells a move's
knowledge again. The graph is also declared with django-fsm's `@transition` on `Challenge`
(its methods are what `transition()` calls); a test asserts that both agree.

Adding a move: a `TransitionName`, a `@transition` method, a line here, and its message event
with its default texts in `notifications` (see docs/architecture.md).
"""

from collections import deque
from dataclasses import dataclass
from functools import cache

from django.utils.module_loading import import_string

from lifecycle import guards
from lifecycle.enums import ChallengeState as S
from lifecycle.enums import TransitionName as T


@dataclass(frozen=True)
class Move:
    name: T
    sources: tuple[S, ...]
    target: S
    # Functions (challenge, ctx) -> reasons; a dotted path names the guard of an app above the
    # lifecycle (the jury's grid), imported when first asked, so the table stays the one place.
    guards: tuple = ()
    # An administration's contact may make it for a challenge its administration carries.
    by_contact: bool = False
    # The programme's automation makes it at a date of the call (managers may too).
    scheduled: bool = False
    # A decision: the actor must give a reason, which the message quotes.
    needs_reason: bool = False
    # A reason needed in some situations only: f(challenge, now) -> bool (a late publication).
    reason_needed_when: object = None
    # What the move will also bring about now, for the person about to make it: f(challenge, now) -> str.
    notice: object = None
    # The notifications.enums.MessageEvent that announces it to the case's people.
    message: str = ""
    # It enters or leaves the states in which the mentors are awaited (mentoring follows it).
    concerns_mentoring: bool = False
    # The domain function that makes it with what it needs besides a reason (its own form): the
    # interfaces offer it there, never as a bare move.
    made_through: str = ""
    # Its guards weigh the promotion's other challenges (the co-financing envelope): such moves of
    # one promotion are decided one after another (`services.transition` locks the call's row).
    one_at_a_time_per_promotion: bool = False

    @property
    def label(self) -> str:
        return self.name.label

    def asks_reason(self, challenge, now) -> bool:
        return self.needs_reason or bool(self.reason_needed_when and self.reason_needed_when(challenge, now))

    @property
    def all_guards(self) -> tuple:
        return ((guards.reason_given,) if self.needs_reason else ()) + tuple(map(_guard, self.guards))


@cache
def _guard(guard):
    return import_string(guard) if isinstance(guard, str) else guard


MOVES: dict[T, Move] = {
    move.name: move
    for move in [
        Move(
            T.SUBMIT,
            (S.DRAFT,),
            S.SUBMITTED,
            guards=(guards.before_submission_deadline, guards.dossier_complete),
            by_contact=True,
            message="submission_received",
        ),
        # What to correct is the reason; the sections and the date are set by corrections.request.
        Move(
            T.REQUEST_CORRECTIONS,
            (S.SUBMITTED,),
            S.CORRECTIONS_REQUESTED,
            guards=(guards.corrections_described,),
            needs_reason=True,
            message="corrections_requested",
            made_through="lifecycle.corrections.request",
        ),
        Move(
            T.RESUBMIT,
            (S.CORRECTIONS_REQUESTED,),
            S.SUBMITTED,
            guards=(guards.before_corrections_deadline, guards.dossier_complete),
            by_contact=True,
            message="resubmitted",
        ),
        Move(T.PRESELECT, (S.SUBMITTED,), S.PRESELECTED, needs_reason=True, message="preselected"),
        Move(
            T.REJECT,
            (S.SUBMITTED, S.CORRECTIONS_REQUESTED),
            S.NOT_PRESELECTED,
            needs_reason=True,
            message="not_preselected",
        ),
        Move(
            T.PITCH, (S.PRESELECTED,), S.PITCHED, guards=(guards.jury_date_set,), message="invited_to_pitch"
        ),
        Move(
            T.SELECT,
            (S.PITCHED,),
            S.SELECTED,
            guards=("jury.guards.grid_complete", guards.within_cofinancing_envelope),
            notice=guards.selection_publishes_at_once,
            needs_reason=True,
            message="selected",
            concerns_mentoring=True,
            one_at_a_time_per_promotion=True,
        ),
        Move(T.NOT_SELECT, (S.PITCHED,), S.NOT_SELECTED, needs_reason=True, message="not_selected"),
        Move(
            T.OPEN_RECRUITMENT,
            (S.SELECTED,),
            S.RECRUITING,
            guards=(guards.recruitment_call_open,),
            reason_needed_when=guards.needs_late_publication_reason,
            notice=guards.late_publication_notice,
            scheduled=True,
            message="recruitment_opened",
            concerns_mentoring=True,
        ),
        Move(
            T.START,
            (S.RECRUITING,),
            S.RUNNING,
            # The team: recorded EIGs and the candidates who accepted it (recruitment/).
            guards=("recruitment.guards.team_complete", guards.mentors_confirmed),
            message="running",
            concerns_mentoring=True,
        ),
        Move(T.COMPLETE, (S.RUNNING,), S.COMPLETED, guards=(guards.duration_passed,), message="completed"),
        Move(
            T.WITHDRAW,
            tuple(S.before_running()),
            S.WITHDRAWN,
            by_contact=True,
            message="withdrawn",
            concerns_mentoring=True,
        ),
    ]
}


def move(name) -> Move:
    return MOVES[T(name)]


def refusals(challenge, name, ctx) -> list[str]:
    """Every reason the guards of the move give against it now (none: it may happen)."""
    return [reason for guard in move(name).all_guards for reason in guard(challenge, ctx)]


# The option the domain function of a move made through its own form (`Move.made_through`) gives
# `transition`: without it, the move is refused, whoever asks (a page, the admin, a command).
MADE_THROUGH = "made_through"


def bare_moves() -> list[Move]:
    """The moves an interface offers as such (a reason at most), in the table's order."""
    return [move for move in MOVES.values() if not move.made_through]


def contact_moves() -> set[T]:
    return {move.name for move in MOVES.values() if move.by_contact}


def mentoring_moves() -> set[T]:
    return {move.name for move in MOVES.values() if move.concerns_mentoring}


def path_to(target, *, through=None) -> list[T]:
    """The shortest sequence of moves from a new dossier (draft) to `target`, passing through the
    state `through` when given (e.g. withdrawn after a preselection)."""
    if through is not None:
        return path_to(through) + _shortest(S(through), S(target))
    return _shortest(S.DRAFT, S(target))


def _shortest(start: S, target: S) -> list[T]:
    paths, queue = {start: []}, deque([start])
    while queue:
        state = queue.popleft()
        if state == target:
            return paths[state]
        for candidate in MOVES.values():
            if state in candidate.sources and candidate.target not in paths:
                paths[candidate.target] = [*paths[state], candidate.name]
                queue.append(candidate.target)
    raise ValueError(f"No path from {start} to {target}")
