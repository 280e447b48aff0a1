import csv
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.enums import Role
from accounts.services import create_user
from lifecycle import services
from lifecycle.actors import SYSTEM
from lifecycle.dossier import edits
from lifecycle.enums import ChallengeState
from lifecycle.models import AuditEvent, Challenge
from tests.backoffice.page_text import text_of
from tests.factories import (
    AdministrationFactory,
    ChallengeFactory,
    administration_contact,
    programme_manager,
    user_with_role,
)

URL = reverse("backoffice:audit")
User = get_user_model()


@pytest.fixture
def auditor_client(client, db):
    cache.clear()
    client.force_login(user_with_role(Role.AUDITOR, username="auditrice"))
    return client


@pytest.fixture
def trail(db):
    manager = programme_manager(username="gestionnaire", first_name="Camille", last_name="Martin")
    datafin = ChallengeFactory(state=ChallengeState.SUBMITTED, name="Datafin")
    signaux = ChallengeFactory(state=ChallengeState.SUBMITTED, name="Signaux faibles")
    services.transition(datafin, "preselect", by=manager, reason="Impact fort")
    services.transition(signaux, "reject", by=manager, reason="Hors périmètre")
    edits.update_dossier(
        Challenge.objects.get(pk=datafin.pk), {"problem": "Nouvelle problématique"}, by=manager
    )
    return datafin, signaux


def test_the_review_lists_events_with_old_and_new_values(auditor_client, trail):
    page = text_of(auditor_client.get(URL).content.decode())

    assert "3 événements" in page
    assert "Changement d’état — Présélectionner : Déposé → Présélectionné" in page
    assert "Impact fort" in page
    old = "Les données de l’administration sont dispersées et peu réutilisées."
    assert f"Problématique à résoudre : {old} → devient Nouvelle problématique" in page
    assert "problem" not in page.replace("Problématique", "")


def test_a_change_of_role_is_in_the_review_with_the_account_it_concerns(auditor_client, trail):
    manager = User.objects.get(username="gestionnaire")
    person = create_user("dominique", by=manager, role=Role.JURY_MEMBER)

    page = text_of(auditor_client.get(URL, {"kind": "role_changed"}).content.decode())

    assert "1 événement" in page
    assert "Changement de rôle d’une personne" in page
    assert "Compte : dominique" in page  # the subject, user:<pk>, by its name (no reason names it)
    assert "Rôle : — → devient Membre du jury" in page
    assert "jury_member" not in page and f"user:{person.pk}" not in page
    assert AuditEvent.objects.get(kind="role_changed").subject == f"user:{person.pk}"


def test_filters_by_challenge_actor_kind_and_dates(auditor_client, trail):
    datafin, _signaux = trail
    assert "2 événements" in auditor_client.get(URL, {"challenge": "datafin"}).content.decode()
    assert "2 événements" in auditor_client.get(URL, {"challenge": str(datafin.pk)}).content.decode()
    assert "2 événements" in auditor_client.get(URL, {"kind": "transition"}).content.decode()
    assert "3 événements" in auditor_client.get(URL, {"actor": "camille"}).content.decode()
    assert "0 événement" in auditor_client.get(URL, {"until": "2018-01-01"}).content.decode()


def test_the_chain_status_is_shown_after_a_verification(auditor_client, trail):
    assert "n’a pas encore été vérifiée" in auditor_client.get(URL).content.decode()
    page = auditor_client.post(URL, follow=True).content.decode()
    assert "3 événements vérifiés le " in page
    assert "chaîne intègre." in page


def test_exports_hold_the_filtered_events(auditor_client, trail):
    response = auditor_client.get(reverse("backoffice:audit_export", args=["csv"]), {"kind": "transition"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(row["transition"], row["reason"]) for row in rows] == [  # in the chain's order
        ("preselect", "Impact fort"),
        ("reject", "Hors périmètre"),
    ]
    jsonl = auditor_client.get(reverse("backoffice:audit_export", args=["jsonl"]))
    events = [json.loads(line) for line in jsonl.content.decode().splitlines()]
    assert [event["id"] for event in events] == sorted(AuditEvent.objects.values_list("id", flat=True))
    assert events[-1]["hash"] == AuditEvent.objects.order_by("-id").first().hash


def test_managers_read_the_trail_too_and_others_get_404(client, trail):
    client.force_login(create_user("g2", by=SYSTEM, role=Role.PROGRAMME_MANAGER))
    assert client.get(URL).status_code == 200
    client.force_login(administration_contact(AdministrationFactory()))
    assert client.get(URL).status_code == 404
    assert client.get(reverse("backoffice:audit_export", args=["csv"])).status_code == 404


def test_the_number_of_queries_does_not_grow_with_the_trail(auditor_client, trail):
    def queries():
        with CaptureQueriesContext(connection) as context:
            assert auditor_client.get(URL).status_code == 200
        return len(context)

    # A person's account named by an event (its role given): one query for the accounts the
    # page names, whatever their number.
    manager = create_user("g3", by=SYSTEM, role=Role.PROGRAMME_MANAGER)
    few = queries()
    create_user("g4", by=SYSTEM, role=Role.PROGRAMME_MANAGER)
    for challenge in ChallengeFactory.create_batch(30, state=ChallengeState.SUBMITTED, dossier_rows=False):
        services.transition(challenge, "withdraw", by=manager)
    assert queries() == few


def test_the_audit_csv_keeps_a_formula_looking_reason_as_text(auditor_client, db):
    manager = programme_manager(username="g10")
    other = ChallengeFactory(state=ChallengeState.SUBMITTED, name="Tableur")
    services.transition(other, "reject", by=manager, reason="=cmd|' /C calc'!A0")

    response = auditor_client.get(reverse("backoffice:audit_export", args=["csv"]), {"kind": "transition"})

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[-1]["reason"] == "'=cmd|' /C calc'!A0"
