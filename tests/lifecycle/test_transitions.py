import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from accounts.enums import Role
from lifecycle import services, signals
from lifecycle.actors import shown_label
from lifecycle.enums import AdministrationKind, AuditKind, ChallengeState, TransitionName
from lifecycle.models import AuditEvent, Challenge
from tests.factories import (
    AdministrationFactory,
    ChallengeFactory,
    EntrepreneurFactory,
    PromotionFactory,
    administration_contact,
    heard,
    programme_manager,
    user_with_role,
)

PARIS = ZoneInfo("Europe/Paris")
S = ChallengeState


@pytest.fixture
def manager(db):
    return programme_manager(username="gestionnaire")


def events(challenge):
    return list(AuditEvent.objects.filter(challenge=challenge, kind=AuditKind.TRANSITION))


def refusal_of(challenge, name, *, by, reason=""):
    with pytest.raises(services.TransitionRefused) as caught:
        services.transition(challenge, name, by=by, reason=reason)
    return caught.value


# Every move allowed, with its audit event ------------------------------------------------------

ALLOWED = [
    ("submit", S.DRAFT, S.SUBMITTED),
    ("preselect", S.SUBMITTED, S.PRESELECTED),
    ("reject", S.SUBMITTED, S.NOT_PRESELECTED),
    ("pitch", S.PRESELECTED, S.PITCHED),
    ("select", S.PITCHED, S.SELECTED),
    ("not_select", S.PITCHED, S.NOT_SELECTED),
    ("withdraw", S.RECRUITING, S.WITHDRAWN),
]


@pytest.mark.parametrize(("name", "source", "target"), ALLOWED)
def test_a_move_changes_the_state_and_writes_one_audit_event(manager, name, source, target):
    challenge = ChallengeFactory(state=source)
    if name == "select":
        heard(challenge, by=manager)  # selected on its complete collective grid

    moved = services.transition(challenge, name, by=manager, reason="Décision du comité")

    assert moved.state == target
    assert challenge.state == target  # the caller's copy is brought up to date
    assert Challenge.objects.get(pk=challenge.pk).state == target
    [event] = events(challenge)
    assert (event.transition, event.from_state, event.to_state) == (name, source, target)
    assert (event.actor, shown_label(event), event.reason) == (
        manager,
        "Camille Martin (gestionnaire)",
        "Décision du comité",
    )


def test_open_recruitment_when_the_call_is_open(manager, system):
    challenge = ChallengeFactory(state=S.SELECTED)
    call = challenge.promotion.call
    call.recruitment_opens_at = dt.datetime(2018, 9, 13, 9, 0, tzinfo=PARIS)
    call.recruitment_closes_at = dt.datetime(2018, 10, 15, 17, 0, tzinfo=PARIS)
    call.save()

    with time_machine.travel(dt.datetime(2018, 9, 12, 23, 59, 59, tzinfo=PARIS), tick=False):
        assert refusal_of(challenge, "open_recruitment", by=system).reasons == [
            "L’appel à candidatures n’ouvre que le jeudi 13 septembre 2018 à 09:00 : le défi y sera publié à "
            "l’ouverture."
        ]
    with time_machine.travel(dt.datetime(2018, 10, 15, 17, 0, tzinfo=PARIS), tick=False):
        assert refusal_of(challenge, "open_recruitment", by=system).reasons == [
            "L’appel à candidatures est clos depuis le lundi 15 octobre 2018 à 17:00."
        ]
    with time_machine.travel(dt.datetime(2018, 9, 13, 9, 0, tzinfo=PARIS), tick=False):
        services.transition(challenge, "open_recruitment", by=system)

    assert challenge.state == S.RECRUITING
    [event] = events(challenge)
    assert (event.actor, event.actor_label) == (None, "système")


def test_start_needs_two_to_three_recruited_eigs_and_both_mentors_confirmed(manager):
    challenge = ChallengeFactory(state=S.RECRUITING)
    EntrepreneurFactory(challenge=challenge)

    assert refusal_of(challenge, "start", by=manager).reasons == [
        "Le défi doit compter entre 2 et 3 EIG recrutés (1).",
        "Mentor opérationnel : pas encore confirmé.",
        "Mentor stratégique : pas encore confirmé.",
    ]

    EntrepreneurFactory(challenge=challenge)
    challenge.mentors.update(confirmed_at=dt.datetime(2018, 12, 1, tzinfo=dt.UTC))
    services.transition(challenge, "start", by=manager)
    assert challenge.state == S.RUNNING


def test_complete_once_the_duration_has_passed(manager):
    challenge = ChallengeFactory(state=S.RUNNING)
    call = challenge.promotion.call
    call.starts_on = dt.date(2019, 1, 14)
    call.duration_months = 10
    call.save()

    with time_machine.travel(dt.datetime(2019, 11, 13, 23, 59, tzinfo=PARIS), tick=False):
        assert refusal_of(challenge, "complete", by=manager).reasons == [
            "Les 10 mois du défi ne s’achèvent que le 14 novembre 2019."
        ]
    with time_machine.travel(dt.datetime(2019, 11, 14, 0, 0, tzinfo=PARIS), tick=False):
        services.transition(challenge, "complete", by=manager)
    assert challenge.state == S.COMPLETED


def test_complete_needs_a_start_date(manager):
    challenge = ChallengeFactory(state=S.RUNNING)
    assert refusal_of(challenge, "complete", by=manager).reasons == [
        "La date d’arrivée des EIG n’est pas fixée dans le calendrier de l’appel."
    ]


@pytest.mark.parametrize("source", ChallengeState.before_running())
def test_an_administration_withdraws_its_challenge_from_any_state_before_running(db, source):
    challenge = ChallengeFactory(state=source)
    contact = administration_contact(challenge.administration)

    services.transition(challenge, "withdraw", by=contact, reason="Réorganisation du service")

    assert challenge.state == S.WITHDRAWN


@pytest.mark.parametrize("source", [S.RUNNING, S.COMPLETED, S.NOT_SELECTED, S.WITHDRAWN])
def test_no_withdrawal_once_running_or_closed(manager, source):
    challenge = ChallengeFactory(state=source)
    label = ChallengeState(source).label
    assert refusal_of(challenge, "withdraw", by=manager).reasons == [
        f"« Retirer le défi » n’est pas possible depuis l’état « {label} »."
    ]


# Guards ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["preselect", "reject"])
def test_preselection_decisions_need_a_reason(manager, name):
    challenge = ChallengeFactory(state=S.SUBMITTED)
    refusal = refusal_of(challenge, name, by=manager, reason="   ")
    assert (refusal.code, refusal.reasons) == (
        "guards",
        ["Cette décision doit être motivée : indiquez un motif."],
    )
    assert events(challenge) == []


@pytest.mark.parametrize("name", ["select", "not_select"])
def test_selection_decisions_need_a_reason(manager, name):
    challenge = ChallengeFactory(state=S.PITCHED)
    heard(challenge, by=manager)
    assert refusal_of(challenge, name, by=manager).reasons == [
        "Cette décision doit être motivée : indiquez un motif."
    ]


def test_pitch_needs_a_jury_date(manager):
    challenge = ChallengeFactory(state=S.PRESELECTED)
    challenge.promotion.call.jury_starts_on = None
    challenge.promotion.call.save()
    assert refusal_of(challenge, "pitch", by=manager).reasons == [
        "La date du jury n’est pas fixée dans le calendrier de l’appel."
    ]


def test_selection_stays_within_the_cofinancing_envelope(manager):
    promotion = PromotionFactory()
    promotion.call.cofinancing_envelope = 200000
    promotion.call.save()
    ChallengeFactory(promotion=promotion, state=S.SELECTED)  # 105,000 € committed
    ChallengeFactory(promotion=promotion, state=S.PITCHED)  # pitched: not committed
    candidate = ChallengeFactory(promotion=promotion, state=S.PITCHED)
    heard(candidate, by=manager)

    assert refusal_of(candidate, "select", by=manager, reason="Très bon défi").reasons == [
        "Le co-financement PIA demandé (105\xa0000,00 €) dépasse de 10\xa0000,00 € ce qui reste de "
        "l’enveloppe (95\xa0000,00 € sur 200\xa0000,00 €)."
    ]
    not_funded = ChallengeFactory(
        promotion=promotion,
        state=S.PITCHED,
        administration=AdministrationFactory(kind=AdministrationKind.TERRITORIAL_AUTHORITY),
        cofinancing_requested=False,
        cofinancing_amount=None,
    )
    heard(not_funded, by=manager)
    services.transition(not_funded, "select", by=manager, reason="Sans financement PIA")
    assert not_funded.state == S.SELECTED


def test_submit_lists_every_missing_piece_of_the_dossier(db):
    challenge = ChallengeFactory(
        problem="",
        attests_data_access=False,
        pitch_deck=None,
        dossier_rows=False,
        cofinancing_amount=100000,
    )
    contact = administration_contact(challenge.administration)

    refusal = refusal_of(challenge, "submit", by=contact)

    assert refusal.reasons == [
        "Champ obligatoire non rempli : « problématique à résoudre ».",
        "Attestation manquante : « atteste l’engagement de mettre à disposition des EIG les "
        "données nécessaires ».",
        "Le défi doit décrire entre 2 et 3 missions d’EIG (0 décrites).",
        "Décrivez au moins un membre de l’équipe projet.",
        "Mentor opérationnel : prénom, nom et e-mail professionnel sont obligatoires.",
        "Mentor stratégique : prénom, nom et e-mail professionnel sont obligatoires.",
        "Le co-financement PIA indiqué (100\xa0000,00 €) ne correspond pas à la règle de l’appel (70 % "
        "du coût total employeur), soit 105\xa0000,00 €.",
        "La présentation de synthèse (PDF) n’a pas été déposée.",
    ]
    assert Challenge.objects.get(pk=challenge.pk).state == S.DRAFT
    assert events(challenge) == []


def test_eig_rows_follow_the_call_limits(db):
    challenge = ChallengeFactory()
    call = challenge.promotion.call
    call.min_eigs_per_challenge, call.max_eigs_per_challenge = 3, 4
    call.save()
    contact = administration_contact(challenge.administration)
    assert refusal_of(challenge, "submit", by=contact).reasons == [
        "Le défi doit décrire entre 3 et 4 missions d’EIG (2 décrites)."
    ]


def test_the_same_person_cannot_be_both_mentors(db):
    challenge = ChallengeFactory()
    challenge.mentors.update(email="meme.personne@example.gouv.fr")
    contact = administration_contact(challenge.administration)
    assert refusal_of(challenge, "submit", by=contact).reasons == [
        "Les mentors opérationnel et stratégique doivent être deux personnes."
    ]


# The submission deadline, to the second, Paris time ---------------------------------------------


def _call_closing_at(challenge, deadline):
    challenge.promotion.call.submission_deadline = deadline
    challenge.promotion.call.save()


@pytest.mark.parametrize(
    ("deadline", "last_second_utc"),
    [
        # Summer time (UTC+2): promotion 3's deadline, Friday 15 June 2018 at 17:00.
        (dt.datetime(2018, 6, 15, 17, 0, tzinfo=PARIS), dt.datetime(2018, 6, 15, 14, 59, 59)),
        # Winter time came back at 03:00 that morning: 17:00 is 16:00 UTC, not 15:00.
        (dt.datetime(2018, 10, 28, 17, 0, tzinfo=PARIS), dt.datetime(2018, 10, 28, 15, 59, 59)),
        # Summer time began at 02:00 that morning: 17:00 is 15:00 UTC, not 16:00.
        (dt.datetime(2019, 3, 31, 17, 0, tzinfo=PARIS), dt.datetime(2019, 3, 31, 14, 59, 59)),
    ],
)
def test_submission_closes_at_the_deadline_to_the_second(db, deadline, last_second_utc):
    on_time, late = ChallengeFactory(), ChallengeFactory()
    _call_closing_at(on_time, deadline)
    _call_closing_at(late, deadline)
    contact = administration_contact(on_time.administration)
    late_contact = administration_contact(late.administration)
    last_second = last_second_utc.replace(tzinfo=dt.UTC)

    with time_machine.travel(last_second, tick=False):
        services.transition(on_time, "submit", by=contact)
    with time_machine.travel(last_second + dt.timedelta(seconds=1), tick=False):
        refusal = refusal_of(late, "submit", by=late_contact)

    assert on_time.state == S.SUBMITTED
    assert refusal.reasons[0].startswith("La date limite de dépôt est passée (")
    assert refusal.reasons[0].endswith(" à 17:00, heure de Paris).")
    assert late.state == S.DRAFT


def test_the_deadline_message_names_the_paris_date(db):
    challenge = ChallengeFactory()
    _call_closing_at(challenge, dt.datetime(2018, 6, 15, 17, 0, tzinfo=PARIS))
    contact = administration_contact(challenge.administration)
    with time_machine.travel(dt.datetime(2018, 6, 15, 17, 0, tzinfo=PARIS), tick=False):
        assert refusal_of(challenge, "submit", by=contact).reasons == [
            "La date limite de dépôt est passée (vendredi 15 juin 2018 à 17:00, heure de Paris)."
        ]


def test_no_submission_without_a_deadline(db):
    challenge = ChallengeFactory()
    _call_closing_at(challenge, None)
    contact = administration_contact(challenge.administration)
    assert refusal_of(challenge, "submit", by=contact).reasons == [
        "La date limite de dépôt de l’appel à projets n’est pas encore fixée."
    ]


# Who may do what ---------------------------------------------------------------------------------


def test_a_contact_submits_only_its_own_administrations_challenges(db):
    challenge = ChallengeFactory()
    stranger = administration_contact(AdministrationFactory())
    refusal = refusal_of(challenge, "submit", by=stranger)
    assert (refusal.code, refusal.reasons) == (
        "forbidden",
        ["Vous n’avez pas le droit de faire « Déposer le dossier » pour ce défi."],
    )
    carrier_contact = administration_contact(AdministrationFactory())
    challenge.administrative_carrier = carrier_contact.profile.administration
    challenge.save()
    services.transition(challenge, "submit", by=carrier_contact)
    assert challenge.state == S.SUBMITTED


def test_a_contact_cannot_decide_on_its_own_challenge(db):
    challenge = ChallengeFactory(state=S.SUBMITTED)
    contact = administration_contact(challenge.administration)
    assert refusal_of(challenge, "preselect", by=contact, reason="moi").code == "forbidden"


@pytest.mark.parametrize("role", [Role.JURY_MEMBER, Role.MENTOR, Role.CANDIDATE, Role.AUDITOR])
def test_other_roles_move_nothing(db, role):
    challenge = ChallengeFactory()
    user = user_with_role(role)
    for name in TransitionName:
        assert refusal_of(challenge, name, by=user, reason="essai").code == "forbidden"
    assert services.transition_options(challenge, by=user) == []


def test_an_inactive_manager_moves_nothing(db):
    challenge = ChallengeFactory(state=S.SUBMITTED)
    manager = programme_manager(is_active=False)
    assert refusal_of(challenge, "preselect", by=manager, reason="ok").code == "forbidden"


def test_a_move_from_the_wrong_state_is_refused(manager):
    challenge = ChallengeFactory()
    refusal = refusal_of(challenge, "preselect", by=manager, reason="ok")
    assert (refusal.code, refusal.reasons) == (
        "not_allowed",
        ["« Présélectionner » n’est pas possible depuis l’état « Brouillon »."],
    )


def test_an_unknown_move_is_refused(manager):
    refusal = refusal_of(ChallengeFactory(), "promote", by=manager)
    assert refusal.code == "unknown"
    assert refusal.reasons[0].startswith("Transition inconnue : « promote » (connues : submit, ")


def test_the_state_cannot_be_set_directly(db):
    challenge = ChallengeFactory()
    with pytest.raises(AttributeError):
        challenge.state = S.SELECTED


def test_a_stale_copy_is_refused(manager):
    challenge = ChallengeFactory(state=S.SUBMITTED)
    stale = Challenge.objects.get(pk=challenge.pk)
    services.transition(challenge, "preselect", by=manager, reason="Bon dossier")

    refusal = refusal_of(stale, "reject", by=manager, reason="Dossier faible")

    assert (refusal.code, refusal.reasons) == (
        "conflict",
        [
            "Le défi a changé d’état pendant votre action : il est maintenant « Présélectionné ». "
            "Rechargez-le avant d’agir."
        ],
    )
    assert [event.transition for event in events(challenge)] == ["preselect"]


# The options an interface shows -------------------------------------------------------------------


def test_transition_options_say_why_a_move_is_not_possible_now(manager):
    challenge = ChallengeFactory(problem="")
    options = services.transition_options(challenge, by=manager)
    assert [(option.name, option.possible, option.needs_reason) for option in options] == [
        ("submit", False, False),
        ("withdraw", True, False),
    ]
    assert options[0].reasons == ["Champ obligatoire non rempli : « problématique à résoudre »."]
    submitted = ChallengeFactory(state=S.SUBMITTED)
    assert [
        (option.name, option.possible, option.needs_reason)
        for option in services.transition_options(submitted, by=manager)
    ] == [
        # Its sections and date come with the corrections' own form (lifecycle.corrections.request).
        ("request_corrections", False, True),
        ("preselect", True, True),
        ("reject", True, True),
        ("withdraw", True, False),
    ]


# The hooks: in the transaction, and after the commit ------------------------------------------------


def test_side_effects_run_after_the_commit_only(manager, django_capture_on_commit_callbacks):
    challenge = ChallengeFactory(state=S.SUBMITTED)
    received = []

    def receiver(sender, challenge, name, by, event, **kwargs):
        received.append((challenge.pk, name, by, event.to_state))

    signals.transition_committed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.transition(challenge, "preselect", by=manager, reason="Bon dossier")
        assert received == []
        for callback in callbacks:
            callback()
    finally:
        signals.transition_committed.disconnect(receiver)
    assert received == [(challenge.pk, "preselect", manager, "preselected")]


def test_a_failing_hook_inside_the_transaction_leaves_nothing_half_written(manager):
    challenge = ChallengeFactory(state=S.SUBMITTED)

    def failing_outbox(sender, **kwargs):
        raise RuntimeError("outbox unavailable")

    signals.transition_applied.connect(failing_outbox)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.transition(challenge, "preselect", by=manager, reason="Bon dossier")
    finally:
        signals.transition_applied.disconnect(failing_outbox)
    assert Challenge.objects.get(pk=challenge.pk).state == S.SUBMITTED
    assert events(challenge) == []
