from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageEvent(models.TextChoices):
    SUBMISSION_RECEIVED = "submission_received", _("Dossier reçu")
    CORRECTIONS_REQUESTED = "corrections_requested", _("Demande de corrections")
    CORRECTIONS_EXTENDED = "corrections_extended", _("Délai des corrections prolongé")
    RESUBMITTED = "resubmitted", _("Dossier corrigé reçu")
    # A message of the conversation on a case: to the administration's contacts, to the programme.
    MESSAGE_TO_ADMINISTRATION = "message_to_admin", _("Message du programme")
    MESSAGE_TO_PROGRAMME = "message_to_programme", _("Message d’une administration")
    PRESELECTED = "preselected", _("Présélection")
    NOT_PRESELECTED = "not_preselected", _("Non-présélection")
    INVITED_TO_PITCH = "invited_to_pitch", _("Invitation à pitcher")
    SELECTED = "selected", _("Sélection")
    NOT_SELECTED = "not_selected", _("Non-sélection")
    RECRUITMENT_OPENED = "recruitment_opened", _("Ouverture du recrutement")
    RUNNING = "running", _("Démarrage du défi")
    COMPLETED = "completed", _("Fin du défi")
    WITHDRAWN = "withdrawn", _("Retrait du défi")
    DEADLINE_REMINDER = "deadline_reminder", _("Rappel de la date limite")
    MENTOR_TASK_OVERDUE = "mentor_task_overdue", _("Relance : confirmation d’un mentor")
    SESSION_REMINDER = "session_reminder", _("Rappel de session de promotion")
    # The administration's audition before a sub-jury, each with its calendar invitation (.ics).
    PITCH_SLOT_PLANNED = "pitch_slot_planned", _("Audition devant le jury planifiée")
    PITCH_SLOT_CHANGED = "pitch_slot_changed", _("Audition devant le jury modifiée")
    PITCH_SLOT_CANCELLED = "pitch_slot_cancelled", _("Audition devant le jury annulée")
    # The candidates' call: each decision on an application, to its candidate alone.
    APPLICATION_RECEIVED = "application_received", _("Candidature reçue")
    APPLICATION_PRESELECTED = "application_preselected", _("Candidature présélectionnée")
    APPLICATION_REJECTED = "application_rejected", _("Candidature non retenue")
    INTERVIEW_INVITATION = "interview_invitation", _("Convocation à un entretien")
    OFFER_MADE = "offer_made", _("Proposition d’un défi à un·e candidat·e")
    OFFER_ACCEPTED = "offer_accepted", _("Proposition acceptée")
    OFFER_DECLINED = "offer_declined", _("Proposition déclinée")
    APPLICATION_WITHDRAWN = "application_withdrawn", _("Candidature retirée")


class DeliveryStatus(models.TextChoices):
    HELD = "held", _("Retenu pour relecture")
    PENDING = "pending", _("En attente d’envoi")
    SENDING = "sending", _("En cours d’envoi")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec")
    DISCARDED = "discarded", _("Abandonné")
    INVALID_RECIPIENT = "invalid_recipient", _("Destinataire sans adresse valide")

    @classmethod
    def to_do(cls) -> list[str]:
        return [cls.HELD, cls.PENDING, cls.SENDING]
