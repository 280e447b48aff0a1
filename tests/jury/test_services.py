"""The jury's domain functions: planning without overlaps, conflicts enforced, grids audited,
the general grid's rules, the closing, and the selection's guard."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts import invitations
from accounts.enums import Role
from jury import services
from jury.enums import MemberKind
from jury.models import Conflict, JuryMember, Opinion, PitchSlot, Score
from jury.services import Mark, Verdict
from lifecycle import audit, clock, criteria, personal
from lifecycle import services as lifecycle
from lifecycle.enums import AuditKind, ChallengeState
from lifecycle.models import AuditEvent
from notifications.models import Notification
from tests.factories import (
    ChallengeFactory,
    PromotionFactory,
    administration_contact,
    heard,
    jury_member,
    pitch_slot,
    programme_manager,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return programme_manager(username="gestionnaire", first_name="Claire", last_name="Etalab")


@pytest.fixture
def promotion():
    return PromotionFactory()


@pytest.fixture
def jury(promotion):
    return services.jury_of(promotion)


def at(promotion, hour, minute=0, day=0):
    moment = dt.datetime.combine(
        promotion.call.jury_starts_on + dt.timedelta(days=day), dt.time(hour, minute)
    )
    return timezone.make_aware(moment)


def pitched(promotion, name):
    return ChallengeFactory(promotion=promotion, name=name, state=ChallengeState.PITCHED)


def messages(error) -> list[str]:
    return list(error.value.messages)


def marks(challenge, values, comment="Argumenté par le sous-jury."):
    return [
        Mark(criterion.pk, value, comment)
        for criterion, value in zip(criteria.of_call(challenge.promotion.call), values, strict=True)
    ]


# --- Members ---------------------------------------------------------------------------------


def test_a_manager_invites_a_member_who_takes_the_seat_when_accepting(
    jury, manager, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        member = services.invite_member(
            jury,
            email="ines.garnier@example.org",
            first_name="Inès",
            last_name="Garnier",
            kind=MemberKind.ENTREPRENEUR,
            organisation="Cofondatrice, Coopérative Numérique",
            by=manager,
        )
    assert (member.user, member.invitation.role) == (None, Role.JURY_MEMBER)
    body = smtp_server.messages[-1].get_content()
    token = re.search(r"/compte/invitation/(\S+)/", body).group(1)

    user = invitations.accept(token, password="Un-mot-de-passe-solide-2018")

    member.refresh_from_db()
    assert member.user == user
    assert list(services.seats_of(user)) == [member]
    event = AuditEvent.objects.get(kind=AuditKind.JURY_CHANGED, subject=f"jurymember:{member.pk}")
    assert event.changes["kind"] == [None, "entrepreneur"]
    assert event.changes["organisation"] == [None, "Cofondatrice, Coopérative Numérique"]


def test_a_member_of_last_years_jury_is_seated_at_once_and_other_roles_are_refused(jury, manager):
    former = jury_member(services.jury_of(PromotionFactory()), username="ancien")
    member = services.invite_member(
        jury,
        email=former.email,
        first_name="Dominique",
        last_name="Juré",
        kind=MemberKind.PUBLIC_AGENT,
        by=manager,
    )
    assert (member.user, member.invitation) == (former.user, None)

    with pytest.raises(ValidationError) as refused:
        services.invite_member(
            jury,
            email=manager.email,
            first_name="Claire",
            last_name="Etalab",
            kind="entrepreneur",
            by=manager,
        )
    assert messages(refused) == [
        "Cette adresse a déjà un compte, d’un autre rôle (Chargé·e de programme (Etalab)) : un membre du "
        "jury a un compte de membre du jury."
    ]
    with pytest.raises(ValidationError) as twice:
        services.invite_member(
            jury, email=former.email.upper(), first_name="D", last_name="J", kind="entrepreneur", by=manager
        )
    assert messages(twice) == ["Cette personne est déjà membre de ce jury."]


def test_only_a_manager_organises_the_jury(jury, promotion):
    contact = administration_contact(ChallengeFactory(promotion=promotion).administration)
    with pytest.raises(PermissionDenied):
        services.create_sub_jury(jury, name="Sous-jury 1", by=contact)
    with pytest.raises(PermissionDenied):
        services.invite_member(
            jury, email="x@example.org", first_name="X", last_name="Y", kind="entrepreneur", by=contact
        )


# --- Pitch slots -----------------------------------------------------------------------------


def test_a_slot_is_planned_within_the_jury_days_and_announced_with_its_invitation(jury, promotion, manager):
    challenge = pitched(promotion, "Signaux faibles")
    sub_jury = services.create_sub_jury(jury, name="Sous-jury 1", by=manager)

    slot = services.plan_slot(
        challenge,
        sub_jury=sub_jury,
        starts_at=at(promotion, 10),
        ends_at=at(promotion, 10, 40),
        place="Salle Lamartine",
        by=manager,
    )

    event = AuditEvent.objects.get(kind=AuditKind.SLOT_PLANNED)
    assert (event.challenge, event.subject) == (challenge, f"pitchslot:{slot.pk}")
    assert event.changes["place"] == [None, "Salle Lamartine"]
    notes = Notification.objects.filter(event="pitch_slot_planned").order_by("recipient_email")
    assert [note.recipient_email for note in notes] == [
        "alix.durand@example.gouv.fr",
        "entrepreneur-interet-general@data.gouv.fr",  # the programme's team, in copy
        "sacha.lefevre@example.gouv.fr",
    ]
    assert {note.attachment_name for note in notes} == {f"audition-jury-eig-{challenge.pk}.ics"}
    assert b"LOCATION:Salle Lamartine" in bytes(notes[0].attachment)


@pytest.mark.parametrize(
    ("starts", "ends", "place", "expected"),
    [
        ((10, 0, -1), (10, 40, -1), "Salle", "L’audition a lieu pendant les jours du jury"),
        ((10, 0, 3), (10, 40, 3), "Salle", "L’audition a lieu pendant les jours du jury"),
        ((10, 40, 0), (10, 0, 0), "Salle", "L’audition finit après son début."),
        ((10, 0, 0), (10, 40, 0), "", "Indiquez la salle ou le lien de visioconférence de l’audition."),
    ],
)
def test_a_slot_outside_the_jury_days_backwards_or_nowhere_is_refused(
    jury, promotion, manager, starts, ends, place, expected
):
    sub_jury = services.create_sub_jury(jury, name="Sous-jury 1", by=manager)
    with pytest.raises(ValidationError) as refused:
        services.plan_slot(
            pitched(promotion, "Défi"),
            sub_jury=sub_jury,
            starts_at=at(promotion, starts[0], starts[1], day=starts[2]),
            ends_at=at(promotion, ends[0], ends[1], day=ends[2]),
            place=place,
            by=manager,
        )
    assert messages(refused)[0].startswith(expected)
    assert not PitchSlot.objects.exists()


def test_a_sub_jury_never_hears_two_challenges_at_once(jury, promotion, manager):
    sub_jury = services.create_sub_jury(jury, name="Sous-jury 1", by=manager)
    first = pitched(promotion, "Premier")
    services.plan_slot(
        first,
        sub_jury=sub_jury,
        starts_at=at(promotion, 10),
        ends_at=at(promotion, 10, 40),
        place="Salle",
        by=manager,
    )

    with pytest.raises(ValidationError) as refused:
        services.plan_slot(
            pitched(promotion, "Second"),
            sub_jury=sub_jury,
            starts_at=at(promotion, 10, 30),
            ends_at=at(promotion, 11, 10),
            place="Salle",
            by=manager,
        )
    day = timezone.localtime(at(promotion, 10)).strftime("%-d")
    assert len(messages(refused)) == 1
    assert messages(refused)[0].startswith("Le Sous-jury 1 entend déjà « Premier » (")
    assert day in messages(refused)[0]
    # Back to back is not an overlap.
    services.plan_slot(
        pitched(promotion, "Troisième"),
        sub_jury=sub_jury,
        starts_at=at(promotion, 10, 40),
        ends_at=at(promotion, 11, 20),
        place="Salle",
        by=manager,
    )
    assert PitchSlot.objects.count() == 2


def test_a_member_in_two_sub_juries_never_hears_two_challenges_at_once(jury, promotion, manager):
    member = jury_member(jury, first_name="Malo", last_name="Perrin")
    morning, other = (
        services.create_sub_jury(jury, name=name, by=manager) for name in ("Sous-jury 1", "Sous-jury 2")
    )
    services.set_members(morning, [member], by=manager)
    services.set_members(other, [member], by=manager)
    services.plan_slot(
        pitched(promotion, "Premier"),
        sub_jury=morning,
        starts_at=at(promotion, 10),
        ends_at=at(promotion, 10, 40),
        place="A",
        by=manager,
    )

    with pytest.raises(ValidationError) as refused:
        services.plan_slot(
            pitched(promotion, "Second"),
            sub_jury=other,
            starts_at=at(promotion, 10, 20),
            ends_at=at(promotion, 11),
            place="B",
            by=manager,
        )
    assert messages(refused)[0].startswith("Malo Perrin entend « Premier » (")
    assert messages(refused)[0].endswith(") avec le Sous-jury 1 à ce moment.")


def test_only_a_pitched_challenge_of_the_jurys_promotion_has_a_slot(jury, promotion, manager):
    sub_jury = services.create_sub_jury(jury, name="Sous-jury 1", by=manager)
    preselected = ChallengeFactory(promotion=promotion, state=ChallengeState.PRESELECTED)
    with pytest.raises(ValidationError) as refused:
        services.plan_slot(
            preselected,
            sub_jury=sub_jury,
            starts_at=at(promotion, 10),
            ends_at=at(promotion, 11),
            place="A",
            by=manager,
        )
    assert messages(refused) == [
        "Seul un défi invité à pitcher a une audition (celui-ci est « Présélectionné »)."
    ]
    elsewhere = ChallengeFactory(state=ChallengeState.PITCHED)
    with pytest.raises(ValidationError) as refused:
        services.plan_slot(
            elsewhere,
            sub_jury=sub_jury,
            starts_at=at(promotion, 10),
            ends_at=at(promotion, 11),
            place="A",
            by=manager,
        )
    assert messages(refused) == ["Ce défi n’est pas de la promotion de ce jury."]


# --- Conflicts of interest -------------------------------------------------------------------


def test_a_conflicted_member_is_never_assigned_to_the_sub_jury_hearing_the_challenge(
    jury, promotion, manager
):
    challenge = pitched(promotion, "Data santé")
    member = jury_member(jury, first_name="Lina", last_name="Roux")
    services.declare_conflict(
        member, challenge, reason="J’ai travaillé pour cette direction.", by=member.user
    )
    sub_jury = services.create_sub_jury(jury, name="Sous-jury 1", by=manager)
    services.plan_slot(
        challenge,
        sub_jury=sub_jury,
        starts_at=at(promotion, 10),
        ends_at=at(promotion, 11),
        place="A",
        by=manager,
    )

    with pytest.raises(ValidationError) as refused:
        services.set_members(sub_jury, [member], by=manager)

    assert messages(refused) == [
        "Lina Roux a déclaré un conflit d’intérêts avec « Data santé », que ce sous-jury entend."
    ]
    assert list(sub_jury.members.all()) == []


def test_a_sub_jury_with_a_conflicted_member_is_never_given_the_challenge(jury, promotion, manager):
    challenge = pitched(promotion, "Data santé")
    member = jury_member(jury, first_name="Lina", last_name="Roux")
    sub_jury = services.create_sub_jury(jury, name="Sous-jury 1", by=manager)
    services.set_members(sub_jury, [member], by=manager)
    services.declare_conflict(member, challenge, reason="Ancienne collègue du mentor.", by=manager)

    with pytest.raises(ValidationError) as refused:
        services.plan_slot(
            challenge,
            sub_jury=sub_jury,
            starts_at=at(promotion, 10),
            ends_at=at(promotion, 11),
            place="A",
            by=manager,
        )
    assert messages(refused) == [
        "Lina Roux, membre du Sous-jury 1, a déclaré un conflit d’intérêts avec ce défi."
    ]


def test_a_conflict_declared_after_the_assignment_takes_the_member_off_that_challenge(
    jury, promotion, manager
):
    challenge, other = pitched(promotion, "Data santé"), pitched(promotion, "Cartographie")
    member, colleague = jury_member(jury, username="lina"), jury_member(jury, username="malo")
    sub_jury = services.create_sub_jury(jury, name="Sous-jury 1", by=manager)
    services.set_members(sub_jury, [member, colleague], by=manager)
    for hour, case in ((10, challenge), (11, other)):
        services.plan_slot(
            case,
            sub_jury=sub_jury,
            starts_at=at(promotion, hour),
            ends_at=at(promotion, hour, 40),
            place="A",
            by=manager,
        )
    assert services.can_read(member.user, challenge)

    services.declare_conflict(member, challenge, reason="Mon conjoint porte ce défi.", by=member.user)

    assert [slot.challenge for slot in services.slots_heard_by(member)] == [other]
    assert not services.can_read(member.user, challenge)
    assert services.can_read(colleague.user, challenge)
    with clock.at(at(promotion, 10, 45)), pytest.raises(PermissionDenied):
        services.save_grid(challenge, marks(challenge, [3, 3, 3, 3, 3]), by=member.user)
    event = AuditEvent.objects.get(kind=AuditKind.CONFLICT_DECLARED)
    assert (event.challenge, event.reason, event.actor) == (
        challenge,
        "Mon conjoint porte ce défi.",
        member.user,
    )


def test_a_member_declares_only_their_own_conflicts_once_with_a_reason(jury, promotion):
    challenge = pitched(promotion, "Data santé")
    member, other = jury_member(jury, username="lina"), jury_member(jury, username="malo")
    with pytest.raises(PermissionDenied):
        services.declare_conflict(member, challenge, reason="Pour elle.", by=other.user)
    with pytest.raises(ValidationError) as empty:
        services.declare_conflict(member, challenge, reason="  ", by=member.user)
    assert messages(empty) == ["Dites en quelques mots la nature du conflit d’intérêts."]
    services.declare_conflict(member, challenge, reason="Ancien poste.", by=member.user)
    with pytest.raises(ValidationError) as twice:
        services.declare_conflict(member, challenge, reason="Ancien poste.", by=member.user)
    assert messages(twice) == ["Ce conflit d’intérêts est déjà déclaré."]
    assert Conflict.objects.count() == 1


def test_only_the_members_hearing_a_challenge_read_it(jury, promotion, manager):
    challenge = pitched(promotion, "Data santé")
    hearing, elsewhere = jury_member(jury, username="lina"), jury_member(jury, username="malo")
    sub_jury = services.create_sub_jury(jury, name="Sous-jury 1", by=manager)
    services.set_members(sub_jury, [hearing], by=manager)
    pitch_slot(challenge, sub_jury=sub_jury)
    contact = administration_contact(challenge.administration)

    assert [
        services.can_read(person, challenge) for person in (hearing.user, elsewhere.user, manager, contact)
    ] == [
        True,
        False,
        True,
        False,
    ]


# --- The collective grid ---------------------------------------------------------------------


@pytest.fixture
def hearing(jury, promotion, manager):
    challenge = pitched(promotion, "Signaux faibles")
    member = jury_member(jury, first_name="Lina", last_name="Roux")
    sub_jury = services.create_sub_jury(jury, name="Sous-jury 1", by=manager)
    services.set_members(sub_jury, [member], by=manager)
    pitch_slot(challenge, sub_jury=sub_jury, starts_at=at(promotion, 10))
    return challenge, member


def test_the_grid_is_scored_after_the_audition_starts_and_each_change_is_audited(hearing, promotion):
    challenge, member = hearing
    with clock.at(at(promotion, 9, 59)), pytest.raises(ValidationError) as early:
        services.save_grid(challenge, marks(challenge, [3, 3, 3, 3, 3]), by=member.user)
    assert messages(early)[0].startswith("L’audition commence le ")

    with clock.at(at(promotion, 10, 35)):
        services.save_grid(challenge, marks(challenge, [4, 3, 3, 2, 4]), by=member.user)
        grid = marks(challenge, [4, 3, 3, 2, 4])
        grid[3] = Mark(grid[3].criterion_id, 3, "Périmètre précisé pendant l’audition.")
        services.save_grid(challenge, grid, by=member.user)

    assert services.missing_criteria(challenge) == []
    assert sorted(Score.objects.values_list("value", flat=True)) == [3, 3, 3, 4, 4]
    events = list(AuditEvent.objects.filter(kind=AuditKind.SCORE_GIVEN).order_by("pk"))
    assert len(events) == 6  # five new scores, then one changed
    fourth = criteria.of_call(promotion.call)[3]
    assert events[-1].changes == {
        "value": [2, 3],
        "comment": ["Argumenté par le sous-jury.", "Périmètre précisé pendant l’audition."],
    }
    assert events[3].changes == {
        "criterion": [None, fourth.name],
        "value": [None, 2],
        "comment": [None, "Argumenté par le sous-jury."],
    }
    assert {event.actor for event in events} == {member.user}
    assert audit.verify().intact


def test_a_score_off_the_scale_or_without_comment_is_refused_whole(hearing, promotion):
    challenge, member = hearing
    grid = marks(challenge, [3, 3, 3, 3, 3])
    grid[0] = Mark(grid[0].criterion_id, 5, "Trop")
    grid[1] = Mark(grid[1].criterion_id, 2, " ")
    with clock.at(at(promotion, 10, 35)), pytest.raises(ValidationError) as refused:
        services.save_grid(challenge, grid, by=member.user)
    names = [criterion.name for criterion in criteria.of_call(promotion.call)]
    assert messages(refused) == [
        f"« {names[0]} » : une note de 1 à 4.",
        f"« {names[1]} » : un commentaire accompagne la note.",
    ]
    assert not Score.objects.exists()


def test_the_scale_is_the_calls(hearing, promotion, manager):
    challenge, member = hearing
    promotion.call.jury_scale = "Faible\nMoyen\nBon\nTrès bon\nRemarquable"
    promotion.call.save()
    challenge.promotion.call.refresh_from_db()
    with clock.at(at(promotion, 10, 35)):
        services.save_grid(challenge, marks(challenge, [5, 5, 5, 5, 5]), by=member.user)
    assert criteria.scale(promotion.call)[-1] == (5, "Remarquable")


def test_a_criterion_given_twice_is_refused(hearing, promotion):
    challenge, member = hearing
    grid = marks(challenge, [3, 3, 3, 3, 3])
    with clock.at(at(promotion, 10, 35)), pytest.raises(ValidationError) as refused:
        services.save_grid(challenge, [*grid, Mark(grid[0].criterion_id, 4, "Encore")], by=member.user)
    assert messages(refused) == ["Chaque critère est noté une seule fois dans la grille."]
    assert not Score.objects.exists()


def test_a_member_of_another_sub_jury_never_scores(hearing, jury, promotion):
    challenge, _member = hearing
    outsider = jury_member(jury, username="ailleurs")
    with clock.at(at(promotion, 10, 35)), pytest.raises(PermissionDenied):
        services.save_grid(challenge, marks(challenge, [3, 3, 3, 3, 3]), by=outsider.user)


# --- The general grid ------------------------------------------------------------------------


@pytest.fixture
def two_heard(jury, promotion, manager):
    first, second = pitched(promotion, "Premier"), pitched(promotion, "Second")
    member = jury_member(jury, first_name="Lina", last_name="Roux")
    sub_jury = services.create_sub_jury(jury, name="Sous-jury 1", by=manager)
    services.set_members(sub_jury, [member], by=manager)
    pitch_slot(first, sub_jury=sub_jury, starts_at=at(promotion, 10))
    pitch_slot(second, sub_jury=sub_jury, starts_at=at(promotion, 11))
    return first, second, member


def test_the_general_grid_opens_after_the_members_last_audition(two_heard, promotion):
    first, second, member = two_heard
    verdicts = [Verdict(first.pk, True, 1, "Impact fort."), Verdict(second.pk, False, 2, "Trop large.")]
    assert services.general_grid_opens_at(member) == at(promotion, 11, 40)
    with clock.at(at(promotion, 11, 39)), pytest.raises(ValidationError) as early:
        services.save_general_grid(member, verdicts, by=member.user)
    assert messages(early)[0].startswith("La grille générale s’ouvre après votre dernière audition, le ")

    with clock.at(at(promotion, 11, 45)):
        services.save_general_grid(member, verdicts, by=member.user)

    assert list(Opinion.objects.values_list("challenge__name", "favourable", "preference")) == [
        ("Premier", True, 1),
        ("Second", False, 2),
    ]
    event = AuditEvent.objects.filter(kind=AuditKind.OPINION_GIVEN, challenge=second).get()
    assert event.changes == {
        "favourable": [None, False],
        "preference": [None, 2],
        "explanation": [None, "Trop large."],
        "favourite": [None, False],
    }


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        (
            [(True, 1, "Oui", False), (True, 1, "Oui", False)],
            ["Classez les défis de 1 (votre préféré) à 2, chaque rang une seule fois."],
        ),
        ([(True, 1, "Oui", True), (True, 2, "Oui", True)], ["Un seul coup de cœur par membre."]),
        (
            [(True, 1, "Oui", False), (False, 2, "Non", True)],
            ["« Second » : un coup de cœur est un avis favorable."],
        ),
        (
            [(None, 1, "", False), (True, 2, "Oui", False)],
            [
                "« Premier » : avis favorable ou défavorable ?",
                "« Premier » : expliquez brièvement votre avis.",
            ],
        ),
        (
            [(True, 1, "Oui", False)],
            [
                "La grille générale donne un avis sur chacun des défis que vous avez entendus, et eux seuls.",
                "Classez les défis de 1 (votre préféré) à 2, chaque rang une seule fois.",
            ],
        ),
    ],
)
def test_the_general_grid_is_refused_whole_with_its_reasons(two_heard, promotion, verdicts, expected):
    first, second, member = two_heard
    given = [
        Verdict(case.pk, favourable, preference, explanation, favourite)
        for case, (favourable, preference, explanation, favourite) in zip(
            (first, second), verdicts, strict=False
        )
    ]
    with clock.at(at(promotion, 12)), pytest.raises(ValidationError) as refused:
        services.save_general_grid(member, given, by=member.user)
    assert messages(refused) == expected
    assert not Opinion.objects.exists()


def test_an_opinion_given_before_a_conflict_no_longer_counts_and_goes_at_the_next_grid(
    two_heard, promotion, manager
):
    first, second, member = two_heard
    verdicts = [Verdict(first.pk, True, 1, "Impact fort."), Verdict(second.pk, True, 2, "Solide.")]
    with clock.at(at(promotion, 12)):
        services.save_general_grid(member, verdicts, by=member.user)
        services.declare_conflict(member, second, reason="Découvert après l’audition.", by=member.user)
    assert list(services.counted_opinions().values_list("challenge__name", flat=True)) == ["Premier"]

    with clock.at(at(promotion, 12, 30)):
        services.save_general_grid(member, [Verdict(first.pk, True, 1, "Impact fort.")], by=member.user)

    assert list(Opinion.objects.values_list("challenge__name", flat=True)) == ["Premier"]
    gone = AuditEvent.objects.filter(kind=AuditKind.OPINION_GIVEN, challenge=second).latest("id")
    assert gone.changes == {
        "favourable": [True, None],
        "preference": [2, None],
        "explanation": ["Solide.", None],
        "favourite": [False, None],
    }


def test_each_member_fills_their_own_general_grid(two_heard, jury, promotion, manager):
    first, second, member = two_heard
    verdicts = [Verdict(first.pk, True, 1, "Oui"), Verdict(second.pk, True, 2, "Oui")]
    with clock.at(at(promotion, 12)):
        for someone in (manager, jury_member(jury, username="autre").user):
            with pytest.raises(PermissionDenied):
                services.save_general_grid(member, verdicts, by=someone)


# --- Closing ---------------------------------------------------------------------------------


def test_closing_needs_every_collective_grid_and_then_nothing_changes(hearing, jury, promotion, manager):
    challenge, member = hearing
    with pytest.raises(ValidationError) as incomplete:
        services.close(jury, by=manager)
    assert messages(incomplete) == ["Des grilles collectives sont incomplètes : « Signaux faibles »."]

    with clock.at(at(promotion, 10, 35)):
        services.save_grid(challenge, marks(challenge, [3, 4, 3, 3, 4]), by=member.user)
    with clock.at(at(promotion, 18)):
        services.close(jury, by=manager)

    jury.refresh_from_db()
    assert (jury.closed_at, jury.closed_by) == (at(promotion, 18), manager)
    event = AuditEvent.objects.get(kind=AuditKind.JURY_CLOSED)
    assert event.changes == {"closed_at": [None, "2" + event.changes["closed_at"][1][1:]]}
    assert event.reason == (
        "Auditions : 1, grilles collectives toutes complètes ; grilles générales données : 0 sur 1."
    )
    day = timezone.localtime(at(promotion, 18))
    closed = f"Le jury est clos depuis le {day.day} "
    for attempt in (
        lambda: services.save_grid(challenge, marks(challenge, [1, 1, 1, 1, 1]), by=member.user),
        lambda: services.declare_conflict(member, challenge, reason="Tard.", by=member.user),
        lambda: services.create_sub_jury(jury, name="Sous-jury 9", by=manager),
        lambda: services.set_members(challenge.pitch_slot.sub_jury, [], by=manager),
        lambda: services.plan_slot(
            challenge,
            sub_jury=challenge.pitch_slot.sub_jury,
            starts_at=at(promotion, 14),
            ends_at=at(promotion, 14, 40),
            place="Salle",
            by=manager,
        ),
        lambda: services.cancel_slot(challenge.pitch_slot, by=manager),
        lambda: services.invite_member(
            jury, email="tard@example.org", first_name="T", last_name="A", kind="entrepreneur", by=manager
        ),
        lambda: services.save_general_grid(member, [Verdict(challenge.pk, True, 1, "Tard.")], by=member.user),
        lambda: services.close(jury, by=manager),
    ):
        with clock.at(at(promotion, 19)), pytest.raises(ValidationError) as refused:
            attempt()
        assert messages(refused)[0].startswith(closed)
    assert sorted(Score.objects.values_list("value", flat=True)) == [3, 3, 3, 4, 4]
    assert (PitchSlot.objects.count(), Opinion.objects.count(), JuryMember.objects.count()) == (1, 0, 1)


# --- The selection's guard -------------------------------------------------------------------


def test_select_requires_the_complete_collective_grid(promotion, manager):
    challenge = pitched(promotion, "Signaux faibles")
    with pytest.raises(lifecycle.TransitionRefused) as unheard:
        lifecycle.transition(challenge, "select", by=manager, reason="Retenu.")
    assert unheard.value.reasons == [
        "Le défi n’a pas été auditionné par un sous-jury : sa grille collective est vide."
    ]
    heard(challenge)
    Score.objects.filter(challenge=challenge, criterion__rank__in=[2, 5]).delete()
    names = [criterion.name for criterion in criteria.of_call(promotion.call)]
    with pytest.raises(lifecycle.TransitionRefused) as partial:
        lifecycle.transition(challenge, "select", by=manager, reason="Retenu.")
    assert partial.value.reasons == [
        f"La grille collective du jury n’est pas complète : il manque « {names[1]} », « {names[4]} »."
    ]

    heard(challenge)
    lifecycle.transition(challenge, "select", by=manager, reason="Retenu.")
    assert challenge.state == ChallengeState.SELECTED
    # Not selecting needs no grid: the jury may leave a challenge aside.
    other = pitched(promotion, "Autre")
    lifecycle.transition(other, "not_select", by=manager, reason="Non retenu.")
    assert other.state == ChallengeState.NOT_SELECTED


def test_a_new_call_scores_on_the_five_criteria_of_2018_weighing_one_each(promotion):
    assert [(criterion.name, criterion.weight) for criterion in criteria.of_call(promotion.call)] == [
        (name, Decimal("1")) for name, _description in criteria.DEFAULT_CRITERIA
    ]
    assert criteria.scale(promotion.call) == [
        (1, "Pas du tout satisfaisant"),
        (2, "Peu satisfaisant"),
        (3, "Satisfaisant"),
        (4, "Excellent"),
    ]
    assert JuryMember.objects.count() == 0
    assert reverse("jury:overview") == "/gestion/jury/"


def test_a_closed_jurys_criteria_and_scale_no_longer_change(hearing, jury, promotion, manager):
    challenge, member = hearing
    with clock.at(at(promotion, 10, 35)):
        services.save_grid(challenge, marks(challenge, [3, 4, 3, 3, 4]), by=member.user)
    services.close(jury, by=manager)
    call = promotion.call
    rows = [(c.name, c.description, c.weight, c.pk) for c in criteria.of_call(call)]
    frozen = "Le jury de cette promotion est clos : ses critères et son barème ne changent plus."

    for changed in (
        [(*rows[0][:2], Decimal("2"), rows[0][3]), *rows[1:]],  # a weight
        [*rows, ("Nouveau critère", "", 1, None)],  # one more
        rows[1:],  # one less
    ):
        with pytest.raises(ValidationError) as refused:
            criteria.set_criteria(call, changed, by=manager)
        assert messages(refused) == [frozen]
    criteria.set_criteria(call, rows, by=manager)  # the same list changes nothing: accepted
    call.jury_scale = "Insuffisant\nMoyen\nBien\nTrès bien"
    with pytest.raises(ValidationError) as refused:
        call.full_clean()
    assert refused.value.message_dict["jury_scale"] == [frozen]
    assert [(c.name, c.weight) for c in criteria.of_call(call)] == [(row[0], row[2]) for row in rows]


def test_the_envelope_never_shrinks_below_what_selected_challenges_take(promotion, manager):
    challenge = pitched(promotion, "Signaux faibles")  # co-financing asked: 105 000 €
    heard(challenge)
    lifecycle.transition(challenge, "select", by=manager, reason="Retenu.")
    call = promotion.call
    call.cofinancing_envelope = Decimal("104999.99")
    with pytest.raises(ValidationError) as refused:
        call.full_clean()
    assert refused.value.message_dict["cofinancing_envelope"] == [
        "Les défis déjà sélectionnés engagent 105\xa0000,00 € : l’enveloppe ne peut être plus petite."
    ]
    call.cofinancing_envelope = Decimal("105000")
    call.full_clean()


def test_a_member_who_has_not_given_opinions_is_taken_off_the_jury(
    jury, promotion, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invited = services.invite_member(
            jury,
            email="erreur@example.org",
            first_name="Mauvaise",
            last_name="Adresse",
            kind="entrepreneur",
            by=manager,
        )
    sub_jury = services.create_sub_jury(jury, name="Sous-jury 1", by=manager)
    services.set_members(sub_jury, [invited], by=manager)
    pk = invited.pk

    services.remove_member(invited, by=manager)

    assert not JuryMember.objects.filter(pk=pk).exists()
    invited.invitation.refresh_from_db()
    assert invited.invitation.revoked_at is not None
    event = AuditEvent.objects.filter(kind=AuditKind.JURY_CHANGED, subject=f"jurymember:{pk}").latest("id")
    assert event.changes["sub_juries"] == [["Sous-jury 1"], None]
    # The address is the member's: kept apart from the chain, read back (docs/personal-data.md).
    assert event.changes["email"] == [{"personal": f"jurymember:{pk}"}, None]
    assert personal.changes_of(event)["email"] == ["erreur@example.org", None]


def test_a_member_whose_opinions_are_given_stays(two_heard, promotion, manager):
    first, second, member = two_heard
    verdicts = [Verdict(first.pk, True, 1, "Oui."), Verdict(second.pk, False, 2, "Non.")]
    with clock.at(at(promotion, 12)):
        services.save_general_grid(member, verdicts, by=member.user)
    with pytest.raises(ValidationError) as refused:
        services.remove_member(member, by=manager)
    assert messages(refused) == ["Lina Roux a donné sa grille générale : ses avis restent au jury."]
    assert JuryMember.objects.filter(pk=member.pk).exists()


def test_the_audition_is_announced_in_each_recipients_language(jury, promotion, manager):
    challenge = pitched(promotion, "Signaux faibles")
    contact = administration_contact(
        challenge.administration, username="contact-en", email="lou@example.gouv.fr"
    )
    contact.profile.language = "en"
    contact.profile.save()
    sub_jury = services.create_sub_jury(jury, name="Sous-jury 1", by=manager)
    slot = services.plan_slot(
        challenge,
        sub_jury=sub_jury,
        starts_at=at(promotion, 10),
        ends_at=at(promotion, 10, 40),
        place="Salle",
        by=manager,
    )

    day = timezone.localtime(slot.starts_at)
    english = Notification.objects.get(event="pitch_slot_planned", recipient_email="lou@example.gouv.fr")
    french = Notification.objects.get(
        event="pitch_slot_planned", recipient_email="alix.durand@example.gouv.fr"
    )
    assert f"{day:%A} {day.day} {day:%B} {day.year}, 10:00–10:40" in english.body
    assert english.subject.startswith("[EIG] Your audition before the jury: ")
    assert french.subject.startswith("[EIG] Votre audition devant le jury : ")
    assert f"{day.day} " in french.body and f"{day:%B}" not in french.body
