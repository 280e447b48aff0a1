"""The demo's candidates' calls: promotion 3's of September 2018 replayed through recruitment's
functions (every state, the mentors' preselection, the retention job of 2019), the candidate's and
the mentor's logins, IA Flash ready to start, and the open candidates' call of the day."""

import datetime as dt
import io
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from accounts.enums import Role
from lifecycle import audit, rules, services
from lifecycle.enums import AuditKind, ChallengeState, TransitionName
from lifecycle.models import AuditEvent, Challenge, Entrepreneur, PersonalData
from notifications.enums import DeliveryStatus, MessageEvent
from notifications.models import Notification
from recruitment import moves, publication, retention, teams
from recruitment import rules as recruitment_rules
from recruitment.enums import ApplicationMoveName, ApplicationState, Origin
from recruitment.models import Application, ApplicationComment, Candidate, CandidateScore

UTC = dt.UTC
PASSWORD = "demo-eig-2018"
S = ApplicationState
CANDIDATE_EVENTS = [
    MessageEvent.APPLICATION_RECEIVED,
    MessageEvent.APPLICATION_PRESELECTED,
    MessageEvent.APPLICATION_REJECTED,
    MessageEvent.INTERVIEW_INVITATION,
    MessageEvent.OFFER_MADE,
    MessageEvent.OFFER_ACCEPTED,
    MessageEvent.OFFER_DECLINED,
    MessageEvent.APPLICATION_WITHDRAWN,
]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def user(username):
    return get_user_model().objects.get(username=username)


def sign_in(username):
    """Through the sign-in page, as a person does (and as the sign-in throttling sees it)."""
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, username
    assert client.session["_auth_user_id"] == str(user(username).pk)
    return client


def applications_of(number):
    return Application.objects.filter(challenge__promotion__number=number)


def test_the_2018_call_shows_every_state_through_the_domain(loaded):
    assert Counter(applications_of(3).values_list("state", flat=True)) == {
        S.DRAFT: 1,  # an ineligible candidate who could not submit
        S.SUBMITTED: 3,  # IA Flash's, for its mentor to preselect
        S.PRESELECTED: 1,
        S.REJECTED: 18,
        S.INTERVIEW: 1,
        S.RANKED: 2,
        S.OFFERED: 1,  # candidat's
        S.ACCEPTED: 4,  # IA Flash's two, Mobilités rurales' two
        S.DECLINED: 3,
        S.WITHDRAWN: 6,
    }
    # At most the call's two challenges each; one offered a challenge they did not apply to.
    candidates = Candidate.objects.filter(call__promotion__number=3)
    assert candidates.count() == 26
    assert (
        max(
            Counter(
                applications_of(3).filter(origin=Origin.CANDIDATE).values_list("candidate", flat=True)
            ).values()
        )
        == 2
    )
    [elsewhere] = applications_of(3).filter(origin=Origin.PROGRAMME).select_related("candidate", "challenge")
    assert (elsewhere.challenge.name, elsewhere.state) == ("IA Flash", S.ACCEPTED)
    assert elsewhere.candidate.applications.filter(interview_at__isnull=False).exists()
    # Every move is the one transition function's, in the chain: the trail verifies.
    moved = AuditEvent.objects.filter(kind=AuditKind.APPLICATION_MOVED, challenge__promotion__number=3)
    assert Counter(moved.values_list("transition", flat=True))[ApplicationMoveName.SUBMIT] == 40 - 1 - 1
    assert all(event.subject.startswith("application:") for event in moved)
    assert audit.verify().intact
    # The moments are those of the rules: applications from the opening to 15 October 17:00,
    # interviews from 6 to 8 November (one moved to December).
    call = candidates.first().call
    submitted = moved.filter(transition=ApplicationMoveName.SUBMIT).values_list("created_at", flat=True)
    assert call.recruitment_opens_at < min(submitted) and max(submitted) < call.recruitment_closes_at
    interviews = sorted(applications_of(3).exclude(interview_at=None).values_list("interview_at", flat=True))
    assert interviews[0].date() == dt.date(2018, 11, 6)
    assert interviews[-1] == dt.datetime(2018, 12, 3, 9, 0, tzinfo=UTC)  # Rémi N’Diaye's, moved


def test_the_retention_job_of_2019_erased_the_unsuccessful_and_kept_the_others(loaded):
    candidates = Candidate.objects.filter(call__promotion__number=3)
    erased, kept = candidates.filter(erased_at__isnull=False), candidates.filter(erased_at=None)
    assert erased.count() == 14  # 13 whose applications all ended unsuccessfully, the draft
    assert set(erased.values_list("erased_at", flat=True)) == {dt.datetime(2019, 6, 3, 1, 0, tzinfo=UTC)}
    assert set(erased.values_list("first_name", "email", "cv")) == {("", "", "")}
    assert not Application.objects.filter(candidate__in=erased).exclude(motivation="").exists()
    # Nothing is left for the daily job at the demo's moment; the trail still verifies.
    assert retention.due() == []
    assert not PersonalData.objects.filter(owner__in=[c.reference for c in erased], erased_at=None).exists()
    assert audit.verify().intact

    # The kept candidates show every state with what they wrote: a CV (a real PDF), motivations,
    # the reasons of the decisions kept apart from the chain.
    assert set(Application.objects.filter(candidate__in=kept).values_list("state", flat=True)) == {
        S.SUBMITTED,
        S.PRESELECTED,
        S.REJECTED,
        S.INTERVIEW,
        S.RANKED,
        S.OFFERED,
        S.ACCEPTED,
        S.DECLINED,
        S.WITHDRAWN,
    }
    for candidate in kept:
        assert candidate.cv_name.startswith("cv-") and candidate.phone and candidate.declarations
        with candidate.cv.open("rb") as file:
            pdf = PdfReader(file)
            assert len(pdf.pages) == 1
            assert candidate.first_name in pdf.pages[0].extract_text()
    motivations = Application.objects.filter(candidate__in=kept, origin=Origin.CANDIDATE)
    assert all(application.motivation for application in motivations)
    assert max(len(application.motivation) for application in motivations) > 1500
    assert Candidate.objects.filter(call__promotion__number=3, language="en").count() == 2
    rejected = Application.objects.get(candidate__user__username="candidat", state=S.REJECTED)
    reasons = [
        value
        for row in audit.kept_about(rejected.candidate.reference)
        for path, value in row["values"]
        if path == ["changes", "reason"]
    ]
    assert reasons[0].startswith("Auditionnée : solide en modélisation")  # DataJust's, kept apart

    # Grids and comments of the mentor and the manager; IA Flash's mentor only on IA Flash.
    mentor = user("mentor")
    scored = CandidateScore.objects.filter(scorer=mentor)
    assert scored.exists() and set(scored.values_list("application__challenge__name", flat=True)) == {
        "IA Flash"
    }
    assert CandidateScore.objects.filter(scorer__username="gestionnaire").exists()
    assert ApplicationComment.objects.filter(author=mentor).count() >= 3

    # The candidates' e-mails wait in held reviews, as the replayed moves' do: none is sent; those
    # of the erased candidates were blanked and taken out of their reviews by the retention.
    mails = Notification.objects.filter(event__in=CANDIDATE_EVENTS)
    assert all(mail.batch_id for mail in mails)
    statuses = Counter(mails.values_list("status", flat=True))
    assert set(statuses) == {DeliveryStatus.HELD, DeliveryStatus.DISCARDED}
    erased_mails = mails.filter(status=DeliveryStatus.DISCARDED)
    assert set(erased_mails.values_list("recipient_email", "body")) == {("", "")}
    kept_emails = set(Candidate.objects.filter(erased_at=None).values_list("email", flat=True))
    held = mails.filter(status=DeliveryStatus.HELD)
    assert set(held.values_list("recipient_email", flat=True)) <= kept_emails


def test_the_candidate_and_the_mentor_sign_in_and_see_their_pages(loaded):
    assert "aussi : candidat (candidat·e de l’EIG 3 (2018), une proposition à accepter)" in loaded
    assert "aussi : mentor (mentor opérationnel·le de « IA Flash »" in loaded

    candidate_client = sign_in("candidat")
    assert candidate_client.get(reverse("candidates:space")).status_code == 200
    candidat = user("candidat")
    assert rules.role_of(candidat) == Role.CANDIDATE
    candidacy = Candidate.objects.get(user=candidat, call__promotion__number=3)
    assert candidacy.submitted_at is not None
    assert sorted(candidacy.applications.values_list("challenge__name", "state")) == [
        ("DataJust", S.REJECTED),
        ("IA Flash", S.OFFERED),
    ]
    offer = candidacy.applications.get(state=S.OFFERED)
    assert [(move.name, reasons) for move, reasons in moves.possible_moves(offer, by=candidat)] == [
        (ApplicationMoveName.ACCEPT, []),
        (ApplicationMoveName.DECLINE, []),
        (ApplicationMoveName.WITHDRAW, []),
    ]

    mentor_client = sign_in("mentor")
    page = mentor_client.get(reverse("mentor:applications"))
    assert page.status_code == 200
    mentor = user("mentor")
    ia_flash = Challenge.objects.get(name="IA Flash")
    assert recruitment_rules.mentored_challenge_ids(mentor) == {ia_flash.pk}
    assert mentor.email == ia_flash.mentors.get(role="operational").email
    to_preselect = Application.objects.filter(challenge=ia_flash, state=S.SUBMITTED)
    assert to_preselect.count() == 3
    html = page.content.decode()
    assert "Maëlle Rousseau" in html and "Jérôme Aubry" in html
    assert "Clémence Tessier" not in html  # Mobilités rurales': not the mentor's challenge
    # The mentor preselects one of them, through the one transition function.
    preselected = moves.transition(to_preselect.first(), ApplicationMoveName.PRESELECT, by=mentor)
    assert preselected.state == S.PRESELECTED
    assert audit.verify().intact


def test_ia_flash_starts_once_candidat_accepts_and_its_candidates_become_its_eigs(loaded):
    ia_flash = Challenge.objects.get(name="IA Flash")
    assert ia_flash.state == ChallengeState.RECRUITING
    team = teams.team_of(ia_flash)
    assert (team.count, team.complete, team.identical_profiles) == (2, True, False)
    assert ia_flash.mentors.filter(confirmed_at__isnull=False).count() == 2

    candidat = user("candidat")
    offer = Application.objects.get(candidate__user=candidat, state=S.OFFERED)
    moves.transition(offer, ApplicationMoveName.ACCEPT, by=candidat)
    started = services.transition(ia_flash, TransitionName.START, by=user("gestionnaire"))

    assert started.state == ChallengeState.RUNNING
    assert sorted(Entrepreneur.objects.filter(challenge=ia_flash).values_list("last_name", flat=True)) == [
        "Garnier",
        "Haddad",
        "Rousseau",
    ]
    assert Candidate.objects.filter(entrepreneur__challenge=ia_flash).count() == 3
    # Mobilités rurales started in January 2019 with the two candidates who had accepted it.
    mobilites = Challenge.objects.get(name="Mobilités rurales (défi de démonstration)")
    assert sorted(mobilites.entrepreneurs.values_list("last_name", "candidate__profile")) == [
        ("Ferrand", "data_science"),
        ("Tessier", "design"),
    ]
    assert audit.verify().intact


def test_the_open_candidates_call_of_the_day_takes_applications(loaded):
    assert "Appel à candidatures ouvert : EIG 8 (démo) — candidatures jusqu’au" in loaded
    call = publication.open_call()
    assert call.promotion.number == 8
    published = Challenge.objects.filter(promotion__number=8, state=ChallengeState.RECRUITING)
    assert published.count() == 3
    assert all(challenge.mentors.filter(confirmed_at__isnull=False).count() == 2 for challenge in published)
    assert Counter(applications_of(8).values_list("state", flat=True)) == {S.SUBMITTED: 3, S.DRAFT: 1}
    page = Client().get(reverse("candidates:challenges"))
    assert page.status_code == 200
    assert all(challenge.name in page.content.decode() for challenge in published)
    # Running the demo again changes nothing.
    before = (Candidate.objects.count(), Application.objects.count(), AuditEvent.objects.count())
    call_command("demo", "--manager", "gestionnaire", "--password", PASSWORD, stdout=io.StringIO())
    assert (Candidate.objects.count(), Application.objects.count(), AuditEvent.objects.count()) == before
