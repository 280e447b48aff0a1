"""The lists' querysets: submitted applications and after (never a draft), what a row shows read
with them, the filters, a mentor's challenges only, and a number of queries that does not grow
with the number of applications (the lists' pages included)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recruitment import assessment, moves, queries, retention
from recruitment.enums import ApplicationState as S
from tests.factories import (
    complete_candidate,
    mentor_user,
    mentored_elsewhere,
    open_candidates_call,
    programme_manager,
    recruiting_challenge,
    submitted_candidate,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def call():
    return open_candidates_call()


@pytest.fixture
def manager():
    return programme_manager()


def test_rows_carry_their_figures_and_never_a_draft(call, manager):
    challenge = recruiting_challenge(call, name="Données de santé")
    candidate = submitted_candidate(call, [challenge], first_name="Inès", last_name="Morel")
    complete_candidate(call, challenges=[challenge])  # a draft
    application = candidate.applications.get()
    criteria = list(call.candidate_criteria.all())
    assessment.save_grid(application, {criteria[0].pk: 4, criteria[1].pk: 3}, by=manager)
    other = programme_manager(username="seconde")
    assessment.save_grid(application, {criteria[0].pk: 2}, by=other)
    assessment.comment(application, "Bien.", by=manager)

    rows = list(queries.for_managers())
    assert [row.pk for row in rows] == [application.pk]
    row = queries.label_rows(rows)[0]
    assert (row.candidate.full_name, row.challenge.name) == ("Inès Morel", "Données de santé")
    assert (round(row.mean_score, 2), row.score_count, row.comment_count) == (3.0, 3, 1)
    assert row.profile_label == call.profiles.first().label
    assert row.interview_at is None


def test_filters_by_promotion_challenge_profile_state_and_name(call, manager):
    first, second = recruiting_challenge(call), recruiting_challenge(call)
    dev, data = list(call.profiles.values_list("code", flat=True))[:2]
    ines = submitted_candidate(call, [first, second], first_name="Inès", last_name="Morel", profile=dev)
    yanis = submitted_candidate(call, [first], first_name="Yanis", last_name="Roux", profile=data)
    moves.transition(ines.applications.get(challenge=first), "preselect", by=manager)
    elsewhere = open_candidates_call()
    far = submitted_candidate(elsewhere, [recruiting_challenge(elsewhere)], first_name="Zoé", last_name="Lin")

    def names(**filters):
        return sorted((row.candidate.last_name, row.challenge_id) for row in queries.for_managers(filters))

    assert len(names()) == 4
    assert names(promotion=call.promotion) == sorted(
        [("Morel", first.pk), ("Morel", second.pk), ("Roux", first.pk)]
    )
    assert names(promotion=elsewhere.promotion_id) == [("Lin", far.applications.get().challenge_id)]
    assert names(challenge=second) == [("Morel", second.pk)]
    assert names(profile=data) == [("Roux", first.pk)]
    assert names(state=S.PRESELECTED) == [("Morel", first.pk)]
    assert names(q="ines") == names(q="MOREL") == [("Morel", first.pk), ("Morel", second.pk)]
    assert names(q="roux yanis") == [("Roux", first.pk)]
    assert names(q=f"n°{yanis.pk}") == [("Roux", first.pk)]
    assert names(q="personne") == []


def test_a_mentor_reads_their_challenges_only(call):
    mine = recruiting_challenge(call)
    theirs = mentored_elsewhere(recruiting_challenge(call))
    submitted_candidate(call, [mine, theirs])
    mentor = mentor_user()
    assert [row.challenge_id for row in queries.for_mentor(mentor)] == [mine.pk]
    assert list(queries.for_mentor(mentor, {"challenge": theirs.pk})) == []
    # Anyone else but a mentor account reads nothing through it.
    assert list(queries.for_mentor(programme_manager())) == []


def test_an_erased_candidate_is_named_by_their_number(call, manager):
    challenge = recruiting_challenge(call)
    candidate = submitted_candidate(call, [challenge])
    moves.transition(candidate.applications.get(), "reject", by=manager, reason="Hors profil.")
    retention.request_erasure(candidate, by=manager)
    row = queries.for_managers().get()
    assert row.candidate.full_name == f"Candidat·e n°{candidate.pk} (données effacées)"


def _scored(call, challenge, count, manager):
    criteria = list(call.candidate_criteria.all())
    for index in range(count):
        candidate = submitted_candidate(
            call, [challenge], first_name=f"Prénom{index}", last_name=f"Nom{index}"
        )
        application = candidate.applications.get()
        assessment.save_grid(application, {criteria[0].pk: 1 + index % 4}, by=manager)
        assessment.comment(application, "Vu.", by=manager)
        if index % 3 == 0:
            moves.transition(application, "preselect", by=manager)


def _queries(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


def test_the_querysets_read_a_constant_number_of_queries(call, manager, django_assert_num_queries):
    challenge = recruiting_challenge(call)
    mentor = mentor_user()

    def read():
        shown = []
        for row in queries.label_rows(queries.for_managers({"promotion": call.promotion})):
            shown.append((row.candidate.full_name, row.challenge.name, row.mean_score, row.profile_label))
        for row in queries.label_rows(queries.for_mentor(mentor)):
            shown.append((row.candidate.full_name, row.challenge.name, row.score_count, row.comment_count))
        for row in queries.ranking(challenge):
            shown.append((row.candidate.full_name, row.profile_label))
        return shown

    _scored(call, challenge, 1, manager)
    read()  # the mentor's challenges are read once per account (then kept on it)
    once = _queries(read)
    _scored(call, challenge, 29, manager)
    assert len(queries.for_managers()) == 30
    with django_assert_num_queries(once):
        read()


@pytest.mark.parametrize("who", ["manager", "mentor"])
def test_the_list_pages_read_a_constant_number_of_queries(
    client, call, manager, who, django_assert_num_queries
):
    challenge = recruiting_challenge(call)
    profile = call.profiles.first().code
    if who == "manager":
        client.force_login(manager)
        urls = [reverse("applications:list"), reverse("applications:export", args=["csv"])]
    else:
        client.force_login(mentor_user())
        urls = [reverse("mentor:applications")]
    _scored(call, challenge, 1, manager)
    once = [_queries(lambda url=url: client.get(url, {"profile": profile})) for url in urls]
    _scored(call, challenge, 29, manager)
    for url, count in zip(urls, once, strict=True):
        with django_assert_num_queries(count):
            response = client.get(url, {"profile": profile})
        assert response.status_code == 200
    response = client.get(urls[0], {"profile": profile})
    assert response.context["page_obj"].paginator.count == 30
