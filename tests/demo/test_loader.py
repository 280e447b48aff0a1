import datetime as dt
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lifecycle import audit, financing
from lifecycle.dossier.rules import dossier_problems
from lifecycle.enums import AdministrationKind, AuditKind, ChallengeState, MentorRole
from lifecycle.models import (
    Administration,
    AuditEvent,
    Call,
    Challenge,
    Contact,
    Entrepreneur,
    Mentor,
    Promotion,
    TeamMember,
)
from tests.factories import ChallengeFactory, PromotionFactory

UTC = dt.UTC
S = ChallengeState
PASSWORD = "demo-eig-2018"


def demo(*args):
    out = io.StringIO()
    call_command("demo", "--manager", "gestionnaire", "--password", PASSWORD, *args, stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def loaded(db):
    return demo()


def counts():
    return {
        model.__name__: model.objects.count()
        for model in [
            Promotion,
            Call,
            Administration,
            Challenge,
            AuditEvent,
            Mentor,
            Contact,
            TeamMember,
            Entrepreneur,
            get_user_model(),
        ]
    }


def test_the_demo_shows_every_state_and_every_kind_of_administration(loaded):
    assert Counter(Challenge.objects.values_list("state", flat=True)) == {
        S.DRAFT: 1,
        S.SUBMITTED: 1,
        S.CORRECTIONS_REQUESTED: 1,  # the open call's dossier, sent back today
        S.PRESELECTED: 1,
        S.NOT_PRESELECTED: 1,
        S.PITCHED: 1,
        S.SELECTED: 1,
        S.NOT_SELECTED: 1,
        S.RECRUITING: 1,
        S.RUNNING: 3,
        S.COMPLETED: 5 + 9 + 13,  # promotion 3's, and promotions 1 and 2 imported as completed
        S.WITHDRAWN: 1,
    }
    assert set(Administration.objects.values_list("kind", flat=True)) == set(AdministrationKind.values)
    assert sorted(
        Administration.objects.filter(
            kind__in=[AdministrationKind.TERRITORIAL_AUTHORITY, AdministrationKind.HEALTH_ESTABLISHMENT]
        ).values_list("name", flat=True)
    ) == ["Centre hospitalier universitaire de Valmont (démo)", "Région Centre-Atlantique (démo)"]
    assert [
        (promotion.number, promotion.name, promotion.year, promotion.challenges.count())
        for promotion in Promotion.objects.order_by("number")
    ] == [
        (1, "EIG 1", 2016, 9),
        (2, "EIG 2", 2017, 13),
        (3, "EIG 3", 2018, 17),
        (9, "EIG 9 (démo)", timezone.localdate().year, 1),  # the open call, dated from today
    ]


def test_promotion_3_has_the_calendar_and_rules_of_its_call(loaded):
    call = Call.objects.get(promotion__number=3)

    assert call.information_event_at == dt.datetime(2018, 5, 15, 15, 0, tzinfo=UTC)  # 17:00 in Paris
    assert call.submission_deadline == dt.datetime(2018, 6, 15, 15, 0, tzinfo=UTC)
    assert (call.jury_starts_on, call.jury_ends_on) == (dt.date(2018, 7, 2), dt.date(2018, 7, 4))
    assert call.recruitment_opens_at == dt.datetime(2018, 9, 13, 8, 0, tzinfo=UTC)
    assert call.recruitment_closes_at == dt.datetime(2018, 10, 15, 15, 0, tzinfo=UTC)
    assert (call.starts_on, call.duration_months, call.ends_on) == (
        dt.date(2019, 1, 14),
        10,
        dt.date(2019, 11, 14),
    )
    assert (call.cofinancing_envelope, call.cofinancing_rate, call.net_monthly_pay) == (
        Decimal("1500000"),
        Decimal("0.70"),
        Decimal("4000"),
    )
    assert (call.max_pitch_slides, call.min_eigs_per_challenge, call.max_eigs_per_challenge) == (12, 2, 3)


def test_the_audit_trail_is_the_real_replay_of_the_lifecycle(loaded):
    assert audit.verify().intact
    times = list(AuditEvent.objects.order_by("id").values_list("created_at", flat=True))
    assert times == sorted(times)  # the history was replayed in the order of the calendar
    assert Counter(AuditEvent.objects.values_list("kind", flat=True)) == {
        AuditKind.ROLE_CHANGED: 4,  # the demo's accounts: manager, auditor, two contacts
        # Promotions 1 to 3 and their calls (6); the open call (9): its promotion and call, its
        # profiles (design renamed, two added), its two pay levels, DINUM's budget programme.
        AuditKind.SETTINGS_CHANGED: 15,
        AuditKind.CREATED: 17 + 1,  # promotion 3, opened on 16 May 2018; the open call's dossier
        # manager assigned, form, team and mentors, pitch deck; then the 8 challenges that start
        # get their EIGs and their mentors confirmed
        AuditKind.DOSSIER_CHANGED: 17 * 4 + 8 + 4,  # the open call's dossier: 4 sittings
        # Karfu’R sent back for corrections, and corrected; the open call's dossier submitted, sent back
        AuditKind.TRANSITION: 77 + 2 + 2,
        AuditKind.IMPORTED: 22,  # promotions 1 and 2, completed
        AuditKind.INVITATION_SENT: 4,  # a jury member, a mentor, two contacts (one revoked)
        AuditKind.INVITATION_REVOKED: 1,
        AuditKind.MESSAGE_POSTED: 2,  # LexImpact's conversation: a question, its answer
        AuditKind.NOTE_ADDED: 1,
    }

    lexi = Challenge.objects.get(name="LexImpact")
    trail = [
        (event.transition, event.actor_label, event.created_at)
        for event in lexi.audit_events.filter(kind=AuditKind.TRANSITION)
    ]
    assert trail == [
        ("submit", "Dominique Renard (contact-dinum)", dt.datetime(2018, 6, 13, 11, 15, tzinfo=UTC)),
        ("preselect", "Camille Lambert (gestionnaire)", dt.datetime(2018, 6, 27, 9, 40, tzinfo=UTC)),
        ("pitch", "Camille Lambert (gestionnaire)", dt.datetime(2018, 7, 3, 10, 30, tzinfo=UTC)),
        ("select", "Camille Lambert (gestionnaire)", dt.datetime(2018, 7, 13, 10, 40, tzinfo=UTC)),
        ("open_recruitment", "système", dt.datetime(2018, 9, 13, 8, 10, tzinfo=UTC)),
        ("start", "Camille Lambert (gestionnaire)", dt.datetime(2019, 1, 14, 9, 40, tzinfo=UTC)),
        ("complete", "Camille Lambert (gestionnaire)", dt.datetime(2019, 11, 15, 10, 40, tzinfo=UTC)),
    ]
    assert lexi.created_at == dt.datetime(2018, 5, 16, 7, 30, tzinfo=UTC)
    assert lexi.state_changed_at == dt.datetime(2019, 11, 15, 10, 40, tzinfo=UTC)
    withdrawn = AuditEvent.objects.get(transition="withdraw")
    assert (withdrawn.actor.username, withdrawn.from_state) == ("contact-chu-valmont", S.PRESELECTED)
    deadline = Call.objects.get(promotion__number=3).submission_deadline
    submitted = AuditEvent.objects.filter(transition="submit", challenge__promotion__number=3)
    assert all(event.created_at < deadline for event in submitted)
    assert all(event.reason for event in AuditEvent.objects.filter(kind=AuditKind.TRANSITION))
    history = AuditEvent.objects.filter(kind=AuditKind.IMPORTED)
    assert set(history.values_list("to_state", flat=True)) == {S.COMPLETED}


def test_promotion_3_challenges_are_complete_dossiers(loaded):
    call = Call.objects.get(promotion__number=3)
    challenges = Challenge.objects.filter(promotion__number=3).select_related(
        "administration", "promotion__call"
    )
    committed = Decimal("0")
    for challenge in challenges:
        assert dossier_problems(challenge) == [], challenge.name
        assert challenge.pitch_deck_pages == 8
        positions = list(challenge.eig_positions.all())
        assert 2 <= len(positions) <= 3
        assert all(position.mission and position.expertise for position in positions)
        assert challenge.team_members.count() in (1, 2)
        simulation = financing.simulate(challenge)
        assert financing.employer_cost_warning(simulation, call.employer_cost_tolerance) is None
        if financing.eligibility(challenge).eligible:
            assert challenge.cofinancing_requested
            assert challenge.cofinancing_amount == financing.euros(
                challenge.total_employer_cost * Decimal("0.70")
            )
        else:
            assert (challenge.cofinancing_requested, challenge.cofinancing_amount) == (False, None)
        if challenge.state in S.committed() and challenge.cofinancing_requested:
            committed += challenge.cofinancing_amount
        started = challenge.state in (S.RUNNING, S.COMPLETED)
        assert challenge.entrepreneurs.count() == (len(positions) if started else 0)
        assert challenge.mentors.filter(confirmed_at__isnull=False).count() == (2 if started else 0)
    assert committed <= call.cofinancing_envelope
    assert Challenge.objects.get(name="Plume").state == S.DRAFT

    # Every person is fictitious, with an example address.
    emails = [
        *Mentor.objects.values_list("email", flat=True),
        *Contact.objects.values_list("email", flat=True),
        *Entrepreneur.objects.values_list("email", flat=True),
    ]
    assert emails and all(email.endswith("@example.gouv.fr") for email in emails)
    assert len(set(emails)) == len(emails)
    assert set(Mentor.objects.values_list("role", flat=True)) == set(MentorRole.values)


def test_the_demo_manager_logs_into_the_admin_and_sees_the_challenges(loaded):
    assert (
        "Connexion : http://127.0.0.1:8000/ — identifiant gestionnaire, mot de passe demo-eig-2018" in loaded
    )
    client = sign_in("gestionnaire")

    response = client.get("/admin/lifecycle/challenge/")

    assert response.status_code == 200
    assert "LexImpact" in response.content.decode()
    for username in ["contact-dinum", "contact-chu-valmont", "auditeur"]:
        assert "_auth_user_id" in sign_in(username).session, username


def sign_in(username):
    """Through the sign-in page, as a person does (and as the sign-in throttling sees it)."""
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, username
    return client


def test_running_the_demo_again_changes_nothing(loaded):
    before = counts()

    out = demo()

    assert out.startswith("Démo déjà chargée")
    assert "identifiant gestionnaire, mot de passe demo-eig-2018" in out
    assert counts() == before
    assert audit.verify().intact


def test_the_demo_does_not_mix_with_another_promotion_3(db):
    ChallengeFactory(promotion=PromotionFactory(number=3))

    with pytest.raises(CommandError) as caught:
        demo()

    assert str(caught.value) == (
        "La promotion 3 contient déjà des défis qui ne viennent pas de la démo : "
        "chargez la démo dans une base sans promotion 3."
    )
    assert AuditEvent.objects.count() == 0
