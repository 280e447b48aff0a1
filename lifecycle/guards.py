"""The conditions of the moves. A guard returns the reasons it refuses, in French; none means yes.

Guards read only the data of the case and of its call: the calendar and rules are never
constants here. Which guards a move runs is said once, in `lifecycle.workflow`.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from lifecycle import calendar, financing
from lifecycle.dossier.rules import dossier_problems, unconfirmed_mentor_roles
from lifecycle.enums import ChallengeState
from lifecycle.financing import format_euros


@dataclass(frozen=True)
class Context:
    by: object
    now: object
    # None while an interface only asks which moves are possible; the text once the move is made.
    reason: str | None = None


def _paris(moment) -> str:
    return calendar.label(moment)


def before_submission_deadline(challenge, ctx):
    """The call takes dossiers: opened (when it has an opening) and not past its deadline."""
    call = challenge.promotion.call
    deadline = call.submission_deadline
    if call.submission_opens_at is not None and ctx.now < call.submission_opens_at:
        return [
            _("Le dépôt des dossiers n’ouvre que le %(date)s (heure de Paris).")
            % {"date": calendar.label(call.submission_opens_at)}
        ]
    if deadline is None:
        return [_("La date limite de dépôt de l’appel à projets n’est pas encore fixée.")]
    if ctx.now >= calendar.closing(deadline):
        return [
            _("La date limite de dépôt est passée (%(deadline)s, heure de Paris).")
            % {"deadline": calendar.deadline_label(deadline)}
        ]
    return []


def dossier_complete(challenge, ctx):
    return dossier_problems(challenge)


def corrections_described(challenge, ctx):
    """A request for corrections names the sections to correct and a valid last day
    (`lifecycle.corrections.request` writes them before the move)."""
    from lifecycle import corrections

    reasons = []
    if not challenge.corrections_sections:
        reasons.append(
            _("Choisissez les parties du dossier à corriger (formulaire « Demander des corrections »).")
        )
    if problem := corrections.date_problem(challenge.promotion.call, challenge.corrections_due_on, ctx.now):
        reasons.append(problem)
    return reasons


def before_corrections_deadline(challenge, ctx):
    """The corrected dossier comes in by its last day, 23:59 Paris time included."""
    from lifecycle import corrections

    moment = corrections.deadline(challenge)
    if moment is not None and ctx.now >= calendar.closing(moment):
        return [
            _(
                "Le délai des corrections a expiré le %(date)s (heure de Paris) : demandez au programme "
                "de le prolonger."
            )
            % {"date": calendar.deadline_label(moment)}
        ]
    return []


def reason_given(challenge, ctx):
    if ctx.reason is not None and not ctx.reason.strip():
        return [_("Cette décision doit être motivée : indiquez un motif.")]
    return []


def jury_date_set(challenge, ctx):
    if challenge.promotion.call.jury_starts_on is None:
        return [_("La date du jury n’est pas fixée dans le calendrier de l’appel.")]
    return []


def committed_cofinancing(promotion, *, excluding=None) -> Decimal:
    """What the promotion's envelope already gives: the co-financing of the eligible challenges
    selected or later that asked for it (the dashboard's envelope reads this too)."""
    challenges = promotion.challenges.filter(
        state__in=ChallengeState.committed(), cofinancing_requested=True
    ).select_related("administration", "administrative_carrier", "promotion__call")
    if excluding is not None:
        challenges = challenges.exclude(pk=excluding.pk)
    return sum(
        (
            challenge.cofinancing_amount or Decimal("0")
            for challenge in challenges
            if financing.eligibility(challenge).eligible
        ),
        Decimal("0"),
    )


def within_cofinancing_envelope(challenge, ctx):
    call = challenge.promotion.call
    if not (challenge.cofinancing_requested and financing.eligibility(challenge).eligible):
        return []
    committed = committed_cofinancing(challenge.promotion, excluding=challenge)
    amount = challenge.cofinancing_amount or Decimal("0")
    if committed + amount > call.cofinancing_envelope:
        return [
            _(
                "Le co-financement %(funder)s demandé (%(amount)s) dépasse de %(over)s ce qui reste de "
                "l’enveloppe (%(left)s sur %(total)s)."
            )
            % {
                "funder": call.cofinancing_funder,
                "amount": format_euros(amount),
                "over": format_euros(committed + amount - call.cofinancing_envelope),
                "left": format_euros(call.cofinancing_envelope - committed),
                "total": format_euros(call.cofinancing_envelope),
            }
        ]
    return []


def recruitment_call_open(challenge, ctx):
    """A selected challenge is published to candidates while the candidates' call is open (the
    system does it when both are true, whichever comes first). Before the opening, nobody
    publishes it: the opening will. After the closing, only a programme manager's decision with
    a reason does (a late selection is never a dead end)."""
    from lifecycle.rules import is_system

    call = challenge.promotion.call
    stage = calendar.candidates_call_stage(call, ctx.now)
    if stage == calendar.UNSET:
        return [_("L’ouverture de l’appel à candidatures n’est pas fixée.")]
    if stage == calendar.BEFORE:
        return [
            _("L’appel à candidatures n’ouvre que le %(date)s : le défi y sera publié à l’ouverture.")
            % {"date": _paris(call.recruitment_opens_at)}
        ]
    if stage == calendar.CLOSED:
        closed = _("L’appel à candidatures est clos depuis le %(date)s.") % {
            "date": calendar.deadline_label(call.recruitment_closes_at)
        }
        if is_system(ctx.by):
            return [closed]
        if ctx.reason is not None and not ctx.reason.strip():
            return [
                closed
                + " "
                + _(
                    "Publier ce défi aux candidats après la clôture est une décision motivée : "
                    "indiquez un motif."
                )
            ]
    return []


def selection_publishes_at_once(challenge, now) -> str:
    if calendar.candidates_call_stage(challenge.promotion.call, now) == calendar.OPEN:
        return _(
            "L’appel à candidatures est ouvert : le défi sélectionné y sera publié aussitôt, et son "
            "administration en sera informée."
        )
    return ""


def late_publication_notice(challenge, now) -> str:
    if needs_late_publication_reason(challenge, now):
        return _(
            "L’appel à candidatures est clos : publier ce défi aux candidats maintenant est une décision "
            "motivée, que le motif explique à son administration."
        )
    return ""


def needs_late_publication_reason(challenge, now) -> bool:
    """Whether publishing to candidates now is the late decision that needs a reason."""
    return calendar.candidates_call_stage(challenge.promotion.call, now) == calendar.CLOSED


def mentors_confirmed(challenge, ctx):
    return [
        _("%(role)s : pas encore confirmé.") % {"role": role.label}
        for role in unconfirmed_mentor_roles(challenge)
    ]


def duration_passed(challenge, ctx):
    ends_on = challenge.promotion.call.ends_on
    if ends_on is None:
        return [_("La date d’arrivée des EIG n’est pas fixée dans le calendrier de l’appel.")]
    if timezone.localdate(ctx.now) < ends_on:
        return [
            _("Les %(months)d mois du défi ne s’achèvent que le %(date)s.")
            % {"months": challenge.promotion.call.duration_months, "date": date_format(ends_on, "j F Y")}
        ]
    return []
