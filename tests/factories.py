"""Test data builders. A ChallengeFactory challenge is a complete, submittable dossier."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.enums import Role
from accounts.models import Profile
from accounts.services import STAFF_ROLES
from demo.pdfs import blank_pdf
from lifecycle.enums import AdministrationKind, ContactRole, DefaultProfile, MentorRole
from lifecycle.models import (
    Administration,
    Call,
    Challenge,
    Contact,
    EigPosition,
    Entrepreneur,
    Mentor,
    Promotion,
    SelectionCriterion,
    TeamMember,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.gouv.fr")
    first_name = "Camille"
    last_name = "Martin"


def user_with_role(role: Role, administration=None, **kwargs):
    """A person with a role, as `accounts.services.set_role` leaves them, without its audit event
    (test data, not a decision): tests of the roles themselves call set_role."""
    user = UserFactory(is_staff=role in STAFF_ROLES, **kwargs)
    Profile.objects.create(user=user, role=role, administration=administration)
    return user


def programme_manager(**kwargs):
    return user_with_role(Role.PROGRAMME_MANAGER, **kwargs)


def administration_contact(administration, **kwargs):
    return user_with_role(Role.ADMINISTRATION_CONTACT, administration=administration, **kwargs)


class PromotionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Promotion
        skip_postgeneration_save = True
        django_get_or_create = ["number"]

    number = factory.Sequence(lambda n: 100 + n)
    name = factory.LazyAttribute(lambda promotion: f"EIG {promotion.number}")
    year = 2018
    call = factory.RelatedFactory("tests.factories.CallFactory", factory_related_name="promotion")


class CallFactory(factory.django.DjangoModelFactory):
    """A call whose deadline is still ahead and whose jury date is set."""

    class Meta:
        model = Call
        django_get_or_create = ["promotion"]

    promotion = factory.SubFactory(PromotionFactory, call=None)
    submission_deadline = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))
    jury_starts_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=45))
    jury_ends_on = factory.LazyAttribute(lambda call: call.jury_starts_on + dt.timedelta(days=2))


class AdministrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Administration
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Direction générale n°{n}")
    kind = AdministrationKind.MINISTRY


class ChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Challenge
        skip_postgeneration_save = True

    class Params:
        complete = factory.Trait()

    promotion = factory.SubFactory(PromotionFactory)
    administration = factory.SubFactory(AdministrationFactory)
    name = factory.Sequence(lambda n: f"Défi des données ouvertes n°{n}")
    address = "20 avenue de Ségur, 75007 Paris"
    problem = "Les données de l’administration sont dispersées et peu réutilisées."
    solution = "Une plateforme ouverte qui publie et documente les données."
    expected_benefits = "Des décisions éclairées et des données ouvertes par défaut."
    innovation_kinds = "Open data, science des données, design de service."
    progress = "Phase pilote : un prototype existe."
    technical_resources = "Postes de travail, accès aux serveurs, outils libres."
    datasets = "Base nationale des établissements."
    datasets_accessible = True
    sustainability_actions = "Une équipe interne reprendra l’outil."
    obstacles = "Accès aux données : convention signée en amont."
    motivation = "Faire entrer de nouvelles méthodes dans le service."
    attests_outside_walls = True
    attests_open_data_open_source = True
    attests_data_access = True
    cofinancing_requested = True
    total_employer_cost = Decimal("150000.00")
    cofinancing_amount = Decimal("105000.00")
    pitch_deck = factory.LazyFunction(lambda: ContentFile(blank_pdf(10), name="pitch.pdf"))
    pitch_deck_pages = 10

    @factory.post_generation
    def dossier_rows(challenge, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        EigPosition.objects.create(
            challenge=challenge,
            rank=1,
            mission="Construire l’API des données.",
            profile=DefaultProfile.DEVELOPMENT,
        )
        EigPosition.objects.create(
            challenge=challenge,
            rank=2,
            mission="Analyser les données de santé.",
            profile=DefaultProfile.DATA_SCIENCE,
        )
        TeamMember.objects.create(
            challenge=challenge,
            name="Dominique Bernard",
            function="Cheffe de bureau",
            status="Titulaire",
            involvement_percent=30,
            contribution="Pilotage métier",
        )
        Mentor.objects.create(
            challenge=challenge,
            role=MentorRole.OPERATIONAL,
            first_name="Alix",
            last_name="Durand",
            email="alix.durand@example.gouv.fr",
            phone="01 23 45 67 89",
        )
        Mentor.objects.create(
            challenge=challenge,
            role=MentorRole.STRATEGIC,
            first_name="Sacha",
            last_name="Lefèvre",
            email="sacha.lefevre@example.gouv.fr",
            phone="01 98 76 54 32",
        )
        Contact.objects.create(
            challenge=challenge,
            role=ContactRole.HR,
            first_name="Lou",
            last_name="Petit",
            email="lou.petit@example.gouv.fr",
        )


class EntrepreneurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entrepreneur

    challenge = factory.SubFactory(ChallengeFactory)
    first_name = "Noé"
    last_name = factory.Sequence(lambda n: f"Recrue{n}")
    profile = DefaultProfile.DEVELOPMENT


# The jury ------------------------------------------------------------------------------------


def jury_member(jury, *, first_name="Dominique", last_name="Juré", kind=None, **user_kwargs):
    """A seated jury member with their account (test data: `jury.services.invite_member` is
    what a manager calls)."""
    from jury.enums import MemberKind
    from jury.models import JuryMember

    user = user_with_role(Role.JURY_MEMBER, first_name=first_name, last_name=last_name, **user_kwargs)
    return JuryMember.objects.create(
        jury=jury,
        user=user,
        first_name=first_name,
        last_name=last_name,
        email=user.email,
        kind=kind or MemberKind.ENTREPRENEUR,
    )


def pitch_slot(challenge, *, sub_jury=None, starts_at=None, minutes=40, place="Salle Lamartine"):
    """A slot for `challenge` on the first jury day (test data, no e-mail nor audit event: tests of
    the planning itself call `jury.services.plan_slot`). Slots of one sub-jury follow each other."""
    from jury.models import PitchSlot, SubJury
    from jury.services import jury_of

    jury = jury_of(challenge.promotion)
    sub_jury = sub_jury or SubJury.objects.get_or_create(jury=jury, name="Sous-jury 1")[0]
    if starts_at is None:
        day = challenge.promotion.call.jury_starts_on
        first = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
        starts_at = first + dt.timedelta(minutes=45 * sub_jury.slots.count())
    return PitchSlot.objects.create(
        challenge=challenge,
        sub_jury=sub_jury,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=minutes),
        place=place,
    )


def two_criteria(call):
    """The call's grid cut to two criteria, the ranking tests' hand-computed one: its first,
    weight 1, and « Équipe », weight 2."""
    SelectionCriterion.objects.filter(call=call).exclude(rank=1).delete()
    first = SelectionCriterion.objects.get(call=call)
    second = SelectionCriterion.objects.create(call=call, name="Équipe", weight=Decimal("2"), rank=2)
    return first, second


def heard(challenge, values=None, *, sub_jury=None, by=None):
    """`challenge` heard by a sub-jury and its collective grid complete: `values` gives each of the
    call's criteria its score in order (3 each by default). Test data, no audit event: tests of
    the grid itself call `jury.services.save_grid`."""
    from jury.models import PitchSlot, Score
    from lifecycle import criteria

    slot = PitchSlot.objects.filter(challenge=challenge).first() or pitch_slot(challenge, sub_jury=sub_jury)
    call_criteria = criteria.of_call(challenge.promotion.call)
    values = values or [3] * len(call_criteria)
    username = f"grille-{challenge.pk}"
    scorer = (
        by
        or get_user_model().objects.filter(username=username).first()
        or programme_manager(username=username)
    )
    for criterion, value in zip(call_criteria, values, strict=True):
        Score.objects.update_or_create(
            challenge=challenge,
            criterion=criterion,
            defaults={
                "value": value,
                "comment": f"Note {value} sur « {criterion.name} ».",
                "updated_at": slot.ends_at,
                "updated_by": scorer,
            },
        )
    return slot


# The candidates' call (recruitment, lead) ------------------------------------------------------


def open_candidates_call(promotion=None, *, closes_in=dt.timedelta(days=20), **fields):
    """A promotion whose candidates' call is open now (opened yesterday), with its defaults."""
    promotion = promotion or PromotionFactory()
    call = Call.objects.get(promotion=promotion)  # as stored, whatever the promotion object holds
    now = timezone.now().replace(microsecond=0)
    call.recruitment_opens_at = now - dt.timedelta(days=1)
    call.recruitment_closes_at = now + closes_in
    for name, value in fields.items():
        setattr(call, name, value)
    call.save()
    return call


def recruiting_challenge(call, **kwargs):
    """A challenge published to candidates (recruiting), without going through its lifecycle."""
    from lifecycle.enums import ChallengeState

    return ChallengeFactory(promotion=call.promotion, state=ChallengeState.RECRUITING, **kwargs)


def candidate_user(**kwargs):
    return user_with_role(Role.CANDIDATE, **kwargs)


def mentor_user(email="alix.durand@example.gouv.fr", **kwargs):
    """A mentor's account: the operational mentor of every factory challenge (its Mentor row's e-mail)."""
    return user_with_role(Role.MENTOR, email=email, **kwargs)


def complete_candidate(
    call, user=None, *, profile=None, challenges=(), motivation="Je veux aider ce service."
):
    """A candidacy ready to submit: identity, profile, CV, every declaration, the challenges chosen."""
    from recruitment import candidacy
    from recruitment.models import Candidate

    user = user or candidate_user(first_name="Élise", last_name="Guérin")
    candidate = candidacy.candidacy_for(call, user)
    candidate = candidacy.update(
        candidate,
        {
            "first_name": user.first_name or "Élise",
            "last_name": user.last_name or "Guérin",
            "phone": "06 12 34 56 78",
            "profile": profile or call.profiles.first().code,
            "declarations": list(call.eligibility_rules.values_list("pk", flat=True)),
        },
        by=user,
    )
    candidate.cv.save("cv.pdf", ContentFile(blank_pdf(1)), save=False)
    Candidate.objects.filter(pk=candidate.pk).update(cv=candidate.cv.name, cv_name="cv.pdf")
    candidate.refresh_from_db()
    for challenge in challenges:
        candidacy.choose(candidate, challenge, motivation, by=user)
    return candidate


# The mentors' and managers' recruitment pages (helper "manage") ---------------------------------


def submitted_candidate(call, challenges, *, first_name="Élise", last_name="Guérin", **kwargs):
    """A complete candidacy of a new account, submitted to `challenges` (`candidacy.submit`)."""
    from recruitment import candidacy

    user = candidate_user(first_name=first_name, last_name=last_name)
    candidate = complete_candidate(call, user, challenges=challenges, **kwargs)
    candidacy.submit(candidate, by=user)
    candidate.refresh_from_db()
    return candidate


def mentored_elsewhere(challenge, email="autre.mentor@example.gouv.fr"):
    """`challenge`'s operational mentor is someone else than the factories' mentor account."""
    Mentor.objects.filter(challenge=challenge, role=MentorRole.OPERATIONAL).update(email=email)
    return challenge
