"""A case's conversation: messages and internal notes, written only by `conversations.services`."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from conversations.attachments import stored_name
from conversations.enums import Kind, Side
from lifecycle import clock


class Message(models.Model):
    """One entry of a challenge's thread; appended, never changed (its audit event says so)."""

    challenge = models.ForeignKey(
        "lifecycle.Challenge", on_delete=models.PROTECT, related_name="messages", verbose_name=_("défi")
    )
    kind = models.CharField(_("nature"), max_length=10, choices=Kind.choices, default=Kind.MESSAGE)
    side = models.CharField(_("côté"), max_length=20, choices=Side.choices)
    # A user who wrote in a thread cannot be deleted: deactivate the account instead.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("auteur")
    )
    author_name = models.CharField(_("auteur (au moment du message)"), max_length=200)
    body = models.TextField(_("texte"))
    attachment = models.FileField(_("pièce jointe (PDF)"), upload_to=stored_name, blank=True, max_length=200)
    attachment_name = models.CharField(_("nom de la pièce jointe"), max_length=200, blank=True)
    attachment_size = models.PositiveIntegerField(_("taille de la pièce jointe"), null=True, blank=True)
    created_at = models.DateTimeField(_("date"), default=clock.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self):
        return _("%(kind)s de %(author)s") % {"kind": self.get_kind_display(), "author": self.author_name}

    @property
    def is_note(self) -> bool:
        return self.kind == Kind.NOTE
