from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Déposée")
    PRESELECTED = "preselected", _("Présélectionnée")
    REJECTED = "rejected", _("Non retenue")
    INTERVIEW = "interview", _("Entretien")
    RANKED = "ranked", _("Classée")
    OFFERED = "offered", _("Proposition faite")
    ACCEPTED = "accepted", _("Acceptée")
    DECLINED = "declined", _("Déclinée")
    WITHDRAWN = "withdrawn", _("Retirée")

    @classmethod
    def final(cls) -> set:
        return {cls.REJECTED, cls.ACCEPTED, cls.DECLINED, cls.WITHDRAWN}

    @classmethod
    def unsuccessful(cls) -> set:
        """The ends of an application whose candidate is not recruited through it."""
        return {cls.REJECTED, cls.DECLINED, cls.WITHDRAWN}

    @classmethod
    def in_progress(cls) -> set:
        return {cls.SUBMITTED, cls.PRESELECTED, cls.INTERVIEW, cls.RANKED, cls.OFFERED}


class ApplicationMoveName(models.TextChoices):
    SUBMIT = "submit", _("Déposer")
    PRESELECT = "preselect", _("Présélectionner")
    REJECT = "reject", _("Ne pas retenir")
    INVITE_TO_INTERVIEW = "invite_to_interview", _("Convoquer à un entretien")
    RANK = "rank", _("Classer")
    OFFER = "offer", _("Proposer le défi")
    ACCEPT = "accept", _("Accepter")
    DECLINE = "decline", _("Décliner")
    WITHDRAW = "withdraw", _("Retirer")


class Origin(models.TextChoices):
    CANDIDATE = "candidate", _("Candidature")
    PROGRAMME = "programme", _("Proposée par le programme")
