"""The operational mentors' pages: the applications to their challenges only (no other challenge's
on any URL: the page, the CV, the grid, the comment, the moves), their own grid, the comments of
the other assessors, and the preselection."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from demo.pdfs import blank_pdf
from notifications.models import Notification
from recruitment import assessment, moves
from recruitment.enums import ApplicationState as S
from recruitment.models import Application, Candidate, CandidateScore
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
def mine(call):
    return recruiting_challenge(call, name="Données de santé")


@pytest.fixture
def other(call):
    return mentored_elsewhere(recruiting_challenge(call, name="Cadastre ouvert"))


@pytest.fixture
def mentor(client):
    user = mentor_user(first_name="Alix", last_name="Durand")
    client.force_login(user)
    return user


def application_of(candidate, challenge) -> Application:
    return candidate.applications.get(challenge=challenge)


def stored_cv(candidate):
    storage = Candidate._meta.get_field("cv").storage
    name = storage.save("cvs/cv-test.pdf", ContentFile(blank_pdf(1)))
    Candidate.objects.filter(pk=candidate.pk).update(cv=name)


def test_a_mentor_lists_the_applications_to_their_challenges_only(client, call, mine, other, mentor):
    submitted_candidate(call, [mine], first_name="Inès", last_name="Morel")
    submitted_candidate(call, [other], first_name="Yanis", last_name="Roux")
    response = client.get(reverse("mentor:applications"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Inès Morel" in page
    assert "Yanis Roux" not in page and "Cadastre ouvert" not in page
    # Filtering on another challenge shows nothing of it (the choice is not offered).
    response = client.get(reverse("mentor:applications"), {"challenge": other.pk})
    assert "Yanis Roux" not in response.content.decode()
    assert response.context["page_obj"].paginator.count == 1


def test_a_draft_is_never_listed(client, call, mine, mentor):
    complete_candidate(call, challenges=[mine])  # chosen, never submitted
    response = client.get(reverse("mentor:applications"))
    assert response.context["page_obj"].paginator.count == 0


def test_every_url_of_another_challenges_application_answers_404(client, call, mine, other, mentor):
    candidate = submitted_candidate(call, [mine, other])
    stored_cv(candidate)
    theirs = application_of(candidate, other)
    own = application_of(candidate, mine)
    criterion = call.candidate_criteria.first()

    urls = {
        "detail": reverse("mentor:application", args=[theirs.pk]),
        "cv": reverse("mentor:cv", args=[theirs.pk]),
        "grid": reverse("mentor:grid", args=[theirs.pk]),
        "comment": reverse("mentor:comment", args=[theirs.pk]),
        "preselect": reverse("mentor:move", args=[theirs.pk, "preselect"]),
        "reject": reverse("mentor:move", args=[theirs.pk, "reject"]),
    }
    posts = {
        "grid": {f"grille-criterion_{criterion.pk}": "4"},
        "comment": {"text": "Un commentaire."},
        "preselect": {"confirm": "1"},
        "reject": {"confirm": "1", "reason": "Hors sujet."},
    }
    for name, url in urls.items():
        assert client.get(url).status_code == 404, name
        assert client.post(url, posts.get(name, {})).status_code == 404, name
    theirs.refresh_from_db()
    assert theirs.state == S.SUBMITTED
    assert not CandidateScore.objects.filter(application=theirs).exists()
    assert not theirs.comments.exists()
    # The same candidate's application to the mentor's own challenge is theirs to read.
    assert client.get(reverse("mentor:application", args=[own.pk])).status_code == 200
    response = client.get(reverse("mentor:cv", args=[own.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")


def test_other_roles_do_not_reach_the_mentors_pages(client, call, mine):
    candidate = submitted_candidate(call, [mine])
    client.force_login(candidate.user)
    assert client.get(reverse("mentor:applications")).status_code == 404
    assert (
        client.get(reverse("mentor:application", args=[application_of(candidate, mine).pk])).status_code
        == 404
    )


def test_a_mentor_scores_on_their_grid_comments_and_preselects(client, call, mine, mentor):
    candidate = submitted_candidate(call, [mine], first_name="Inès", last_name="Morel")
    application = application_of(candidate, mine)
    manager = programme_manager(first_name="Claire", last_name="Gestion")
    assessment.comment(application, "Profil solide en données.", by=manager)
    criteria = list(call.candidate_criteria.all())

    detail = client.get(reverse("mentor:application", args=[application.pk]))
    page = detail.content.decode()
    assert "Profil solide en données." in page  # the other assessors' comments
    assert "Je veux aider ce service." in page  # the motivation
    assert [option["name"] for option in detail.context["move_forms"]] == ["preselect", "reject"]

    values = dict(zip([criterion.pk for criterion in criteria], [4, 3, 3, 4, 2], strict=True))
    grid = {f"grille-criterion_{pk}": str(value) for pk, value in values.items()}
    response = client.post(reverse("mentor:grid", args=[application.pk]), grid)
    assert response.status_code == 302
    assert assessment.grid_of(application, mentor) == values

    response = client.post(reverse("mentor:comment", args=[application.pk]), {"text": "À rencontrer."})
    assert response.status_code == 302
    assert list(application.comments.values_list("text", flat=True)) == [
        "Profil solide en données.",
        "À rencontrer.",
    ]

    # Without the confirmation nothing moves.
    response = client.post(reverse("mentor:move", args=[application.pk, "preselect"]))
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.state == S.SUBMITTED

    response = client.post(reverse("mentor:move", args=[application.pk, "preselect"]), {"confirm": "1"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == S.PRESELECTED
    mail = Notification.objects.get(event="application_preselected")
    assert mail.recipient_email == candidate.email

    listed = client.get(reverse("mentor:applications"))
    row = listed.context["page_obj"].object_list[0]
    assert (row.mean_score, row.score_count, row.comment_count) == (3.2, 5, 2)


def test_a_mentor_rejects_with_a_reason_only(client, call, mine, mentor):
    application = application_of(submitted_candidate(call, [mine]), mine)
    url = reverse("mentor:move", args=[application.pk, "reject"])
    response = client.post(url, {"confirm": "1", "reason": "  "})
    assert response.status_code == 200
    assert "Indiquez le motif" in response.content.decode()
    application.refresh_from_db()
    assert application.state == S.SUBMITTED
    assert client.post(url, {"confirm": "1", "reason": "Expérience trop éloignée."}).status_code == 302
    application.refresh_from_db()
    assert application.state == S.REJECTED


def test_a_mentor_cannot_make_the_programmes_moves(client, call, mine, mentor):
    application = application_of(submitted_candidate(call, [mine]), mine)
    manager = programme_manager()
    moves.transition(application, "preselect", by=manager)
    # No interview, no rank, no offer for a mentor: made-through moves are no button at all.
    assert (
        client.post(reverse("mentor:move", args=[application.pk, "invite_to_interview"])).status_code == 404
    )
    assert client.post(reverse("mentor:move", args=[application.pk, "unknown"])).status_code == 404
    response = client.post(reverse("mentor:move", args=[application.pk, "withdraw"]), {"confirm": "1"})
    assert response.status_code == 200
    assert "Vous n’avez pas le droit" in response.content.decode()
    application.refresh_from_db()
    assert application.state == S.PRESELECTED
