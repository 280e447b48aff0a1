"""Candidates' personal data: erased a configurable time after the results by the daily job or
on request, the chain still verifiable; the JSON download of everything kept."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from lifecycle import audit
from lifecycle.models import AuditEvent
from notifications.models import Notification
from recruitment import assessment, candidacy, moves, retention
from recruitment.enums import ApplicationState as S
from recruitment.models import ApplicationComment, Candidate
from tests.factories import (
    candidate_user,
    complete_candidate,
    mentor_user,
    open_candidates_call,
    programme_manager,
    recruiting_challenge,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def call():
    return open_candidates_call(candidate_data_retention_days=30)


def rejected_candidate(call, manager, *, user=None):
    challenge = recruiting_challenge(call)
    candidate = complete_candidate(call, user=user, challenges=[challenge], motivation="Ma motivation à moi.")
    candidacy.submit(candidate, by=candidate.user)
    application = candidate.applications.get()
    assessment.comment(application, "Parcours solide, mais loin du défi.", by=manager)
    moves.transition(application, "reject", by=manager, reason="Profil éloigné du défi.")
    candidate.refresh_from_db()
    return candidate


def test_kept_until_the_retention_after_the_results_then_erased_by_the_job(call):
    manager = programme_manager()
    candidate = rejected_candidate(call, manager)
    kept = complete_candidate(call, user=candidate_user(), challenges=[recruiting_challenge(call)])
    candidacy.submit(kept, by=kept.user)

    assert retention.kept_until(candidate) == candidate.results_at + dt.timedelta(days=30)
    assert retention.kept_until(kept) is None  # in progress: kept
    assert retention.run().erased == 0

    with time_machine.travel(candidate.results_at + dt.timedelta(days=30, seconds=1), tick=False):
        outcome = retention.run()

    assert outcome.erased == 1
    candidate.refresh_from_db()
    assert candidate.erased_at is not None
    assert (
        candidate.first_name,
        candidate.last_name,
        candidate.email,
        candidate.phone,
        candidate.cv.name,
    ) == (
        "",
        "",
        "",
        "",
        "",
    )
    assert candidate.applications.get().motivation == ""
    assert not ApplicationComment.objects.filter(application__candidate=candidate).exists()
    assert not Notification.objects.filter(recipient_email__icontains="guerin").exists()
    candidate.user.refresh_from_db()
    assert (candidate.user.is_active, candidate.user.email, candidate.user.first_name) == (False, "", "")
    # The scores and states stay, anonymous; the chain verifies; the erasure's event names no one.
    assert candidate.applications.get().state == S.REJECTED
    assert audit.verify().intact
    erasure = AuditEvent.objects.order_by("-id").first()
    assert "Guérin" not in str([erasure.reason, erasure.changes, erasure.actor_label])
    assert Candidate.objects.get(pk=kept.pk).erased_at is None
    assert retention.run().erased == 0  # a second run changes nothing


def test_the_download_holds_everything_kept(call):
    manager = programme_manager()
    candidate = rejected_candidate(call, manager)

    data = retention.export(candidate)

    assert data["identity"] == {
        "first_name": "Élise",
        "last_name": "Guérin",
        "email": candidate.email,
        "phone": "06 12 34 56 78",
    }
    assert [a["motivation"] for a in data["applications"]] == ["Ma motivation à moi."]
    assert [a["state"] for a in data["applications"]] == ["rejected"]
    assert data["applications"][0]["comments"] == ["Parcours solide, mais loin du défi."]
    assert len(data["declarations"]) == call.eligibility_rules.count()
    assert data["kept_until"] is not None
    assert [m["subject"] for m in data["messages"]] == [
        f"[EIG] Candidature reçue : « {candidate.applications.get().challenge.name} »",
        f"[EIG] Votre candidature au défi « {candidate.applications.get().challenge.name} »",
    ]


def test_a_candidate_asks_for_erasure_and_their_applications_are_withdrawn(call):
    candidate = complete_candidate(call, challenges=[recruiting_challenge(call)])
    candidacy.submit(candidate, by=candidate.user)

    retention.request_erasure(candidate, by=candidate.user)

    assert candidate.erased_at is not None
    assert candidate.applications.get().state == S.WITHDRAWN
    assert audit.verify().intact


def test_an_accepted_candidate_cannot_erase_their_data_alone(call):
    manager = programme_manager()
    candidate = complete_candidate(call, challenges=[recruiting_challenge(call)])
    candidacy.submit(candidate, by=candidate.user)
    application = moves.transition(candidate.applications.get(), "preselect", by=manager)
    application = moves.schedule_interview(
        application,
        at=timezone.now() + dt.timedelta(days=2),
        place="Visio : https://webconf.numerique.gouv.fr/eig",
        by=manager,
    )
    application = moves.set_rank(application, 1, by=manager)
    application = moves.transition(application, "offer", by=manager)
    moves.transition(application, "accept", by=candidate.user)

    with pytest.raises(ValidationError) as error:
        retention.request_erasure(candidate, by=candidate.user)
    assert error.value.code == "accepted"
    assert retention.kept_until(Candidate.objects.get(pk=candidate.pk)) is None


def test_nobody_else_asks_for_a_candidates_erasure(call):
    candidate = complete_candidate(call, challenges=[recruiting_challenge(call)])
    with pytest.raises(Exception, match="Seul"):
        retention.request_erasure(candidate, by=mentor_user())


def test_a_draft_never_submitted_is_erased_the_retention_after_the_closing(call):
    draft = complete_candidate(call, challenges=[recruiting_challenge(call)])
    closing = call.recruitment_closes_at

    assert retention.kept_until(draft) is None  # the call is open: the draft may still be submitted
    with time_machine.travel(closing + dt.timedelta(days=29), tick=False):
        assert retention.kept_until(draft) == closing + dt.timedelta(days=30)
        assert retention.run().erased == 0
    with time_machine.travel(closing + dt.timedelta(days=30), tick=False):
        assert retention.run().erased == 1
