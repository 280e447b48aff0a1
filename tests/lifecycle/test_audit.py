import datetime as dt
import hashlib
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from lifecycle import audit, services
from lifecycle.enums import AuditKind, ChallengeState
from lifecycle.models import AuditChainHead, AuditEvent
from lifecycle.models.audit import GENESIS_HASH, AuditTrailIsAppendOnly
from tests.factories import ChallengeFactory, programme_manager

S = ChallengeState


@pytest.fixture
def trail(db):
    """Three challenges moved once each: a chain of three events."""
    manager = programme_manager(username="gestionnaire")
    challenges = [ChallengeFactory(state=S.SUBMITTED) for _ in range(3)]
    for challenge in challenges:
        services.transition(challenge, "preselect", by=manager, reason="Dossier solide")
    return list(AuditEvent.objects.order_by("id"))


def raw_sql(sql, params=()):
    """What someone with database access could do, bypassing the application."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # a superuser can switch the triggers off
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")


def test_events_are_chained_by_their_hashes(trail):
    first, second, third = trail
    assert first.prev_hash == GENESIS_HASH
    assert (second.prev_hash, third.prev_hash) == (first.hash, second.hash)
    assert AuditChainHead.objects.get().last_hash == third.hash
    assert AuditChainHead.objects.get().length == 3
    assert all(len(event.hash) == 64 for event in trail)


def reference_hash(prev_hash, values):
    """The hash as the audit trail's format defines it: SHA-256 of the canonical JSON of the
    previous hash and the content, `subject` left out when empty (events written before it)."""
    content = {
        **values,
        "created_at": values["created_at"].astimezone(dt.UTC).isoformat(timespec="microseconds"),
    }
    if not content["subject"]:
        del content["subject"]
    payload = json.dumps([prev_hash, content], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


@pytest.mark.parametrize("subject", ["", "user:12"])
def test_the_hash_is_the_canonical_json_of_the_event_and_an_empty_subject_leaves_it_unchanged(subject):
    values = {
        "challenge_id": None if subject else 7,
        "subject": subject,
        "kind": "role_changed" if subject else "transition",
        "actor_id": 3,
        "actor_label": "Camille Lambert (gestionnaire) – « é »",
        "created_at": dt.datetime(2018, 6, 15, 17, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        "transition": "" if subject else "preselect",
        "from_state": "",
        "to_state": "",
        "reason": 'Ligne 1\nLigne 2 "citée"',
        "changes": {"role": [None, "jury_member"], "é": [1, 2.5]},
    }
    assert audit.compute_hash(GENESIS_HASH, values) == reference_hash(GENESIS_HASH, values)


def test_an_untouched_chain_verifies(trail):
    result = audit.verify()
    assert (result.intact, result.checked, result.broken_event_id) == (True, 3, None)


def test_an_edited_row_is_detected(trail):
    raw_sql("UPDATE lifecycle_auditevent SET reason = %s WHERE id = %s", ["Motif réécrit", trail[1].pk])
    result = audit.verify()
    assert (result.intact, result.checked, result.broken_event_id) == (False, 1, trail[1].pk)
    assert result.problem == f"le contenu de l’événement #{trail[1].pk} a été modifié"


def test_a_rewritten_row_with_a_fresh_hash_breaks_the_next_link(trail):
    forged = {name: getattr(trail[1], name) for name in audit.HASHED_FIELDS if name != "reason"} | {
        "reason": "Motif réécrit"
    }
    forged_hash = audit.compute_hash(trail[1].prev_hash, forged)
    raw_sql(
        "UPDATE lifecycle_auditevent SET reason = %s, hash = %s WHERE id = %s",
        ["Motif réécrit", forged_hash, trail[1].pk],
    )
    result = audit.verify()
    assert (result.checked, result.broken_event_id) == (2, trail[2].pk)
    assert result.problem == f"le lien vers l’événement précédent est rompu (#{trail[2].pk})"


def delete_event(event):
    raw_sql("DELETE FROM notifications_notification WHERE audit_event_id = %s", [event.pk])
    raw_sql("DELETE FROM lifecycle_auditevent WHERE id = %s", [event.pk])


def test_a_deleted_row_is_detected(trail):
    delete_event(trail[1])
    assert audit.verify().broken_event_id == trail[2].pk


def test_a_deleted_tail_is_detected(trail):
    delete_event(trail[2])
    result = audit.verify()
    assert (result.intact, result.checked, result.broken_event_id) == (False, 2, None)
    assert "des événements ont été supprimés" in result.problem


def test_the_application_never_edits_nor_deletes_an_event(trail):
    event = trail[0]
    event.reason = "autre"
    with pytest.raises(AuditTrailIsAppendOnly):
        event.save()
    with pytest.raises(AuditTrailIsAppendOnly):
        event.delete()
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(reason="autre")
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).reason == "Dossier solide"


def test_postgresql_itself_refuses_update_and_delete(postgresql, trail):
    for sql in ("UPDATE lifecycle_auditevent SET reason = 'x'", "DELETE FROM lifecycle_auditevent"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert AuditEvent.objects.count() == 3


def test_an_audit_event_is_only_written_inside_a_transaction(transactional_db):
    with pytest.raises(RuntimeError):
        audit.record(None, AuditKind.CREATED, by=programme_manager())


# The command -----------------------------------------------------------------------------------


def test_audit_verify_command_prints_the_count(trail):
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert out.getvalue() == "3 événements vérifiés : chaîne intègre.\n"


def test_audit_verify_command_fails_on_a_break(trail):
    raw_sql("UPDATE lifecycle_auditevent SET to_state = 'selected' WHERE id = %s", [trail[2].pk])
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("audit", "verify", stdout=out)
    assert caught.value.returncode == 3
    assert str(caught.value) == (
        f"Chaîne d’audit rompue (premier maillon rompu : événement #{trail[2].pk}) : "
        f"le contenu de l’événement #{trail[2].pk} a été modifié."
    )
    assert out.getvalue() == "2 événements vérifiés avant la rupture.\n"


def test_export_jsonl_holds_every_event_with_its_hashes(trail):
    out = io.StringIO()
    call_command("audit", "export", "--format", "jsonl", stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [row["id"] for row in rows] == [event.pk for event in trail]
    assert rows[0] == {
        "id": trail[0].pk,
        "challenge_id": trail[0].challenge_id,
        "subject": "",
        "kind": "transition",
        "actor_id": trail[0].actor_id,
        "actor_label": "Camille Martin (gestionnaire)",
        "created_at": trail[0].created_at.isoformat(timespec="microseconds"),
        "transition": "preselect",
        "from_state": "submitted",
        "to_state": "preselected",
        "reason": "Dossier solide",
        "changes": {},
        "prev_hash": GENESIS_HASH,
        "hash": trail[0].hash,
    }


def test_export_csv_has_a_header_and_a_row_per_event(trail, tmp_path):
    target = tmp_path / "journal.csv"
    call_command("audit", "export", "--format", "csv", "--output", str(target), stderr=io.StringIO())
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(audit.EXPORT_FIELDS)
    assert len(lines) == 4
    assert lines[1].endswith(f",{GENESIS_HASH},{trail[0].hash}")
