"""The financial simulation of a dossier.

Per EIG: a fixed-term contract of the call's duration at the call's net monthly pay. The
administration states the total employer cost; the PIA co-finances a share of it (70 % for
promotion 3), only for a PIA-eligible administration that asks for it. The estimate of the
employer cost, from the call's contribution rates, flags a stated cost implausibly far from it.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

CENT = Decimal("0.01")
# The stated PIA amount may differ from the computed one by rounding, not more.
PIA_AMOUNT_TOLERANCE = Decimal("1.00")


def euros(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def format_euros(amount: Decimal) -> str:
    """An amount as people read it: "105 000,00 €" in French."""
    return f"{number_format(amount, decimal_pos=2, force_grouping=True)} €"


@dataclass(frozen=True)
class FinancialSimulation:
    eig_count: int
    duration_months: int
    net_monthly_pay: Decimal
    net_pay_per_eig: Decimal
    net_payroll: Decimal
    estimated_employer_cost: Decimal
    stated_employer_cost: Decimal | None
    pia_eligible: bool
    pia_requested: bool
    expected_pia_amount: Decimal
    stated_pia_amount: Decimal | None
    rate_percent: str

    @property
    def employer_cost_gap(self) -> Decimal | None:
        """The stated cost's relative distance from the estimate (0.1 = 10 %)."""
        if self.stated_employer_cost is None or not self.estimated_employer_cost:
            return None
        return abs(self.stated_employer_cost - self.estimated_employer_cost) / self.estimated_employer_cost

    def pia_amount_problem(self) -> str | None:
        stated = self.stated_pia_amount or Decimal("0")
        if not self.pia_requested:
            if stated:
                return _("Un montant PIA est indiqué alors que le financement PIA n’est pas demandé.")
            return None
        if not self.pia_eligible:
            return _(
                "Seuls les ministères (et leurs opérateurs) sont éligibles au financement PIA : "
                "retirez la demande de financement."
            )
        if self.stated_employer_cost is None:
            return _("Le coût total employeur est nécessaire pour calculer le montant PIA.")
        if abs(stated - self.expected_pia_amount) > PIA_AMOUNT_TOLERANCE:
            return _(
                "Le montant PIA indiqué (%(stated)s) ne correspond pas à %(rate)s %% du coût "
                "total employeur, soit %(expected)s."
            ) % {
                "stated": format_euros(stated),
                "rate": self.rate_percent,
                "expected": format_euros(self.expected_pia_amount),
            }
        return None


def simulate(challenge, *, eig_count: int | None = None) -> FinancialSimulation:
    call = challenge.promotion.call
    if eig_count is None:
        eig_count = challenge.eig_positions.count()
    months = Decimal(call.duration_months)
    net_pay_per_eig = euros(call.net_monthly_pay * months)
    gross_per_eig = net_pay_per_eig / (1 - call.employee_contribution_rate)
    employer_cost_per_eig = gross_per_eig * (1 + call.employer_contribution_rate)
    pia_eligible = challenge.administration.is_pia_eligible
    stated_cost = challenge.total_employer_cost
    expected_pia = Decimal("0")
    if challenge.pia_requested and pia_eligible and stated_cost is not None:
        expected_pia = euros(stated_cost * call.cofinancing_rate)
    return FinancialSimulation(
        eig_count=eig_count,
        duration_months=call.duration_months,
        net_monthly_pay=call.net_monthly_pay,
        net_pay_per_eig=net_pay_per_eig,
        net_payroll=net_pay_per_eig * eig_count,
        estimated_employer_cost=euros(employer_cost_per_eig * eig_count),
        stated_employer_cost=stated_cost,
        pia_eligible=pia_eligible,
        pia_requested=challenge.pia_requested,
        expected_pia_amount=expected_pia,
        stated_pia_amount=challenge.pia_amount,
        rate_percent=f"{(call.cofinancing_rate * 100).normalize():f}",
    )


def employer_cost_warning(simulation: FinancialSimulation, tolerance: Decimal) -> str | None:
    gap = simulation.employer_cost_gap
    if gap is None or gap <= tolerance:
        return None
    return _(
        "Le coût total employeur indiqué (%(stated)s) s’écarte de %(gap)d %% de l’estimation "
        "(%(estimate)s pour %(count)d EIG) : vérifiez la simulation."
    ) % {
        "stated": format_euros(simulation.stated_employer_cost),
        "gap": round(gap * 100),
        "estimate": format_euros(simulation.estimated_employer_cost),
        "count": simulation.eig_count,
    }


def describe(challenge) -> list[str]:
    """The simulation in a few French lines, warnings last, for pages and exports."""
    simulation = simulate(challenge)
    lines = [
        _("%(count)d EIG × %(months)d mois × %(pay)s nets = %(payroll)s nets")
        % {
            "count": simulation.eig_count,
            "months": simulation.duration_months,
            "pay": format_euros(simulation.net_monthly_pay),
            "payroll": format_euros(simulation.net_payroll),
        },
        _("Coût total employeur estimé : %(cost)s")
        % {"cost": format_euros(simulation.estimated_employer_cost)},
        _("Montant PIA attendu : %(amount)s") % {"amount": format_euros(simulation.expected_pia_amount)},
    ]
    warnings = [
        simulation.pia_amount_problem(),
        employer_cost_warning(simulation, challenge.promotion.call.employer_cost_tolerance),
    ]
    return lines + [f"⚠ {warning}" for warning in warnings if warning]
