"""A démarche of démarches-simplifiées (DS) whose dossiers become challenges of a promotion, the
link of each DS dossier to its challenge, and the record of each sync."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Demarche(models.Model):
    """A démarche synced into one promotion: its mapping (demarches/mapping.py) and where the
    incremental sync stands.

    DS orders a démarche's dossiers by their last change when asked `updatedSince`: with that date
    kept for every pass, the last cursor reached is where the next pass resumes, and a dossier
    changed since comes again after it (../shared/reference/ds-api-notes.md).
    """

    number = models.PositiveIntegerField(_("numéro de la démarche"), unique=True)
    promotion = models.ForeignKey(
        "lifecycle.Promotion", on_delete=models.PROTECT, related_name="demarches", verbose_name=_("promotion")
    )
    title = models.CharField(_("titre sur démarches-simplifiées"), max_length=300, blank=True)
    mapping = models.JSONField(_("correspondance des champs"), default=dict, blank=True)
    scheduled = models.BooleanField(
        _("synchronisation programmée"),
        default=False,
        help_text=_("Synchronisée chaque heure par les tâches planifiées."),
    )
    # The pass's fixed `updatedSince` and the last cursor it reached (never replaced by an empty one).
    updated_since = models.DateTimeField(_("dossiers modifiés depuis"), null=True, blank=True)
    cursor = models.CharField(_("dernier curseur"), max_length=500, blank=True)
    deleted_since = models.DateTimeField(_("suppressions lues jusqu’au"), null=True, blank=True)
    last_synced_at = models.DateTimeField(_("dernière synchronisation réussie"), null=True, blank=True)

    class Meta:
        ordering = ["-promotion__number", "number"]
        verbose_name = _("démarche")
        verbose_name_plural = _("démarches")

    def __str__(self):
        return f"{self.number} — {self.title}" if self.title else str(self.number)


class LinkStatus(models.TextChoices):
    IMPORTED = "imported", _("Importé")
    # Changed on DS after a decision of ours (DS's values wait, `pending`), or its state changed on
    # DS: for a manager to decide.
    CHANGED_AFTER_DECISION = "changed", _("À décider : modifié sur DS")
    REFUSED = "refused", _("Refusé")
    DELETED = "deleted", _("Supprimé sur DS")


class DsDossier(models.Model):
    """A DS dossier as the last sync saw it, and the challenge it became (none while refused)."""

    demarche = models.ForeignKey(Demarche, on_delete=models.CASCADE, related_name="dossiers")
    number = models.PositiveIntegerField(_("numéro du dossier"))
    challenge = models.OneToOneField(
        "lifecycle.Challenge",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ds_dossier",
        verbose_name=_("défi"),
    )
    status = models.CharField(_("statut"), max_length=20, choices=LinkStatus.choices)
    ds_state = models.CharField(_("état sur DS"), max_length=20)
    ds_updated_at = models.DateTimeField(_("modifié sur DS le"), null=True)
    # The mapped values' SHA-256 (the attachment's checksum included): equal, nothing to write.
    digest = models.CharField(max_length=64, blank=True)
    # DS's checksum of the pitch deck last written: the file is downloaded again only when it changes.
    attachment_checksum = models.CharField(max_length=100, blank=True)
    # Our state when the sync last wrote the challenge: another one since is a decision of ours.
    synced_state = models.CharField(max_length=30, blank=True)
    problem = models.TextField(_("motif"), blank=True)
    # DS's values not applied (changed after a decision), for a manager to apply or dismiss.
    pending = models.JSONField(default=dict, blank=True)
    seen_at = models.DateTimeField(_("vu le"), auto_now=True)

    class Meta:
        ordering = ["demarche", "number"]
        verbose_name = _("dossier démarches-simplifiées")
        verbose_name_plural = _("dossiers démarches-simplifiées")
        constraints = [models.UniqueConstraint(fields=["demarche", "number"], name="ds_dossier_unique")]
        indexes = [models.Index(fields=["demarche", "status"], name="ds_dossier_status")]

    def __str__(self):
        return f"DS {self.demarche.number}/{self.number}"


class SyncStatus(models.TextChoices):
    RUNNING = "running", _("En cours")
    SUCCEEDED = "succeeded", _("Réussie")
    FAILED = "failed", _("Échouée")
    DRY_RUN = "dry_run", _("Essai à blanc")


class SyncRun(models.Model):
    """One sync of a démarche: its counts and, when it failed, why (the pages before were kept)."""

    demarche = models.ForeignKey(Demarche, on_delete=models.CASCADE, related_name="runs")
    started_at = models.DateTimeField(_("commencée le"))
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    status = models.CharField(_("résultat"), max_length=20, choices=SyncStatus.choices)
    pages = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(_("créés"), default=0)
    updated = models.PositiveIntegerField(_("mis à jour"), default=0)
    unchanged = models.PositiveIntegerField(_("inchangés"), default=0)
    refused = models.PositiveIntegerField(_("refusés"), default=0)
    reported = models.PositiveIntegerField(_("signalés"), default=0)
    deleted = models.PositiveIntegerField(_("supprimés sur DS"), default=0)
    refusals = models.JSONField(_("motifs des refus"), default=list, blank=True)  # [[number, reason]]
    error = models.TextField(_("erreur"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        get_latest_by = "started_at"
        verbose_name = _("synchronisation")
        verbose_name_plural = _("synchronisations")

    def __str__(self):
        return f"{self.demarche.number} {self.started_at:%Y-%m-%d %H:%M} {self.status}"
