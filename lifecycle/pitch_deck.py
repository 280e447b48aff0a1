"""Checks on the pitch deck an administration uploads: a readable PDF of at most N slides.

The size is checked before anything is read (`read_upload`); the content, not the name, says
whether it is a PDF. A stored deck gets a random name, outside the static files.
"""

import io
import logging
import uuid

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError

MAX_BYTES = 20 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


def too_large_message():
    return _("Le fichier de présentation dépasse %(mb)d Mo.") % {"mb": MAX_BYTES // 1024 // 1024}


def stored_name(instance, filename) -> str:
    """A random name: the administration's file name says nothing on the server (and cannot
    collide or be guessed)."""
    return f"pitch-decks/{uuid.uuid4().hex}.pdf"


logging.getLogger("pypdf").setLevel(logging.ERROR)


def count_slides(content: bytes, *, max_slides: int) -> int:
    """Return the number of slides, or raise a ValidationError that names the problem."""
    if not content:
        raise ValidationError(_("Le fichier de présentation est vide."), code="empty")
    if len(content) > MAX_BYTES:
        raise ValidationError(too_large_message(), code="too_large")
    # The PDF header may follow a few bytes of junk; readers look in the first kilobyte.
    if PDF_MAGIC not in content[:1024]:
        raise ValidationError(
            _("Le fichier de présentation n’est pas un PDF : exportez votre diaporama au format PDF."),
            code="not_pdf",
        )
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise ValidationError(
                _(
                    "Le PDF de présentation est chiffré ou protégé par un mot de passe : "
                    "déposez une version sans protection."
                ),
                code="encrypted",
            )
        pages = len(reader.pages)
        for page in reader.pages:
            page.mediabox  # noqa: B018  (reading each page proves the file is whole)
    except ValidationError:
        raise
    except (
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        OSError,
        RecursionError,
    ) as error:
        raise ValidationError(
            _("Le PDF de présentation est illisible ou corrompu (%(detail)s).")
            % {"detail": type(error).__name__},
            code="corrupt",
        ) from error
    if pages == 0:
        raise ValidationError(_("Le PDF de présentation ne contient aucune page."), code="no_pages")
    if pages > max_slides:
        raise ValidationError(too_many_slides_message(pages, max_slides), code="too_many_slides")
    return pages


def too_many_slides_message(pages: int, max_slides: int) -> str:
    return _("La présentation compte %(pages)d diapositives ; l’appel en autorise %(max)d au plus.") % {
        "pages": pages,
        "max": max_slides,
    }


def read_upload(upload, *, max_bytes=MAX_BYTES, too_large=too_large_message) -> bytes:
    """The upload's bytes, refused (`too_large()` says why) before they are read when the upload
    says it is too large (Django keeps an upload above 2 Mo in a temporary file, not in memory);
    the pitch deck's limit unless another file (a message's attachment) has its own."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(too_large(), code="too_large")
    upload.seek(0)
    content = upload.read(max_bytes + 1)
    upload.seek(0)
    if len(content) > max_bytes:
        raise ValidationError(too_large(), code="too_large")
    return content
