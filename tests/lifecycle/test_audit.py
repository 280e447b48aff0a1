"""The audit trail: a keyed hash chain, written with the changes it records, verified, exported.

The rewrites someone with database access could try are in test_audit_attacks.py.
"""

import datetime as dt
import hashlib
import hmac
import io
import json
import multiprocessing

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction

from lifecycle import audit, clock, services
from lifecycle.actors import SYSTEM, shown_label
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


def canonical(prev_hash, values) -> bytes:
    """The hashed text as the trail's format defines it: the canonical JSON of the previous hash
    and the content, `subject` left out when empty (events written before it existed)."""
    content = {
        **values,
        "created_at": values["created_at"].astimezone(dt.UTC).isoformat(timespec="microseconds"),
    }
    if not content["subject"]:
        del content["subject"]
    return json.dumps(
        [prev_hash, content], sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode()


def example(subject=""):
    return {
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


@pytest.mark.parametrize("subject", ["", "user:12"])
def test_the_hash_is_an_hmac_of_the_canonical_json_keyed_from_the_environment(subject):
    values = example(subject)
    key = settings.AUDIT_HMAC_KEY.encode()
    expected = hmac.new(key, canonical(GENESIS_HASH, values), hashlib.sha256).hexdigest()
    assert audit.compute_hash(GENESIS_HASH, values, key=key) == expected
    assert audit.compute_hash(GENESIS_HASH, values, key=b"another key") != expected
    # A trail begun before the key: plain SHA-256 of the same text.
    plain = hashlib.sha256(canonical(GENESIS_HASH, values)).hexdigest()
    assert audit.compute_hash(GENESIS_HASH, values, key=None) == plain


def test_events_are_chained_by_their_hashes(trail):
    first, second, third = trail
    assert first.prev_hash == GENESIS_HASH
    assert (second.prev_hash, third.prev_hash) == (first.hash, second.hash)
    head = AuditChainHead.objects.get()
    assert (head.last_hash, head.length, head.keyed) == (third.hash, 3, True)
    assert all(len(event.hash) == 64 for event in trail)


def test_an_untouched_chain_verifies(trail):
    result = audit.verify()
    assert (result.intact, result.checked, result.broken_event_id) == (True, 3, None)


def test_a_trail_begun_before_the_key_is_sealed_by_its_first_keyed_event(db):
    """Upgrading: the plain events stay as they are, a `chain_keyed` event follows them, and
    everything from it on is keyed; the plain prefix is then held by the keyed link after it."""
    previous, values = GENESIS_HASH, []
    for number in range(2):
        event_values = {**audit._values(None, AuditKind.CREATED, by=SYSTEM, reason=f"ancien n°{number}")}
        event_hash = audit.compute_hash(previous, event_values, key=None)
        AuditEvent.objects.create(prev_hash=previous, hash=event_hash, **event_values)
        values.append(event_hash)
        previous = event_hash
    AuditChainHead.objects.create(pk=1, last_hash=previous, length=2, keyed=False)

    with transaction.atomic():
        audit.record(None, AuditKind.CREATED, by=SYSTEM, reason="après la clé")

    kinds = list(AuditEvent.objects.order_by("id").values_list("kind", flat=True))
    # Begun before personal data was kept apart too: its marker follows (docs/personal-data.md).
    assert kinds == ["created", "created", "chain_keyed", "personal_data_apart", "created"]
    assert audit.verify().intact and audit.verify().checked == 5
    assert AuditChainHead.objects.get().keyed


def legacy_trail(length):
    previous = GENESIS_HASH
    for number in range(length):
        event_values = audit._values(None, AuditKind.CREATED, by=SYSTEM, reason=f"ancien n°{number}")
        event_hash = audit.compute_hash(previous, event_values, key=None)
        AuditEvent.objects.create(prev_hash=previous, hash=event_hash, **event_values)
        previous = event_hash
    return previous


def test_a_trail_begun_before_the_key_verifies_before_its_first_keyed_write(db):
    """Its head, sealed by migration 0009 as never keyed, says its events are plain SHA-256."""
    last = legacy_trail(3)
    # Unsealed, the head proves nothing: someone may have moved it.
    AuditChainHead.objects.create(pk=1, last_hash=last, length=3, keyed=False)
    assert audit.verify().problem.startswith("la tête de la chaîne n’est pas celle qu’a écrite l’application")

    seal = audit.head_seal(3, last, False, key=audit.chain_key())
    AuditChainHead.objects.filter(pk=1).update(seal=seal)
    result = audit.verify()
    assert (result.intact, result.checked) == (True, 3)


def test_the_head_is_sealed_by_every_writer(trail):
    head = AuditChainHead.objects.get()
    assert head.seal == audit.head_seal(3, trail[-1].hash, True, key=audit.chain_key())
    assert (
        head.seal
        == hmac.new(
            settings.AUDIT_HMAC_KEY.encode(), f"head:3:{trail[-1].hash}:1".encode(), hashlib.sha256
        ).hexdigest()
    )


def test_there_is_one_head(trail):
    from django.db import DatabaseError

    with pytest.raises(DatabaseError), transaction.atomic():  # a constraint; on PostgreSQL a trigger too
        AuditChainHead.objects.create(pk=2)
    assert AuditChainHead.objects.count() == 1


def test_an_event_committed_while_the_chain_is_verified_is_not_a_break(postgresql_transactional):
    """Verification walks up to the head it read first; a writer that commits meanwhile moves
    the head, and the walk goes on to it. (SQLite has no such race: its reader holds the
    database while it reads.)"""
    import threading

    from django.db import connections

    with transaction.atomic():
        for number in range(6):
            audit.record(None, AuditKind.CREATED, by=SYSTEM, reason=f"n°{number}")

    def write_one_in_another_connection():
        def run():
            with transaction.atomic():
                audit.record(None, AuditKind.CREATED, by=SYSTEM, reason="pendant la vérification")
            connections.close_all()

        writer = threading.Thread(target=run)
        writer.start()
        writer.join()

    written = []

    def progress(checked):
        if not written:
            written.append(checked)
            write_one_in_another_connection()

    result = audit.verify(chunk_size=2, progress=progress)
    assert (result.intact, result.checked, written) == (True, 7, [2])


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


def test_an_audit_event_is_only_written_inside_a_transaction(transactional_db):
    with pytest.raises(RuntimeError):
        audit.record(None, AuditKind.CREATED, by=programme_manager())


# The command -----------------------------------------------------------------------------------


def test_audit_verify_command_prints_the_count(trail):
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert out.getvalue() == "3 événements vérifiés : chaîne intègre.\n"


def test_audit_verify_command_checks_a_published_head(trail):
    out = io.StringIO()
    call_command("audit", "verify", "--head", f"2:{trail[1].hash}", stdout=out)
    assert out.getvalue().splitlines() == [
        "3 événements vérifiés : chaîne intègre.",
        "Les 2 premiers événements sont ceux de la tête publiée.",
    ]
    with pytest.raises(CommandError) as caught:
        call_command("audit", "verify", "--head", f"2:{trail[0].hash}", stdout=io.StringIO())
    assert caught.value.returncode == 3
    assert "l’événement n°2 ne porte pas l’empreinte publiée" in str(caught.value)
    with pytest.raises(CommandError) as caught:
        call_command("audit", "verify", "--head", "deux:abc", stdout=io.StringIO())
    assert str(caught.value) == "Une tête de chaîne s’écrit LONGUEUR:EMPREINTE (64 caractères hexadécimaux)."


def test_export_jsonl_holds_every_event_with_its_hashes(trail):
    out = io.StringIO()
    call_command("audit", "export", "--format", "jsonl", stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [row["id"] for row in rows] == [event.pk for event in trail]
    # The stored (hashed) fields, the author named by reference; then their name, kept apart.
    author = f"user:{trail[0].actor_id}"
    assert rows[0] == {
        "id": trail[0].pk,
        "challenge_id": trail[0].challenge_id,
        "subject": "",
        "kind": "transition",
        "actor_id": trail[0].actor_id,
        "actor_label": author,
        "created_at": trail[0].created_at.isoformat(timespec="microseconds"),
        "transition": "preselect",
        "from_state": "submitted",
        "to_state": "preselected",
        "reason": "Dossier solide",
        "changes": {},
        "personal_digests": {author: trail[0].personal_digests[author]},
        "prev_hash": GENESIS_HASH,
        "hash": trail[0].hash,
        "actor": "Camille Martin (gestionnaire)",
        "personal_values": {author: [[["actor_label"], "Camille Martin (gestionnaire)"]]},
    }


def test_export_csv_has_a_header_and_a_row_per_event(trail, tmp_path):
    target = tmp_path / "journal.csv"
    call_command("audit", "export", "--format", "csv", "--output", str(target), stderr=io.StringIO())
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(f'"{name}"' for name in audit.EXPORT_FIELDS)  # every cell quoted
    assert len(lines) == 4
    assert f',"{GENESIS_HASH}","{trail[0].hash}","Camille Martin (gestionnaire)",' in lines[1]


def test_an_author_s_name_is_one_line_in_the_trail(db):
    """A name typed before names were checked keeps no line break into the trail."""
    author = programme_manager(username="camille", first_name="Camille\r\nBcc:", last_name="Lambert\t")
    with transaction.atomic():
        event = audit.record(None, AuditKind.CREATED, by=author)
    assert event.actor_label == f"user:{author.pk}"  # the name kept apart (docs/personal-data.md)
    assert shown_label(AuditEvent.objects.get(pk=event.pk)) == "Camille Bcc: Lambert (camille)"


# Verification: the rows as the database gives them, and the walk in parts ----------------------


def test_every_kind_of_value_is_hashed_again_as_it_was_written(db):
    """The walk rebuilds each hashed text from the rows as stored (the time stamp, the JSON
    columns as text): what `record` hashed, to the character, whatever the values."""
    author = programme_manager(username="camille", first_name="Camille « é »", last_name="L'Hôte")
    odd = {
        "texte": 'Ligne 1\nLigne 2\t"citée" \\ \u2028 \x01 ☃ 𝄞',
        # (Not a float of 1e16 or more: PostgreSQL's jsonb gives it back as an integer.)
        "nombres": [0, -7, 0.1, 1.0, 2.5e-8, 1e15, 12345678901234567890],
        "imbriqué": {"b": [None, True, False], "a": {"z": [], "y": {}}, "É": "", "10": 1, "9": 2},
    }
    moments = [
        dt.datetime(2019, 3, 31, 1, 59, 59, 0, tzinfo=dt.UTC),  # no fraction of a second
        dt.datetime(2024, 10, 27, 2, 30, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=2))),
    ]
    with transaction.atomic():
        for moment in moments:
            with clock.at(moment):
                audit.record(None, AuditKind.CREATED, by=author, reason="motif « é »\r\n", changes=odd)
                audit.record(
                    None,
                    AuditKind.CREATED,
                    by=SYSTEM,
                    subject="contact:5",
                    changes={"email": [None, audit.Personal("contact:5", "a.b@exemple.fr ☃")]},
                    personal={"contact:5": {"téléphone": ["01 02", {"poste": 3.25}]}},
                )
    result = audit.verify()
    assert (result.intact, result.checked) == (True, 4)


@pytest.fixture
def long_trail(transactional_db):
    """Twelve events committed (the workers read them on connections of their own), most of
    them with their author's name kept apart."""
    manager = programme_manager(username="gestionnaire")
    with transaction.atomic():
        for number in range(12):
            audit.record(None, AuditKind.CREATED, by=manager if number % 3 else SYSTEM, reason=f"n°{number}")
    return list(AuditEvent.objects.order_by("id"))


@pytest.fixture
def rewrite(long_trail, full_access):
    """SQL run by someone with full access to the database, on the committed trail."""
    return full_access


def verify_in_parts(**options):
    """The verification by two worker processes, over parts of 4 events (three parts of the
    twelve); with the number of workers alive while the parts were joined."""
    alive = set()
    result = audit.verify(
        workers=2,
        segment_size=4,
        chunk_size=2,
        progress=lambda checked: alive.add(len(multiprocessing.active_children())),
        **options,
    )
    return result, alive


def test_an_intact_trail_verified_in_parts_by_workers(long_trail):
    result, alive = verify_in_parts()
    assert result == audit.verify() == audit.Verification(12)
    assert alive == {2}  # the parts were walked by two processes

    published = (6, long_trail[5].hash)  # inside the second part
    result, _alive = verify_in_parts(head=published)
    assert result == audit.verify(head=published) == audit.Verification(12, matches_published_head=True)
    result, _alive = verify_in_parts(head=(6, long_trail[4].hash))
    assert result == audit.verify(head=(6, long_trail[4].hash))
    assert result.problem.startswith("l’événement n°6 ne porte pas l’empreinte publiée")


def test_an_event_changed_inside_the_second_part(long_trail, rewrite):
    event = long_trail[5]
    rewrite("UPDATE lifecycle_auditevent SET reason = %s WHERE id = %s", ["réécrit", event.pk])
    result, _alive = verify_in_parts()
    assert result == audit.verify()
    assert (result.checked, result.broken_event_id, result.problem) == (
        5,
        event.pk,
        f"le contenu de l’événement #{event.pk} a été modifié",
    )


def test_a_broken_link_between_two_parts(long_trail, rewrite):
    """The second part's first event points elsewhere: the part holds by itself, its link to
    the part before does not."""
    event = long_trail[4]
    rewrite("UPDATE lifecycle_auditevent SET prev_hash = %s WHERE id = %s", [GENESIS_HASH, event.pk])
    result, _alive = verify_in_parts()
    assert result == audit.verify()
    assert (result.checked, result.broken_event_id, result.problem) == (
        4,
        event.pk,
        f"le lien vers l’événement précédent est rompu (#{event.pk})",
    )


def test_the_last_event_of_a_part_deleted(long_trail, rewrite):
    deleted, after = long_trail[3], long_trail[4]
    rewrite("DELETE FROM lifecycle_personaldata WHERE event_id = %s", [deleted.pk])
    rewrite("DELETE FROM lifecycle_auditevent WHERE id = %s", [deleted.pk])
    result, _alive = verify_in_parts()
    assert result == audit.verify()
    assert (result.checked, result.broken_event_id) == (3, after.pk)


def test_a_personal_value_changed_in_the_third_part(long_trail, rewrite):
    event = long_trail[10]
    rewrite(
        'UPDATE lifecycle_personaldata SET "values" = %s WHERE event_id = %s',
        [json.dumps([[["actor_label"], "Quelqu’un d’autre"]]), event.pk],
    )
    result, _alive = verify_in_parts()
    assert result == audit.verify()
    assert (result.checked, result.broken_event_id, result.problem) == (
        10,
        event.pk,
        f"la donnée personnelle de user:{event.actor_id} de l’événement #{event.pk} a été modifiée",
    )


def test_inside_a_transaction_the_parts_are_walked_in_this_process(trail):
    """The workers would not see what the transaction has not committed (here, the whole
    trail): the parts are walked and joined here, to the same result."""
    alive = set()

    def progress(checked):
        alive.add(len(multiprocessing.active_children()))

    assert audit.verify(workers=2, segment_size=1, progress=progress) == audit.Verification(3)
    assert alive == {0}


def test_audit_verify_command_with_workers(long_trail):
    out = io.StringIO()
    call_command("audit", "verify", "--workers", "2", stdout=out)
    assert out.getvalue() == "12 événements vérifiés : chaîne intègre.\n"
