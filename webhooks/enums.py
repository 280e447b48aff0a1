from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    """What a webhook hears: the `type` of each delivery's body."""

    MOVE = "challenge.moved", _("Changement d’état d’un défi")
    MESSAGE = "message.posted", _("Message sur un dossier")
    JURY_CLOSED = "jury.closed", _("Clôture du jury")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("À envoyer")
    SENDING = "sending", _("En cours d’envoi")
    DELIVERED = "delivered", _("Remis")
    FAILED = "failed", _("Échec")
