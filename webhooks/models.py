"""A webhook (a URL that hears some events, with its secret) and each of its deliveries (the
outbox: written with the event, sent after the commit, retried, replayable)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from webhooks.enums import DeliveryStatus, EventType


class Webhook(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="webhooks",
        verbose_name=_("créé par"),
    )
    name = models.CharField(_("nom"), max_length=100)
    url = models.URLField(_("adresse (URL)"), max_length=500)
    # A contact's webhook hears its administration's challenges only; a manager's, every one.
    administration = models.ForeignKey(
        "lifecycle.Administration",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("administration"),
    )
    promotion = models.ForeignKey(
        "lifecycle.Promotion",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("promotion"),
        help_text=_("Vide : toutes les promotions."),
    )
    on_moves = models.BooleanField(EventType.MOVE.label, default=True)
    on_messages = models.BooleanField(EventType.MESSAGE.label, default=False)
    on_jury_closed = models.BooleanField(EventType.JURY_CLOSED.label, default=False)
    # Kept to sign each delivery (HMAC-SHA256); shown once, on the page that creates it.
    secret = models.CharField(max_length=80)
    created_at = models.DateTimeField(_("créé le"))
    disabled_at = models.DateTimeField(_("désactivé le"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self):
        return f"{self.name} ({self.url})"

    def __repr__(self):  # never the secret
        return f"<Webhook {self.pk} {self.url}>"

    @property
    def event_types(self) -> list[str]:
        return [
            event
            for event, heard in (
                (EventType.MOVE, self.on_moves),
                (EventType.MESSAGE, self.on_messages),
                (EventType.JURY_CLOSED, self.on_jury_closed),
            )
            if heard
        ]


class Delivery(models.Model):
    """One event for one webhook. Its `uid` goes in every attempt (`X-EIG-Delivery`): a receiver
    that got it already drops it. The body is written once, with the event; each attempt signs it
    with the time of the attempt."""

    uid = models.UUIDField(_("identifiant"), default=uuid.uuid4, unique=True, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event_type = models.CharField(_("événement"), max_length=30, choices=EventType.choices)
    audit_event = models.ForeignKey(
        "lifecycle.AuditEvent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("contenu"))
    status = models.CharField(
        _("état"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    created_at = models.DateTimeField(_("créée le"))
    next_attempt_at = models.DateTimeField(_("prochaine tentative"))
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("remise le"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("dernière réponse HTTP"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    replay_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replays"
    )

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]
        verbose_name = _("envoi de webhook")
        verbose_name_plural = _("envois de webhooks")

    def __str__(self):
        return f"{self.event_type} → {self.webhook_id} ({self.uid})"
