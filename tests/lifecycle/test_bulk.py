"""The bench's bulk load (`lifecycle/bulk.py`): COPY on PostgreSQL writes what the ORM's bulk
insert would, and the events it writes for `audit.record_many` verify as a chain."""

import pytest
from django.db import transaction

from lifecycle import audit
from lifecycle import bulk as copyload
from lifecycle.actors import SYSTEM
from lifecycle.enums import AuditKind, ChallengeState, MentorRole
from lifecycle.models import AuditEvent, Challenge, Mentor, PersonalData
from tests.factories import AdministrationFactory, PromotionFactory, programme_manager

pytestmark = pytest.mark.django_db


def unsaved_challenges(promotion, administration, names):
    return [
        Challenge(
            promotion=promotion,
            administration=administration,
            name=name,
            state=ChallengeState.SUBMITTED,
            summary="Ouvrir les données de l’État « à la source »",
            problem="Les données sont dispersées.\nEt mal décrites.",
        )
        for name in names
    ]


def stored(challenge) -> dict:
    values = Challenge.objects.filter(pk=challenge.pk).values().get()
    return {
        name: value
        for name, value in values.items()
        if name not in {"id", "name", "created_at", "updated_at"}
    }


def test_the_rows_copied_are_those_the_orm_inserts_their_ids_set():
    promotion, administration = PromotionFactory(), AdministrationFactory()
    copied = copyload.create(unsaved_challenges(promotion, administration, ["Défi copié", "Défi n°2"]))
    [inserted] = Challenge.objects.bulk_create(unsaved_challenges(promotion, administration, ["Défi ORM"]))

    assert [c.pk for c in copied] == list(
        Challenge.objects.filter(name__in=["Défi copié", "Défi n°2"])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    assert inserted.pk > copied[-1].pk  # drawn from the same sequence
    assert stored(copied[0]) == stored(inserted)
    assert Challenge.objects.get(pk=copied[0].pk).created_at is not None  # auto_now_add, as the ORM

    mentors = copyload.create(
        [
            Mentor(challenge=c, role=MentorRole.OPERATIONAL, first_name="Élodie", last_name="Noël")
            for c in copied
        ]
    )
    assert list(Mentor.objects.filter(challenge__in=copied).values_list("pk", "challenge_id")) == [
        (m.pk, m.challenge_id) for m in mentors
    ]


def test_the_events_copied_for_record_many_verify_as_a_chain():
    manager = programme_manager(first_name="Anaïs", last_name="Lefèvre")
    promotion, administration = PromotionFactory(), AdministrationFactory()
    challenges = copyload.create(unsaved_challenges(promotion, administration, ["Défi A", "Défi B"]))
    entries = [
        {"challenge": c, "kind": AuditKind.DOSSIER_CHANGED, "by": manager, "changes": {"summary": ["a", "é"]}}
        for c in challenges
    ] + [
        {
            "challenge": challenges[0],
            "kind": AuditKind.CREATED,
            "by": SYSTEM,
            "changes": {"name": [None, "A"]},
        }
    ]
    with transaction.atomic():
        events = audit.record_many(entries, insert=copyload.insert_events)

    assert list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True))[-3:] == [e.pk for e in events]
    # the two events by the manager keep her name apart, the system's none
    assert sorted(PersonalData.objects.values_list("event_id", "owner")) == [
        (events[0].pk, f"user:{manager.pk}"),
        (events[1].pk, f"user:{manager.pk}"),
    ]
    assert audit.verify().intact
    # what was copied reads back as what was chained (the hash covers it: verify recomputes it)
    assert AuditEvent.objects.get(pk=events[0].pk).changes == {"summary": ["a", "é"]}
