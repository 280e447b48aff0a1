"""The application's state machine: the one transition function, its guards and their reasons,
the window to the second, the call's limit, eligibility, team rules, one accepted challenge."""

import datetime as dt
import json

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from lifecycle import audit, services
from lifecycle.enums import AuditKind, ChallengeState
from lifecycle.models import AuditEvent, Entrepreneur
from notifications.models import Notification
from recruitment import candidacy, moves, teams
from recruitment.enums import ApplicationState as S
from recruitment.models import Application
from tests.factories import (
    ChallengeFactory,
    candidate_user,
    complete_candidate,
    mentor_user,
    open_candidates_call,
    programme_manager,
    recruiting_challenge,
)

pytestmark = pytest.mark.django_db
PARIS = dt.timezone(dt.timedelta(hours=2))  # mid-October 2018 in Paris: summer time


@pytest.fixture
def call():
    return open_candidates_call()


@pytest.fixture
def manager():
    return programme_manager()


def submitted(call, challenges, **kwargs):
    candidate = complete_candidate(call, challenges=challenges, **kwargs)
    candidacy.submit(candidate, by=candidate.user)
    return candidate


def move(application, *names, by, reason="Décision motivée."):
    for name in names:
        application = moves.transition(application, name, by=by, reason=reason)
    return application


def to_ranked(application, manager, rank=1):
    application = move(application, "preselect", by=manager)
    application = moves.schedule_interview(
        application, at=timezone.now() + dt.timedelta(days=3), place="Etalab, 20 avenue de Ségur", by=manager
    )
    return moves.set_rank(application, rank, by=manager)


def test_a_complete_candidacy_submits_both_challenges_audited_and_announced(call):
    first, second = recruiting_challenge(call), recruiting_challenge(call)
    candidate = submitted(call, [first, second])

    assert sorted(candidate.applications.values_list("state", flat=True)) == [S.SUBMITTED, S.SUBMITTED]
    assert candidate.submitted_at is not None
    events = AuditEvent.objects.filter(kind=AuditKind.APPLICATION_MOVED, transition="submit")
    assert events.count() == 2
    assert {event.changes["candidate"] for event in events} == {candidate.reference}
    mails = Notification.objects.filter(event="application_received")
    assert sorted(mails.values_list("recipient_email", flat=True)) == [candidate.email, candidate.email]
    assert audit.verify().intact


def test_the_window_closes_to_the_second_paris_time():
    call = open_candidates_call()
    call.recruitment_opens_at = dt.datetime(2018, 9, 13, 9, 0, tzinfo=PARIS)
    call.recruitment_closes_at = dt.datetime(2018, 10, 15, 17, 0, tzinfo=PARIS)
    call.save()
    with time_machine.travel(dt.datetime(2018, 10, 1, 12, 0, tzinfo=PARIS), tick=False):
        on_time = complete_candidate(call, challenges=[recruiting_challenge(call)])
        late = complete_candidate(call, challenges=[recruiting_challenge(call)], user=candidate_user())

    with time_machine.travel(dt.datetime(2018, 10, 15, 16, 59, 59, tzinfo=PARIS), tick=False):
        candidacy.submit(on_time, by=on_time.user)
    with time_machine.travel(dt.datetime(2018, 10, 15, 17, 0, 0, tzinfo=PARIS), tick=False):
        with pytest.raises(moves.ApplicationMoveRefused) as refusal:
            candidacy.submit(late, by=late.user)
        with pytest.raises(ValidationError):
            candidacy.update(late, {"phone": "06 00 00 00 00"}, by=late.user)

    assert on_time.applications.get().state == S.SUBMITTED
    assert late.applications.get().state == S.DRAFT
    assert refusal.value.reasons == [
        "L’appel à candidatures est clos depuis le lundi 15 octobre 2018 à 17:00 (heure de Paris) : "
        "plus aucune candidature."
    ]


def test_at_most_the_calls_number_of_challenges(call):
    challenges = [recruiting_challenge(call) for _ in range(3)]
    candidate = complete_candidate(call, challenges=challenges[:2])

    with pytest.raises(ValidationError) as error:
        candidacy.choose(candidate, challenges[2], "Aussi celui-ci.", by=candidate.user)
    assert error.value.messages == ["Vous avez déjà choisi 2 défis, le nombre maximal de l’appel."]

    call.candidate_max_challenges = 1
    call.save()
    with pytest.raises(moves.ApplicationMoveRefused) as refusal:
        candidacy.submit(candidate, by=candidate.user)
    assert refusal.value.reasons == ["Une candidature porte sur 1 défi au plus (vous en avez choisi 2)."]
    assert not candidate.applications.exclude(state=S.DRAFT).exists()


def test_an_ineligible_or_incomplete_candidacy_is_refused_with_its_reasons(call):
    challenge = recruiting_challenge(call)
    candidate = complete_candidate(call, challenges=[challenge], motivation="")
    rules = list(call.eligibility_rules.all())
    candidacy.update(candidate, {"declarations": [rules[0].pk], "profile": ""}, by=candidate.user)

    with pytest.raises(moves.ApplicationMoveRefused) as refusal:
        candidacy.submit(candidate, by=candidate.user)

    assert refusal.value.reasons == [
        "Choisissez votre profil parmi ceux que l’appel recherche.",
        f"Écrivez votre motivation pour le défi « {challenge.name} ».",
        *[f"Condition d’éligibilité non déclarée : « {rule.text} »" for rule in rules[1:]],
    ]
    assert candidate.applications.get().state == S.DRAFT  # the draft is kept


def test_a_challenge_not_published_cannot_be_chosen(call):
    challenge = ChallengeFactory(promotion=call.promotion, state=ChallengeState.SELECTED)
    candidate = complete_candidate(call)
    with pytest.raises(ValidationError) as error:
        candidacy.choose(candidate, challenge, "Motivé·e.", by=candidate.user)
    assert error.value.messages == ["Ce défi n’est pas ouvert aux candidatures."]


def test_the_moves_and_who_may_make_them(call, manager):
    challenge, other = recruiting_challenge(call), recruiting_challenge(call)
    other.mentors.filter(role="operational").update(email="quelquun@example.gouv.fr")
    mentor = mentor_user()
    candidate = submitted(call, [challenge, other])
    mine, theirs = (
        candidate.applications.get(challenge=challenge),
        candidate.applications.get(challenge=other),
    )

    with pytest.raises(moves.ApplicationMoveRefused) as refusal:
        moves.transition(theirs, "preselect", by=mentor)
    assert refusal.value.code == "forbidden"
    with pytest.raises(moves.ApplicationMoveRefused) as refusal:
        moves.transition(mine, "preselect", by=candidate.user)
    assert refusal.value.code == "forbidden"
    with pytest.raises(moves.ApplicationMoveRefused) as refusal:
        moves.transition(mine, "offer", by=manager)
    assert refusal.value.code == "not_allowed"
    with pytest.raises(moves.ApplicationMoveRefused) as refusal:
        moves.transition(mine, "reject", by=mentor, reason="  ")
    assert refusal.value.reasons == ["Indiquez le motif de la décision (il reste interne au programme)."]
    with pytest.raises(moves.ApplicationMoveRefused) as refusal:
        moves.transition(mine, "rank", by=manager)
    assert refusal.value.code == "not_allowed"

    mine = moves.transition(mine, "preselect", by=mentor)
    with pytest.raises(moves.ApplicationMoveRefused) as refusal:
        moves.transition(mine, "invite_to_interview", by=manager)
    assert refusal.value.reasons == [
        "« Convoquer à un entretien » se fait par son propre formulaire, qui demande aussi ce qu’il lui faut."
    ]
    assert mine.state == S.PRESELECTED


def test_a_stale_copy_is_refused(call, manager):
    candidate = submitted(call, [recruiting_challenge(call)])
    application = candidate.applications.get()
    stale = Application.objects.get(pk=application.pk)
    moves.transition(application, "preselect", by=manager)

    with pytest.raises(moves.ApplicationMoveRefused) as refusal:
        moves.transition(stale, "reject", by=manager, reason="Trop tard.")
    assert refusal.value.code == "conflict"


def test_the_whole_path_to_an_accepted_offer(call, manager):
    challenge = recruiting_challenge(call)
    candidate = submitted(call, [challenge])
    application = to_ranked(candidate.applications.get(), manager)
    application = moves.transition(application, "offer", by=manager)
    application = moves.transition(application, "accept", by=candidate.user)

    assert application.state == S.ACCEPTED
    trail = list(
        AuditEvent.objects.filter(subject=application.reference, kind=AuditKind.APPLICATION_MOVED)
        .order_by("id")
        .values_list("transition", flat=True)
    )
    assert trail == ["submit", "preselect", "invite_to_interview", "rank", "offer", "accept"]
    invitation = Notification.objects.get(event="interview_invitation")
    assert invitation.attachment_name == f"entretien-eig-{application.pk}.ics"
    assert b"BEGIN:VEVENT" in bytes(invitation.attachment)
    assert audit.verify().intact


def test_a_candidate_accepted_for_one_challenge_cannot_accept_another(call, manager):
    first, second, third = recruiting_challenge(call), recruiting_challenge(call), recruiting_challenge(call)
    candidate = submitted(call, [first, second])
    one, two = (to_ranked(a, manager) for a in candidate.applications.order_by("challenge_id"))
    one, two = moves.transition(one, "offer", by=manager), moves.transition(two, "offer", by=manager)
    moves.transition(one, "accept", by=candidate.user)

    # Their other offer is withdrawn by the system, quietly (the acceptance's e-mail tells them).
    two.refresh_from_db()
    assert two.state == S.WITHDRAWN
    assert Notification.objects.filter(event="application_withdrawn").count() == 0
    with pytest.raises(moves.ApplicationMoveRefused) as refusal:
        moves.offer_elsewhere(candidate, third, by=manager)
    assert refusal.value.reasons == [
        f"Ce·tte candidat·e a déjà accepté le défi « {first.name} » : on n’accepte qu’un défi."
    ]
    assert not candidate.applications.filter(challenge=third).exists()  # nothing half-written


def test_a_team_holds_at_most_the_calls_maximum(call, manager):
    challenge = recruiting_challenge(call)
    call.max_eigs_per_challenge = 2
    call.save()
    offered = []
    for _index in range(3):
        candidate = submitted(call, [challenge], user=candidate_user())
        offered.append(
            (
                candidate,
                moves.transition(to_ranked(candidate.applications.get(), manager), "offer", by=manager),
            )
        )
    for candidate, application in offered[:2]:
        moves.transition(application, "accept", by=candidate.user)

    last_candidate, last = offered[2]
    with pytest.raises(moves.ApplicationMoveRefused) as refusal:
        moves.transition(last, "accept", by=last_candidate.user)
    assert refusal.value.reasons == [
        f"L’équipe du défi « {challenge.name} » est complète (2 EIG sur 2 au plus)."
    ]


def test_identical_profiles_are_flagged_and_start_enrols_the_team(call, manager):
    challenge = recruiting_challenge(call)
    challenge.mentors.update(confirmed_at=timezone.now())
    code = call.profiles.first().code
    for _index in range(2):
        candidate = submitted(call, [challenge], user=candidate_user(), profile=code)
        application = moves.transition(to_ranked(candidate.applications.get(), manager), "offer", by=manager)
        moves.transition(application, "accept", by=candidate.user)

    team = teams.team_of(challenge)
    assert (team.count, team.complete, team.identical_profiles) == (2, True, True)
    assert len(team.warnings()) == 1

    services.transition(challenge, "start", by=manager)

    assert Entrepreneur.objects.filter(challenge=challenge).count() == 2
    assert set(Entrepreneur.objects.values_list("profile", flat=True)) == {code}
    assert teams.members_count(challenge) == 2  # the accepted candidates are counted once
    assert audit.verify().intact


def test_start_needs_the_team(call, manager):
    challenge = recruiting_challenge(call)
    challenge.mentors.update(confirmed_at=timezone.now())
    with pytest.raises(services.TransitionRefused) as refusal:
        services.transition(challenge, "start", by=manager)
    assert refusal.value.reasons == ["Le défi doit compter entre 2 et 3 EIG recrutés (0)."]


def test_the_programme_offers_an_interviewed_candidate_a_challenge_not_applied_to(call, manager):
    applied, other = recruiting_challenge(call), recruiting_challenge(call)
    candidate = submitted(call, [applied])
    with pytest.raises(moves.ApplicationMoveRefused):
        moves.offer_elsewhere(candidate, other, by=manager)
    to_ranked(candidate.applications.get(), manager)

    offer = moves.offer_elsewhere(candidate, other, by=manager, reason="Son profil convient mieux.")

    assert (offer.origin, offer.state) == ("programme", S.OFFERED)
    assert candidacy.counted_applications(candidate).count() == 1


def test_a_refusal_names_no_other_candidate_and_keeps_the_reason_out_of_the_chain(call, manager):
    challenge = recruiting_challenge(call)
    first = submitted(call, [challenge], user=candidate_user(first_name="Anaïs", last_name="Lévêque"))
    second = submitted(call, [challenge], user=candidate_user(first_name="Bérénice", last_name="Øster"))
    outcome = moves.transition_many(
        list(Application.objects.filter(challenge=challenge)), "reject", by=manager, reason="Profil éloigné."
    )

    assert len(outcome.moved) == 2 and not outcome.refused
    for mine, other in [(first, second), (second, first)]:
        mail = Notification.objects.get(event="application_rejected", recipient_email=mine.email)
        assert other.last_name not in mail.body and other.email not in mail.body
        assert "Profil éloigné" not in mail.body
    for event in AuditEvent.objects.filter(transition="reject"):
        hashed = json.dumps([event.reason, event.changes, event.actor_label], ensure_ascii=False)
        assert "Profil éloigné" not in hashed
    assert Application.objects.get(candidate=first).candidate.results_at is not None
