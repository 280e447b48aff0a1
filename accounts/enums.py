from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PROGRAMME_MANAGER = "programme_manager", _("Chargé·e de programme (Etalab)")
    ADMINISTRATION_CONTACT = "administration_contact", _("Contact d’une administration")
    JURY_MEMBER = "jury_member", _("Membre du jury")
    MENTOR = "mentor", _("Mentor")
    CANDIDATE = "candidate", _("Candidat·e / EIG")
    AUDITOR = "auditor", _("Auditeur·rice")


# The roles a programme manager invites people to (EIGs and candidates come through recruitment).
INVITABLE_ROLES = [
    Role.ADMINISTRATION_CONTACT,
    Role.JURY_MEMBER,
    Role.MENTOR,
    Role.PROGRAMME_MANAGER,
    Role.AUDITOR,
]


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    EXPIRED = "expired", _("Expirée")
    ACCEPTED = "accepted", _("Acceptée")
    REVOKED = "revoked", _("Révoquée")


class LinkState(models.TextChoices):
    """What an invitation's link is worth when it is opened (accounts.invitations.read)."""

    VALID = "valid", _("Valable")
    INVALID = "invalid", _("Lien non valable")
    EXPIRED = InvitationStatus.EXPIRED.value, _("Invitation expirée")
    ACCEPTED = InvitationStatus.ACCEPTED.value, _("Invitation déjà utilisée")
    REVOKED = InvitationStatus.REVOKED.value, _("Invitation révoquée")
    REPLACED = "replaced", _("Lien remplacé par un envoi plus récent")
    INVITER_GONE = "inviter_gone", _("Invitation à renouveler")
    ACCOUNT_EXISTS = "account_exists", _("Compte déjà existant")
