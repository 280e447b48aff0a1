"""The conversation's pages: writing from the portal's dossier page and from the back office's
case page, and downloading an attachment. The thread itself is shown on those pages
(`conversations.templatetags.conversations`).

After a post the page opens on the new entry, the outcome said just under it; a text refused
(empty, too long, a bad attachment) is kept with its errors and the page opens on the form,
which shows it again (`feedback`). An upload too large for the request is sent back by
`web.uploads` as a GET of the same URL, which returns to the top of the page, where its message is.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from conversations import feedback, services
from lifecycle.models import Challenge
from portal.access import challenge_of, contact_required
from web.access import manager_required

# What a manager's form sends: to the administration (and by e-mail), or as an internal note.
TO_ADMINISTRATION, NOTE = "administration", "note"
# Where the page opens after a refusal: the form and its errors.
FORM_ANCHOR = "message-form"


def _entry_anchor(message) -> str:
    return f"message-{message.pk}"


def _refused(request, challenge, error: ValidationError):
    feedback.keep(
        request,
        challenge,
        body=request.POST.get("body", ""),
        errors=error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages},
        attachment=getattr(request.FILES.get("attachment"), "name", ""),
    )


def _write(request, challenge, post):
    """The message `post` (a `services` writer; None: no destination chosen) writes from the form,
    or None when refused: the text and its errors are then kept for the form (`feedback`)."""
    try:
        if post is None:
            raise ValidationError(
                {"destination": _("Choisissez : envoyer à l’administration ou ajouter une note interne.")}
            )
        return post(
            challenge,
            by=request.user,
            body=request.POST.get("body", ""),
            attachment=request.FILES.get("attachment"),
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        _refused(request, challenge, error)
        return None


@contact_required
def portal_post(request, pk):
    challenge = challenge_of(request.user, pk)
    page = reverse("portal:dossier", args=[challenge.pk])
    if request.method != "POST":
        return redirect(page)
    message = _write(request, challenge, services.post_message)
    if message is None:
        return redirect(f"{page}#{FORM_ANCHOR}")
    feedback.announce(request, challenge, _("Votre message est envoyé à l’équipe du programme EIG."))
    return redirect(f"{page}#{_entry_anchor(message)}")


@manager_required
def backoffice_post(request, pk):
    challenge = get_object_or_404(Challenge, pk=pk)
    page = reverse("backoffice:challenge", args=[challenge.pk])
    if request.method != "POST":
        return redirect(page)
    destination = request.POST.get("destination", "")
    post = {TO_ADMINISTRATION: services.post_message, NOTE: services.post_note}.get(destination)
    message = _write(request, challenge, post)
    if message is None:
        return redirect(f"{page}#{FORM_ANCHOR}")
    if message.is_note:
        feedback.announce(
            request, challenge, _("La note interne est ajoutée : l’administration ne la voit pas.")
        )
    elif addresses := services.mailed_to(message):
        feedback.announce(
            request,
            challenge,
            _("Votre message est envoyé à l’administration, par e-mail à : %(addresses)s.")
            % {"addresses": ", ".join(addresses)},
        )
    else:
        feedback.announce(
            request,
            challenge,
            _(
                "Votre message est enregistré dans la messagerie, mais l’administration n’a aucun "
                "contact actif : personne ne l’a reçu par e-mail."
            ),
            level="warning",
        )
    return redirect(f"{page}#{_entry_anchor(message)}")


def _attachment(challenge, user, message_pk) -> FileResponse:
    """The attachment of an entry `user` may read (`services.thread_for`); anything else: 404."""
    try:
        readable = services.thread_for(challenge, user)
    except PermissionDenied:
        raise Http404 from None
    message = get_object_or_404(readable, pk=message_pk)
    if not message.attachment:
        raise Http404
    try:
        stored = message.attachment.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(
        stored, as_attachment=True, content_type="application/pdf", filename=message.attachment_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@contact_required
def portal_attachment(request, pk, message_pk):
    return _attachment(challenge_of(request.user, pk), request.user, message_pk)


@manager_required
def backoffice_attachment(request, pk, message_pk):
    return _attachment(get_object_or_404(Challenge, pk=pk), request.user, message_pk)
