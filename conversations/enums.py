"""What a conversation's entries are: a message between the two sides, or a programme's note."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    # Between the programme and the administration: both read it, the other side gets an e-mail.
    MESSAGE = "message", _("Message")
    # The programme managers' own: never shown to the administration, never e-mailed.
    NOTE = "note", _("Note interne")


class Side(models.TextChoices):
    PROGRAMME = "programme", _("Programme EIG")
    ADMINISTRATION = "administration", _("Administration")
