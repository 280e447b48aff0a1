from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.enums import InvitationStatus, Role


def check_administration(role, administration_id):
    """An administration's contact is tied to one administration, nobody else to any: the rule of
    a role (`Profile`) and of an invitation to it (`Invitation`)."""
    if role == Role.ADMINISTRATION_CONTACT and not administration_id:
        raise ValidationError(
            {"administration": _("Un contact d’administration doit être rattaché à une administration.")}
        )
    if role != Role.ADMINISTRATION_CONTACT and administration_id:
        raise ValidationError(
            {"administration": _("Seul un contact d’administration est rattaché à une administration.")}
        )


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
        check_administration(self.role, self.administration_id)


class Invitation(models.Model):
    """A person invited by e-mail to take a role: the link of its last sending sets their password
    and creates their account (`accounts.invitations`). Only a digest of the link's secret is
    kept; an accepted or revoked invitation is kept too, as the trail's subject."""

    # The address becomes the account's username: Django's username is at most 150 characters.
    email = models.EmailField(_("adresse e-mail"), max_length=150)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    role = models.CharField(_("rôle"), max_length=32, choices=Role.choices)
    administration = models.ForeignKey(
        "lifecycle.Administration",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("administration"),
    )
    language = models.CharField(
        _("langue de l’invitation"), max_length=5, choices=settings.LANGUAGES, default="fr"
    )
    # The one who vouches for the person (the last to send it); none: the system (the demo).
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations_sent",
        verbose_name=_("invité·e par"),
    )
    created_at = models.DateTimeField(_("créée le"))
    expires_at = models.DateTimeField(_("valable jusqu’au"))
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)
    # The account the invitation created.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("compte créé"),
    )
    # SHA-256 of the secret of the last link sent (empty while a sending is on its way).
    token_hash = models.CharField(max_length=64, blank=True, editable=False)
    sent_count = models.PositiveIntegerField(_("envois"), default=0)
    last_sent_at = models.DateTimeField(_("dernier envoi le"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["email"], name="accounts_invitation_email")]

    def __str__(self):
        return f"{self.email} ({self.get_role_display()})"

    def clean(self):
        check_administration(self.role, self.administration_id)

    def status_at(self, moment) -> InvitationStatus:
        if self.accepted_at:
            return InvitationStatus.ACCEPTED
        if self.revoked_at:
            return InvitationStatus.REVOKED
        if moment >= self.expires_at:
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING
