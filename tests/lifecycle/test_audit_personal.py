"""Personal data kept apart from the audit chain (docs/personal-data.md): an event refers to a
person's values and keeps their salted digest; erasing them leaves every event verifiable."""

import io
import json

import pytest
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from accounts.enums import Role
from lifecycle import audit, personal
from lifecycle.actors import SYSTEM, shown_label
from lifecycle.dossier import edits
from lifecycle.enums import AuditKind, ContactRole
from lifecycle.models import AuditChainHead, AuditEvent, Contact, PersonalData
from lifecycle.models.audit import GENESIS_HASH, AuditTrailIsAppendOnly
from tests.backoffice.page_text import text_of
from tests.factories import ChallengeFactory, programme_manager, user_with_role

EMAIL, PHONE = "lou.martin@example.gouv.fr", "01 44 55 66 77"


def hashed_text(event) -> str:
    """Everything the event's hash covers, as one text."""
    stored = AuditEvent.objects.filter(pk=event.pk).values(*audit.HASHED_FIELDS).get()
    stored["created_at"] = stored["created_at"].isoformat()
    return json.dumps(stored, ensure_ascii=False)


@pytest.fixture
def manager(db):
    return programme_manager(username="camille.gestion", first_name="Camille", last_name="Gestion")


@pytest.fixture
def changed(manager):
    """A manager changes the HR contact's e-mail and phone: one `dossier_changed` event."""
    challenge = ChallengeFactory()
    contact = challenge.contacts.get(role=ContactRole.HR)
    edits.set_people(challenge, {ContactRole.HR: {"email": EMAIL, "phone": PHONE}}, by=manager)
    event = AuditEvent.objects.get(challenge=challenge, kind=AuditKind.DOSSIER_CHANGED)
    return challenge, contact, event


def test_a_contacts_email_and_phone_enter_no_hashed_field_of_the_event(changed, manager):
    _challenge, contact, event = changed
    text = hashed_text(event)
    for value in (EMAIL, PHONE, "lou.petit@example.gouv.fr", "Camille", "camille.gestion"):
        assert value not in text

    owner = f"contact:{contact.pk}"
    assert event.changes == {
        "contact[hr].email": [{"personal": owner}, {"personal": owner}],
        "contact[hr].phone": ["", {"personal": owner}],
    }
    assert event.actor_label == f"user:{manager.pk}"
    assert set(event.personal_digests) == {owner, f"user:{manager.pk}"}
    row = PersonalData.objects.get(event=event, owner=owner)
    assert row.values == [
        [["changes", "contact[hr].email", 0], "lou.petit@example.gouv.fr"],
        [["changes", "contact[hr].email", 1], EMAIL],
        [["changes", "contact[hr].phone", 1], PHONE],
    ]
    assert len(row.salt) == 32
    assert event.personal_digests[owner] == personal.digest(
        owner, row.salt, row.values, key=audit.chain_key()
    )

    # Read back, the values are where they were.
    assert personal.changes_of(event) == {
        "contact[hr].email": ["lou.petit@example.gouv.fr", EMAIL],
        "contact[hr].phone": ["", PHONE],
    }
    assert shown_label(event) == "Camille Gestion (camille.gestion)"
    assert audit.verify().intact


def test_the_whole_dossier_created_keeps_its_people_apart(manager):
    challenge = ChallengeFactory(dossier_rows=False)
    with transaction.atomic():
        challenge.delete()
    created = edits.create_challenge(
        promotion=ChallengeFactory().promotion,
        administration=challenge.administration,
        name="Défi créé",
        by=manager,
        manager=manager,
    )
    event = AuditEvent.objects.get(challenge=created, kind=AuditKind.CREATED)
    assert event.changes["manager"] == [None, {"personal": f"user:{manager.pk}"}]
    assert personal.changes_of(event)["manager"] == [None, "camille.gestion"]
    assert "camille.gestion" not in hashed_text(event)


def test_erasing_the_contact_leaves_the_chain_intact_and_its_values_erased(changed, manager):
    _challenge, contact, event = changed
    owner = f"contact:{contact.pk}"
    assert audit.kept_about(owner)[0]["values"][1] == [["changes", "contact[hr].email", 1], EMAIL]

    erased = audit.erase_personal(owner, by=manager, reason="Demande d’effacement reçue le 3 juin")

    assert erased == 1
    row = PersonalData.objects.get(event=event, owner=owner)
    assert (row.values, row.salt, row.erased_at is not None) == ([], "", True)
    result = audit.verify()
    assert result.intact and result.checked == AuditEvent.objects.count()
    event = AuditEvent.objects.get(pk=event.pk)
    assert personal.changes_of(event) == {
        "contact[hr].email": [personal.ERASED, personal.ERASED],
        "contact[hr].phone": ["", personal.ERASED],
    }
    assert shown_label(event) == "Camille Gestion (camille.gestion)"  # the author is not erased
    assert audit.kept_about(owner) == []
    # Erased again: nothing more to erase, the request is still recorded.
    assert audit.erase_personal([owner], by=manager, reason="Rappel") == 0
    assert audit.verify().intact


def test_the_erasure_event_holds_no_personal_data(changed, manager):
    _challenge, contact, _event = changed
    owner = f"contact:{contact.pk}"
    audit.erase_personal(owner, by=manager, reason="Demande de la personne")

    erasure = AuditEvent.objects.get(kind=AuditKind.PERSONAL_DATA_ERASED)
    assert (erasure.subject, erasure.reason) == (owner, "Demande de la personne")
    assert erasure.changes == {"owners": [None, [owner]], "erased": [None, 1]}
    text = hashed_text(erasure)
    for value in (EMAIL, PHONE, "Lou", "Petit", "Camille", "camille.gestion"):
        assert value not in text
    assert list(PersonalData.objects.filter(event=erasure).values_list("owner", flat=True)) == [
        f"user:{manager.pk}"  # who erased, their name kept apart as theirs
    ]


def test_an_author_erased_reads_erased_and_the_chain_holds(changed, manager):
    _challenge, _contact, event = changed
    audit.erase_personal(f"user:{manager.pk}", by=SYSTEM, reason="Compte supprimé")
    assert shown_label(AuditEvent.objects.get(pk=event.pk)) == "donnée personnelle effacée"
    assert audit.verify().intact


@pytest.mark.django_db(transaction=True)
def test_a_personal_value_changed_beside_the_chain_is_caught(changed, full_access):
    _challenge, contact, event = changed
    row = PersonalData.objects.get(event=event, owner=f"contact:{contact.pk}")
    forged = [*row.values[:-1], [["changes", "contact[hr].phone", 1], "06 00 00 00 00"]]
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="only erased"):  # the application's role cannot
            PersonalData.objects.filter(pk=row.pk).update(values=forged)
    full_access('UPDATE lifecycle_personaldata SET "values" = %s WHERE id = %s', [json.dumps(forged), row.pk])

    result = audit.verify()

    assert (result.intact, result.broken_event_id) == (False, event.pk)
    assert (
        result.problem
        == f"la donnée personnelle de contact:{contact.pk} de l’événement #{event.pk} a été modifiée"
    )
    assert audit.verify(personal_rows=False).intact  # the chain itself is untouched


@pytest.mark.django_db(transaction=True)
def test_a_personal_row_deleted_or_added_is_caught(changed, full_access):
    _challenge, contact, event = changed
    owner = f"contact:{contact.pk}"
    with pytest.raises(AuditTrailIsAppendOnly):
        PersonalData.objects.filter(event=event).delete()
    full_access("DELETE FROM lifecycle_personaldata WHERE owner = %s", [owner])
    assert audit.verify().problem == (
        f"la donnée personnelle de {owner} de l’événement #{event.pk} a été supprimée"
    )

    insert = (
        'INSERT INTO lifecycle_personaldata (event_id, owner, "values", salt, erased_at)'
        " VALUES (%s, %s, %s, %s, %s)"
    )
    full_access(insert, [event.pk, owner, "[]", "", event.created_at])
    assert audit.verify().intact  # an erased row stands for the values it held
    full_access(insert, [event.pk, "mentor:999", json.dumps([[["changes", "x"], "y"]]), "0", None])
    assert (
        audit.verify().problem
        == f"une donnée personnelle de mentor:999 a été ajoutée à l’événement #{event.pk}"
    )


def test_an_old_layout_trail_still_verifies_and_is_followed_by_its_marker(db):
    """Events written before personal data was kept apart hashed the author's name: they verify
    as they were; the first writer after the change writes `personal_data_apart`."""
    manager = programme_manager(username="ancien", first_name="Dominique", last_name="Avant")
    key, previous = audit.chain_key(), GENESIS_HASH
    for number in range(3):
        values = audit._values(None, AuditKind.ACCOUNT_CHANGED, by=manager, reason=f"avant n°{number}")
        values["changes"] = {"email": [None, "dominique@example.gouv.fr"]}
        event_hash = audit.compute_hash(previous, values, key=key)
        AuditEvent.objects.create(prev_hash=previous, hash=event_hash, **values)
        previous = event_hash
    AuditChainHead.objects.create(
        pk=1, last_hash=previous, length=3, keyed=True, seal=audit.head_seal(3, previous, True, key=key)
    )
    assert audit.verify().intact

    with transaction.atomic():
        audit.record(None, AuditKind.ACCOUNT_CHANGED, by=manager, personal={"user:1": {"email": "x@y.fr"}})

    events = list(AuditEvent.objects.order_by("id"))
    assert [event.kind for event in events] == ["account_changed"] * 3 + [
        "personal_data_apart",
        "account_changed",
    ]
    assert events[0].actor_label == "Dominique Avant (ancien)"  # as it was hashed
    assert shown_label(events[0]) == "Dominique Avant (ancien)"
    assert personal.changes_of(events[0]) == {"email": [None, "dominique@example.gouv.fr"]}
    assert events[3].actor_label == "système" and events[3].personal_digests is None
    assert events[4].actor_label == f"user:{manager.pk}"
    assert AuditChainHead.objects.get().personal_apart
    result = audit.verify()
    assert (result.intact, result.checked) == (True, 5)


def test_a_new_trail_keeps_personal_data_apart_from_its_first_event_without_a_marker(manager):
    with transaction.atomic():
        audit.record(None, AuditKind.ACCOUNT_CHANGED, by=manager)
    assert list(AuditEvent.objects.values_list("kind", flat=True)) == ["account_changed"]
    assert AuditChainHead.objects.get().personal_apart


def test_values_given_grouped_by_owner_and_in_bulk(manager):
    with transaction.atomic():
        one = audit.record(
            None,
            AuditKind.ACCOUNT_CHANGED,
            by=SYSTEM,
            subject="candidate:7",
            changes={"candidate": "candidate:7"},
            personal={"candidate:7": {"reason": "Profil éloigné", "interview_place": "Salle 2"}},
        )
        many = audit.record_many(
            [
                {
                    "challenge": None,
                    "kind": AuditKind.ACCOUNT_CHANGED,
                    "by": manager,
                    "changes": {"names": [audit.Personal("teammember:1", "Ana"), "B"]},
                },
                {"challenge": None, "kind": AuditKind.ACCOUNT_CHANGED, "by": SYSTEM},
            ]
        )
    assert one.actor_label == "système"
    assert one.changes == {
        "candidate": "candidate:7",
        "reason": {"personal": "candidate:7"},
        "interview_place": {"personal": "candidate:7"},
    }
    assert set(one.personal_digests) == {"candidate:7"}
    assert personal.changes_of(AuditEvent.objects.get(pk=one.pk)) == {
        "candidate": "candidate:7",
        "reason": "Profil éloigné",
        "interview_place": "Salle 2",
    }
    first, second = (AuditEvent.objects.get(pk=event.pk) for event in many)
    assert first.changes == {"names": [{"personal": "teammember:1"}, "B"]}
    assert personal.changes_of(first) == {"names": ["Ana", "B"]}
    assert shown_label(first) == "Camille Gestion (camille.gestion)"
    assert second.personal_digests is None and not second.personal_data.exists()
    assert audit.verify().intact

    with pytest.raises(ValueError), transaction.atomic():
        audit.record(
            None, AuditKind.ACCOUNT_CHANGED, by=SYSTEM, changes={"a": 1}, personal={"user:1": {"a": 2}}
        )


def test_the_exports_join_the_values_back_until_they_are_erased(changed, manager):
    _challenge, contact, event = changed
    owner = f"contact:{contact.pk}"

    def exported():
        out = io.StringIO()
        audit.export_jsonl(out, AuditEvent.objects.filter(pk=event.pk))
        return json.loads(out.getvalue())

    row = exported()
    assert row["actor_label"] == f"user:{manager.pk}" and row["actor"] == "Camille Gestion (camille.gestion)"
    assert row["changes"] == event.changes  # as hashed
    assert [["changes", "contact[hr].phone", 1], PHONE] in row["personal_values"][owner]

    audit.erase_personal(owner, by=manager, reason="Demande")
    row = exported()
    assert row["personal_values"][owner] is None
    assert PHONE not in json.dumps(row, ensure_ascii=False)


def test_the_trail_pages_show_the_value_before_erasure_and_erased_after(client, changed, manager):
    challenge, contact, _event = changed
    cache.clear()
    client.force_login(user_with_role(Role.AUDITOR, username="auditrice"))
    url = reverse("backoffice:audit")

    page = text_of(client.get(url).content.decode())
    assert f"Contact RH — Téléphone professionnel : — → devient {PHONE}" in page
    assert EMAIL in page and "Camille Gestion (camille.gestion)" in page

    audit.erase_personal(f"contact:{contact.pk}", by=manager, reason="Demande de la personne")
    page = text_of(client.get(url).content.decode())
    assert "Contact RH — Téléphone professionnel : — → devient donnée personnelle effacée" in page
    assert EMAIL not in page and PHONE not in page
    assert "Effacement de données personnelles" in page

    # The case's timeline reads them the same way.
    client.force_login(manager)
    timeline = text_of(client.get(reverse("backoffice:challenge", args=[challenge.pk])).content.decode())
    assert "Contact RH — Téléphone professionnel — donnée personnelle effacée" in timeline
    # The dossier itself (the domain's row, shown on the same page) is the domain's to anonymise.
    assert Contact.objects.get(pk=contact.pk).phone == PHONE


def test_the_dashboards_latest_events_name_their_author_until_erased(client, changed, manager):
    client.force_login(manager)
    page = text_of(client.get(reverse("backoffice:dashboard")).content.decode())
    assert "Camille Gestion (camille.gestion)" in page

    audit.erase_personal(f"user:{manager.pk}", by=SYSTEM, reason="Compte supprimé")
    page = text_of(client.get(reverse("backoffice:dashboard")).content.decode())
    assert "Camille Gestion (camille.gestion)" not in page
    assert "donnée personnelle effacée" in page
