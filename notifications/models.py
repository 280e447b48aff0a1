import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lifecycle.enums import TransitionName
from lifecycle.validators import validate_single_line
from notifications import placeholders
from notifications.enums import DeliveryStatus, MessageEvent


def message_events():
    """The events' choices, read when asked: a new event (a new move's message) needs no migration."""
    return MessageEvent.choices


def transition_names():
    """The moves' choices, read when asked, like the events'."""
    return TransitionName.choices


class MessageTemplate(models.Model):
    """A manager's version of the message sent on an event; the shipped default applies otherwise."""

    event = models.CharField(_("événement"), max_length=32, choices=message_events)
    language = models.CharField(_("langue"), max_length=5, choices=settings.LANGUAGES)
    subject = models.CharField(_("objet"), max_length=200, validators=[validate_single_line])
    body = models.TextField(_("texte"))
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["event", "language"]
        verbose_name = _("modèle de message")
        verbose_name_plural = _("modèles de messages")
        constraints = [models.UniqueConstraint(fields=["event", "language"], name="message_template_unique")]

    def __str__(self):
        return f"{self.get_event_display()} ({self.language})"

    def save(self, *args, **kwargs):
        self.clean()  # an unknown placeholder is refused here, not when a mail is sent
        super().save(*args, **kwargs)

    def clean(self):
        errors = {
            name: problems
            for name in ("subject", "body")
            if (problems := placeholders.check(getattr(self, name)))
        }
        try:
            validate_single_line(self.subject)
        except ValidationError as error:
            errors.setdefault("subject", []).extend(error.messages)
        if errors:
            raise ValidationError(errors)


class Batch(models.Model):
    """The e-mails of one decision act held for review before they leave: one move, one bulk
    action over several challenges, or one other sender's call (`outbox.queue(..., hold=True)`).
    Never shared between acts: releasing it sends its messages and none other."""

    label = models.CharField(_("intitulé"), max_length=200)
    event = models.CharField(_("événement"), max_length=32, choices=message_events, blank=True)
    # The move the act made (empty for other held e-mails).
    transition = models.CharField(_("transition"), max_length=32, choices=transition_names, blank=True)
    # The act's audit events (one per challenge moved).
    audit_events = models.ManyToManyField(
        "lifecycle.AuditEvent", blank=True, related_name="held_batches", verbose_name=_("événements d’audit")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The act's moment, as the trail dates it (`lifecycle.clock`: a replayed history keeps its dates).
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    closed_at = models.DateTimeField(_("envoyé ou abandonné le"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lot de messages retenus")
        verbose_name_plural = _("lots de messages retenus")

    def __str__(self):
        return self.label


class Notification(models.Model):
    """One message to one recipient: a row of the outbox, written with the move it announces."""

    challenge = models.ForeignKey(
        "lifecycle.Challenge",
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("défi"),
    )
    audit_event = models.ForeignKey(
        "lifecycle.AuditEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("événement d’audit"),
    )
    event = models.CharField(_("événement"), max_length=32, choices=message_events)
    batch = models.ForeignKey(
        Batch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("lot"),
    )
    recipient_email = models.CharField(_("adresse"), max_length=254, blank=True)
    recipient_name = models.CharField(_("destinataire"), max_length=200, blank=True)
    recipient_role = models.CharField(_("qualité"), max_length=100, blank=True)
    language = models.CharField(_("langue"), max_length=5, default="fr")
    subject = models.CharField(_("objet"), max_length=300, validators=[validate_single_line])
    body = models.TextField(_("texte"))
    # One file sent with the message (e.g. an .ics invitation), written by `outbox.queue`.
    attachment_name = models.CharField(_("nom de la pièce jointe"), max_length=200, blank=True)
    # Its MIME type, parameters included, e.g. "text/calendar; method=REQUEST; charset=utf-8".
    attachment_type = models.CharField(_("type de la pièce jointe"), max_length=100, blank=True)
    attachment = models.BinaryField(_("pièce jointe"), blank=True, default=b"", editable=False)
    status = models.CharField(
        _("état"),
        max_length=20,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        db_index=True,
    )
    # One key per event and recipient: the same message is never queued twice.
    idempotency_key = models.CharField(_("clé d’unicité"), max_length=300, unique=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    # Its worker stopped while sending it: it may have reached its recipient (a retry may
    # duplicate it; the Message-ID stays the same, so that mail software can tell).
    uncertain = models.BooleanField(_("remise incertaine"), default=False)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("pris en charge le"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("e-mail")
        verbose_name_plural = _("boîte d’envoi")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.subject} → {self.recipient_email or self.recipient_role}"

    @property
    def attachment_size(self) -> int:
        """The attachment's size in bytes (0 without one); PostgreSQL gives it as a memoryview."""
        return len(self.attachment or b"")

    @property
    def message_id(self) -> str:
        """A stable Message-ID: a receiver can tell a resent copy from a new message."""
        digest = hashlib.sha256(self.idempotency_key.encode()).hexdigest()[:40]
        return f"<{digest}@eig.etalab.gouv.fr>"
