"""Serving a case's stored documents, once the caller has checked who may read them: always as
a download (never shown inline by the browser), its type not to be sniffed."""

from django.http import FileResponse, Http404


def pitch_deck_response(challenge) -> FileResponse:
    if not challenge.pitch_deck:
        raise Http404
    try:
        stored = challenge.pitch_deck.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(
        stored,
        as_attachment=True,
        content_type="application/pdf",
        filename=f"defi-{challenge.pk}-presentation.pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
