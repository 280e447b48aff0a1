"""Rich text in templates: `{% load richtext %}`, then `{{ text|markdown }}` (lifecycle.richtext)."""

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.safestring import SafeData, SafeString

from lifecycle import richtext

register = template.Library()


@register.filter(is_safe=True)
def markdown(text) -> SafeString:
    """Markdown as sanitised HTML."""
    return richtext.to_html(text)


@register.filter(needs_autoescape=True)
def text_or_html(value, autoescape=True) -> SafeString:
    """A value of the dossier's rows: HTML already made safe (a SafeString, as `markdown` gives) as
    is; any other value escaped, its line breaks kept."""
    if isinstance(value, SafeData):
        return value
    return linebreaksbr(value, autoescape=autoescape)
