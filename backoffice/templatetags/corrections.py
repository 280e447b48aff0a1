"""The case page's corrections panel: the request form of a submitted dossier, or what was
asked and its deadline (with its extension) while the administration corrects."""

from django import template

from backoffice.corrections_forms import ExtendCorrectionsForm, RequestCorrectionsForm
from lifecycle import calendar, clock, corrections, rules
from lifecycle.enums import ChallengeState

register = template.Library()


@register.inclusion_tag("backoffice/challenge/_corrections_panel.html", takes_context=True)
def corrections_panel(context, challenge):
    user = context["request"].user
    shown = {"challenge": challenge, "csrf_token": context.get("csrf_token"), "shown": False}
    if not rules.is_programme_manager(user) or challenge.state not in corrections.CONCERNED_STATES:
        return shown
    days = corrections.allowed_days(challenge.promotion.call, clock.now())
    if challenge.state == ChallengeState.SUBMITTED:
        return {
            **shown,
            "shown": True,
            "days": days,
            "jury_starts_on": challenge.promotion.call.jury_starts_on,
            "form": context.get("corrections_form") or RequestCorrectionsForm(),
        }
    event = corrections.requested_event(challenge)
    moment = corrections.deadline(challenge)
    return {
        **shown,
        "shown": True,
        "asked": True,
        "what": event.reason if event else "",
        "sections": corrections.sections_label(challenge),
        "deadline": corrections.due_label(challenge),
        "passed": bool(moment and clock.now() >= calendar.closing(moment)),
        "days": days,
        "extend_form": context.get("extend_form")
        or ExtendCorrectionsForm(initial={"due_on": challenge.corrections_due_on}),
    }
