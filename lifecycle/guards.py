"""The conditions of the moves. A guard returns the reasons it refuses, in French; none means yes.

Guards read only the data of the case and of its call: the calendar and rules are never
constants here. Which guards a move runs is said once, in `lifecycle.workflow`.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

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
    return date_format(timezone.localtime(moment), "l j F Y à H:i:s")


def before_submission_deadline(challenge, ctx):
    deadline = challenge.promotion.call.submission_deadline
    if deadline is None:
        return [_("La date limite de dépôt de l’appel à projets n’est pas encore fixée.")]
    if ctx.now >= deadline:
        return [
            _("La date limite de dépôt est passée (%(deadline)s, heure de Paris).")
            % {"deadline": _paris(deadline)}
        ]
    return []


def dossier_complete(challenge, ctx):
    return dossier_problems(challenge)


def reason_given(challenge, ctx):
    if ctx.reason is not None and not ctx.reason.strip():
        return [_("Cette décision doit être motivée : indiquez un motif.")]
    return []


def jury_date_set(challenge, ctx):
    if challenge.promotion.call.jury_starts_on is None:
        return [_("La date du jury n’est pas fixée dans le calendrier de l’appel.")]
    return []


def within_pia_envelope(challenge, ctx):
    call = challenge.promotion.call
    if not (challenge.pia_requested and challenge.administration.is_pia_eligible):
        return []
    committed = challenge.promotion.challenges.filter(
        state__in=ChallengeState.committed(), pia_requested=True
    ).exclude(pk=challenge.pk).aggregate(total=Sum("pia_amount"))["total"] or Decimal("0")
    amount = challenge.pia_amount or Decimal("0")
    if committed + amount > call.pia_envelope:
        return [
            _(
                "Le financement PIA demandé (%(amount)s) dépasse ce qui reste de l’enveloppe "
                "(%(left)s sur %(total)s)."
            )
            % {
                "amount": format_euros(amount),
                "left": format_euros(call.pia_envelope - committed),
                "total": format_euros(call.pia_envelope),
            }
        ]
    return []


def recruitment_call_open(challenge, ctx):
    call = challenge.promotion.call
    if call.recruitment_opens_at is None:
        return [_("L’ouverture de l’appel à candidatures n’est pas fixée.")]
    if ctx.now < call.recruitment_opens_at:
        return [
            _("L’appel à candidatures n’ouvre que le %(date)s.") % {"date": _paris(call.recruitment_opens_at)}
        ]
    if call.recruitment_closes_at is not None and ctx.now >= call.recruitment_closes_at:
        return [
            _("L’appel à candidatures est clos depuis le %(date)s.")
            % {"date": _paris(call.recruitment_closes_at)}
        ]
    return []


def eigs_recruited(challenge, ctx):
    call = challenge.promotion.call
    count = challenge.entrepreneurs.count()
    if not call.min_eigs_per_challenge <= count <= call.max_eigs_per_challenge:
        return [
            _("Le défi doit compter entre %(min)d et %(max)d EIG recrutés (%(count)d).")
            % {"min": call.min_eigs_per_challenge, "max": call.max_eigs_per_challenge, "count": count}
        ]
    return []


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
