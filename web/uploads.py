"""A request body above the upload limit is refused before a byte of it is read."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

# Room for the other fields of a form beside its file.
FORM_SLACK = 1024 * 1024


class RequestSizeLimitMiddleware:
    """Placed after the messages' middleware and before anything reads the body (CSRF does, in
    process_view): a too large post goes back to its page with a message, nothing saved."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse(status=400)
        if length > settings.UPLOAD_MAX_BYTES + FORM_SLACK:
            messages.error(
                request,
                _("Le fichier envoyé dépasse %(mb)d Mo : rien n’a été enregistré.")
                % {"mb": settings.UPLOAD_MAX_BYTES // 1024 // 1024},
            )
            response = redirect(request.get_full_path())
            response.status_code = 303
            response["Connection"] = "close"  # the unread body is not kept waiting
            return response
        return self.get_response(request)
