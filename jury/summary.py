"""The jury's part of a case page for managers: the audition, the collective grid, the members'
opinions and the conflicts of interest."""

from jury import calendar, services
from jury.models import Conflict, PitchSlot, Score
from lifecycle import criteria


def of_case(challenge) -> dict | None:
    """None when the case has neither an audition nor a conflict (the page shows no jury part)."""
    slot = PitchSlot.objects.select_related("sub_jury__jury").filter(challenge=challenge).first()
    conflicts = list(Conflict.objects.filter(challenge=challenge).select_related("member"))
    if slot is None and not conflicts:
        return None
    scores = {score.criterion_id: score for score in Score.objects.filter(challenge=challenge)}
    opinions = list(services.counted_opinions().filter(challenge=challenge))
    return {
        "slot": slot,
        "when": calendar.when(slot) if slot else "",
        "where": calendar.where(slot) if slot else "",
        "closed": slot is not None and slot.sub_jury.jury.closed,
        "grid": [
            {"criterion": criterion, "score": scores.get(criterion.pk)}
            for criterion in criteria.of_call(challenge.promotion.call)
        ],
        "complete": slot is not None and not services.unscored(challenge.promotion.call, set(scores)),
        "favourable": sum(1 for opinion in opinions if opinion.favourable),
        "opinions": len(opinions),
        "favourites": sum(1 for opinion in opinions if opinion.favourite),
        "conflicts": conflicts,
    }
