"""The managers' pages of the DS sync, through Django's client, DS on loopback."""

import pytest
import yaml
from django.urls import reverse

from accounts.enums import Role
from demarches import fake
from demarches.models import Demarche, DsDossier, LinkStatus, SyncRun
from lifecycle.enums import AuditKind
from lifecycle.models import AuditEvent, Challenge
from lifecycle.services import transition
from tests.factories import user_with_role


@pytest.fixture
def signed_in(client, manager):
    client.force_login(manager)
    return client


def detail(demarche):
    return reverse("demarches:detail", args=[demarche.number])


def test_the_pages_are_the_managers(client, demarche):
    for role in (Role.AUDITOR, Role.ADMINISTRATION_CONTACT, Role.JURY_MEMBER):
        client.force_login(user_with_role(role, username=f"u-{role}"))
        assert client.get(reverse("demarches:list")).status_code in (403, 404)
        assert client.get(detail(demarche)).status_code in (403, 404)
        response = client.post(reverse("demarches:sync", args=[demarche.number]), {"confirm": "1"})
        assert response.status_code in (403, 404)
    assert not SyncRun.objects.exists()


def test_a_manager_adds_a_demarche(signed_in, demarche):
    response = signed_in.post(
        reverse("demarches:list"), {"number": "777", "promotion": demarche.promotion.pk}
    )
    assert response.status_code == 302
    added = Demarche.objects.get(number=777)
    assert added.promotion == demarche.promotion and added.mapping == {}
    assert AuditEvent.objects.filter(
        kind=AuditKind.DS_MAPPING_CHANGED, subject=f"demarche:{added.pk}"
    ).exists()
    response = signed_in.post(
        reverse("demarches:list"), {"number": "777", "promotion": demarche.promotion.pk}
    )
    assert "La démarche 777 est déjà suivie." in response.content.decode()


def test_the_dry_run_shows_every_champ_and_what_a_sync_would_do(signed_in, ds, demarche, real):
    ds.store.put(1, fake.values_of(real[0], 1))
    ds.store.put(2, {fake.ADMINISTRATION: "Cour des comptes"})

    response = signed_in.post(reverse("demarches:dry_run", args=[demarche.number]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Essai à blanc, rien n’a été écrit : 1 créé(s), 0 mis à jour, 0 inchangé(s), 1 refusé(s)" in page
    assert "dossier 2 refusé : nom du défi absent" in page
    assert f'<tr data-id="{fake.champ_id(fake.HEADER)}" class="eig-muted">' in page  # not imported
    assert "<code>public_description</code>" in page
    assert Challenge.objects.count() == 0 and SyncRun.objects.count() == 0


def test_a_sync_needs_its_confirmation_then_runs_on_the_workers(signed_in, ds, demarche, real):
    ds.store.put(1, fake.values_of(real[0], 1))
    url = reverse("demarches:sync", args=[demarche.number])

    response = signed_in.post(url, follow=True)
    assert "Cochez la case de confirmation" in response.content.decode()
    assert not SyncRun.objects.exists()

    response = signed_in.post(url, {"confirm": "1"}, follow=True)  # the task runs inline in tests
    page = response.content.decode()
    assert "Synchronisation lancée" in page
    run = SyncRun.objects.get()
    assert (run.created, run.status) == (1, "succeeded")
    assert f'<tr data-run="{run.pk}">' in page
    assert Challenge.objects.get().name == "AFD - Geodata"


def test_a_manager_keeps_or_applies_what_ds_changed_after_a_decision(signed_in, ds, demarche, manager, real):
    from demarches.sync import sync

    ds.store.put(1, fake.values_of(real[0], 1))
    ds.store.put(2, fake.values_of(real[1], 2))
    sync(demarche, by=manager)
    for number in (1, 2):
        transition(DsDossier.objects.get(number=number).challenge, "preselect", by=manager, reason="Solide")
        ds.store.change(number, values={fake.SUMMARY: f"Résumé {number} changé sur DS"})
    sync(demarche, by=manager)

    page = signed_in.get(detail(demarche)).content.decode()
    assert 'id="reported-1"' in page and 'id="reported-2"' in page
    assert "Résumé 1 changé sur DS" in page

    answer = reverse("demarches:answer", args=[demarche.number, 1])
    signed_in.post(answer, {"answer": "dismiss"})
    answer = reverse("demarches:answer", args=[demarche.number, 2])
    response = signed_in.post(answer, {"answer": "apply"}, follow=True)

    assert "Dossier 2 : les valeurs de DS sont appliquées." in response.content.decode()
    first, second = (DsDossier.objects.get(number=n) for n in (1, 2))
    assert first.challenge.summary == "Mettre les données ouvertes au service de projets de développement"
    assert second.challenge.summary == "Résumé 2 changé sur DS"
    assert second.challenge.state == "preselected"  # a state moves only through a transition
    assert {first.status, second.status} == {LinkStatus.IMPORTED}
    reasons = list(AuditEvent.objects.filter(kind=AuditKind.DS_UPDATED).values_list("reason", flat=True))
    assert reasons[-3:] == [
        "dossier n° 1 de la démarche démarches-simplifiées n° 12345 : valeurs de DS écartées, "
        "celles du programme gardées",
        "dossier n° 2 de la démarche démarches-simplifiées n° 12345",  # the change, field by field
        "dossier n° 2 de la démarche démarches-simplifiées n° 12345 : valeurs de DS appliquées",
    ]
    # Acknowledged: DS's next change applies again.
    ds.store.change(1, values={fake.SUMMARY: "Encore un résumé"})
    assert sync(demarche, by=manager).updated == 1


def test_a_mapping_is_saved_checked_and_audited(signed_in, demarche):
    url = reverse("demarches:mapping", args=[demarche.number])
    response = signed_in.post(url, {"text": "champs:\n  abc: {type: TextChamp, to: nom}\n"})
    assert response.status_code == 400
    assert "champs abc : destination inconnue « nom »" in response.content.decode()

    response = signed_in.post(url, {"text": "champs:\n  abc: {type: TextChamp, to: name}\n"})
    assert response.status_code == 302
    demarche.refresh_from_db()
    assert demarche.mapping == {"champs": {"abc": {"type": "TextChamp", "to": "name"}}}
    assert AuditEvent.objects.filter(kind=AuditKind.DS_MAPPING_CHANGED).count() == 1


def test_the_schedule_is_switched_from_the_page(signed_in, demarche):
    signed_in.post(reverse("demarches:schedule", args=[demarche.number]), {"scheduled": "1"})
    demarche.refresh_from_db()
    assert demarche.scheduled is True


def test_the_list_shows_each_demarches_last_run_in_constant_queries(signed_in, ds, demarche, manager, real):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from demarches.sync import sync

    ds.store.put(1, fake.values_of(real[0], 1))
    with CaptureQueriesContext(connection) as before:
        assert "jamais" in signed_in.get(reverse("demarches:list")).content.decode()
    sync(demarche, by=manager)
    sync(demarche, by=manager)
    with CaptureQueriesContext(connection) as after:
        page = signed_in.get(reverse("demarches:list")).content.decode()
    assert f'<tr data-number="{demarche.number}">' in page and ": Réussie</td>" in page
    assert len(after) == len(before)


def test_a_mapping_is_proposed_from_the_demarche_and_saved_only_by_the_manager(signed_in, ds, demarche):
    mapping = {"champs": {fake.champ_id(fake.NAME): {"type": "TextChamp", "to": "name"}}}
    demarche.mapping = mapping
    demarche.save()

    response = signed_in.post(reverse("demarches:propose", args=[demarche.number]))

    page = response.content.decode()
    assert "Correspondance proposée : vérifiez-la, complétez-la, puis enregistrez-la." in page
    form = response.context["mapping_form"]
    proposal = yaml.safe_load(form.initial["text"])
    assert len(proposal["champs"]) == len(fake.CHAMPS) and len(proposal["annotations"]) == len(
        fake.ANNOTATIONS
    )
    assert proposal["champs"][fake.champ_id(fake.NAME)] == {"type": "TextChamp", "to": "name"}  # kept
    assert proposal["champs"][fake.champ_id(fake.PROBLEM)]["to"] == "problem"  # guessed by its label
    demarche.refresh_from_db()
    assert demarche.mapping == mapping  # nothing saved
