import csv
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, transaction
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


# Pages by key ----------------------------------------------------------------------------------


@pytest.fixture
def long_trail(db):
    """120 events of two kinds (1, 2, 3: created, transition, created…), committed in one go."""
    from lifecycle import audit
    from lifecycle.enums import AuditKind

    with transaction.atomic():
        for number in range(120):
            audit.record(
                None,
                AuditKind.TRANSITION if number % 3 == 1 else AuditKind.CREATED,
                by=SYSTEM,
                reason=f"n°{number}",
            )
    return list(AuditEvent.objects.order_by("-id").values_list("pk", flat=True))


def shown_ids(response):
    return [event.pk for event in response.context["page"].events]


def test_the_trail_goes_by_key_to_older_events_and_back(auditor_client, long_trail):
    newest = auditor_client.get(URL)
    page = newest.context["page"]
    assert shown_ids(newest) == long_trail[:50]
    assert (page.newer_than, page.older_than, page.count, page.more) == (None, long_trail[49], 120, False)
    assert "120 événements" in text_of(newest.content.decode())

    second = auditor_client.get(URL, {"avant": long_trail[49]})
    assert shown_ids(second) == long_trail[50:100]
    assert (second.context["page"].newer_than, second.context["page"].older_than) == (
        long_trail[50],
        long_trail[99],
    )
    last = auditor_client.get(URL, {"avant": long_trail[99]})
    assert shown_ids(last) == long_trail[100:]
    assert (last.context["page"].newer_than, last.context["page"].older_than) == (long_trail[100], None)
    assert f"apres={long_trail[100]}" in last.content.decode()

    back = auditor_client.get(URL, {"apres": long_trail[100]})
    assert shown_ids(back) == long_trail[50:100]
    assert (back.context["page"].newer_than, back.context["page"].older_than) == (
        long_trail[50],
        long_trail[99],
    )
    # Just below the top, "newer" is the newest page itself.
    top = auditor_client.get(URL, {"apres": long_trail[50]})
    assert shown_ids(top) == long_trail[:50]
    assert top.context["page"].newer_than is None


def test_a_filter_is_kept_from_page_to_page(auditor_client, long_trail):
    transitions = [pk for index, pk in enumerate(long_trail) if (119 - index) % 3 == 1]
    first = auditor_client.get(URL, {"kind": "transition"})
    assert shown_ids(first) == transitions[:40]
    assert first.context["page"].older_than is None  # 40 transitions: one page
    assert "40 événements" in text_of(first.content.decode())


def test_the_count_stops_at_a_bound_and_says_more(auditor_client, long_trail, monkeypatch):
    from backoffice.views import audit as audit_view

    monkeypatch.setattr(audit_view, "COUNTED_UP_TO", 100)
    response = auditor_client.get(URL)
    assert (response.context["page"].count, response.context["page"].more) == (100, True)
    assert "Plus de 100 événements" in text_of(response.content.decode())


def test_a_deep_page_costs_the_queries_of_the_first(auditor_client, long_trail):
    auditor_client.get(URL)
    with CaptureQueriesContext(connection) as first:
        auditor_client.get(URL, {"avant": long_trail[49]})
    with CaptureQueriesContext(connection) as deep:
        auditor_client.get(URL, {"avant": long_trail[99]})
    assert len(deep.captured_queries) == len(first.captured_queries)
    assert not any("OFFSET" in query["sql"] for query in deep.captured_queries)


def test_a_challenge_named_or_numbered(auditor_client, trail):
    datafin, signaux = trail
    by_name = auditor_client.get(URL, {"challenge": "datafin"})
    assert {event.challenge_id for event in by_name.context["page"].events} == {datafin.pk}
    by_number = auditor_client.get(URL, {"challenge": str(signaux.pk)})
    assert {event.challenge_id for event in by_number.context["page"].events} == {signaux.pk}
