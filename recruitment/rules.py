"""Who sees and decides what in the candidates' call (django-rules predicates, asked by the domain,
the pages and the admin alike).

A mentor's account reads the applications of the challenges it is the operational mentor of:
the `Mentor` row of the dossier whose e-mail is the account's (an invited mentor signs in with
that address), never another challenge's, on any URL. A candidate reads their own candidacy.
"""

import rules

from accounts.enums import Role
from lifecycle.enums import MentorRole
from lifecycle.rules import _active, can_view_audit_trail, is_programme_manager, is_system, role_of

MODELS = [
    "candidate",
    "application",
    "candidatescore",
    "applicationcomment",
    "eligibilityrule",
    "candidatecriterion",
]


@rules.predicate
def is_mentor(user) -> bool:
    return _active(user) and role_of(user) == Role.MENTOR


@rules.predicate
def is_candidate(user) -> bool:
    return _active(user) and role_of(user) == Role.CANDIDATE


def mentored_challenge_ids(user) -> set[int]:
    """The challenges `user` is the operational mentor of (none for anyone but a mentor)."""
    if not is_mentor(user) or not user.email:
        return set()
    cached = getattr(user, "_mentored_challenge_ids", None)
    if cached is None:
        from lifecycle.models import Mentor

        cached = set(
            Mentor.objects.filter(role=MentorRole.OPERATIONAL, email__iexact=user.email).values_list(
                "challenge_id", flat=True
            )
        )
        user._mentored_challenge_ids = cached
    return cached


@rules.predicate
def is_mentor_of(user, challenge) -> bool:
    return challenge is not None and challenge.pk in mentored_challenge_ids(user)


@rules.predicate
def owns_candidacy(user, candidate) -> bool:
    return candidate is not None and _active(user) and candidate.user_id == user.pk


def owns_application(user, application) -> bool:
    return application is not None and owns_candidacy(user, application.candidate)


def can_read_application(user, application) -> bool:
    return (
        is_programme_manager(user)
        or is_mentor_of(user, application.challenge)
        or owns_application(user, application)
    )


def can_assess(user, application) -> bool:
    """Score and comment: the programme, and the challenge's operational mentors."""
    return is_programme_manager(user) or is_mentor_of(user, application.challenge)


def can_move(user, application, move) -> bool:
    if is_system(user):
        return True
    if owns_application(user, application):
        return move.by_candidate
    if move.candidate_only:
        return False
    if is_programme_manager(user):
        return True
    return move.by_mentor and is_mentor_of(user, application.challenge)


rules.add_perm("recruitment", can_view_audit_trail)
rules.add_perm("recruitment.view_recruitmentclosure", can_view_audit_trail)
# Candidacies hold candidates' personal data: the programme's managers read them (the auditors
# review the trail, which names candidates by reference only).
for model in ["candidate", "application", "candidatescore", "applicationcomment"]:
    rules.add_perm(f"recruitment.view_{model}", is_programme_manager)
# The call's rules are configuration: auditors read them, managers change them (audited,
# `lifecycle.configuration`).
for model in ["eligibilityrule", "candidatecriterion"]:
    rules.add_perm(f"recruitment.view_{model}", can_view_audit_trail)
    rules.add_perm(f"recruitment.add_{model}", is_programme_manager)
    rules.add_perm(f"recruitment.change_{model}", is_programme_manager)
