"""The steps of the dossier: the official form's sections (`lifecycle.dossier.sections`), then
the review; and the deadline as people read it."""

from dataclasses import dataclass, replace

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lifecycle import calendar, clock, corrections
from lifecycle.dossier.sections import SECTIONS
from lifecycle.enums import ChallengeState


@dataclass(frozen=True)
class Step:
    slug: str
    title: str


STEPS = [Step(section.slug, section.title) for section in SECTIONS] + [
    Step("recapitulatif", _("Récapitulatif et dépôt"))
]
SLUGS = [step.slug for step in STEPS]
REVIEW = STEPS[-1].slug


def position(slug: str) -> int:
    """1-based number of the step."""
    return SLUGS.index(slug) + 1


def following(slug: str) -> Step | None:
    index = SLUGS.index(slug) + 1
    return STEPS[index] if index < len(STEPS) else None


@dataclass(frozen=True)
class Deadline:
    moment: object
    label: str
    countdown: str
    passed: bool
    corrections: bool = False


def deadline_for(challenge) -> Deadline | None:
    """The deadline the administration works to: the corrections' while they are asked, else
    the call's."""
    if challenge.state == ChallengeState.CORRECTIONS_REQUESTED:
        found = _deadline(corrections.deadline(challenge))
        return replace(found, corrections=True) if found else None
    return deadline_of(challenge.promotion.call)


def deadline_of(call) -> Deadline | None:
    """The call's submission deadline in Paris time, with the days left ("il reste N jours")."""
    if call is None:
        return None
    return _deadline(call.submission_deadline)


def _deadline(moment) -> Deadline | None:
    if moment is None:
        return None
    now = clock.now()
    label = calendar.deadline_label(moment)
    if now >= calendar.closing(moment):
        return Deadline(moment, label, str(_("la date limite est passée")), True)
    days = calendar.days_left(moment, now)
    if days == 0:
        countdown = str(
            _("dernier jour : clôture aujourd’hui à %(time)s") % {"time": calendar.time_label(moment)}
        )
    else:
        countdown = ngettext("il reste %(count)d jour", "il reste %(count)d jours", days) % {"count": days}
    return Deadline(moment, label, countdown, False)
