from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role


class Profile(models.Model):
    """A user's role in the programme; an administration contact is tied to one administration."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(_("rôle"), max_length=32, choices=Role.choices)
    administration = models.ForeignKey(
        "lifecycle.Administration",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("administration"),
    )

    language = models.CharField(
        _("langue des messages"), max_length=5, choices=settings.LANGUAGES, default="fr"
    )

    class Meta:
        verbose_name = _("profil")
        verbose_name_plural = _("profils")

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"

    def clean(self):
        if self.role == Role.ADMINISTRATION_CONTACT and not self.administration_id:
            raise ValidationError(
                {"administration": _("Un contact d’administration doit être rattaché à une administration.")}
            )
        if self.role != Role.ADMINISTRATION_CONTACT and self.administration_id:
            raise ValidationError(
                {"administration": _("Seul un contact d’administration est rattaché à une administration.")}
            )
