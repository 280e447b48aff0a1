from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberKind(models.TextChoices):
    """The jury is mixed: people from outside the State and public agents."""

    ENTREPRENEUR = "entrepreneur", _("Entrepreneur·e, société civile")
    PUBLIC_AGENT = "public_agent", _("Agent public")
