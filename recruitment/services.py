"""The candidates' call: the work its dates trigger.

Each function is a plain domain function run by a scheduled job (`recruitment.jobs`) and safe to
run again: a second run changes nothing (only selected challenges move, the closing is recorded
once). Each one also checks that its work still makes sense when it runs late (a worker was
down): no opening after the closing (the lifecycle's guard refuses it).
"""

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from lifecycle import calendar, clock, services, workflow
from lifecycle.actors import SYSTEM
from lifecycle.enums import TransitionName
from lifecycle.models import Challenge
from recruitment.models import RecruitmentClosure

logger = logging.getLogger(__name__)


@dataclass
class Opening:
    moved: list = field(default_factory=list)
    refused: dict = field(default_factory=dict)  # challenge: reasons


def open_recruitment(call) -> Opening:
    """Move every selected challenge of the call to recruiting, as the system: through the one
    transition function, so each move is guarded, audited and announced to its administration."""
    move = workflow.move(TransitionName.OPEN_RECRUITMENT)
    selected = list(
        Challenge.objects.filter(promotion_id=call.promotion_id, state__in=move.sources).order_by("pk")
    )
    moves = services.transition_many(
        selected,
        TransitionName.OPEN_RECRUITMENT,
        by=SYSTEM,
        reason=_("Ouverture de l’appel à candidatures de la promotion %(promotion)s.")
        % {"promotion": call.promotion},
    )
    outcome = Opening(moved=moves.moved)
    for challenge in selected:
        if refusal := moves.refused.get(challenge.pk):
            outcome.refused[challenge] = refusal.reasons
            logger.warning("Recruitment opening refused for challenge %s: %s", challenge.pk, refusal)
    return outcome


def publish_if_open(challenge, *, options=None):
    """Publish one selected challenge to candidates if the candidates' call takes applications
    now; refused quietly otherwise (the opening's job, or a manager after the closing, will)."""
    call = challenge.promotion.call
    if not accepts_applications(call):
        return None
    try:
        return services.transition(
            challenge,
            TransitionName.OPEN_RECRUITMENT,
            by=SYSTEM,
            reason=_("Défi sélectionné pendant l’appel à candidatures de la promotion %(promotion)s.")
            % {"promotion": call.promotion},
            options=options,
        )
    except services.TransitionRefused as refusal:
        logger.warning("Publication of challenge %s to candidates refused: %s", challenge.pk, refusal)
        return None


def close_recruitment(call) -> RecruitmentClosure | None:
    """Record that the call's recruitment is closed, once per closing moment; None before it."""
    closes_at = call.recruitment_closes_at
    if closes_at is None or clock.now() < calendar.closing(closes_at):
        return None
    with transaction.atomic():
        closure, created = RecruitmentClosure.objects.get_or_create(
            call=call, closes_at=closes_at, defaults={"recorded_at": clock.now()}
        )
        if created:
            logger.info(
                "Recruitment call of %s closed (closing time %s)", call.promotion, closes_at.isoformat()
            )
    return closure


def accepts_applications(call, *, now=None) -> bool:
    """Whether the call takes applications now: open, and not closed (by the clock or by its job)."""
    if calendar.candidates_call_stage(call, now or clock.now()) != calendar.OPEN:
        return False
    return (
        call.recruitment_closes_at is None
        or not call.recruitment_closures.filter(closes_at=call.recruitment_closes_at).exists()
    )
