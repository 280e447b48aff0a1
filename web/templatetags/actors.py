"""Who made an audited event, as a page shows it: `{% load actors %}{{ event|actor }}`."""

from django import template

from lifecycle.actors import shown_label

register = template.Library()


@register.filter
def actor(event) -> str:
    return shown_label(event)
