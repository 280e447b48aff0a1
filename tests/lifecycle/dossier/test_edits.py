import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lifecycle import audit, personal
from lifecycle.dossier import edits
from lifecycle.enums import AuditKind, ChallengeState, ContactRole, MentorRole
from lifecycle.models import AuditEvent, Challenge
from tests.factories import (
    AdministrationFactory,
    ChallengeFactory,
    PromotionFactory,
    administration_contact,
    programme_manager,
)


def test_creating_a_challenge_records_its_first_values(db):
    administration = AdministrationFactory(name="Cour des comptes")
    contact = administration_contact(administration, username="contact-cdc")

    challenge = edits.create_challenge(
        promotion=PromotionFactory(), administration=administration, name="Datafin", by=contact
    )

    [event] = AuditEvent.objects.filter(challenge=challenge)
    assert (event.kind, event.actor, challenge.state) == (AuditKind.CREATED, contact, "draft")
    assert event.changes["name"] == [None, "Datafin"]
    assert event.changes["administration"] == [None, "Cour des comptes"]
    assert event.changes["cofinancing_requested"] == [None, False]


def test_a_change_of_the_dossier_is_audited_with_old_and_new_values(db):
    challenge = ChallengeFactory(problem="Ancienne problématique")
    contact = administration_contact(challenge.administration)

    edits.update_dossier(
        challenge,
        {"problem": "Nouvelle problématique", "total_employer_cost": Decimal("160000")},
        by=contact,
    )

    [event] = AuditEvent.objects.filter(challenge=challenge)
    assert event.kind == AuditKind.DOSSIER_CHANGED
    assert event.changes == {
        "problem": ["Ancienne problématique", "Nouvelle problématique"],
        "total_employer_cost": ["150000.00", "160000.00"],
    }
    assert audit.verify().intact


def test_saving_the_same_values_writes_no_event(db):
    challenge = ChallengeFactory()
    edits.update_dossier(challenge, {"problem": challenge.problem}, by=programme_manager())
    assert not AuditEvent.objects.exists()


def test_a_value_beyond_the_forms_limit_is_refused_and_nothing_is_written(db):
    challenge = ChallengeFactory()
    with pytest.raises(ValidationError) as caught:
        edits.update_dossier(challenge, {"innovation_kinds": "x" * 361}, by=programme_manager())
    assert caught.value.message_dict == {
        "innovation_kinds": [
            "« types d’innovations mobilisées » dépasse 360 caractères (361) : "
            "3 lignes maximum (360 caractères)."
        ]
    }
    assert (
        Challenge.objects.get(pk=challenge.pk).innovation_kinds
        == "Open data, science des données, design de service."
    )
    assert not AuditEvent.objects.exists()


def test_a_submitted_dossier_is_read_only_for_its_administration_not_for_managers(db):
    challenge = ChallengeFactory(state=ChallengeState.SUBMITTED)
    contact = administration_contact(challenge.administration)
    with pytest.raises(edits.DossierLocked):
        edits.update_dossier(challenge, {"problem": "Tardif"}, by=contact)

    edits.update_dossier(challenge, {"problem": "Correction"}, by=programme_manager())
    assert Challenge.objects.get(pk=challenge.pk).problem == "Correction"


def test_another_administration_cannot_edit(db):
    challenge = ChallengeFactory()
    stranger = administration_contact(AdministrationFactory())
    with pytest.raises(edits.DossierLocked):
        edits.update_dossier(challenge, {"problem": "Intrusion"}, by=stranger)


def test_the_state_is_not_a_dossier_field(db):
    challenge = ChallengeFactory()
    with pytest.raises(ValidationError):
        edits.update_dossier(challenge, {"state": "selected"}, by=programme_manager())
    assert Challenge.objects.get(pk=challenge.pk).state == ChallengeState.DRAFT


# Who may set which field ---------------------------------------------------------------------


@pytest.mark.parametrize("field", ["administration", "manager"])
def test_a_contact_cannot_set_who_carries_or_follows_the_case(db, field):
    challenge = ChallengeFactory()
    contact = administration_contact(challenge.administration)
    values = {"administration": AdministrationFactory(name="Ailleurs"), "manager": programme_manager()}

    with pytest.raises(PermissionDenied) as refused:
        edits.update_dossier(challenge, {field: values[field], "problem": "Changée aussi"}, by=contact)

    label = Challenge._meta.get_field(field).verbose_name
    assert str(refused.value) == f"Vous ne pouvez pas modifier : {label}."
    fresh = Challenge.objects.get(pk=challenge.pk)
    assert (fresh.administration_id, fresh.manager_id, fresh.problem) == (
        challenge.administration_id,
        None,
        challenge.problem,
    )  # nothing of the refused edit was written
    assert not AuditEvent.objects.exists()


def test_a_contact_opens_a_dossier_only_for_its_administration(db):
    contact = administration_contact(AdministrationFactory(name="DINUM"))
    with pytest.raises(PermissionDenied):
        edits.create_challenge(
            promotion=PromotionFactory(),
            administration=AdministrationFactory(name="Autre"),
            name="X",
            by=contact,
        )
    with pytest.raises(PermissionDenied):
        edits.create_challenge(
            promotion=PromotionFactory(),
            administration=contact.profile.administration,
            name="Y",
            manager=programme_manager(),
            by=contact,
        )
    assert not Challenge.objects.exists()


def test_managers_set_who_carries_and_follows_the_case(db):
    challenge = ChallengeFactory()
    manager = programme_manager(username="camille")
    other = AdministrationFactory(name="Ailleurs")

    edits.update_dossier(challenge, {"administration": other, "manager": manager}, by=manager)

    [event] = AuditEvent.objects.filter(challenge=challenge)
    assert event.changes["administration"][1] == "Ailleurs"
    # The manager's account is theirs: kept apart from the chain, read back (docs/personal-data.md).
    assert event.changes["manager"][1] == {"personal": f"user:{manager.pk}"}
    assert personal.changes_of(event)["manager"][1] == "camille"


# Child rows, in one audited event per block ------------------------------------------------------


def test_edits_inside_one_recording_block_make_one_event(db):
    challenge = ChallengeFactory()
    manager = programme_manager()

    with edits.recording_dossier_changes(challenge, by=manager):
        edits.update_dossier(challenge, {"problem": "Nouvelle"}, by=manager)
        edits.set_team(
            challenge,
            [{"name": "Lou Petit", "function": "Cheffe de projet", "involvement_percent": 50}],
            by=manager,
        )

    [event] = AuditEvent.objects.filter(challenge=challenge)
    assert event.changes["problem"][1] == "Nouvelle"
    assert personal.changes_of(event)["team[1].name"] == ["Dominique Bernard", "Lou Petit"]


def test_positions_are_replaced_in_rank_order_within_the_calls_limit(db):
    challenge = ChallengeFactory()
    manager = programme_manager()
    rows = [{"mission": f"Mission {n}", "profile": "design", "expertise": ""} for n in (1, 2, 3)]

    edits.set_positions(challenge, rows, by=manager)
    assert list(challenge.eig_positions.values_list("rank", "mission")) == [
        (1, "Mission 1"),
        (2, "Mission 2"),
        (3, "Mission 3"),
    ]
    with pytest.raises(ValidationError) as refused:
        edits.set_positions(challenge, [*rows, rows[0]], by=manager)
    assert refused.value.messages == ["Le défi demande au plus 3 EIG."]
    edits.set_positions(challenge, rows[:2], by=manager)
    assert challenge.eig_positions.count() == 2


def test_the_two_mentors_are_two_people_whatever_the_case_and_accents(db):
    challenge = ChallengeFactory()  # operational mentor: Alix Durand
    manager = programme_manager()
    same_name = {"first_name": "ALIX", "last_name": "Duránd", "email": "autre@example.gouv.fr"}

    with pytest.raises(ValidationError) as refused:
        edits.set_people(challenge, {MentorRole.STRATEGIC: same_name}, by=manager)

    assert refused.value.message_dict == {
        "strategic": ["Les mentors opérationnel et stratégique doivent être deux personnes."]
    }
    assert challenge.mentors.get(role=MentorRole.STRATEGIC).last_name == "Lefèvre"


def test_a_phone_is_checked_by_its_field_wherever_it_is_entered(db):
    challenge = ChallengeFactory()
    with pytest.raises(ValidationError) as refused:
        edits.set_people(
            challenge,
            {ContactRole.HR: {"first_name": "Lou", "last_name": "Petit", "phone": "12"}},
            by=programme_manager(),
        )
    assert refused.value.message_dict == {
        "phone": ["Saisissez un numéro de téléphone valide (10 chiffres au moins)."]
    }


def test_confirming_a_mentor_is_a_managers_act(db):
    challenge = ChallengeFactory()
    contact = administration_contact(challenge.administration)
    details = {
        "first_name": "Alix",
        "last_name": "Durand",
        "function": "Cheffe",
        "email": "alix.durand@example.gouv.fr",
        "phone": "01 23 45 67 89",
    }
    with pytest.raises(PermissionDenied):
        edits.confirm_mentor(challenge, MentorRole.OPERATIONAL, by=contact, **details)

    mentor = edits.confirm_mentor(challenge, MentorRole.OPERATIONAL, by=programme_manager(), **details)

    assert mentor.confirmed_at is not None
    [event] = AuditEvent.objects.filter(challenge=challenge)
    assert set(event.changes) == {"mentor[operational].confirmed_at", "mentor[operational].function"}


def test_recruited_eigs_are_recorded_by_managers_and_audited(db):
    challenge = ChallengeFactory(state=ChallengeState.RECRUITING)
    with pytest.raises(PermissionDenied):
        edits.add_entrepreneur(
            challenge,
            by=administration_contact(challenge.administration),
            first_name="Noé",
            last_name="Martin",
            profile="design",
        )

    edits.add_entrepreneur(
        challenge, by=programme_manager(), first_name="Noé", last_name="Martin", profile="design"
    )

    [event] = AuditEvent.objects.filter(challenge=challenge)
    recruited = challenge.entrepreneurs.get()
    assert personal.changes_of(event)[f"recruited[{recruited.pk}].last_name"] == [None, "Martin"]


def test_a_contact_opens_a_dossier_only_while_the_call_takes_dossiers(db):
    contact = administration_contact(AdministrationFactory(name="DINUM"))
    closed = PromotionFactory(name="EIG 2")
    closed.call.submission_deadline = timezone.now() - dt.timedelta(seconds=1)
    closed.call.save()

    with pytest.raises(PermissionDenied) as refused:
        edits.create_challenge(
            promotion=closed, administration=contact.profile.administration, name="Tardif", by=contact
        )

    assert (
        str(refused.value) == "L’appel à projets de la promotion EIG 2 ne prend pas de dossier en ce moment."
    )
    edits.create_challenge(
        promotion=closed, administration=contact.profile.administration, name="Repris", by=programme_manager()
    )


def test_a_new_dossier_takes_the_forms_fields_only(db):
    administration = AdministrationFactory()
    with pytest.raises(ValidationError) as refused:
        edits.create_challenge(
            promotion=PromotionFactory(),
            administration=administration,
            name="X",
            state="selected",
            by=programme_manager(),
        )
    assert refused.value.messages == ["Champ inconnu ou non modifiable : state"]


def test_two_partial_changes_cannot_make_the_mentors_one_person(db):
    challenge = ChallengeFactory()  # Alix Durand (operational), Sacha Lefèvre (strategic)
    manager = programme_manager()
    edits.set_people(challenge, {MentorRole.STRATEGIC: {"last_name": "Durand"}}, by=manager)

    with pytest.raises(ValidationError):
        edits.set_people(challenge, {MentorRole.STRATEGIC: {"first_name": "Alix"}}, by=manager)
    assert challenge.mentors.get(role=MentorRole.STRATEGIC).full_name == "Sacha Durand"


def test_a_confirmed_mentor_replaced_by_someone_else_must_be_confirmed_again(db):
    challenge = ChallengeFactory(state=ChallengeState.SELECTED)
    manager = programme_manager()
    mentor = challenge.mentors.get(role=MentorRole.OPERATIONAL)
    details = {
        "first_name": "Alix",
        "last_name": "Durand",
        "function": "Cheffe",
        "email": mentor.email,
        "phone": mentor.phone,
    }
    edits.confirm_mentor(challenge, MentorRole.OPERATIONAL, by=manager, **details)

    edits.set_people(challenge, {MentorRole.OPERATIONAL: {"phone": "01 99 99 99 99"}}, by=manager)
    assert challenge.mentors.get(role=MentorRole.OPERATIONAL).confirmed_at is not None  # same person
    edits.set_people(
        challenge,
        {
            MentorRole.OPERATIONAL: {
                "first_name": "Noa",
                "last_name": "Roux",
                "email": "noa.roux@example.gouv.fr",
            }
        },
        by=manager,
    )
    assert challenge.mentors.get(role=MentorRole.OPERATIONAL).confirmed_at is None


@pytest.mark.parametrize("name", ["Deux\nlignes", "Avec\ttabulation", "Nul\x00"])
def test_a_name_is_one_line_without_control_characters(db, name):
    challenge = ChallengeFactory()
    with pytest.raises(ValidationError) as refused:
        edits.update_dossier(challenge, {"name": name}, by=programme_manager())
    assert refused.value.message_dict["name"][0].startswith(
        "Ce texte doit tenir sur une ligne, sans caractère de contrôle (trouvé : U+"
    )
