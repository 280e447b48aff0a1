"""A message's attachment: a real PDF (its content says so, not its name) of at most 10 Mo.

The checks are the pitch deck's (`lifecycle.pitch_deck`: the size before anything is read, the
PDF header, pypdf reads every page), told in an attachment's words. A stored attachment gets a
random name, outside the static files; the name its sender gave is kept to download it.
"""

import unicodedata
import uuid

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lifecycle import pitch_deck

MAX_BYTES = 10 * 1024 * 1024
NAME_LENGTH = 150


def stored_name(instance, filename) -> str:
    """A random name: the sender's file name says nothing on the server (and cannot collide or be
    guessed)."""
    return f"messages/{uuid.uuid4().hex}.pdf"


def too_large_message() -> str:
    return _("La pièce jointe dépasse %(mb)d Mo : joignez un PDF plus léger.") % {
        "mb": MAX_BYTES // 1024 // 1024
    }


def _problem(code: str) -> str:
    messages = {
        "empty": _("La pièce jointe est vide."),
        "not_pdf": _(
            "La pièce jointe n’est pas un PDF : seuls les fichiers PDF sont acceptés "
            "(enregistrez ou exportez votre document au format PDF)."
        ),
        "encrypted": _(
            "La pièce jointe est un PDF protégé par un mot de passe : joignez une version sans protection."
        ),
        "no_pages": _("La pièce jointe est un PDF qui ne contient aucune page."),
    }
    return messages.get(code) or _("La pièce jointe est un PDF illisible ou corrompu.")


def read(upload) -> bytes:
    """The upload's bytes once checked, or a ValidationError that names the problem in French."""
    content = pitch_deck.read_upload(upload, max_bytes=MAX_BYTES, too_large=too_large_message)
    try:
        pitch_deck.count_slides(content, max_slides=10**9)
    except ValidationError as error:
        raise ValidationError(_problem(error.code), code=error.code) from error
    return content


def display_name(filename: str) -> str:
    """The name the attachment is shown and downloaded under: the sender's, without its folders
    or control characters, shortened, ending in .pdf."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = " ".join("".join(" " if unicodedata.category(c)[0] == "C" else c for c in name).split())
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    stem = stem.strip(" .")[: NAME_LENGTH - 4] or "piece-jointe"
    return f"{stem}.pdf"
