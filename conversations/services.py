"""The conversation on a case: messages between the programme and the administration, and the
programme managers' internal notes. The only functions that write a thread.

`post_message` and `post_note` do, in one transaction, in order:

1. check the author's right (`conversations.rules`): a contact writes only on its
   administration's challenges, only programme managers write notes; else `PermissionDenied`;
2. check the text (required, trimmed, at most `MAX_LENGTH` characters) and the attachment (a
   real PDF of at most 10 Mo, `conversations.attachments`); else a `ValidationError` by field
   ("body", "attachment"), nothing written;
3. write the message (its attachment stored under a random name);
4. append its audit event to the case's trail (`message_posted` or `note_added`, subject
   "message:<pk>", the text as reason, the attachment's file name in the changes);
5. for a message only, write its e-mails to the other side in the outbox (a manager's: to the
   administration's active contacts; a contact's: to the manager in charge, else the programme
   team's address), delivered after the commit. A note is never e-mailed.

Anything failing rolls everything back, the stored file included.
"""

import unicodedata

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import Profile
from conversations import attachments, signals
from conversations import rules as conversation_rules
from conversations.enums import Kind, Side
from conversations.models import Message
from lifecycle import audit
from lifecycle import rules as lifecycle_rules
from lifecycle.enums import AuditKind
from notifications import outbox
from notifications.enums import DeliveryStatus, MessageEvent
from notifications.models import Notification
from notifications.recipients import Recipient, recipient

MAX_LENGTH = 5000


def clean_body(body) -> str:
    """The text as it is kept: line breaks as "\\n", no control character, no trailing spaces."""
    text = str(body or "").replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def _checked(body, attachment) -> tuple[str, bytes | None, str]:
    errors = {}
    text = clean_body(body)
    if not text:
        errors["body"] = [_("Écrivez votre message : le texte est obligatoire.")]
    elif len(text) > MAX_LENGTH:
        errors["body"] = [
            _("Le message compte %(count)s caractères, %(max)s au plus : raccourcissez-le.")
            % {
                "count": number_format(len(text), force_grouping=True),
                "max": number_format(MAX_LENGTH, force_grouping=True),
            }
        ]
    content, name = None, ""
    if attachment:
        try:
            content = attachments.read(attachment)
        except ValidationError as error:
            errors["attachment"] = error.messages
        name = attachments.display_name(getattr(attachment, "name", ""))
    if errors:
        raise ValidationError(errors)
    return text, content, name


def _name(user) -> str:
    return " ".join((user.get_full_name() or user.get_username()).split())


def administration_recipients(challenge) -> list[Recipient]:
    """The active contacts of the administrations that carry the case (none: a row that says so)."""
    carriers = [pk for pk in (challenge.administration_id, challenge.administrative_carrier_id) if pk]
    profiles = (
        Profile.objects.filter(
            role=Role.ADMINISTRATION_CONTACT, administration_id__in=carriers, user__is_active=True
        )
        .select_related("user")
        .order_by("user__username")
    )
    found = [
        recipient(profile.user.email, _name(profile.user), _("Contact de l’administration"), profile.language)
        for profile in profiles
    ]
    return found or [
        Recipient(
            email="",
            name="",
            role=_("Administration"),
            problem=_("L’administration n’a aucun contact actif : personne n’a reçu le message."),
        )
    ]


def programme_recipients(challenge) -> list[Recipient]:
    """The manager in charge of the case; without one (or without a valid address), the team."""
    manager = challenge.manager
    if manager is not None and lifecycle_rules.is_programme_manager(manager):
        profile = getattr(manager, "profile", None)
        found = recipient(
            manager.email, _name(manager), _("Chargé·e de programme"), profile.language if profile else "fr"
        )
        if not found.problem:
            return [found]
    if settings.NOTIFICATIONS_TEAM_EMAIL:
        return [
            recipient(settings.NOTIFICATIONS_TEAM_EMAIL, _("Équipe du programme"), _("Équipe du programme"))
        ]
    return [
        Recipient(
            email="",
            name="",
            role=_("Équipe du programme"),
            problem=_("Le dossier n’a pas de chargé·e de programme et l’équipe n’a pas d’adresse."),
        )
    ]


def _mail_text(message: Message) -> str:
    if not message.attachment_name:
        return message.body
    return "{}\n\n{}".format(
        message.body,
        _("Pièce jointe : %(name)s (à télécharger depuis la messagerie du dossier)")
        % {"name": message.attachment_name},
    )


def _queue_mails(message: Message, event):
    """The message's e-mails to the other side, in the outbox: delivered after the commit."""
    challenge = message.challenge
    if message.side == Side.PROGRAMME:
        mail_event, recipients = MessageEvent.MESSAGE_TO_ADMINISTRATION, administration_recipients(challenge)
    else:
        mail_event, recipients = MessageEvent.MESSAGE_TO_PROGRAMME, programme_recipients(challenge)
    backoffice_url = reverse("backoffice:challenge", args=[challenge.pk]) + "#messages"
    outbox.queue(
        challenge,
        mail_event,
        key=f"message:{message.pk}",
        audit_event=event,
        by=message.author,
        recipients=recipients,
        context={
            "author": message.author_name,
            "message": _mail_text(message),
            "backoffice_url": settings.SITE_URL.rstrip("/") + backoffice_url,
        },
    )


def _post(challenge, kind: Kind, *, by, body, attachment) -> Message:
    allowed = conversation_rules.can_post_note if kind == Kind.NOTE else conversation_rules.can_post_message
    if not allowed.test(by, challenge):
        if kind == Kind.NOTE:
            raise PermissionDenied(_("Seul·e un·e chargé·e de programme écrit une note interne."))
        raise PermissionDenied(_("Vous ne pouvez pas écrire dans la messagerie de ce dossier."))
    text, content, name = _checked(body, attachment)
    side = Side.PROGRAMME if lifecycle_rules.is_programme_manager(by) else Side.ADMINISTRATION
    message = Message(challenge=challenge, kind=kind, side=side, author=by, author_name=_name(by), body=text)
    try:
        with transaction.atomic():
            if content is not None:
                message.attachment_name, message.attachment_size = name, len(content)
                message.attachment.save(name, ContentFile(content), save=False)
            message.save()
            event = audit.record(
                challenge,
                AuditKind.NOTE_ADDED if kind == Kind.NOTE else AuditKind.MESSAGE_POSTED,
                by=by,
                subject=f"message:{message.pk}",
                reason=text,
                changes={"attachment": [None, name]} if name else {},
            )
            if kind == Kind.MESSAGE:
                _queue_mails(message, event)
                signals.message_posted.send(
                    sender=Message, challenge=challenge, message=message, by=by, event=event
                )
    except BaseException:
        if message.attachment.name:
            message.attachment.storage.delete(message.attachment.name)
        raise
    return message


def post_message(challenge, *, by, body, attachment=None) -> Message:
    """A message between the programme and the administration, e-mailed to the other side."""
    return _post(challenge, Kind.MESSAGE, by=by, body=body, attachment=attachment)


def post_note(challenge, *, by, body, attachment=None) -> Message:
    """A programme manager's internal note: read by the managers only, never e-mailed."""
    return _post(challenge, Kind.NOTE, by=by, body=body, attachment=attachment)


def thread_for(challenge, user):
    """What `user` may read of the case's thread, oldest first: the messages and, for the
    programme managers only, the internal notes. Anyone else: `PermissionDenied`."""
    if not conversation_rules.can_read_thread.test(user, challenge):
        raise PermissionDenied(_("Vous ne pouvez pas lire la messagerie de ce dossier."))
    entries = Message.objects.filter(challenge=challenge)
    if not conversation_rules.can_read_notes.test(user):
        entries = entries.filter(kind=Kind.MESSAGE)
    return entries.order_by("created_at", "id")


def mailed_to(message: Message) -> list[str]:
    """The addresses the message's e-mails are written to (none for a note)."""
    return list(
        Notification.objects.filter(
            challenge_id=message.challenge_id, audit_event__subject=f"message:{message.pk}"
        )
        .exclude(status=DeliveryStatus.INVALID_RECIPIENT)
        .order_by("id")
        .values_list("recipient_email", flat=True)
    )
