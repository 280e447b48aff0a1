from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lifecycle.enums import AuditKind

GENESIS_HASH = "0" * 64


def audit_kinds():
    """The kinds' choices, read when asked: a new kind of event needs no migration."""
    return AuditKind.choices


class AuditTrailIsAppendOnly(Exception):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditTrailIsAppendOnly("Le journal d’audit ne peut pas être modifié.")

    def delete(self):
        raise AuditTrailIsAppendOnly("Le journal d’audit ne peut pas être effacé.")


class AuditEvent(models.Model):
    """One entry of the append-only, hash-chained audit trail.

    Written only by `lifecycle.audit.record`, in the transaction of the change it records.
    """

    challenge = models.ForeignKey(
        "lifecycle.Challenge",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("défi"),
    )
    # What else the event is about, as "<kind>:<id>" (a person's account: "user:12"); "" for a
    # change of the case itself.
    subject = models.CharField(_("objet"), max_length=100, blank=True, db_index=True)
    kind = models.CharField(_("nature"), max_length=20, choices=audit_kinds)
    # A user who appears in the trail cannot be deleted: deactivate the account instead.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    actor_label = models.CharField(_("auteur (au moment de l’événement)"), max_length=200)
    created_at = models.DateTimeField(_("date"), db_index=True)
    transition = models.CharField(_("transition"), max_length=32, blank=True)
    from_state = models.CharField(_("état de départ"), max_length=32, blank=True)
    to_state = models.CharField(_("état d’arrivée"), max_length=32, blank=True)
    reason = models.TextField(_("motif"), blank=True)
    changes = models.JSONField(_("modifications"), default=dict, blank=True)
    prev_hash = models.CharField(_("empreinte précédente"), max_length=64)
    hash = models.CharField(_("empreinte"), max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("événement d’audit")
        verbose_name_plural = _("journal d’audit")

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()} – {self.challenge_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AuditTrailIsAppendOnly("Un événement d’audit ne peut pas être modifié.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailIsAppendOnly("Un événement d’audit ne peut pas être effacé.")


class AuditChainHead(models.Model):
    """The end of the chain: locked by every writer, so events are chained one after another."""

    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    length = models.PositiveBigIntegerField(default=0)
    # The writers' note that the chain is keyed (lifecycle.audit); verification does not trust it.
    keyed = models.BooleanField(default=False)
    # HMAC of the three fields above (lifecycle.audit.head_seal): without the key, nobody can move
    # the head back over deleted events, or mark the chain unkeyed, and have it verify.
    seal = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("tête de la chaîne d’audit")
        # One head: the row that every writer locks.
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="lifecycle_auditchainhead_single_row")
        ]

    def __str__(self):
        return f"{self.length} événements, dernier {self.last_hash[:12]}"
