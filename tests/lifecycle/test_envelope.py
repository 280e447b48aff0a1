"""The call's co-financing envelope, read by the selection: to the cent, only for an eligible
administration, per challenge in a bulk selection, and when two managers select at the same moment."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.urls import reverse

from lifecycle import guards, services, signals, workflow
from lifecycle.enums import AdministrationKind, AuditKind, ChallengeState, TransitionName
from lifecycle.models import AuditEvent, Challenge
from tests.factories import (
    AdministrationFactory,
    ChallengeFactory,
    PromotionFactory,
    heard,
    programme_manager,
)
from tests.html_forms import form_data
from tests.lifecycle.test_concurrency import wait_until_a_backend_waits_on_a_lock

S = ChallengeState
BULK = reverse("backoffice:bulk_transition")


@pytest.fixture
def manager(db):
    return programme_manager(username="gestionnaire")


def promotion_with_envelope(envelope):
    promotion = PromotionFactory()
    promotion.call.cofinancing_envelope = Decimal(envelope)
    promotion.call.save()
    return promotion


def pitched(promotion, manager, **kwargs):
    """A pitched challenge whose collective grid is complete: only the envelope may refuse it."""
    challenge = ChallengeFactory(promotion=promotion, state=S.PITCHED, **kwargs)
    heard(challenge, by=manager)
    return challenge


def refusal_of(challenge, *, by):
    with pytest.raises(services.TransitionRefused) as caught:
        services.transition(challenge, TransitionName.SELECT, by=by, reason="Retenu par le jury")
    return caught.value


def selections():
    return list(
        AuditEvent.objects.filter(kind=AuditKind.TRANSITION, transition=TransitionName.SELECT)
        .order_by("pk")
        .values_list("challenge__name", flat=True)
    )


def test_only_the_selection_is_decided_one_at_a_time_per_promotion():
    assert [move.name for move in workflow.MOVES.values() if move.one_at_a_time_per_promotion] == [
        TransitionName.SELECT
    ]


# To the cent -----------------------------------------------------------------------------------


def test_a_selection_that_spends_exactly_the_envelope_passes(manager):
    promotion = promotion_with_envelope("210000.00")
    ChallengeFactory(promotion=promotion, state=S.RUNNING, name="Déjà en cours")  # 105,000 € committed
    candidate = pitched(promotion, manager, name="Juste assez")

    services.transition(candidate, TransitionName.SELECT, by=manager, reason="Retenu par le jury")

    assert Challenge.objects.get(pk=candidate.pk).state == S.SELECTED
    assert guards.committed_cofinancing(promotion) == Decimal("210000.00")
    assert selections() == ["Juste assez"]


def test_one_cent_over_the_envelope_is_refused_saying_by_how_much(manager):
    promotion = promotion_with_envelope("210000.00")
    ChallengeFactory(promotion=promotion, state=S.SELECTED, name="Déjà retenu")  # 105,000 € committed
    # Not committed: pitched (not decided yet), not selected (decided against), withdrawn.
    for state in (S.PITCHED, S.NOT_SELECTED, S.WITHDRAWN):
        ChallengeFactory(promotion=promotion, state=state)
    candidate = pitched(
        promotion, manager, name="Un centime de trop", cofinancing_amount=Decimal("105000.01")
    )

    refusal = refusal_of(candidate, by=manager)

    assert (refusal.code, refusal.reasons) == (
        "guards",
        [
            "Le co-financement PIA demandé (105\xa0000,01 €) dépasse de 0,01 € ce qui reste de "
            "l’enveloppe (105\xa0000,00 € sur 210\xa0000,00 €)."
        ],
    )
    assert Challenge.objects.get(pk=candidate.pk).state == S.PITCHED
    assert selections() == []
    assert guards.committed_cofinancing(promotion) == Decimal("105000.00")


# Eligibility --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("administration_kind", "requested"),
    [
        (AdministrationKind.TERRITORIAL_AUTHORITY, True),  # asks, but the call's rule does not fund it
        (AdministrationKind.HEALTH_ESTABLISHMENT, True),
        (AdministrationKind.MINISTRY, False),  # eligible, but asks for nothing
    ],
)
def test_a_challenge_without_co_financing_is_selected_when_the_envelope_is_spent(
    manager, administration_kind, requested
):
    promotion = promotion_with_envelope("105000.00")
    ChallengeFactory(promotion=promotion, state=S.SELECTED)  # the whole envelope committed
    eligible = pitched(promotion, manager, name="Ministère")
    assert refusal_of(eligible, by=manager).reasons == [
        "Le co-financement PIA demandé (105\xa0000,00 €) dépasse de 105\xa0000,00 € ce qui reste de "
        "l’enveloppe (0,00 € sur 105\xa0000,00 €)."
    ]
    candidate = pitched(
        promotion,
        manager,
        name="Sans co-financement",
        administration=AdministrationFactory(kind=administration_kind),
        cofinancing_requested=requested,
    )

    services.transition(candidate, TransitionName.SELECT, by=manager, reason="Retenu par le jury")

    assert Challenge.objects.get(pk=candidate.pk).state == S.SELECTED
    assert selections() == ["Sans co-financement"]
    # Its amount is not taken from the envelope.
    assert guards.committed_cofinancing(promotion) == Decimal("105000.00")


# A bulk selection ---------------------------------------------------------------------------------


def test_a_bulk_selection_refuses_the_one_that_would_exceed_the_envelope_and_moves_the_others(
    client, manager
):
    promotion = promotion_with_envelope("200000.00")
    # The bulk page moves them in the order of their names.
    first = pitched(promotion, manager, name="Archives ouvertes")  # 105,000 €
    over = pitched(promotion, manager, name="Budget vert")  # 105,000 € more: 10,000 € over
    fits = pitched(
        promotion,
        manager,
        name="Cadastre solaire",
        total_employer_cost=Decimal("135714.29"),
        cofinancing_amount=Decimal("95000.00"),  # exactly what remains after the first
    )
    territorial = pitched(
        promotion,
        manager,
        name="Déclic",
        administration=AdministrationFactory(kind=AdministrationKind.TERRITORIAL_AUTHORITY),
    )
    chosen = [first, over, fits, territorial]
    client.force_login(manager)

    page = client.post(BULK, {"transition": "select", "challenges": [c.pk for c in chosen]})
    data = form_data(page.content.decode(), "bulk-confirm")
    data.update(reason="Délibération du jury", confirm="1")
    done = client.post(BULK, data, follow=True).content.decode()

    assert "« Sélectionner » : 3 défis modifiés." in done
    assert (
        "« Budget vert » : Le co-financement PIA demandé (105\xa0000,00 €) dépasse de 10\xa0000,00 € ce "
        "qui reste de l’enveloppe (95\xa0000,00 € sur 200\xa0000,00 €)."
    ) in done
    assert done.count("dépasse de") == 1
    assert {c.name: c.state for c in Challenge.objects.filter(pk__in=[c.pk for c in chosen])} == {
        "Archives ouvertes": S.SELECTED,
        "Budget vert": S.PITCHED,
        "Cadastre solaire": S.SELECTED,
        "Déclic": S.SELECTED,
    }
    assert selections() == ["Archives ouvertes", "Cadastre solaire", "Déclic"]
    assert guards.committed_cofinancing(promotion) == Decimal("200000.00")


# Two managers at the same moment ------------------------------------------------------------------


def race(second_is_waiting):
    """Two managers select two challenges of one promotion, each in its own thread and connection:
    together they exceed the envelope. The first is held inside its transaction (its challenge
    written, not committed) until `second_is_waiting(thread)` says the second waits for it."""
    promotion = promotion_with_envelope("200000.00")
    managers = {
        "first": programme_manager(username="claude", first_name="Claude"),
        "second": programme_manager(username="dominique", first_name="Dominique"),
    }
    challenges = {
        "first": pitched(promotion, managers["first"], name="Archives ouvertes"),
        "second": pitched(promotion, managers["second"], name="Budget vert"),
    }
    first_holds_its_transaction, release_first = threading.Event(), threading.Event()
    outcomes = {}

    def hold_first_inside_its_transaction(sender, **kwargs):
        if threading.current_thread().name == "first":
            first_holds_its_transaction.set()
            release_first.wait(10)

    def select():
        name = threading.current_thread().name
        try:
            copy = Challenge.objects.get(pk=challenges[name].pk)  # both read "pitched"
            services.transition(copy, TransitionName.SELECT, by=managers[name], reason="Retenu par le jury")
            outcomes[name] = "selected"
        except Exception as error:  # a refusal, or what must not happen: a database error
            outcomes[name] = error
        finally:
            connections.close_all()

    signals.transition_applied.connect(hold_first_inside_its_transaction)
    try:
        first = threading.Thread(target=select, name="first")
        second = threading.Thread(target=select, name="second")
        first.start()
        assert first_holds_its_transaction.wait(10)
        second.start()
        second_is_waiting(second)
        release_first.set()
        first.join(30)
        second.join(30)
    finally:
        release_first.set()
        signals.transition_applied.disconnect(hold_first_inside_its_transaction)

    assert outcomes["first"] == "selected"
    refusal = outcomes["second"]
    assert isinstance(refusal, services.TransitionRefused), repr(refusal)
    assert (refusal.code, refusal.reasons) == (
        "guards",
        [
            "Le co-financement PIA demandé (105\xa0000,00 €) dépasse de 10\xa0000,00 € ce qui reste de "
            "l’enveloppe (95\xa0000,00 € sur 200\xa0000,00 €)."
        ],
    )
    assert Challenge.objects.get(pk=challenges["first"].pk).state == S.SELECTED
    assert Challenge.objects.get(pk=challenges["second"].pk).state == S.PITCHED
    assert selections() == ["Archives ouvertes"]
    assert guards.committed_cofinancing(promotion) == Decimal("105000.00")


def test_two_selections_at_once_never_exceed_the_envelope_on_postgresql(postgresql_transactional):
    """The second waits for the call's row, which the first locked before its challenge, then
    decides on the first's committed amount."""
    race(lambda second: wait_until_a_backend_waits_on_a_lock())


@pytest.fixture
def sqlite_transactional(transactional_db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own race: its writers take the database's lock at BEGIN")
    return connection


def test_two_selections_at_once_never_exceed_the_envelope_on_sqlite(sqlite_transactional):
    """SQLite's writers begin IMMEDIATE (config/settings.py): the second waits at BEGIN for the
    first's commit (no pg_stat_activity here: still running half a second later is waiting)."""

    def still_waiting_after_half_a_second(second):
        second.join(0.5)
        assert second.is_alive(), "the second selection did not wait for the first"

    race(still_waiting_after_half_a_second)
