from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PROGRAMME_MANAGER = "programme_manager", _("Chargé·e de programme (Etalab)")
    ADMINISTRATION_CONTACT = "administration_contact", _("Contact d’une administration")
    JURY_MEMBER = "jury_member", _("Membre du jury")
    MENTOR = "mentor", _("Mentor")
    CANDIDATE = "candidate", _("Candidat·e / EIG")
    AUDITOR = "auditor", _("Auditeur·rice")
