"""An application's state as the design system's badge: `{% state_badge state label %}`."""

from django import template
from django.utils.html import format_html

from recruitment.enums import ApplicationState as S

register = template.Library()

# The badge's colour by state (none: the plain grey badge).
BADGE_CLASSES = {
    S.REJECTED: " fr-badge--error",
    S.WITHDRAWN: " fr-badge--error",
    S.DECLINED: " fr-badge--error",
    S.ACCEPTED: " fr-badge--success",
    S.OFFERED: " fr-badge--new",
    S.RANKED: " fr-badge--new",
    S.PRESELECTED: " fr-badge--info",
    S.INTERVIEW: " fr-badge--info",
}


@register.simple_tag
def state_badge(state, label):
    """A tag, not an included template: a list of fifty rows pays an include's price fifty times."""
    return format_html(
        '<p class="fr-badge fr-badge--sm fr-badge--no-icon{}">{}</p>', BADGE_CLASSES.get(state, ""), label
    )
