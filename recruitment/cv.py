"""A candidate's CV: a real PDF (its content says so, not its name) of at most 5 Mo.

The checks are the pitch deck's (`lifecycle.pitch_deck`: the size before anything is read, the
PDF header, pypdf reads every page), told in a CV's words. A stored CV gets a random name,
outside the static files, and is served only to those who may read the application.
"""

import uuid

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lifecycle import pitch_deck

MAX_BYTES = 5 * 1024 * 1024
MAX_PAGES = 10


def stored_name(instance, filename) -> str:
    return f"cvs/{uuid.uuid4().hex}.pdf"


def too_large_message() -> str:
    return _("Le CV dépasse %(mb)d Mo : déposez un PDF plus léger.") % {"mb": MAX_BYTES // 1024 // 1024}


def _problem(code: str) -> str:
    messages = {
        "empty": _("Le CV est vide."),
        "not_pdf": _("Le CV n’est pas un PDF : enregistrez ou exportez votre CV au format PDF."),
        "encrypted": _("Le CV est un PDF protégé par un mot de passe : déposez une version sans protection."),
        "no_pages": _("Le CV est un PDF qui ne contient aucune page."),
        "too_many_slides": _("Le CV compte plus de %(max)d pages : déposez une version plus courte.")
        % {"max": MAX_PAGES},
    }
    return messages.get(code) or _("Le CV est un PDF illisible ou corrompu.")


def read(upload) -> bytes:
    """The upload's bytes once checked, or a ValidationError that names the problem in French."""
    content = pitch_deck.read_upload(upload, max_bytes=MAX_BYTES, too_large=too_large_message)
    try:
        pitch_deck.count_slides(content, max_slides=MAX_PAGES)
    except ValidationError as error:
        raise ValidationError(_problem(error.code), code=error.code) from error
    return content
