"""The thread on the pages that show it: `{% conversation challenge "portal" as thread %}` (or
"backoffice") gives what the reader may see, the form's state and its URLs."""

from django import template
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.formats import number_format

from conversations import attachments, feedback, rules, services

register = template.Library()

SIDES = {
    "portal": ("conversations:portal_post", "conversations:portal_attachment"),
    "backoffice": ("conversations:backoffice_post", "conversations:backoffice_attachment"),
}


@register.simple_tag(takes_context=True)
def conversation(context, challenge, side):
    """None for a reader the thread is not for (the partial then shows nothing)."""
    request = context["request"]
    post_url, download_url = SIDES[side]
    try:
        readable = services.thread_for(challenge, request.user)
    except PermissionDenied:
        return None
    entries = [
        {
            "message": message,
            "download_url": reverse(download_url, args=[challenge.pk, message.pk])
            if message.attachment
            else "",
        }
        for message in readable
    ]
    kept = feedback.take(request, challenge)
    errors = kept.get("errors", {})
    return {
        "entries": entries,
        "post_url": reverse(post_url, args=[challenge.pk]),
        "may_write_note": rules.can_post_note.test(request.user, challenge),
        "notice": kept.get("notice", ""),
        "notice_level": kept.get("level", "success"),
        "body": kept.get("body", ""),
        "has_errors": bool(errors),
        # What no field shows: the choice of destination, a refusal of the whole message.
        "form_errors": errors.get("destination", []) + errors.get("__all__", []),
        "body_errors": errors.get("body", []),
        "attachment_errors": errors.get("attachment", []),
        "lost_attachment": kept.get("attachment", ""),
        "max_length": services.MAX_LENGTH,
        "max_length_label": number_format(services.MAX_LENGTH, force_grouping=True),
        "max_mb": attachments.MAX_BYTES // 1024 // 1024,
    }
