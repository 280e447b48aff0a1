"""Three differently shaped calls, configured as data only, each walked from submission to
`running` and `completed`: the 2018 call; a call with an opening, a 23:59 deadline and a
candidates' call that opens before the jury; a call with co-financing of three months by another
funder, two pay levels and a lawyer among its profiles."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from lifecycle import financing, services
from lifecycle.actors import SYSTEM
from lifecycle.enums import AdministrationKind, ChallengeState, TransitionName
from lifecycle.models import AuditEvent, Challenge, EigPosition
from lifecycle.promotions import configure_promotion
from tests.factories import (
    AdministrationFactory,
    ChallengeFactory,
    EntrepreneurFactory,
    administration_contact,
    heard,
    programme_manager,
)

PARIS = ZoneInfo("Europe/Paris")
S, T = ChallengeState, TransitionName


def paris(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


@pytest.fixture
def manager(db):
    return programme_manager(username="gestionnaire")


def at(moment):
    return time_machine.travel(moment, tick=False)


def refusal(challenge, name, *, by, reason="Décision"):
    with pytest.raises(services.TransitionRefused) as caught:
        services.transition(challenge, name, by=by, reason=reason)
    return caught.value.reasons


def dossier(promotion, *, profiles, administration=None, pay_levels=None, **fields):
    """A complete dossier of the promotion whose positions seek `profiles` (codes of its call) and
    whose co-financing is what the call's rule pays of its stated cost."""
    challenge = ChallengeFactory(
        promotion=promotion,
        administration=administration or AdministrationFactory(),
        dossier_rows=True,
        **fields,
    )
    challenge.eig_positions.all().delete()
    for rank, code in enumerate(profiles, start=1):
        EigPosition.objects.create(
            challenge=challenge,
            rank=rank,
            mission=f"Mission n°{rank} : rendre les données utiles aux agents.",
            profile=code,
            pay_level=(pay_levels or [None] * len(profiles))[rank - 1],
        )
    if challenge.cofinancing_requested:
        challenge.cofinancing_amount = financing.expected_amount(
            promotion.call, challenge.total_employer_cost
        )
        challenge.save()
    return challenge


def walk_to_the_team(challenge, manager, *, recruited_on):
    for _rank in range(2):
        EntrepreneurFactory(challenge=challenge, profile=challenge.eig_positions.first().profile)
    challenge.mentors.update(confirmed_at=paris(*recruited_on, 12, 0))


def states(challenge):
    return [
        (event.transition, event.to_state)
        for event in AuditEvent.objects.filter(challenge=challenge, kind="transition").order_by("pk")
    ]


# The 2018 call ----------------------------------------------------------------------------------


def test_the_2018_call_walks_to_completed(manager):
    promotion = configure_promotion(
        number=3,
        name="EIG 3",
        year=2018,
        call={
            "submission_deadline": paris(2018, 6, 15, 17, 0),
            "jury_starts_on": dt.date(2018, 7, 2),
            "jury_ends_on": dt.date(2018, 7, 4),
            "recruitment_opens_at": paris(2018, 9, 13, 10, 0),
            "recruitment_closes_at": paris(2018, 10, 15, 17, 0),
            "starts_on": dt.date(2019, 1, 14),
            "duration_months": 10,
            "cofinancing_envelope": Decimal("1500000"),
            "cofinancing_rate": Decimal("0.70"),
        },
        by=manager,
    )
    challenge = dossier(promotion, profiles=["development", "data_science"])
    contact = administration_contact(challenge.administration)

    with at(paris(2018, 6, 15, 16, 59, 59)):
        services.transition(challenge, T.SUBMIT, by=contact)
    with at(paris(2018, 6, 20, 10, 0)):
        services.transition(challenge, T.PRESELECT, by=manager, reason="Dossier solide")
        services.transition(challenge, T.PITCH, by=manager)
    heard(challenge, by=manager)
    with at(paris(2018, 7, 4, 18, 0)):
        services.transition(challenge, T.SELECT, by=manager, reason="Choisi par le jury")
    assert challenge.state == S.SELECTED  # the candidates' call opens in September
    assert financing.simulate(challenge).expected_amount == Decimal("105000.00")  # 70 % of 150,000

    with at(paris(2018, 9, 13, 10, 0)):
        services.transition(
            challenge, T.OPEN_RECRUITMENT, by=services.SYSTEM if hasattr(services, "SYSTEM") else manager
        )
    walk_to_the_team(challenge, manager, recruited_on=(2018, 11, 5))
    with at(paris(2019, 1, 14, 9, 0)):
        services.transition(challenge, T.START, by=manager)
    with at(paris(2019, 11, 13, 23, 59)):
        assert refusal(challenge, T.COMPLETE, by=manager) == [
            "Les 10 mois du défi ne s’achèvent que le 14 novembre 2019."
        ]
    with at(paris(2019, 11, 14, 9, 0)):
        services.transition(challenge, T.COMPLETE, by=manager)

    assert states(challenge) == [
        ("submit", "submitted"),
        ("preselect", "preselected"),
        ("pitch", "pitched"),
        ("select", "selected"),
        ("open_recruitment", "recruiting"),
        ("start", "running"),
        ("complete", "completed"),
    ]


# An opening, a 23:59 deadline, a candidates' call before the jury ----------------------------


@pytest.fixture
def overlapping(manager):
    return configure_promotion(
        number=5,
        name="EIG 5",
        year=2020,
        call={
            "submission_opens_at": paris(2020, 3, 2, 9, 0),
            "submission_deadline": paris(2020, 4, 30, 23, 59),
            "recruitment_opens_at": paris(2020, 4, 15, 10, 0),
            "recruitment_closes_at": paris(2020, 7, 31, 23, 59),
            "jury_starts_on": dt.date(2020, 6, 10),
            "jury_ends_on": dt.date(2020, 6, 11),
            "candidate_preselection_ends_on": dt.date(2020, 8, 20),
            "candidate_interviews_start_on": dt.date(2020, 8, 24),
            "candidate_interviews_end_on": dt.date(2020, 8, 28),
            "candidate_jury_on": dt.date(2020, 9, 2),
            "starts_on": dt.date(2020, 9, 14),
            "onboarding_ends_on": dt.date(2020, 9, 25),
            "work_starts_on": dt.date(2020, 9, 28),
            "duration_months": 10,
        },
        by=manager,
    )


def test_a_call_with_an_opening_refuses_a_submission_before_it_with_its_date(overlapping, manager):
    challenge = dossier(overlapping, profiles=["development", "design"])
    contact = administration_contact(challenge.administration)

    with at(paris(2020, 3, 2, 8, 59, 59)):
        assert refusal(challenge, T.SUBMIT, by=contact, reason="") == [
            "Le dépôt des dossiers n’ouvre que le lundi 2 mars 2020 à 09:00 (heure de Paris)."
        ]
    with at(paris(2020, 3, 2, 9, 0)):
        services.transition(challenge, T.SUBMIT, by=contact)
    assert challenge.state == S.SUBMITTED


@pytest.mark.parametrize(
    ("moment", "on_time"),
    [
        (paris(2020, 4, 30, 23, 59, 0), True),
        (paris(2020, 4, 30, 23, 59, 59), True),
        (paris(2020, 5, 1, 0, 0, 0), False),
    ],
)
def test_a_2359_deadline_includes_its_whole_minute(overlapping, moment, on_time):
    challenge = dossier(overlapping, profiles=["development", "design"])
    contact = administration_contact(challenge.administration)
    with at(moment):
        if on_time:
            services.transition(challenge, T.SUBMIT, by=contact)
            assert challenge.state == S.SUBMITTED
        else:
            assert refusal(challenge, T.SUBMIT, by=contact, reason="") == [
                "La date limite de dépôt est passée (jeudi 30 avril 2020 à 23:59 incluse, heure de Paris)."
            ]


def test_a_challenge_selected_while_the_candidates_call_is_open_is_published_at_once(
    overlapping, manager, django_capture_on_commit_callbacks
):
    """The candidates' call opened on 15 April, before the jury of June: the selection publishes
    the challenge to candidates at once, by the system, and the walk goes on to completed."""
    challenge = dossier(overlapping, profiles=["development", "design"])
    contact = administration_contact(challenge.administration)
    with at(paris(2020, 4, 1, 10, 0)):
        services.transition(challenge, T.SUBMIT, by=contact)
    with at(paris(2020, 5, 5, 10, 0)):
        services.transition(challenge, T.PRESELECT, by=manager, reason="Retenu")
        services.transition(challenge, T.PITCH, by=manager)
    heard(challenge, by=manager)
    with at(paris(2020, 6, 11, 18, 0)), django_capture_on_commit_callbacks(execute=True):
        services.transition(challenge, T.SELECT, by=manager, reason="Choisi par le jury")

    challenge.refresh_from_db()
    assert challenge.state == S.RECRUITING
    published = AuditEvent.objects.filter(challenge=challenge, transition=T.OPEN_RECRUITMENT).get()
    assert (published.actor, published.actor_label) == (None, "système")
    assert published.reason == "Défi sélectionné pendant l’appel à candidatures de la promotion EIG 5."

    walk_to_the_team(challenge, manager, recruited_on=(2020, 9, 3))
    with at(paris(2020, 9, 14, 9, 0)):
        services.transition(challenge, T.START, by=manager)
    # Ten months from the start of the work (28 September), not from the arrival (14 September).
    with at(paris(2021, 7, 27, 12, 0)):
        assert refusal(challenge, T.COMPLETE, by=manager) == [
            "Les 10 mois du défi ne s’achèvent que le 28 juillet 2021."
        ]
    with at(paris(2021, 7, 28, 9, 0)):
        services.transition(challenge, T.COMPLETE, by=manager)
    assert [to for _name, to in states(challenge)] == [
        "submitted",
        "preselected",
        "pitched",
        "selected",
        "recruiting",
        "running",
        "completed",
    ]


def test_a_selection_after_the_candidates_call_closed_is_a_motivated_decision(
    overlapping, manager, django_capture_on_commit_callbacks
):
    challenge = dossier(overlapping, profiles=["development", "design"], state=S.PITCHED)
    with at(paris(2020, 8, 3, 10, 0)):
        heard(challenge, by=manager)
        with django_capture_on_commit_callbacks(execute=True):
            services.transition(challenge, T.SELECT, by=manager, reason="Repêché après désistement")
        assert challenge.state == S.SELECTED  # closed: not published by itself
        assert refusal(challenge, T.OPEN_RECRUITMENT, by=SYSTEM, reason="") == [
            "L’appel à candidatures est clos depuis le vendredi 31 juillet 2020 à 23:59 incluse."
        ]
        [option] = [
            o for o in services.transition_options(challenge, by=manager) if o.name == T.OPEN_RECRUITMENT
        ]
        assert (option.possible, option.needs_reason) == (True, True)
        assert refusal(challenge, T.OPEN_RECRUITMENT, by=manager, reason=" ") == [
            "L’appel à candidatures est clos depuis le vendredi 31 juillet 2020 à 23:59 incluse. "
            "Publier ce défi "
            "aux candidats après la clôture est une décision motivée : indiquez un motif."
        ]
        services.transition(
            challenge, T.OPEN_RECRUITMENT, by=manager, reason="Recrutement direct sur le vivier de l’appel"
        )
    assert challenge.state == S.RECRUITING


# Months-based co-financing, two pay levels, a lawyer ------------------------------------------


@pytest.fixture
def months_based(manager):
    return configure_promotion(
        number=7,
        name="EIG 7",
        year=2022,
        call={
            "submission_deadline": paris(2022, 9, 30, 12, 0),
            "jury_starts_on": dt.date(2022, 10, 20),
            "recruitment_opens_at": paris(2022, 11, 2, 10, 0),
            "recruitment_closes_at": paris(2022, 12, 15, 23, 59),
            "starts_on": dt.date(2023, 3, 1),
            "duration_months": 12,
            "cofinancing_funder": "Fonds de transformation",
            "cofinancing_kind": "months",
            "cofinancing_months": 3,
            "cofinancing_envelope": Decimal("900000"),
            "cofinancing_eligible_kinds": [AdministrationKind.MINISTRY],
            "cofinancing_through_administrative_carrier": True,
            "cofinancing_needs_budget_programme": True,
        },
        profiles=[("dev", "Développement"), ("data", "Data science"), ("juriste", "Juriste du numérique")],
        pay_levels=[("Junior", Decimal("3500")), ("Senior", Decimal("4500"))],
        by=manager,
    )


def test_months_based_cofinancing_with_pay_levels_walks_to_completed(months_based, manager):
    call = months_based.call
    junior, senior = call.pay_levels.all()
    ministry = AdministrationFactory(name="Ministère de la Culture", budget_programme="P224")
    operator = AdministrationFactory(
        name="Bibliothèque nationale", kind=AdministrationKind.MINISTRY_OPERATOR, ministry=ministry
    )
    challenge = dossier(
        months_based,
        profiles=["dev", "juriste"],
        pay_levels=[junior, senior],
        administration=operator,
        administrative_carrier=ministry,
        total_employer_cost=Decimal("240000.00"),
    )

    simulation = financing.simulate(challenge)
    # 12 months × (3,500 + 4,500) net; the funder pays the employer cost of 3 months out of 12.
    assert simulation.net_payroll == Decimal("96000.00")
    assert simulation.expected_amount == Decimal("60000.00")
    assert simulation.eligibility.beneficiary == ministry
    assert [line.replace("\xa0", " ") for line in financing.describe(challenge)[:4]] == [
        "Éligibilité : « Bibliothèque nationale » est éligible au co-financement Fonds de "
        "transformation par son porteur administratif « Ministère de la Culture ».",
        "12 mois × (3 500,00 € + 4 500,00 €) nets = 96 000,00 € nets",
        "Coût total employeur estimé : 174 769,23 €",  # 96,000 ÷ 0.78 × 1.42
        "Co-financement Fonds de transformation attendu (3 mois sur 12) : 60 000,00 €",
    ]

    contact = administration_contact(operator)
    with at(paris(2022, 9, 30, 11, 0)):
        services.transition(challenge, T.SUBMIT, by=contact)
    with at(paris(2022, 10, 21, 18, 0)):
        services.transition(challenge, T.PRESELECT, by=manager, reason="Retenu")
        services.transition(challenge, T.PITCH, by=manager)
        heard(challenge, by=manager)
        services.transition(challenge, T.SELECT, by=manager, reason="Choisi par le jury")
    with at(paris(2022, 11, 2, 10, 0)):
        from recruitment.services import open_recruitment

        assert [c.pk for c in open_recruitment(call).moved] == [challenge.pk]
    challenge.refresh_from_db()
    walk_to_the_team(challenge, manager, recruited_on=(2023, 1, 10))
    with at(paris(2023, 3, 1, 9, 0)):
        services.transition(challenge, T.START, by=manager)
    with at(paris(2024, 3, 1, 9, 0)):
        services.transition(challenge, T.COMPLETE, by=manager)
    assert challenge.state == S.COMPLETED


def test_the_calls_eligibility_rule_is_read_by_the_portal_the_guards_and_the_dashboard(months_based, manager):
    operator_alone = AdministrationFactory(
        name="Agence sans porteur",
        kind=AdministrationKind.MINISTRY_OPERATOR,
        ministry=AdministrationFactory(),
    )
    challenge = dossier(months_based, profiles=["dev", "data"], administration=operator_alone)
    who = financing.eligibility(challenge)
    assert who.eligible is False
    assert who.reason.startswith(
        "« Agence sans porteur » (opérateur rattaché à un ministère) n’est pas éligible au co-financement "
        "Fonds de transformation."
    )
    from lifecycle.dossier.rules import dossier_problems

    assert who.reason in dossier_problems(challenge)

    no_programme = AdministrationFactory(name="Ministère sans programme")
    other = dossier(months_based, profiles=["dev", "data"], administration=no_programme)
    assert financing.eligibility(other).reason == (
        "Le co-financement Fonds de transformation demande un programme budgétaire : "
        "« Ministère sans programme » n’en indique pas."
    )


def test_a_profile_outside_the_calls_list_keeps_the_dossier_from_being_submitted(months_based):
    from lifecycle.dossier.rules import dossier_problems

    challenge = dossier(months_based, profiles=["dev", "design"])
    assert (
        "EIG 2 : Profil inconnu pour cet appel : « design » (profils de l’appel : dev, data, juriste)."
        in dossier_problems(challenge)
    )


def test_before_its_opening_the_portal_does_not_offer_the_promotion(overlapping, client):
    from lifecycle.promotions import open_for_submission

    contact = administration_contact(AdministrationFactory(name="Direction du numérique"))
    client.force_login(contact)
    with at(paris(2020, 3, 1, 12, 0)):
        assert list(open_for_submission()) == []
        page = client.get("/dossiers/").content.decode()
        assert "L’appel à projets de la promotion EIG 5 ouvrira le lundi 2 mars 2020 à 09:00" in page
        assert "Aucun appel à projets n’est ouvert en ce moment." in page
        from lifecycle.dossier import edits

        with pytest.raises(PermissionDenied) as refused:
            edits.create_challenge(
                promotion=overlapping,
                administration=contact.profile.administration,
                name="Trop tôt",
                by=contact,
            )
        assert str(refused.value) == (
            "L’appel à projets de la promotion EIG 5 n’ouvre que le lundi 2 mars 2020 à 09:00 "
            "(heure de Paris)."
        )
    with at(paris(2020, 4, 30, 23, 59, 30)):
        assert list(open_for_submission()) == [overlapping]
        assert (
            "jeudi 30 avril 2020 à 23:59 incluse (heure de Paris) — "
            "dernier jour : clôture aujourd’hui à 23:59 incluse"
            in (client.get("/dossiers/").content.decode())
        )
    with at(paris(2020, 5, 1, 0, 0)):
        assert list(open_for_submission()) == []


def test_the_reminders_announce_the_deadline_as_the_portal_and_the_guard_do(overlapping, manager):
    from notifications import reminders
    from notifications.models import Notification

    call = overlapping.call
    call.submission_reminder_days, call.submission_reminder_time = "7, 1", dt.time(9, 30)
    call.save()
    challenge = dossier(overlapping, profiles=["development", "design"])
    administration_contact(challenge.administration)
    assert reminders.reminder_at(call, 1) == paris(2020, 4, 29, 9, 30)
    with at(paris(2020, 4, 29, 9, 30)):
        written = reminders.remind_submission_deadline(call, 1)
    [body] = {
        notification.body for notification in Notification.objects.filter(pk__in=[n.pk for n in written])
    }
    assert "La date limite de dépôt est le jeudi 30 avril 2020 à 23:59 incluse (heure de Paris)" in body
    assert {n.subject for n in written} == {f"[EIG] Plus que 1 jour(s) pour déposer « {challenge.name} »"}


def test_a_2359_closing_of_the_candidates_call_includes_its_minute_too(overlapping):
    from recruitment.services import accepts_applications

    call = overlapping.call
    with at(paris(2020, 7, 31, 23, 59, 59)):
        assert accepts_applications(call) is True
    with at(paris(2020, 8, 1, 0, 0)):
        assert accepts_applications(call) is False


def test_answering_no_to_cofinancing_drops_an_amount_given_before(months_based):
    from portal.forms import FinancingForm

    challenge = dossier(months_based, profiles=["dev", "data"], total_employer_cost=Decimal("200000.00"))
    form = FinancingForm(
        {"cofinancing_requested": "False", "total_employer_cost": "200000", "cofinancing_amount": "50000"},
        instance=challenge,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["cofinancing_amount"] is None
    assert (
        form.fields["cofinancing_requested"].label
        == "Demandez-vous le co-financement Fonds de transformation ?"
    )


def test_the_case_page_says_what_a_selection_or_a_late_publication_brings_about(overlapping, manager, client):
    challenge = dossier(overlapping, profiles=["development", "design"], state=S.PITCHED)
    heard(challenge, by=manager)  # the selection is possible: its notice is shown
    client.force_login(manager)
    with at(paris(2020, 6, 11, 18, 0)):
        page = client.get(f"/gestion/defis/{challenge.pk}/").content.decode()
    assert (
        '<p class="fr-text--sm fr-mb-1w" id="notice-select">L’appel à candidatures est ouvert : le défi '
        "sélectionné y sera publié aussitôt, et son administration en sera informée.</p>"
    ) in page
    Challenge.objects.filter(pk=challenge.pk).update(state=S.SELECTED)
    with at(paris(2020, 8, 3, 10, 0)):
        page = client.get(f"/gestion/defis/{challenge.pk}/").content.decode()
    assert 'id="notice-open_recruitment">L’appel à candidatures est clos' in page
    assert 'id="reason-open_recruitment"' in page  # the reason is asked for
