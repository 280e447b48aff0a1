"""The vocabulary of the domain: states, kinds and roles, with their groups named once."""

from django.db import models
from django.utils.translation import gettext_lazy as _


def label_of(choices: type[models.TextChoices], value: str):
    """`value`'s label in `choices` (the value itself when it is none of them). Models define their
    `get_state_display` with it: Django's own rebuilds a dictionary of every choice, translating
    each label, at each call, which a list of a hundred rows pays a thousand translations for."""
    try:
        return choices(value).label
    except ValueError:
        return value


class ChallengeState(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Déposé")
    # Sent back to its administration with what to correct and a date (lifecycle/corrections.py).
    CORRECTIONS_REQUESTED = "corrections_requested", _("Corrections demandées")
    PRESELECTED = "preselected", _("Présélectionné")
    NOT_PRESELECTED = "not_preselected", _("Non présélectionné")
    PITCHED = "pitched", _("Invité à pitcher devant le jury")
    SELECTED = "selected", _("Sélectionné")
    NOT_SELECTED = "not_selected", _("Non sélectionné")
    RECRUITING = "recruiting", _("En recrutement")
    RUNNING = "running", _("En cours")
    COMPLETED = "completed", _("Terminé")
    WITHDRAWN = "withdrawn", _("Retiré")

    @classmethod
    def before_running(cls) -> list[str]:
        """The states an administration may still withdraw its challenge from."""
        return [
            cls.DRAFT,
            cls.SUBMITTED,
            cls.CORRECTIONS_REQUESTED,
            cls.PRESELECTED,
            cls.PITCHED,
            cls.SELECTED,
            cls.RECRUITING,
        ]

    @classmethod
    def awaiting_mentors(cls) -> list[str]:
        """Selected and not started yet: the two mentors must be confirmed before the start."""
        return [cls.SELECTED, cls.RECRUITING]

    @classmethod
    def committed(cls) -> list[str]:
        """The states in which a challenge's co-financing is taken from the envelope."""
        return [cls.SELECTED, cls.RECRUITING, cls.RUNNING, cls.COMPLETED]

    @classmethod
    def final(cls) -> list[str]:
        return [cls.NOT_PRESELECTED, cls.NOT_SELECTED, cls.COMPLETED, cls.WITHDRAWN]


class TransitionName(models.TextChoices):
    SUBMIT = "submit", _("Déposer le dossier")
    REQUEST_CORRECTIONS = "request_corrections", _("Demander des corrections")
    RESUBMIT = "resubmit", _("Déposer le dossier corrigé")
    PRESELECT = "preselect", _("Présélectionner")
    REJECT = "reject", _("Ne pas présélectionner")
    PITCH = "pitch", _("Inviter à pitcher devant le jury")
    SELECT = "select", _("Sélectionner")
    NOT_SELECT = "not_select", _("Ne pas sélectionner")
    OPEN_RECRUITMENT = "open_recruitment", _("Ouvrir le recrutement")
    START = "start", _("Démarrer le défi")
    COMPLETE = "complete", _("Clore le défi")
    WITHDRAW = "withdraw", _("Retirer le défi")


class AdministrationKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministère ou service de l’État")
    MINISTRY_OPERATOR = "ministry_operator", _("Opérateur rattaché à un ministère")
    INDEPENDENT_AUTHORITY = "independent_authority", _("Autorité administrative indépendante")
    TERRITORIAL_AUTHORITY = "territorial_authority", _("Collectivité territoriale")
    HEALTH_ESTABLISHMENT = "health_establishment", _("Établissement de santé")


def default_cofinancing_eligible_kinds() -> list[str]:
    """A new call's rule, the 2018 call's: ministries, and their operators."""
    return [AdministrationKind.MINISTRY.value, AdministrationKind.MINISTRY_OPERATOR.value]


class CofinancingKind(models.TextChoices):
    RATE = "rate", _("Un taux du coût total employeur")
    MONTHS = "months", _("Le coût total employeur d’un nombre de mois")


class DefaultProfile(models.TextChoices):
    """The profiles a new call offers until a manager changes its list (those of the 2018 call)."""

    DEVELOPMENT = "development", _("Développement")
    DATA_SCIENCE = "data_science", _("Data science")
    DESIGN = "design", _("Design de service ou d’expérience utilisateur")


class MentorRole(models.TextChoices):
    OPERATIONAL = "operational", _("Mentor opérationnel")
    STRATEGIC = "strategic", _("Mentor stratégique")


class ContactRole(models.TextChoices):
    HR = "hr", _("Contact RH")
    PIA_AGREEMENT = "pia_agreement", _("Contact convention de co-financement")


class AuditKind(models.TextChoices):
    CREATED = "created", _("Création du dossier")
    IMPORTED = "imported", _("Import")
    DOSSIER_CHANGED = "dossier_changed", _("Modification du dossier")
    TRANSITION = "transition", _("Changement d’état")
    ROLE_CHANGED = "role_changed", _("Changement de rôle d’une personne")
    CHAIN_KEYED = "chain_keyed", _("Scellement de la chaîne par une clé")
    ACCOUNT_CHANGED = "account_changed", _("Modification d’un compte")
    SETTINGS_CHANGED = "settings_changed", _("Modification de la configuration")
    MAIL_RELEASED = "mail_released", _("Envoi d’e-mails retenus")
    MAIL_DISCARDED = "mail_discarded", _("Abandon d’e-mails retenus")
    MAIL_RETRIED = "mail_retried", _("Nouvel essai d’envoi d’un e-mail")
    MAIL_EDITED = "mail_edited", _("Modification d’un e-mail retenu")
    TEMPLATE_CHANGED = "template_changed", _("Modification d’un modèle de message")
    SESSION_CHANGED = "session_changed", _("Session de promotion planifiée ou modifiée")
    CALENDAR_RENEWED = "calendar_renewed", _("Nouvelle adresse du calendrier des sessions")
    ATTENDANCE_RECORDED = "attendance_recorded", _("Présence à une session")
    INVITATION_SENT = "invitation_sent", _("Invitation envoyée")
    INVITATION_REVOKED = "invitation_revoked", _("Invitation révoquée")
    INVITATION_ACCEPTED = "invitation_used", _("Invitation acceptée")
    MESSAGE_POSTED = "message_posted", _("Message sur un dossier")
    NOTE_ADDED = "note_added", _("Note interne sur un dossier")
    MAIL_DROPPED = "mail_dropped", _("Retrait d’un e-mail retenu")
    JURY_CHANGED = "jury_changed", _("Composition du jury")
    SLOT_PLANNED = "pitch_slot_planned", _("Audition planifiée, modifiée ou annulée")
    CONFLICT_DECLARED = "conflict_declared", _("Conflit d’intérêts déclaré")
    SCORE_GIVEN = "score_given", _("Note de la grille collective")
    OPINION_GIVEN = "opinion_given", _("Avis de la grille générale")
    JURY_CLOSED = "jury_closed", _("Clôture du jury")
    # Personal data kept apart from the chain (docs/personal-data.md): from this event on, and erased.
    PERSONAL_DATA_APART = "personal_data_apart", _("Données personnelles tenues hors de la chaîne")
    PERSONAL_DATA_ERASED = "personal_data_erased", _("Effacement de données personnelles")
    # The candidates' call (recruitment/): events refer to the candidate ("candidate:<pk>") and the
    # application ("application:<pk>"), never carry their personal data (docs/personal-data.md).
    CANDIDATE_REGISTERED = "candidate_registered", _("Compte de candidat·e créé")
    CANDIDACY_CHANGED = "candidacy_changed", _("Candidature modifiée")
    APPLICATION_MOVED = "application_moved", _("Changement d’état d’une candidature")
    CANDIDATE_SCORED = "candidate_scored", _("Note d’une candidature")
    CANDIDATE_COMMENT = "candidate_comment", _("Commentaire sur une candidature")
    INTERVIEW_PLANNED = "interview_planned", _("Entretien d’un·e candidat·e planifié")
    CANDIDATE_ERASED = "candidate_erased", _("Données d’un·e candidat·e effacées")
    # démarches-simplifiées (demarches/): a dossier brought in or updated from DS names its
    # démarche and number ("ds:<démarche>/<dossier>"); a sync and a mapping are the programme's acts.
    DS_IMPORTED = "ds_imported", _("Import depuis démarches-simplifiées")
    DS_UPDATED = "ds_updated", _("Mise à jour depuis démarches-simplifiées")
    DS_SYNCED = "ds_synced", _("Synchronisation avec démarches-simplifiées")
    DS_MAPPING_CHANGED = "ds_mapping_changed", _("Démarche suivie ou modifiée")
    # The API's tokens (api/): what a person may do through the API.
    API_TOKEN_CREATED = "api_token_created", _("Jeton d’API créé")
    API_TOKEN_REVOKED = "api_token_revoked", _("Jeton d’API révoqué")
    # Webhooks (webhooks/): where the programme's events are sent, and a delivery sent again.
    WEBHOOK_CREATED = "webhook_created", _("Webhook enregistré")
    WEBHOOK_DISABLED = "webhook_disabled", _("Webhook désactivé")
    WEBHOOK_REPLAYED = "webhook_replayed", _("Envoi de webhook rejoué")
    # Open data (opendata/): the fields published and each publication.
    OPEN_DATA_FIELDS_CHANGED = "open_data_fields", _("Champs publiés en données ouvertes modifiés")
    OPEN_DATA_PUBLISHED = "open_data_published", _("Publication en données ouvertes")
