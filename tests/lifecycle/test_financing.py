from decimal import Decimal

import pytest

from lifecycle import financing
from lifecycle.enums import AdministrationKind
from tests.factories import AdministrationFactory, ChallengeFactory


def simulate(**fields):
    return financing.simulate(ChallengeFactory(**fields))


def test_the_simulation_of_an_eligible_ministry(db):
    simulation = simulate(total_employer_cost=Decimal("150000"), cofinancing_amount=Decimal("105000"))
    assert simulation.eig_count == 2
    assert simulation.monthly_pays == (Decimal("4000"), Decimal("4000"))  # the call's default pay
    assert simulation.net_payroll == Decimal("80000.00")
    # 40,000 / (1 − 22 %) gross, × (1 + 42 %) employer contributions, × 2 EIGs
    assert simulation.estimated_employer_cost == Decimal("145641.03")
    assert simulation.expected_amount == Decimal("105000.00")  # 70 % of the stated cost
    assert simulation.amount_problem() is None


def test_an_operator_is_eligible_through_its_ministry(db):
    ministry = AdministrationFactory(kind=AdministrationKind.MINISTRY)
    operator = AdministrationFactory(kind=AdministrationKind.MINISTRY_OPERATOR, ministry=ministry)
    simulation = simulate(
        administration=operator,
        total_employer_cost=Decimal("99999.99"),
        cofinancing_amount=Decimal("70000.00"),
    )
    assert simulation.eligible is True
    assert simulation.expected_amount == Decimal("69999.99")  # 69,999.993 to the cent
    assert simulation.amount_problem() is None  # the stated 70,000.00 is within rounding


@pytest.mark.parametrize(
    "kind",
    [
        AdministrationKind.INDEPENDENT_AUTHORITY,
        AdministrationKind.TERRITORIAL_AUTHORITY,
        AdministrationKind.HEALTH_ESTABLISHMENT,
    ],
)
def test_other_administrations_get_no_pia_funding(db, kind):
    administration = AdministrationFactory(kind=kind)
    asking = simulate(administration=administration)
    label = str(AdministrationKind(kind).label)
    assert asking.expected_amount == Decimal("0")
    assert asking.amount_problem() == (
        f"« {administration} » ({label[:1].lower()}{label[1:]}) "
        "n’est pas éligible au co-financement PIA. Éligibles au co-financement PIA : ministère ou service "
        "de l’État, opérateur rattaché à un ministère. Retirez la demande de co-financement."
    )
    not_asking = simulate(administration=administration, cofinancing_requested=False, cofinancing_amount=None)
    assert not_asking.amount_problem() is None


def test_an_amount_without_a_request_is_inconsistent(db):
    assert simulate(cofinancing_requested=False).amount_problem() == (
        "Un montant de co-financement PIA est indiqué alors qu’il n’est pas demandé."
    )


def test_the_rate_is_the_calls(db):
    challenge = ChallengeFactory(total_employer_cost=Decimal("150000"), cofinancing_amount=Decimal("75000"))
    challenge.promotion.call.cofinancing_rate = Decimal("0.5")
    challenge.promotion.call.save()
    assert financing.simulate(challenge).amount_problem() is None


def test_an_implausible_employer_cost_is_flagged(db):
    challenge = ChallengeFactory(total_employer_cost=Decimal("250000"), cofinancing_amount=Decimal("175000"))
    tolerance = challenge.promotion.call.employer_cost_tolerance
    assert financing.employer_cost_warning(financing.simulate(challenge), tolerance) == (
        "Le coût total employeur indiqué (250\xa0000,00 €) s’écarte de 72 % de l’estimation "
        "(145\xa0641,03 € pour 2 EIG) : vérifiez la simulation."
    )
    plausible = ChallengeFactory(total_employer_cost=Decimal("150000"))
    assert financing.employer_cost_warning(financing.simulate(plausible), tolerance) is None


def test_the_simulation_in_words(db):
    challenge = ChallengeFactory(total_employer_cost=Decimal("250000"), cofinancing_amount=Decimal("1000"))
    assert financing.describe(challenge) == [
        f"Éligibilité : « {challenge.administration} » est éligible au co-financement PIA.",
        "2 EIG × 10 mois × 4\xa0000,00 € nets = 80\xa0000,00 € nets",
        "Coût total employeur estimé : 145\xa0641,03 €",
        "Co-financement PIA attendu (70 %) : 175\xa0000,00 €",
        "⚠ Le co-financement PIA indiqué (1\xa0000,00 €) ne correspond pas à la règle de l’appel (70 % du "
        "coût total employeur), soit 175\xa0000,00 €.",
        "⚠ Le coût total employeur indiqué (250\xa0000,00 €) s’écarte de 72 % de l’estimation "
        "(145\xa0641,03 € pour 2 EIG) : vérifiez la simulation.",
    ]
