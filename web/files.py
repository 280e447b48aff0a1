"""Serving a case's stored documents, once the caller has checked who may read them."""

from django.http import FileResponse, Http404


def pitch_deck_response(challenge) -> FileResponse:
    if not challenge.pitch_deck:
        raise Http404
    try:
        stored = challenge.pitch_deck.open("rb")
    except OSError:
        raise Http404 from None
    return FileResponse(
        stored, content_type="application/pdf", filename=f"defi-{challenge.pk}-presentation.pdf"
    )
