"""The financial simulation of a dossier and the call's co-financing rule.

Per EIG position: a fixed-term contract of the call's duration at the net monthly pay of the
position's level (the call's default pay without one). The administration states the total
employer cost; the call's funder (the PIA in 2018) co-finances a share of it — a rate of that cost
(70 % in 2018), or that cost for a number of months (a later call paid three) — only for an
eligible administration that asks for it. Who is eligible is the call's rule, read by
`eligibility`: the portal, the guards and the dashboard's envelope all ask it. The estimate of the
employer cost, from the call's contribution rates, flags a stated cost implausibly far from it.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from lifecycle.enums import AdministrationKind, CofinancingKind

CENT = Decimal("0.01")
# The stated co-financing may differ from the computed one by rounding, not more.
COFINANCING_AMOUNT_TOLERANCE = Decimal("1.00")


def euros(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def format_euros(amount: Decimal) -> str:
    """An amount as people read it: "105 000,00 €" in French."""
    return f"{number_format(amount, decimal_pos=2, force_grouping=True)} €"


# Who is eligible ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    # The administration that receives the co-financing (the administrative carrier of an operator
    # when the call says so), None when not eligible.
    beneficiary: object = None
    reason: str = ""  # why not, with the call's rule and what to do (a dossier's problem)
    summary: str = ""  # the verdict in a few words, for the simulation's first line


def _lower_first(label) -> str:
    text = str(label)
    return text[:1].lower() + text[1:]


def rule_text(call) -> str:
    """The call's eligibility rule in one French sentence, for the portal's help."""
    kinds = [_lower_first(AdministrationKind(kind).label) for kind in call.cofinancing_eligible_kinds or []]
    if not kinds:
        return _("Cet appel ne prévoit pas de co-financement.")
    text = _("Éligibles au co-financement %(funder)s : %(kinds)s.") % {
        "funder": call.cofinancing_funder,
        "kinds": ", ".join(kinds),
    }
    if call.cofinancing_through_administrative_carrier:
        text += " " + _("Un opérateur l’est par son porteur administratif, s’il est lui-même éligible.")
    if call.cofinancing_needs_budget_programme:
        text += " " + _("L’administration co-financée doit porter un programme budgétaire.")
    return text


def eligibility(challenge, *, administration=None, administrative_carrier=None) -> Eligibility:
    """Whether the call's funder may co-finance this challenge, and through which administration.

    The call's rule, as data: the kinds of administration eligible; optionally, an operator of a
    ministry eligible through its administrative carrier (which must be eligible itself);
    optionally, a budget programme required of the administration that receives the money.
    The carriers may be given (a form not saved yet), else those of the challenge.
    """
    call = challenge.promotion.call
    operational = administration or challenge.administration
    carrier = (
        administrative_carrier if administrative_carrier is not None else challenge.administrative_carrier
    )
    kinds = set(call.cofinancing_eligible_kinds or [])
    beneficiary = None
    if operational.kind in kinds:
        beneficiary = operational
    elif (
        call.cofinancing_through_administrative_carrier
        and operational.kind == AdministrationKind.MINISTRY_OPERATOR
        and carrier is not None
        and carrier.kind in kinds
    ):
        beneficiary = carrier
    names = {"funder": call.cofinancing_funder, "administration": operational, "carrier": beneficiary}
    if beneficiary is None:
        return Eligibility(
            False,
            reason=_not_eligible_reason(call, operational),
            summary=_("« %(administration)s » n’est pas éligible au co-financement %(funder)s.") % names,
        )
    if call.cofinancing_needs_budget_programme and not beneficiary.budget_programme.strip():
        reason = _(
            "Le co-financement %(funder)s demande un programme budgétaire : « %(administration)s » "
            "n’en indique pas."
        ) % {"funder": call.cofinancing_funder, "administration": beneficiary}
        return Eligibility(False, reason=reason, summary=reason)
    if beneficiary != operational:
        summary = _(
            "« %(administration)s » est éligible au co-financement %(funder)s par son porteur "
            "administratif « %(carrier)s »."
        )
    else:
        summary = _("« %(administration)s » est éligible au co-financement %(funder)s.")
    return Eligibility(True, beneficiary=beneficiary, summary=summary % names)


def _not_eligible_reason(call, administration) -> str:
    reason = _("« %(administration)s » (%(kind)s) n’est pas éligible au co-financement %(funder)s.") % {
        "administration": administration,
        "kind": _lower_first(AdministrationKind(administration.kind).label),
        "funder": call.cofinancing_funder,
    }
    return f"{reason} {rule_text(call)} " + _("Retirez la demande de co-financement.")


# The simulation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FinancialSimulation:
    funder: str
    eig_count: int
    duration_months: int
    # The net monthly pay of each position, in rank order.
    monthly_pays: tuple[Decimal, ...]
    net_payroll: Decimal
    estimated_employer_cost: Decimal
    stated_employer_cost: Decimal | None
    eligibility: Eligibility
    requested: bool
    expected_amount: Decimal
    stated_amount: Decimal | None
    rule: str  # "70 %" or "3 mois"

    @property
    def eligible(self) -> bool:
        return self.eligibility.eligible

    @property
    def employer_cost_gap(self) -> Decimal | None:
        """The stated cost's relative distance from the estimate (0.1 = 10 %)."""
        if self.stated_employer_cost is None or not self.estimated_employer_cost:
            return None
        return abs(self.stated_employer_cost - self.estimated_employer_cost) / self.estimated_employer_cost

    def amount_problem(self) -> str | None:
        stated = self.stated_amount or Decimal("0")
        if not self.requested:
            if stated:
                return _(
                    "Un montant de co-financement %(funder)s est indiqué alors qu’il n’est pas demandé."
                ) % {"funder": self.funder}
            return None
        if not self.eligible:
            return self.eligibility.reason
        if self.stated_employer_cost is None:
            return _(
                "Indiquez le coût total employeur prévisionnel : le co-financement se calcule sur ce "
                "coût, non sur l’estimation."
            )
        if self.stated_amount is None:
            return _(
                "Indiquez le co-financement %(funder)s envisagé : %(expected)s selon la règle de l’appel."
            ) % {
                "funder": self.funder,
                "expected": format_euros(self.expected_amount),
            }
        if abs(stated - self.expected_amount) > COFINANCING_AMOUNT_TOLERANCE:
            return _(
                "Le co-financement %(funder)s indiqué (%(stated)s) ne correspond pas à la règle de "
                "l’appel (%(rule)s du coût total employeur), soit %(expected)s."
            ) % {
                "funder": self.funder,
                "stated": format_euros(stated),
                "rule": self.rule,
                "expected": format_euros(self.expected_amount),
            }
        return None


def rule_label(call) -> str:
    if call.cofinancing_kind == CofinancingKind.MONTHS:
        months = call.cofinancing_months or 0
        return _("%(months)d mois sur %(duration)d") % {"months": months, "duration": call.duration_months}
    return f"{(call.cofinancing_rate * 100).normalize():f} %"


def expected_amount(call, stated_cost: Decimal) -> Decimal:
    """What the call's rule pays of a stated total employer cost."""
    if call.cofinancing_kind == CofinancingKind.MONTHS:
        months = Decimal(min(call.cofinancing_months or 0, call.duration_months))
        return euros(stated_cost * months / Decimal(call.duration_months))
    return euros(stated_cost * call.cofinancing_rate)


def monthly_pays(challenge, *, eig_count=None) -> list[Decimal]:
    """The net monthly pay of each position (its level's, else the call's default pay); a count
    given (a form not saved yet) pads with the default pay."""
    call = challenge.promotion.call
    positions = list(challenge.eig_positions.select_related("pay_level")) if challenge.pk else []
    pays = [
        position.pay_level.net_monthly_pay if position.pay_level_id else call.net_monthly_pay
        for position in positions
    ]
    if eig_count is not None:
        pays = (pays + [call.net_monthly_pay] * eig_count)[:eig_count]
    return pays


def simulate(challenge, *, eig_count: int | None = None) -> FinancialSimulation:
    call = challenge.promotion.call
    pays = monthly_pays(challenge, eig_count=eig_count)
    months = Decimal(call.duration_months)
    net_per_position = [euros(pay * months) for pay in pays]
    net_payroll = sum(net_per_position, Decimal("0"))
    gross = net_payroll / (1 - call.employee_contribution_rate)
    estimate = euros(gross * (1 + call.employer_contribution_rate))
    who = eligibility(challenge)
    stated_cost = challenge.total_employer_cost
    expected = Decimal("0")
    if challenge.cofinancing_requested and who.eligible and stated_cost is not None:
        expected = expected_amount(call, stated_cost)
    return FinancialSimulation(
        funder=call.cofinancing_funder,
        eig_count=len(pays),
        duration_months=call.duration_months,
        monthly_pays=tuple(pays),
        net_payroll=net_payroll,
        estimated_employer_cost=estimate,
        stated_employer_cost=stated_cost,
        eligibility=who,
        requested=challenge.cofinancing_requested,
        expected_amount=expected,
        stated_amount=challenge.cofinancing_amount,
        rule=rule_label(call),
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


def eligibility_line(challenge, who: Eligibility) -> str:
    """Whether this administration may receive the call's co-financing, in one short line."""
    return _("Éligibilité : %(summary)s") % {"summary": who.summary}


def describe(challenge) -> list[str]:
    """The simulation in a few French lines, warnings last, for pages and exports."""
    simulation = simulate(challenge)
    distinct_pays = sorted(set(simulation.monthly_pays))
    if len(distinct_pays) <= 1:
        pay = distinct_pays[0] if distinct_pays else challenge.promotion.call.net_monthly_pay
        payroll_line = _("%(count)d EIG × %(months)d mois × %(pay)s nets = %(payroll)s nets") % {
            "count": simulation.eig_count,
            "months": simulation.duration_months,
            "pay": format_euros(pay),
            "payroll": format_euros(simulation.net_payroll),
        }
    else:
        payroll_line = _("%(months)d mois × (%(pays)s) nets = %(payroll)s nets") % {
            "months": simulation.duration_months,
            "pays": " + ".join(format_euros(pay) for pay in simulation.monthly_pays),
            "payroll": format_euros(simulation.net_payroll),
        }
    lines = [
        eligibility_line(challenge, simulation.eligibility),
        payroll_line,
        _("Coût total employeur estimé : %(cost)s")
        % {"cost": format_euros(simulation.estimated_employer_cost)},
        _("Co-financement %(funder)s attendu (%(rule)s) : %(amount)s")
        % {
            "funder": simulation.funder,
            "rule": simulation.rule,
            "amount": format_euros(simulation.expected_amount),
        },
    ]
    warnings = [
        simulation.amount_problem(),
        employer_cost_warning(simulation, challenge.promotion.call.employer_cost_tolerance),
    ]
    return lines + [f"⚠ {warning}" for warning in warnings if warning]
