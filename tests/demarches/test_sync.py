"""The DS sync against DS on loopback (demarches/fake.py): real HTTP, DS's schema executed by
graphql-core, the programme's real challenges as dossiers."""

import datetime as dt
import logging
from decimal import Decimal

import pytest

from demarches import fake, tasks
from demarches.models import DsDossier, LinkStatus, SyncRun, SyncStatus
from demarches.sync import SyncError, sync
from lifecycle import audit, clock
from lifecycle.enums import AuditKind, ChallengeState, ContactRole
from lifecycle.models import Administration, AuditEvent, Challenge
from lifecycle.services import transition

S = ChallengeState


def file_real(ds, real, count, *, first=1, deck_for=()):
    for number, challenge in enumerate(real[:count], start=first):
        deck = fake.pdf(challenge["title"]) if number in deck_for else None
        ds.store.put(number, fake.values_of(challenge, number), deck=deck)


def events(kind):
    return list(AuditEvent.objects.filter(kind=kind).order_by("pk"))


def test_a_first_sync_brings_every_dossier_in_with_its_rows_and_audit(ds, demarche, manager, real):
    file_real(ds, real, 5, deck_for={1})
    report = sync(demarche, by=manager)

    assert (report.created, report.updated, report.unchanged, report.refused, report.reported) == (
        5,
        0,
        0,
        0,
        0,
    )
    assert report.summary() == (
        "5 créé(s), 0 mis à jour, 0 inchangé(s), 0 refusé(s), 0 signalé(s) à un·e chargé·e de programme, "
        "0 supprimé(s) sur DS (1 page(s))"
    )
    afd = Challenge.objects.get(name="AFD - Geodata")
    assert afd.promotion == demarche.promotion
    assert afd.state == S.SUBMITTED
    assert afd.administration.name == "Agence Française de Développement"
    assert afd.administration.siret == fake.siret_of("Agence Française de Développement")
    assert afd.summary == "Mettre les données ouvertes au service de projets de développement"
    assert afd.public_description == real[0]["long_description"].strip()
    assert "d’OpenStreetMap" in afd.public_description
    assert [(p.rank, p.profile, p.mission) for p in afd.eig_positions.order_by("rank")] == [
        (1, "development", "Construire le service avec les agents."),
        (2, "data_science", "Explorer les données et les croiser."),
    ]
    assert [(m.name, m.function, m.involvement_percent) for m in afd.team_members.all()] == [
        ("Équipe métier", "Cheffe de projet", 50)
    ]
    hr = afd.contacts.get()
    assert (hr.role, hr.first_name, hr.last_name, hr.email) == (
        ContactRole.HR,
        "Hélène",
        "Lefèvre-1",
        "rh1@example.gouv.fr",
    )
    assert afd.attests_outside_walls is True
    assert afd.datasets_accessible is None  # not answered on DS
    assert afd.total_employer_cost == Decimal("123456.50")
    assert afd.pitch_deck.name.startswith("pitch-decks/") and afd.pitch_deck_pages == 3
    assert afd.pitch_deck.read() == ds.store.files[ds.downloads[0]]

    imported = events(AuditKind.DS_IMPORTED)
    assert [(e.subject, e.reason, e.to_state) for e in imported][:2] == [
        ("ds:12345/1", "dossier n° 1 de la démarche démarches-simplifiées n° 12345", "submitted"),
        ("ds:12345/2", "dossier n° 2 de la démarche démarches-simplifiées n° 12345", "submitted"),
    ]
    assert imported[0].actor_id == manager.pk
    assert len(imported) == 5 and not events(AuditKind.DS_UPDATED)
    assert DsDossier.objects.filter(status=LinkStatus.IMPORTED, challenge__isnull=False).count() == 5
    run = SyncRun.objects.get()
    assert (run.status, run.created, run.pages, run.by) == (SyncStatus.SUCCEEDED, 5, 1, manager)
    assert events(AuditKind.DS_SYNCED)[0].reason == report.summary()
    assert audit.verify().intact


def test_the_second_sync_changes_nothing_and_resumes_from_the_cursor(ds, demarche, manager, real):
    file_real(ds, real, 5)
    sync(demarche, by=manager)
    demarche.refresh_from_db()
    count = AuditEvent.objects.count()

    report = sync(demarche, by=manager)

    assert (report.created, report.updated, report.unchanged, report.refused) == (0, 0, 0, 0)
    assert AuditEvent.objects.count() == count + 1  # the sync's own event only
    pages = [r["variables"] for r in ds.requests if r["operation"] == "getDossiers"]
    assert pages[0]["updatedSince"] == pages[1]["updatedSince"] == "2016-01-01T00:00:00+00:00"
    assert pages[0]["after"] is None and pages[1]["after"] == demarche.cursor != ""
    demarche.refresh_from_db()
    assert demarche.cursor == pages[1]["after"]  # an empty page leaves the stored cursor


def test_a_dossier_changed_on_ds_is_updated_and_audited_as_from_ds(ds, demarche, manager, real):
    file_real(ds, real, 3)
    sync(demarche, by=manager)
    ds.store.change(2, values={fake.SUMMARY: "Un parcours de soin lisible pour les patients âgés"})

    report = sync(demarche, by=manager)

    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    challenge = DsDossier.objects.get(number=2).challenge
    assert challenge.summary == "Un parcours de soin lisible pour les patients âgés"
    updated = events(AuditKind.DS_UPDATED)
    assert [(e.challenge_id, e.subject, e.reason) for e in updated] == [
        (challenge.pk, "ds:12345/2", "dossier n° 2 de la démarche démarches-simplifiées n° 12345")
    ]
    assert list(updated[0].changes) == ["summary"]


def test_a_change_on_ds_after_our_decision_waits_for_a_manager(ds, demarche, manager, real):
    file_real(ds, real, 2)
    sync(demarche, by=manager)
    challenge = DsDossier.objects.get(number=1).challenge
    transition(challenge, "preselect", by=manager, reason="Un défi solide, des données ouvertes")
    ds.store.change(1, values={fake.SUMMARY: "Un autre résumé, écrit sur DS après la présélection"})

    report = sync(demarche, by=manager)

    assert (report.updated, report.reported) == (0, 1)
    challenge.refresh_from_db()
    assert challenge.summary == "Mettre les données ouvertes au service de projets de développement"
    assert challenge.state == S.PRESELECTED
    link = DsDossier.objects.get(number=1)
    assert link.status == LinkStatus.CHANGED_AFTER_DECISION
    assert link.problem == "modifié sur DS après une décision (état ici : Présélectionné)"
    assert link.pending == {
        "differences": [
            ["état", "Présélectionné", "en construction (ici : Déposé)"],
            [
                "résumé",
                "Mettre les données ouvertes au service de projets de développement",
                "Un autre résumé, écrit sur DS après la présélection",
            ],
        ]
    }
    assert events(AuditKind.DS_UPDATED)[-1].reason == (
        "dossier n° 1 de la démarche démarches-simplifiées n° 12345 : modifié sur DS après une décision "
        "(état ici : Présélectionné) ; valeurs de DS en attente"
    )
    # Synced again, nothing new: still waiting, not reported twice.
    assert sync(demarche, by=manager).reported == 0


def test_a_change_of_state_on_ds_is_reported_not_applied(ds, demarche, manager, real):
    file_real(ds, real, 1)
    sync(demarche, by=manager)
    ds.store.change(1, state="accepte", values={fake.SUMMARY: "Résumé revu pendant l’instruction"})

    report = sync(demarche, by=manager)

    assert report.reported == 1
    challenge = Challenge.objects.get()
    assert challenge.state == S.SUBMITTED  # a state moves only through a transition
    assert challenge.summary == "Résumé revu pendant l’instruction"  # no decision here: DS's values apply
    link = DsDossier.objects.get()
    assert link.problem == "état changé sur DS (en construction → accepté) : à décider ici"


@pytest.mark.parametrize(
    ("ds_state", "ours"),
    [
        ("en_construction", S.SUBMITTED),
        ("en_instruction", S.SUBMITTED),
        ("accepte", S.PRESELECTED),
        ("refuse", S.NOT_PRESELECTED),
        ("sans_suite", S.WITHDRAWN),
    ],
)
def test_ds_states_map_to_ours(ds, demarche, manager, real, ds_state, ours):
    ds.store.put(1, fake.values_of(real[3], 1), state=ds_state)
    sync(demarche, by=manager)
    assert Challenge.objects.get().state == ours


def test_a_mapping_may_map_states_otherwise(ds, demarche, manager, real):
    demarche.mapping["states"] = {"accepte": "pitched"}
    demarche.save()
    ds.store.put(1, fake.values_of(real[3], 1), state="accepte")
    sync(demarche, by=manager)
    assert Challenge.objects.get().state == S.PITCHED


def test_a_dossier_without_its_optional_champs_is_imported_empty_there(ds, demarche, manager):
    ds.store.put(7, {fake.NAME: "Ville de Paris – Signalements", fake.ADMINISTRATION: "Ville de Paris"})
    report = sync(demarche, by=manager)
    assert report.created == 1
    challenge = Challenge.objects.get()
    assert (challenge.summary, challenge.public_description, challenge.total_employer_cost) == ("", "", None)
    assert (challenge.contacts.count(), challenge.team_members.count(), challenge.eig_positions.count()) == (
        0,
        0,
        0,
    )
    assert not challenge.pitch_deck


def test_refused_dossiers_name_their_reason_and_leave_nothing(ds, demarche, manager, real):
    file_real(ds, real, 1)  # dossier 1 is fine
    ds.store.put(2, {fake.ADMINISTRATION: "Cour des comptes"})  # no name
    too_long = fake.values_of(real[4], 3) | {fake.PROBLEM: "é" * 1500}
    ds.store.put(3, too_long)
    ds.store.put(4, fake.values_of(real[5], 4) | {"deck_type": "image/png"}, deck=b"\x89PNG...")
    ds.store.put(
        5, fake.values_of(real[6], 5) | {"deck_checksum": "AAAAAAAAAAAAAAAAAAAAAA=="}, deck=fake.pdf("x")
    )
    ds.store.put(6, fake.values_of(real[0], 6))  # the name of dossier 1's challenge
    administrations = set(Administration.objects.values_list("name", flat=True))

    report = sync(demarche, by=manager)

    assert report.created == 1
    assert report.refusals == [
        (2, "nom du défi absent"),
        (
            3,
            "« problématique à résoudre » dépasse 1200 caractères (1500) : "
            "10 lignes maximum (1200 caractères).",
        ),
        (4, "présentation « présentation.pdf » : un PDF est attendu (reçu image/png)"),
        (
            5,
            "présentation « présentation.pdf » : somme de contrôle différente de celle de DS "
            "(fichier altéré ou incomplet)",
        ),
        (6, "un autre défi de la promotion s’appelle déjà « AFD - Geodata »"),
    ]
    assert Challenge.objects.count() == 1
    # Dossier 1's administration and its supervising ministry, none of the refused ones'.
    assert set(Administration.objects.values_list("name", flat=True)) - administrations == {
        "Agence Française de Développement",
        "Ministère de l’Europe et des Affaires étrangères",
    }
    assert set(DsDossier.objects.filter(status=LinkStatus.REFUSED).values_list("number", flat=True)) == {
        2,
        3,
        4,
        5,
        6,
    }
    assert SyncRun.objects.get().refusals == [[n, r] for n, r in report.refusals]

    # Corrected on DS: the next sync tries the refused ones again.
    ds.store.change(2, values={fake.NAME: "CC - Suivi des recommandations"})
    report = sync(demarche, by=manager)
    assert report.created == 1 and report.refused == 4
    assert DsDossier.objects.get(number=2).challenge.name == "CC - Suivi des recommandations"


def test_an_expired_attachment_url_is_asked_again(ds, demarche, manager, real):
    file_real(ds, real, 1, deck_for={1})
    ds.expired_files.add(1)

    report = sync(demarche, by=manager)

    assert report.created == 1 and not report.refusals
    assert Challenge.objects.get().pitch_deck_pages == 3
    assert len(ds.downloads) == 2  # the expired URL (403), then the new one
    assert [r["operation"] for r in ds.requests] == [
        "getDemarche",
        "getDeletedDossiers",
        "getDossiers",
        "getDossier",  # the dossier again: a fresh URL
    ]


def test_an_attachment_that_cannot_be_downloaded_refuses_its_dossier_until_it_can(
    ds, demarche, manager, real
):
    file_real(ds, real, 2, deck_for={1})
    key = next(iter(ds.store.files))
    content = ds.store.files.pop(key)  # gone from the store: 404 at every try

    report = sync(demarche, by=manager)

    assert report.created == 1
    assert report.refusals == [(1, "pièce jointe : lien expiré ou refusé (404)")]
    assert not Challenge.objects.filter(name="AFD - Geodata").exists()
    ds.store.files[key] = content
    assert sync(demarche, by=manager).created == 1
    assert Challenge.objects.get(name="AFD - Geodata").pitch_deck_pages == 3


def test_a_429_waits_its_retry_after(ds, demarche, manager, real):
    file_real(ds, real, 2)
    ds.script = ["", "", "429"]  # the démarche, the deletions, then the first page: 429, Retry-After 1

    report = sync(demarche, by=manager)

    assert report.created == 2 and not report.error
    assert [r["operation"] for r in ds.requests][:4] == [
        "getDemarche",
        "getDeletedDossiers",
        "getDossiers",
        "getDossiers",
    ]
    assert report.seconds_on_ds >= 1.0


def test_a_page_with_a_graphql_error_writes_nothing_and_the_next_sync_resumes(ds, demarche, manager, real):
    for number in range(1, 151):
        values = fake.values_of(real[number % len(real)], number) | {fake.NAME: f"Défi n° {number}"}
        ds.store.put(number, values)
    ds.script = ["", "", "", "error"]  # the démarche, the deletions, page 1, then page 2: an error

    report = sync(demarche, by=manager)

    assert report.created == 100
    assert report.error == "démarches-simplifiées (getDossiers) : Timeout on dossiers.champs"
    assert Challenge.objects.count() == 100
    run = SyncRun.objects.get()
    assert (run.status, run.error) == (SyncStatus.FAILED, report.error)
    demarche.refresh_from_db()
    assert demarche.last_synced_at is None and demarche.cursor

    report = sync(demarche, by=manager)
    assert (report.created, report.unchanged, report.error) == (50, 0, "")
    assert Challenge.objects.count() == 150
    assert sorted(DsDossier.objects.values_list("number", flat=True)) == list(range(1, 151))


def test_a_time_out_is_tried_again(ds, demarche, manager, real):
    file_real(ds, real, 1)
    ds.script = ["", "", "slow"]  # the first page answers after the client's 2 s
    report = sync(demarche, by=manager)
    assert report.created == 1 and not report.error


def test_a_dossier_deleted_on_ds_is_reported_and_its_challenge_kept(ds, demarche, manager, real):
    file_real(ds, real, 2)
    sync(demarche, by=manager)
    ds.store.delete(2)

    report = sync(demarche, by=manager)

    assert report.deleted == 1
    link = DsDossier.objects.get(number=2)
    assert link.status == LinkStatus.DELETED
    assert link.problem == "supprimé sur DS le 03/09/2018 (à la demande de l’usager)"
    assert link.challenge is not None and Challenge.objects.count() == 2
    assert events(AuditKind.DS_UPDATED)[-1].subject == "ds:12345/2"
    demarche.refresh_from_db()
    assert demarche.deleted_since is not None
    assert sync(demarche, by=manager).deleted == 0  # read once


def test_a_refused_token_stops_the_sync_and_is_never_shown(ds, demarche, manager, real, settings, caplog):
    settings.DS_API_TOKEN = "jeton-secret-faux-0123456789"
    caplog.set_level(logging.DEBUG)
    file_real(ds, real, 1)

    report = sync(demarche, by=manager)

    assert report.error == ("démarches-simplifiées (getDemarche) : jeton refusé (401), vérifiez DS_API_TOKEN")
    assert Challenge.objects.count() == 0
    assert "jeton-secret-faux" not in caplog.text
    assert "jeton-secret-faux" not in SyncRun.objects.get().error
    assert all("jeton-secret" not in e.reason for e in AuditEvent.objects.all())


def test_attachments_are_downloaded_without_the_token(ds, demarche, manager, real):
    file_real(ds, real, 1, deck_for={1})
    sync(demarche, by=manager)
    assert ds.authorizations == [
        f"Bearer {fake.TOKEN}",  # the démarche
        f"Bearer {fake.TOKEN}",  # the deletions
        f"Bearer {fake.TOKEN}",  # the page
        "",  # the attachment
    ]


def test_no_token_no_sync(ds, demarche, manager, settings):
    settings.DS_API_TOKEN = ""
    with pytest.raises(
        SyncError, match=r"Aucun jeton de l’API démarches-simplifiées : définissez DS_API_TOKEN\."
    ):
        sync(demarche, by=manager)


def test_a_mapped_champ_whose_type_changed_on_ds_stops_the_sync(ds, demarche, manager, real):
    demarche.mapping["champs"][fake.champ_id(fake.NAME)]["type"] = "DropDownListChamp"
    demarche.save()
    file_real(ds, real, 1)

    report = sync(demarche, by=manager)

    assert report.error == (
        "La correspondance ne tient plus :\n"
        f"champs {fake.champ_id(fake.NAME)} (Nom du défi) : "
        "type changé sur DS : DropDownListChamp devenu TextChamp"
    )
    assert Challenge.objects.count() == 0


def test_a_dry_run_writes_nothing(ds, demarche, manager, real):
    file_real(ds, real, 3, deck_for={1})
    events_before = AuditEvent.objects.count()

    report = sync(demarche, by=manager, dry_run=True)

    assert (report.created, report.dry_run) == (3, True)
    assert report.summary().startswith("Essai à blanc, rien n’a été écrit : 3 créé(s)")
    assert Challenge.objects.count() == 0 and DsDossier.objects.count() == 0
    assert SyncRun.objects.count() == 0 and AuditEvent.objects.count() == events_before
    demarche.refresh_from_db()
    assert (demarche.cursor, demarche.updated_since) == ("", None)
    assert ds.downloads == []


def test_the_scheduled_sync_runs_the_scheduled_demarches_as_the_system(ds, demarche, real):
    file_real(ds, real, 2)
    assert tasks.sync_scheduled() == {}
    demarche.scheduled = True
    demarche.save()

    results = tasks.sync_scheduled()

    assert results[demarche.number].startswith("2 créé(s)")
    event = events(AuditKind.DS_IMPORTED)[0]
    assert (event.actor_id, event.actor_label) == (None, "système")


def test_a_sync_is_a_managers_act(ds, demarche, real):
    from django.core.exceptions import PermissionDenied

    from accounts.enums import Role
    from tests.factories import user_with_role

    with pytest.raises(PermissionDenied):
        sync(demarche, by=user_with_role(Role.AUDITOR))


def test_dates_on_ds_are_kept(ds, demarche, manager, real):
    file_real(ds, real, 1)
    sync(demarche, by=manager)
    link = DsDossier.objects.get()
    assert link.ds_updated_at == dt.datetime(2018, 9, 3, 9, 0, 1, tzinfo=dt.UTC)
    assert link.ds_state == "en_construction"


def test_the_creation_event_is_the_dossier_as_read_back(ds, demarche, manager, real):
    """The event is written from the new rows in memory: it must be what reading them gives."""
    from lifecycle.dossier import snapshot
    from lifecycle.dossier.edits import DOSSIER_RELATIONS
    from lifecycle.personal import Personal

    file_real(ds, real, 2, deck_for={1})
    sync(demarche, by=manager)
    for event in events(AuditKind.DS_IMPORTED):
        read_back = Challenge.objects.prefetch_related(*DOSSIER_RELATIONS).get(pk=event.challenge_id)
        expected = snapshot.diff({}, snapshot.snapshot(read_back))
        assert set(event.changes) == set(expected)  # (PostgreSQL orders a JSON object its own way)
        for key, (_old, new) in expected.items():
            if not isinstance(new, Personal):
                assert event.changes[key] == [None, new], key


def test_one_pass_at_a_time_and_an_abandoned_one_is_closed(ds, demarche, manager, real):
    file_real(ds, real, 1)
    running = SyncRun.objects.create(demarche=demarche, started_at=clock.now(), status=SyncStatus.RUNNING)
    with pytest.raises(SyncError, match=r"Une synchronisation de la démarche 12345 est déjà en cours\."):
        sync(demarche, by=manager)
    assert Challenge.objects.count() == 0
    SyncRun.objects.filter(pk=running.pk).update(started_at=clock.now() - dt.timedelta(hours=3))
    assert sync(demarche, by=manager).created == 1
    running.refresh_from_db()
    assert (running.status, running.error) == (SyncStatus.FAILED, "abandonnée : son processus s’est arrêté")


def test_an_unexpected_error_fails_the_run_and_goes_on(ds, demarche, manager, real, monkeypatch):
    from demarches import sync as sync_module

    file_real(ds, real, 1)
    monkeypatch.setattr(sync_module, "digest_of", lambda mapped: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        sync(demarche, by=manager)
    run = SyncRun.objects.get()
    assert (run.status, run.error) == (
        SyncStatus.FAILED,
        "erreur inattendue (ZeroDivisionError) : les pages précédentes sont gardées",
    )


def test_a_refused_update_is_listed_and_tried_again(ds, demarche, manager, real):
    file_real(ds, real, 1)
    sync(demarche, by=manager)
    ds.store.change(1, values={fake.PROBLEM: "é" * 1500})  # longer than the call allows
    report = sync(demarche, by=manager)
    assert report.refusals == [
        (
            1,
            "« problématique à résoudre » dépasse 1200 caractères (1500) : "
            "10 lignes maximum (1200 caractères).",
        )
    ]
    link = DsDossier.objects.get()
    assert (link.status, link.challenge.problem) == (
        LinkStatus.REFUSED,
        "Les données existent mais sont dispersées entre plusieurs services.",
    )
    ds.store.change(1, values={fake.PROBLEM: "Les données sont éparpillées."})
    assert sync(demarche, by=manager).updated == 1  # read again, as a refused one
    link.refresh_from_db()
    assert (link.status, link.challenge.problem) == (LinkStatus.IMPORTED, "Les données sont éparpillées.")


def test_an_unchanged_pitch_deck_is_not_downloaded_again(ds, demarche, manager, real):
    file_real(ds, real, 1, deck_for={1})
    sync(demarche, by=manager)
    deck = Challenge.objects.get().pitch_deck.name
    ds.store.change(1, values={fake.SUMMARY: "Un résumé revu"})
    assert sync(demarche, by=manager).updated == 1
    assert len(ds.downloads) == 1
    challenge = Challenge.objects.get()
    assert (challenge.summary, challenge.pitch_deck.name) == ("Un résumé revu", deck)
    assert "pitch_deck" not in events(AuditKind.DS_UPDATED)[-1].changes


def test_a_new_mapping_reads_the_whole_demarche_again(ds, demarche, manager, real):
    from demarches import services

    file_real(ds, real, 2)
    sync(demarche, by=manager)
    mapping = fake.mapping()
    mapping["champs"][fake.champ_id(fake.SUMMARY)]["to"] = "datasets"  # the champ now fills another field
    services.set_mapping(demarche, mapping, by=manager)
    assert demarche.cursor == ""
    report = sync(demarche, by=manager)
    assert (report.updated, report.unchanged) == (2, 0)
    afd = Challenge.objects.get(name="AFD - Geodata")
    assert afd.datasets == afd.summary == "Mettre les données ouvertes au service de projets de développement"


def test_a_refused_dossier_deleted_on_ds_does_not_stop_the_sync(ds, demarche, manager, real):
    ds.store.put(1, {fake.ADMINISTRATION: "Cour des comptes"})  # refused: no name
    file_real(ds, real, 1, first=2)
    sync(demarche, by=manager)
    ds.store.delete(1)
    report = sync(demarche, by=manager)
    assert (report.deleted, report.error) == (1, "")
    assert DsDossier.objects.get(number=1).status == LinkStatus.DELETED


def test_two_mentors_who_are_one_person_refuse_the_dossier(ds, demarche, manager, real):
    mapping = fake.mapping()
    mapping["champs"][fake.champ_id(fake.HR_FIRST)]["to"] = "people.operational.first_name"
    mapping["champs"][fake.champ_id(fake.HR_LAST)]["to"] = "people.operational.last_name"
    mapping["champs"][fake.champ_id(fake.HR_EMAIL)]["to"] = "people.strategic.email"
    mapping["champs"][fake.champ_id(fake.SOURCE)] = {"type": "TextChamp", "to": "people.strategic.first_name"}
    mapping["champs"][fake.champ_id(fake.SUMMARY)]["to"] = "people.strategic.last_name"
    demarche.mapping = mapping
    demarche.save()
    values = fake.values_of(real[0], 1) | {fake.SOURCE: "Hélène", fake.SUMMARY: "Lefèvre-1"}
    ds.store.put(1, values)
    report = sync(demarche, by=manager)
    assert report.refusals == [(1, "Les mentors opérationnel et stratégique doivent être deux personnes.")]
