"""A person's API tokens: scoped, expiring, revocable; only the secret's SHA-256 is stored."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    READ = "read", _("Lecture")
    WRITE = "write", _("Lecture et écriture (changements d’état)")


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("personne"),
    )
    name = models.CharField(_("nom"), max_length=100)
    # The secret's first characters, to recognise a token in a list (they say nothing of the rest).
    prefix = models.CharField(_("début"), max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)  # SHA-256 of the whole secret
    scope = models.CharField(_("droits"), max_length=10, choices=Scope.choices, default=Scope.READ)
    promotion = models.ForeignKey(
        "lifecycle.Promotion",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("promotion"),
        help_text=_("Vide : toutes les promotions."),
    )
    created_at = models.DateTimeField(_("créé le"))
    expires_at = models.DateTimeField(_("expire le"))
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    use_count = models.PositiveIntegerField(_("utilisations"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("jeton d’API")
        verbose_name_plural = _("jetons d’API")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
