from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from lifecycle import audit, services
from lifecycle.enums import AuditKind, ChallengeState
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

    challenge = services.create_challenge(
        promotion=PromotionFactory(), administration=administration, name="Datafin", by=contact
    )

    [event] = AuditEvent.objects.filter(challenge=challenge)
    assert (event.kind, event.actor, challenge.state) == (AuditKind.CREATED, contact, "draft")
    assert event.changes["name"] == [None, "Datafin"]
    assert event.changes["administration"] == [None, "Cour des comptes"]
    assert event.changes["pia_requested"] == [None, False]


def test_a_change_of_the_dossier_is_audited_with_old_and_new_values(db):
    challenge = ChallengeFactory(problem="Ancienne problématique")
    contact = administration_contact(challenge.administration)

    services.update_dossier(
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
    services.update_dossier(challenge, {"problem": challenge.problem}, by=programme_manager())
    assert not AuditEvent.objects.exists()


def test_a_value_beyond_the_forms_limit_is_refused_and_nothing_is_written(db):
    challenge = ChallengeFactory()
    with pytest.raises(ValidationError) as caught:
        services.update_dossier(challenge, {"innovation_kinds": "x" * 361}, by=programme_manager())
    assert caught.value.message_dict == {
        "innovation_kinds": [
            "Assurez-vous que cette valeur comporte au plus 360 caractères (actuellement 361)."
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
    with pytest.raises(services.DossierLocked):
        services.update_dossier(challenge, {"problem": "Tardif"}, by=contact)

    services.update_dossier(challenge, {"problem": "Correction"}, by=programme_manager())
    assert Challenge.objects.get(pk=challenge.pk).problem == "Correction"


def test_another_administration_cannot_edit(db):
    challenge = ChallengeFactory()
    stranger = administration_contact(AdministrationFactory())
    with pytest.raises(services.DossierLocked):
        services.update_dossier(challenge, {"problem": "Intrusion"}, by=stranger)


def test_the_state_is_not_a_dossier_field(db):
    challenge = ChallengeFactory()
    with pytest.raises(ValidationError):
        services.update_dossier(challenge, {"state": "selected"}, by=programme_manager())
    assert Challenge.objects.get(pk=challenge.pk).state == ChallengeState.DRAFT
