"""The moves of an application, declared once (as `lifecycle.workflow` declares a challenge's).

Each `Move` says where it leaves from and goes, the guards that must all agree, who besides
programme managers may make it (the candidate, for their own application; the challenge's
operational mentors, at the preselection), whether it needs a reason, the message that tells the
candidate, and the domain function it is made through when it needs more than a reason (an
interview's date and place, a rank). `recruitment.moves.transition` reads this table; the
pages offer what it allows.
"""

from dataclasses import dataclass

from recruitment import guards
from recruitment.enums import ApplicationMoveName as M
from recruitment.enums import ApplicationState as S


@dataclass(frozen=True)
class Move:
    name: M
    sources: tuple[S, ...]
    target: S
    guards: tuple = ()
    # The candidate makes it on their own application (managers may not, for `candidate_only`).
    by_candidate: bool = False
    candidate_only: bool = False
    # The challenge's operational mentors make it too (the preselection, with the programme).
    by_mentor: bool = False
    needs_reason: bool = False
    # The notifications.enums.MessageEvent that tells the candidate ("" : none, e.g. a rank).
    message: str = ""
    # The domain function that makes it with what it needs besides a reason (its own form).
    made_through: str = ""
    # It fills a place of the challenge's team: the challenge's row is locked first.
    fills_team: bool = False

    @property
    def label(self) -> str:
        return self.name.label

    @property
    def all_guards(self) -> tuple:
        return ((guards.reason_given,) if self.needs_reason else ()) + self.guards


IN_PROGRESS = (S.SUBMITTED, S.PRESELECTED, S.INTERVIEW, S.RANKED)

MOVES: dict[M, Move] = {
    move.name: move
    for move in [
        Move(
            M.SUBMIT,
            (S.DRAFT,),
            S.SUBMITTED,
            guards=(
                guards.call_takes_applications,
                guards.challenge_published,
                guards.candidacy_complete,
                guards.eligible,
                guards.within_the_call_limit,
            ),
            by_candidate=True,
            candidate_only=True,
            message="application_received",
        ),
        Move(M.PRESELECT, (S.SUBMITTED,), S.PRESELECTED, by_mentor=True, message="application_preselected"),
        Move(
            M.REJECT,
            IN_PROGRESS,
            S.REJECTED,
            by_mentor=True,
            needs_reason=True,
            message="application_rejected",
        ),
        Move(
            M.INVITE_TO_INTERVIEW,
            (S.PRESELECTED, S.INTERVIEW),
            S.INTERVIEW,
            guards=(guards.candidate_not_erased, guards.interview_planned),
            message="interview_invitation",
            made_through="recruitment.moves.schedule_interview",
        ),
        Move(
            M.RANK,
            (S.INTERVIEW, S.RANKED),
            S.RANKED,
            guards=(guards.rank_given,),
            made_through="recruitment.moves.set_rank",
        ),
        Move(
            M.OFFER,
            (S.RANKED,),
            S.OFFERED,
            guards=(
                guards.candidate_not_erased,
                guards.challenge_recruiting,
                guards.not_accepted_elsewhere,
                guards.team_has_room,
            ),
            message="offer_made",
            fills_team=True,
        ),
        Move(
            M.ACCEPT,
            (S.OFFERED,),
            S.ACCEPTED,
            guards=(
                guards.candidate_not_erased,
                guards.challenge_recruiting,
                guards.not_accepted_elsewhere,
                guards.team_has_room,
            ),
            by_candidate=True,
            message="offer_accepted",
            fills_team=True,
        ),
        Move(M.DECLINE, (S.OFFERED,), S.DECLINED, by_candidate=True, message="offer_declined"),
        Move(
            M.WITHDRAW,
            (S.DRAFT, *IN_PROGRESS, S.OFFERED),
            S.WITHDRAWN,
            by_candidate=True,
            message="application_withdrawn",
        ),
    ]
}


def move(name) -> Move:
    return MOVES[M(name)]


def refusals(application, name, ctx) -> list[str]:
    return [reason for guard in move(name).all_guards for reason in guard(application, ctx)]


# The option the domain function of a move made through its own form gives `transition`.
MADE_THROUGH = "made_through"
# The option of a move the system makes as a consequence of another decision the candidate has
# just been told of (their other applications withdrawn when they accept one): no e-mail of its own.
QUIET = "quiet"


def bare_moves() -> list[Move]:
    return [move for move in MOVES.values() if not move.made_through]
