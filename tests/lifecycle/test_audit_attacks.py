"""Rewriting the audit trail behind the application's back, and what catches it.

Two kinds of attacker: the application's own database role (an injection, stolen application
credentials), which the database refuses; and someone with full access to the database (the
tables' owner, a superuser, a stolen backup restored), who can switch triggers off. Against the
second, the keyed hash catches a rewrite made without the key, and the head published outside
the database catches the rest.
"""

import datetime as dt
import hashlib
import json

import psycopg
import pytest
from django.db import DatabaseError, connection, transaction

from lifecycle import anchoring, audit, database, services
from lifecycle.models import AuditChainHead, AuditEvent
from lifecycle.models.audit import GENESIS_HASH
from tests.conftest import owner_conninfo
from tests.factories import ChallengeFactory, programme_manager

pytestmark = pytest.mark.django_db(transaction=True)
COLUMNS = [
    "challenge_id",
    "subject",
    "kind",
    "actor_id",
    "actor_label",
    "created_at",
    "transition",
    "from_state",
    "to_state",
    "reason",
    "changes",
    "personal_digests",
]


@pytest.fixture
def trail():
    manager = programme_manager(username="gestionnaire")
    for number in range(5):
        challenge = ChallengeFactory(state="submitted", name=f"Défi n°{number}", dossier_rows=False)
        services.transition(challenge, "preselect", by=manager, reason="Dossier solide")
    return list(AuditEvent.objects.order_by("id"))


def published_head():
    head = anchoring.publish_head()
    return head.length, head.last_hash


def rows():
    return list(AuditEvent.objects.order_by("id").values("id", "prev_hash", "hash", *COLUMNS))


def rehash(events, *, key, start_prev):
    """The hashes a forger computes for `events` (dicts of the columns), chained from start_prev."""
    previous, hashes = start_prev, []
    for event in events:
        event_hash = audit.compute_hash(previous, {name: event[name] for name in COLUMNS}, key=key)
        hashes.append(event_hash)
        previous = event_hash
    return hashes


def set_head(run, length, last_hash, *, key=None, seal=None):
    """Move the head; with the key, sealed as the application would."""
    if key is not None:
        seal = audit.head_seal(length, last_hash, True, key=key)
    if seal is None:
        run(
            "UPDATE lifecycle_auditchainhead SET length = %s, last_hash = %s WHERE id = 1",
            [length, last_hash],
        )
    else:
        run(
            "UPDATE lifecycle_auditchainhead SET length = %s, last_hash = %s, seal = %s WHERE id = 1",
            [length, last_hash, seal],
        )


# The application's role: the database refuses -------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "TRUNCATE lifecycle_auditevent CASCADE",
        "DELETE FROM lifecycle_auditevent WHERE id = (SELECT max(id) FROM lifecycle_auditevent)",
        "UPDATE lifecycle_auditevent SET reason = 'réécrit'",
        "UPDATE lifecycle_auditchainhead SET length = length - 1",
        "DELETE FROM lifecycle_auditchainhead",
        "ALTER TABLE lifecycle_auditevent DISABLE TRIGGER ALL",
        "SET session_replication_role = replica",
        # The head swapped for a fresh one, or a second head.
        "UPDATE lifecycle_auditchainhead SET id = 2",
        "INSERT INTO lifecycle_auditchainhead (id, last_hash, length, keyed, seal) "
        "VALUES (2, '" + "0" * 64 + "', 0, true, '')",
        # The events' numbering reset, to slip an event in among the others.
        "SELECT setval(pg_get_serial_sequence('lifecycle_auditevent', 'id'), 1, false)",
        # A temporary table shadowing the trail in this session.
        "CREATE TEMP TABLE lifecycle_auditevent (LIKE public.lifecycle_auditevent)",
        # The record of the migrations (a guard's migration marked as applied, or as not).
        "INSERT INTO django_migrations (app, name, applied) VALUES ('lifecycle', '9999_sans_garde', now())",
        "DELETE FROM django_migrations",
    ],
)
def test_the_applications_role_can_neither_rewrite_the_trail_nor_switch_its_guards_off(
    postgresql_transactional, trail, sql
):
    if database.owner_settings() is None:
        pytest.skip("needs an application role that owns nothing: DATABASE_OWNER_URL (CI sets it)")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert audit.verify().intact and audit.verify().checked == 5


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("TRUNCATE lifecycle_auditevent CASCADE", "TRUNCATE refused on lifecycle_auditevent"),
        ("TRUNCATE lifecycle_auditchainhead", "TRUNCATE refused on lifecycle_auditchainhead"),
        (
            "UPDATE lifecycle_auditchainhead SET length = 0, last_hash = '" + "0" * 64 + "'",
            "only moves forward",
        ),
        ("UPDATE lifecycle_auditchainhead SET last_hash = md5('x') || md5('y')", "only moves forward"),
        ("UPDATE lifecycle_auditchainhead SET keyed = false", "only moves forward"),
        ("DELETE FROM lifecycle_auditchainhead", "DELETE refused on lifecycle_auditchainhead"),
    ],
)
def test_the_triggers_refuse_truncate_and_a_head_moving_back_even_to_the_owner(
    postgresql_transactional, trail, sql, message
):
    name = connection.settings_dict["NAME"]
    conninfo = owner_conninfo(name) if database.owner_settings() is not None else None
    if conninfo is None:
        conninfo = psycopg.conninfo.make_conninfo(
            dbname=name,
            user=connection.settings_dict["USER"],
            host=connection.settings_dict["HOST"] or "127.0.0.1",
        )
    with psycopg.connect(conninfo, autocommit=True) as owner, pytest.raises(psycopg.Error, match=message):
        owner.execute(sql)
    assert audit.verify().checked == 5


# Someone with full access: the keyed hash and the published head catch it ----------------------


def test_1_the_trail_emptied_and_its_head_reset(trail, full_access):
    published = published_head()
    full_access("DELETE FROM notifications_notification")
    full_access("DELETE FROM lifecycle_personaldata")  # the names kept apart beside the events
    full_access("DELETE FROM lifecycle_auditevent")
    set_head(full_access, 0, GENESIS_HASH)
    assert audit.verify().problem.startswith("la tête de la chaîne n’est pas celle qu’a écrite l’application")

    set_head(full_access, 0, GENESIS_HASH, seal="")  # the head of a trail that has not begun
    assert audit.verify().intact  # an empty trail is a consistent one
    result = audit.verify(head=published)
    assert not result.intact
    assert result.problem == (
        "la chaîne compte 0 événements, moins que les 5 de la tête publiée : "
        "des événements publiés ont disparu"
    )


def test_2_the_tail_deleted_and_the_head_moved_back(trail, full_access):
    published = published_head()
    full_access("DELETE FROM notifications_notification WHERE audit_event_id >= %s", [trail[3].pk])
    full_access("DELETE FROM lifecycle_personaldata WHERE event_id >= %s", [trail[3].pk])
    full_access("DELETE FROM lifecycle_auditevent WHERE id >= %s", [trail[3].pk])
    set_head(full_access, 3, trail[2].hash)

    # Without the key, the head cannot be sealed again.
    assert audit.verify().problem == (
        "la tête de la chaîne n’est pas celle qu’a écrite l’application (son sceau ne correspond pas "
        "à ses 3 événements) : elle a été déplacée, des événements ont pu être supprimés"
    )
    # With it (an insider), what is left verifies; the published head still says what is gone.
    set_head(full_access, 3, trail[2].hash, key=audit.chain_key())
    assert audit.verify().intact
    assert audit.verify(head=published).problem.startswith("la chaîne compte 3 événements, moins que les 5")


def test_2b_the_tail_deleted_and_the_old_head_s_seal_put_back(trail, full_access):
    """A seal copied from an earlier head (a backup) moves the head back only to where it was:
    the published head, later, says what is gone."""
    early = AuditChainHead.objects.get()
    services.transition(
        ChallengeFactory(state="submitted", dossier_rows=False),
        "preselect",
        by=programme_manager(username="autre"),
        reason="Solide",
    )
    published = published_head()
    full_access("DELETE FROM notifications_notification WHERE audit_event_id > %s", [trail[-1].pk])
    full_access("DELETE FROM lifecycle_personaldata WHERE event_id > %s", [trail[-1].pk])
    full_access("DELETE FROM lifecycle_auditevent WHERE id > %s", [trail[-1].pk])
    set_head(full_access, early.length, early.last_hash, seal=early.seal)

    assert audit.verify().intact
    assert audit.verify(head=published).problem.startswith(
        f"la chaîne compte {early.length} événements, moins que les {published[0]}"
    )


def test_2c_an_event_added_after_the_head_is_reported(trail, full_access):
    last = trail[-1]
    full_access(
        "INSERT INTO lifecycle_auditevent (challenge_id, subject, kind, actor_id, actor_label, created_at, "
        "transition, from_state, to_state, reason, changes, prev_hash, hash) "
        "VALUES (NULL, '', 'transition', NULL, 'système', %s, '', '', '', 'Ajouté', '{}', %s, %s)",
        [last.created_at, last.hash, "f" * 64],
    )
    added = AuditEvent.objects.order_by("-id").first()

    result = audit.verify()
    assert (result.intact, result.broken_event_id, result.checked) == (False, added.pk, 5)
    assert result.problem == f"l’événement #{added.pk} a été ajouté hors de la chaîne (après sa tête)"


def test_3_an_event_rewritten_and_the_rest_of_the_chain_re_hashed_without_the_key(trail, full_access):
    events = rows()
    events[2]["reason"] = "Motif réécrit"
    forged = rehash(events[2:], key=None, start_prev=events[1]["hash"])  # plain SHA-256: no key
    for event, event_hash, previous in zip(events[2:], forged, [events[1]["hash"], *forged], strict=False):
        full_access(
            "UPDATE lifecycle_auditevent SET reason = %s, hash = %s, prev_hash = %s WHERE id = %s",
            [event["reason"], event_hash, previous, event["id"]],
        )
    set_head(full_access, 5, forged[-1])

    result = audit.verify()
    assert (result.intact, result.broken_event_id) == (False, events[2]["id"])
    assert result.problem == f"le contenu de l’événement #{events[2]['id']} a été modifié"


@pytest.mark.parametrize("days_back", [0, 400])
def test_4_5_a_forged_or_back_dated_event_appended_with_the_head_updated(trail, full_access, days_back):
    last = AuditChainHead.objects.get()
    forged = {
        "challenge_id": trail[0].challenge_id,
        "subject": "",
        "kind": "transition",
        "actor_id": None,
        "actor_label": "système",
        "created_at": trail[0].created_at - dt.timedelta(days=days_back),
        "transition": "select",
        "from_state": "preselected",
        "to_state": "selected",
        "reason": "Sélectionné",
        "changes": {},
    }
    # Without the key, the best a forger can do is the plain SHA-256 of the format.
    content = {
        **forged,
        "created_at": forged["created_at"].astimezone(dt.UTC).isoformat(timespec="microseconds"),
    }
    del content["subject"]
    payload = json.dumps([last.last_hash, content], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    forged_hash = hashlib.sha256(payload.encode()).hexdigest()
    full_access(
        "INSERT INTO lifecycle_auditevent (challenge_id, subject, kind, actor_id, actor_label, created_at, "
        "transition, from_state, to_state, reason, changes, prev_hash, hash) "
        "VALUES (%s, '', 'transition', NULL, 'système', %s, 'select', 'preselected', 'selected', "
        "'Sélectionné', '{}', %s, %s)",
        [forged["challenge_id"], forged["created_at"], last.last_hash, forged_hash],
    )
    set_head(full_access, 6, forged_hash)

    result = audit.verify()
    assert not result.intact
    assert result.problem.startswith("le contenu de l’événement #") and result.checked == 5


def test_6_the_whole_chain_rewritten_with_the_key_is_caught_by_the_published_head(trail, full_access):
    """An insider with the database and the key rewrites every event and re-hashes them all:
    the chain verifies, but its beginning is no longer the one published."""
    published = published_head()
    events = rows()
    for event in events:
        event["reason"] = "Motif réécrit"
    forged = rehash(events, key=audit.chain_key(), start_prev=GENESIS_HASH)
    for event, event_hash, previous in zip(events, forged, [GENESIS_HASH, *forged], strict=False):
        full_access(
            "UPDATE lifecycle_auditevent SET reason = %s, hash = %s, prev_hash = %s WHERE id = %s",
            [event["reason"], event_hash, previous, event["id"]],
        )
    set_head(full_access, 5, forged[-1], key=audit.chain_key())

    assert audit.verify().intact  # consistent, and keyed with the right key
    result = audit.verify(head=published)
    assert (result.intact, result.matches_published_head) == (False, False)
    assert "la chaîne a été réécrite depuis sa publication" in result.problem
