import datetime as dt
import io
import json
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from jury import guards, ranking, services
from jury.enums import MemberKind
from jury.models import Conflict, Jury, JuryMember, Opinion, PitchSlot, Score, SubJury
from lifecycle import audit, criteria, financing
from lifecycle.actors import shown_label
from lifecycle.dossier.rules import dossier_problems
from lifecycle.enums import AdministrationKind, AuditKind, ChallengeState, MentorRole, TransitionName
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
from notifications.enums import DeliveryStatus, MessageEvent
from notifications.models import Notification

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
            JuryMember,
            SubJury,
            PitchSlot,
            Conflict,
            Score,
            Opinion,
        ]
    }


def test_the_demo_shows_every_state_and_every_kind_of_administration(loaded):
    assert Counter(Challenge.objects.values_list("state", flat=True)) == {
        S.DRAFT: 1,
        S.SUBMITTED: 1 + 5,  # the open call's dossiers synced from démarches-simplifiées
        S.CORRECTIONS_REQUESTED: 1,  # the open call's dossier, sent back today
        S.PRESELECTED: 1,
        S.NOT_PRESELECTED: 1,
        S.PITCHED: 1,
        S.SELECTED: 1,
        S.NOT_SELECTED: 1,
        S.RECRUITING: 1 + 3,  # IA Flash; the open candidates' call's three
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
        (8, "EIG 8 (démo)", timezone.localdate().year, 3),  # the open candidates' call, from today
        # the open call, dated from today: a dossier filed here, 5 on démarches-simplifiées
        (9, "EIG 9 (démo)", timezone.localdate().year, 1 + 5),
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
        # the demo's accounts: manager, auditor, two contacts; and the 12 jury members'; the
        # candidates (26 in 2018, 3 in the open candidates' call) and IA Flash's mentor
        AuditKind.ROLE_CHANGED: 4 + 12 + 26 + 3 + 1,
        # Promotions 1 to 3 and their calls (6); the open call (9): its promotion and call, its
        # profiles (design renamed, two added), its two pay levels, DINUM's budget programme; the
        # open candidates' call (8): its promotion and call.
        AuditKind.SETTINGS_CHANGED: 15 + 2,
        AuditKind.CREATED: 17 + 1,  # promotion 3, opened on 16 May 2018; the open call's dossier
        # manager assigned, form, team and mentors, pitch deck; then the 8 challenges that start
        # get their EIGs and their mentors confirmed (the open call's dossier: 4 sittings); IA Flash
        # its mentors; Mobilités rurales' two accepted candidates become its EIGs when it starts;
        # the open candidates' call's 3: manager, 3 sittings, mentors confirmed
        AuditKind.DOSSIER_CHANGED: 17 * 4 + 8 + 4 + 1 + 2 + 3 * 5,
        # Karfu’R sent back for corrections, and corrected; the open call's dossier submitted, sent
        # back; the open candidates' call's 3 published
        AuditKind.TRANSITION: 77 + 2 + 2 + 3,
        AuditKind.IMPORTED: 22 + 3,  # promotions 1 and 2, completed; promotion 8's 3, selected
        # The candidates' calls (tests/demo/test_demo_candidates.py)
        AuditKind.CANDIDACY_CHANGED: 131,
        AuditKind.APPLICATION_MOVED: 131,
        AuditKind.INTERVIEW_PLANNED: 20,
        AuditKind.CANDIDATE_SCORED: 8,
        AuditKind.CANDIDATE_COMMENT: 5,
        AuditKind.CANDIDATE_ERASED: 1,  # the retention job of 3 June 2019
        AuditKind.INVITATION_SENT: 4,  # a jury member, a mentor, two contacts (one revoked)
        AuditKind.INVITATION_REVOKED: 1,
        AuditKind.MESSAGE_POSTED: 2,  # LexImpact's conversation: a question, its answer
        AuditKind.NOTE_ADDED: 1,
        # The jury of July 2018: 12 members seated, 4 sub-juries created and given their members
        AuditKind.JURY_CHANGED: 12 + 4 + 4,
        AuditKind.CONFLICT_DECLARED: 2,
        AuditKind.SLOT_PLANNED: 12,
        AuditKind.SCORE_GIVEN: 12 * 5 + 1,  # 12 collective grids of 5 criteria, one score revised
        AuditKind.OPINION_GIVEN: 12 * 3,  # each member's general grid: the 3 challenges heard
        AuditKind.JURY_CLOSED: 1,
        # The open call's démarche on démarches-simplifiées: added with its mapping, synced twice
        # (5 dossiers imported, one refused; then one accepted on DS, reported)
        AuditKind.DS_MAPPING_CHANGED: 1,
        AuditKind.DS_IMPORTED: 5,
        AuditKind.DS_SYNCED: 2,
        AuditKind.DS_UPDATED: 1,
        # The programme's webhook and contact-dinum's, registered before the open call's dossier
        AuditKind.WEBHOOK_CREATED: 2,
    }

    lexi = Challenge.objects.get(name="LexImpact")
    trail = [
        (event.transition, shown_label(event), event.created_at)
        for event in lexi.audit_events.filter(kind=AuditKind.TRANSITION)
    ]
    assert trail == [
        ("submit", "Dominique Renard (contact-dinum)", dt.datetime(2018, 6, 13, 11, 15, tzinfo=UTC)),
        ("preselect", "Camille Lambert (gestionnaire)", dt.datetime(2018, 6, 27, 9, 40, tzinfo=UTC)),
        # invited to pitch the day after the preselection, heard by the jury on 2 July
        ("pitch", "Camille Lambert (gestionnaire)", dt.datetime(2018, 6, 28, 8, 40, tzinfo=UTC)),
        ("select", "Camille Lambert (gestionnaire)", dt.datetime(2018, 7, 13, 10, 40, tzinfo=UTC)),
        ("open_recruitment", "système", dt.datetime(2018, 9, 13, 8, 10, tzinfo=UTC)),
        ("start", "Camille Lambert (gestionnaire)", dt.datetime(2019, 1, 14, 9, 40, tzinfo=UTC)),
        ("complete", "Camille Lambert (gestionnaire)", dt.datetime(2019, 11, 15, 10, 40, tzinfo=UTC)),
    ]
    assert lexi.created_at == dt.datetime(2018, 5, 16, 7, 30, tzinfo=UTC)
    assert lexi.state_changed_at == dt.datetime(2019, 11, 15, 10, 40, tzinfo=UTC)
    withdrawn = AuditEvent.objects.get(kind=AuditKind.TRANSITION, transition="withdraw")
    assert (withdrawn.actor.username, withdrawn.from_state) == ("contact-chu-valmont", S.PRESELECTED)
    deadline = Call.objects.get(promotion__number=3).submission_deadline
    submitted = AuditEvent.objects.filter(
        kind=AuditKind.TRANSITION, transition="submit", challenge__promotion__number=3
    )
    assert all(event.created_at < deadline for event in submitted)
    assert all(event.reason for event in AuditEvent.objects.filter(kind=AuditKind.TRANSITION))
    history = AuditEvent.objects.filter(kind=AuditKind.IMPORTED)
    # Past promotions' challenges imported completed; the open candidates' call's, selected.
    assert set(history.values_list("to_state", flat=True)) == {S.COMPLETED, S.SELECTED}


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
        # IA Flash's team is complete through the candidates' call: its mentors are confirmed too
        ready = started or challenge.name == "IA Flash"
        assert challenge.mentors.filter(confirmed_at__isnull=False).count() == (2 if ready else 0)
    assert committed <= call.cofinancing_envelope
    assert Challenge.objects.get(name="Plume").state == S.DRAFT

    # Every person is fictitious, with an example address.
    emails = [
        *Mentor.objects.values_list("email", flat=True),
        *Contact.objects.values_list("email", flat=True),
        *Entrepreneur.objects.values_list("email", flat=True),
    ]
    # (EIGs recruited through the candidates' call keep the private address they applied with)
    assert emails and all(email.endswith(("@example.gouv.fr", "@example.org")) for email in emails)
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
    for username in ["contact-dinum", "contact-chu-valmont", "auditeur", "jure"]:
        assert "_auth_user_id" in sign_in(username).session, username


def sign_in(username):
    """Through the sign-in page, as a person does (and as the sign-in throttling sees it)."""
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, username
    return client


def promotion_3_jury():
    return Jury.objects.select_related("promotion__call", "closed_by").get(promotion__number=3)


def pitched_names() -> set:
    """The challenges the replay invited to pitch (whatever came of them since)."""
    return set(
        AuditEvent.objects.filter(transition=TransitionName.PITCH).values_list("challenge__name", flat=True)
    )


MOBILITES = "Mobilités rurales (défi de démonstration)"


def test_the_2018_jury_is_mixed_and_hears_every_pitched_challenge_within_its_days(loaded):
    jury = promotion_3_jury()
    members = list(jury.members.select_related("user__profile"))

    assert len(members) == 12
    assert Counter(member.kind for member in members) == {
        MemberKind.ENTREPRENEUR: 6,
        MemberKind.PUBLIC_AGENT: 6,
    }
    assert all(member.organisation for member in members)
    assert all(member.email.endswith(("@example.org", "@example.gouv.fr")) for member in members)
    # Each seated with their account (an existing jury member's account is seated at once).
    assert all(member.user.profile.role == Role.JURY_MEMBER for member in members)
    assert all(member.invitation is None and member.user.email == member.email for member in members)
    assert [
        (sub_jury.name, sub_jury.members.count(), set(sub_jury.members.values_list("kind", flat=True)))
        for sub_jury in jury.sub_juries.all()
    ] == [(f"Sous-jury {number}", 3, set(MemberKind.values)) for number in (1, 2, 3, 4)]

    slots = list(PitchSlot.objects.filter(sub_jury__jury=jury).select_related("challenge", "sub_jury"))
    assert len(slots) == 12
    assert {slot.challenge.name for slot in slots} == pitched_names()
    assert Counter(slot.sub_jury.name for slot in slots) == {f"Sous-jury {n}": 3 for n in (1, 2, 3, 4)}
    assert {slot.ends_at - slot.starts_at for slot in slots} == {dt.timedelta(minutes=40)}
    assert {timezone.localdate(slot.starts_at) for slot in slots} == {
        dt.date(2018, 7, 2),
        dt.date(2018, 7, 3),
        dt.date(2018, 7, 4),
    }
    assert {slot.place for slot in slots} == {
        "Salle Lamartine, 20 avenue de Ségur, 75007 Paris",
        "Salle Condorcet, 20 avenue de Ségur, 75007 Paris",
    }
    assert [(slot.challenge.name, slot.video_link) for slot in slots if slot.video_link] == [
        (MOBILITES, "https://visio.example.gouv.fr/jury-eig3-mobilites-rurales")
    ]
    # Planned the afternoon of the invitations to pitch, each after its own.
    for slot in slots:
        [planned] = slot.challenge.audit_events.filter(kind=AuditKind.SLOT_PLANNED)
        invited = slot.challenge.audit_events.get(transition=TransitionName.PITCH)
        assert invited.created_at < planned.created_at < slot.starts_at, slot.challenge.name
        assert timezone.localdate(planned.created_at) == dt.date(2018, 6, 28)
    # The administrations are told through the outbox, each e-mail with its calendar invitation.
    mails = Notification.objects.filter(event=MessageEvent.PITCH_SLOT_PLANNED)
    assert set(mails.values_list("challenge__name", flat=True)) == pitched_names()
    assert {(mail.attachment_name, mail.attachment_type) for mail in mails} == {
        (f"audition-jury-eig-{slot.challenge_id}.ics", "text/calendar; method=REQUEST; charset=utf-8")
        for slot in slots
    }
    # The planning is one act: its e-mails wait in one review for the manager, as a move's do.
    assert set(mails.values_list("status", flat=True)) == {DeliveryStatus.HELD}
    [review] = {mail.batch for mail in mails}
    assert review.label == "Audition devant le jury planifiée — 12 défis — 28 juin 2018 15:00"


def test_two_conflicts_of_interest_keep_their_members_away_from_those_challenges(loaded):
    conflicts = Conflict.objects.select_related("member__user", "challenge", "declared_by")

    assert [
        (str(conflict.member), conflict.challenge.name, conflict.declared_by.username)
        for conflict in conflicts
    ] == [
        ("Youssef Amrani", MOBILITES, "youssef.amrani@example.org"),  # declared by the member
        ("Capucine Roche", "LexImpact", "gestionnaire"),  # recorded by the manager
    ]
    for conflict in conflicts:
        assert conflict.challenge not in [slot.challenge for slot in services.slots_heard_by(conflict.member)]
        assert not services.can_read(conflict.member.user, conflict.challenge)
        assert not conflict.member.sub_juries.filter(slots__challenge=conflict.challenge).exists()


def test_the_selections_rest_on_the_complete_grids_of_a_jury_closed_before_them(loaded):
    jury = promotion_3_jury()
    decisions = AuditEvent.objects.filter(
        challenge__promotion__number=3, transition__in=[TransitionName.SELECT, TransitionName.NOT_SELECT]
    ).select_related("challenge")

    assert len(decisions) == 11  # ten selected, DataReg not selected
    for decision in decisions:
        assert guards.grid_complete(decision.challenge, None) == [], decision.challenge.name
    # Open Justice, still pitched, was heard and its grid is complete too (the jury closes so only).
    open_justice = Challenge.objects.get(name="Open Justice")
    assert (open_justice.state, services.missing_criteria(open_justice)) == (S.PITCHED, [])
    figures = services.progress(jury)
    assert figures.slots == figures.grids_complete == 12
    assert Score.objects.filter(challenge__pitch_slot__sub_jury__jury=jury).count() == 12 * 5

    assert (jury.closed_at, jury.closed_by.username) == (
        dt.datetime(2018, 7, 4, 16, 30, tzinfo=UTC),  # 18:30 in Paris, the last jury day
        "gestionnaire",
    )
    closed = AuditEvent.objects.get(kind=AuditKind.JURY_CLOSED)
    assert closed.created_at == jury.closed_at < min(decision.created_at for decision in decisions)
    last_audition = PitchSlot.objects.filter(sub_jury__jury=jury).order_by("-ends_at").first()
    assert last_audition.ends_at < jury.closed_at
    with pytest.raises(ValidationError):
        services.check_open(jury)
    # Each collective grid was written during its audition's deliberation, each general grid
    # after the member's last audition.
    for score in Score.objects.select_related("challenge__pitch_slot"):
        slot = score.challenge.pitch_slot
        assert slot.starts_at < score.updated_at < jury.closed_at
    for opinion in Opinion.objects.select_related("member"):
        assert services.general_grid_opens_at(opinion.member) < opinion.updated_at < jury.closed_at
    # One score revised after the morning's auditions: audited with its old and new value.
    revised = AuditEvent.objects.filter(kind=AuditKind.SCORE_GIVEN, challenge=open_justice).last()
    assert (revised.actor.username, revised.created_at, revised.changes["value"]) == (
        "jure",
        dt.datetime(2018, 7, 2, 10, 40, tzinfo=UTC),
        [3, 2],
    )


def test_the_ranking_calibrates_the_lenient_sub_jury_and_shows_a_tie_and_a_split(loaded):
    jury = promotion_3_jury()

    rows = ranking.ranking(jury)

    assert [
        (
            row.position,
            row.challenge.name,
            row.sub_jury.name,
            row.total,
            row.calibrated,
            row.favourable,
            row.unfavourable,
            row.favourites,
            row.tied,
            row.disagreement,
        )
        for row in rows
    ] == [
        (1, "LexImpact", "Sous-jury 1", 17, Decimal("3.46"), 3, 0, 0, False, False),
        (2, "ADLER", "Sous-jury 2", 16, Decimal("3.46"), 3, 0, 0, False, False),
        (3, "CartoBio", "Sous-jury 3", 19, Decimal("3.37"), 3, 0, 1, True, False),
        (3, "Open Chronic", "Sous-jury 3", 19, Decimal("3.37"), 3, 0, 0, True, False),
        (5, "EIG Link", "Sous-jury 4", 16, Decimal("3.31"), 3, 0, 0, False, False),
        (6, "DataJust", "Sous-jury 1", 16, Decimal("3.26"), 3, 0, 0, False, False),
        (7, "ExploCode", "Sous-jury 2", 15, Decimal("3.26"), 3, 0, 0, False, False),
        (8, "IA Flash", "Sous-jury 3", 18, Decimal("3.17"), 3, 0, 0, False, False),
        (9, "CibNav", "Sous-jury 4", 15, Decimal("3.11"), 3, 0, 0, False, False),
        (10, MOBILITES, "Sous-jury 4", 14, Decimal("2.91"), 3, 0, 1, False, False),
        (11, "Open Justice", "Sous-jury 1", 13, Decimal("2.66"), 2, 1, 0, False, True),
        (12, "DataReg", "Sous-jury 2", 11, Decimal("2.46"), 0, 3, 0, False, False),
    ]
    # Sub-jury 3 scores systematically higher: its offset is taken off its raw scores.
    offsets = {row.sub_jury.name: row.offset.quantize(Decimal("0.01")) for row in rows}
    assert offsets == {
        "Sous-jury 1": Decimal("-0.06"),
        "Sous-jury 2": Decimal("-0.26"),
        "Sous-jury 3": Decimal("0.43"),
        "Sous-jury 4": Decimal("-0.11"),
    }
    assert [row.challenge.name for row in ranking.ranking(jury, order="brut")][:3] == [
        "CartoBio",
        "Open Chronic",
        "IA Flash",
    ]
    # The fates follow the grids: every selected challenge above the undecided and the refused one.
    totals = {row.challenge.name: row.total for row in rows}
    selected = [row.total for row in rows if row.challenge.state not in (S.PITCHED, S.NOT_SELECTED)]
    assert min(selected) > totals["Open Justice"] > totals["DataReg"]
    assert len(criteria.of_call(jury.promotion.call)) == 5


def test_the_demo_jury_member_signs_in_and_has_auditions_grids_and_a_general_grid(loaded):
    assert "  aussi : jure (membre du jury de l’EIG 3 (2018)), même mot de passe" in loaded
    user = get_user_model().objects.get(username="jure")
    assert sign_in("jure").session["_auth_user_id"] == str(user.pk)

    [member] = services.seats_of(user)

    assert (str(member), member.kind, [sub_jury.name for sub_jury in member.sub_juries.all()]) == (
        "Joséphine Lemaire",
        MemberKind.PUBLIC_AGENT,
        ["Sous-jury 1"],
    )
    assert [slot.challenge.name for slot in services.slots_heard_by(member)] == [
        "LexImpact",
        "DataJust",
        "Open Justice",
    ]
    # The sub-jury's rapporteur: she wrote its three collective grids.
    assert Score.objects.filter(updated_by=user).count() == 3 * 5
    assert list(
        Opinion.objects.filter(member=member).values_list("challenge__name", "favourable", "preference")
    ) == [("LexImpact", True, 1), ("DataJust", True, 2), ("Open Justice", False, 3)]
    # The other members' accounts have no password: each would sign in through their invitation.
    refused = Client().post(
        reverse("login"), {"username": "antoine.kessler@example.org", "password": PASSWORD}
    )
    assert (refused.status_code, "_auth_user_id" in refused.client.session) == (200, False)
    assert audit.verify().intact


def test_running_the_demo_again_changes_nothing(loaded):
    before = counts()

    out = demo()

    assert out.startswith("Démo déjà chargée")
    assert "identifiant gestionnaire, mot de passe demo-eig-2018" in out
    assert counts() == before
    assert audit.verify().intact


def test_the_demo_s_webhooks_heard_the_open_call_and_their_secret_is_handed_to_the_receiver(loaded, settings):
    from demo.loader import DEMO_DEAD_WEBHOOK_URL
    from webhooks.models import Webhook

    programme = Webhook.objects.get(url=settings.DEMO_WEBHOOK_URL)
    dinum = Webhook.objects.get(url=DEMO_DEAD_WEBHOOK_URL)

    assert (programme.owner.username, programme.administration) == ("gestionnaire", None)
    assert (dinum.owner.username, dinum.administration.name) == (
        "contact-dinum",
        "Direction interministérielle du numérique (DINUM)",
    )
    # The open call's dossier, DINUM's, submitted then sent back: both webhooks hear both moves.
    for hook in (programme, dinum):
        moves = [
            json.loads(body)["move"]["transition"] for body in hook.deliveries.values_list("body", flat=True)
        ]
        assert sorted(moves) == ["request_corrections", "submit"]
    assert settings.DEMO_WEBHOOK_SECRET_FILE.read_text().strip() == programme.secret
    assert settings.DEMO_WEBHOOK_SECRET_FILE.stat().st_mode & 0o777 == 0o600
    assert "Webhooks : /compte/webhooks/" in loaded
