from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lifecycle.enums import AuditKind, label_of

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
    # {owner: HMAC} of the personal data kept apart (`PersonalData`, docs/personal-data.md),
    # hashed with the rest when there is some; null for an event without any, or written before.
    personal_digests = models.JSONField(_("empreintes des données personnelles"), null=True, blank=True)
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

    def get_kind_display(self):
        # Django's own translates every kind's label at each call (enums.label_of says why).
        return label_of(AuditKind, self.kind)


class AuditChainHead(models.Model):
    """The end of the chain: locked by every writer, so events are chained one after another."""

    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    length = models.PositiveBigIntegerField(default=0)
    # The writers' note that the chain is keyed (lifecycle.audit); verification does not trust it.
    keyed = models.BooleanField(default=False)
    # HMAC of the three fields above (lifecycle.audit.head_seal): without the key, nobody can move
    # the head back over deleted events, or mark the chain unkeyed, and have it verify.
    seal = models.CharField(max_length=64, blank=True, default="")
    # The writers' note that personal data is kept apart from the chain (`personal_data_apart`
    # written if the trail had begun before); what verification and the readers go by is the
    # events themselves.
    personal_apart = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("tête de la chaîne d’audit")
        # One head: the row that every writer locks.
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="lifecycle_auditchainhead_single_row")
        ]

    def __str__(self):
        return f"{self.length} événements, dernier {self.last_hash[:12]}"


ERASE_INSTEAD = (
    "Une donnée personnelle du journal s’efface (lifecycle.audit.erase_personal), sans disparaître."
)


class PersonalDataQuerySet(models.QuerySet):
    def delete(self):
        raise AuditTrailIsAppendOnly(ERASE_INSTEAD)


class PersonalData(models.Model):
    """A person's values recorded with an audit event, kept apart from the hash chain
    (docs/personal-data.md).

    The event's hashed content holds, where each value was, a reference to its owner
    ({"personal": "contact:5"}) and, in its `personal_digests`, the HMAC of this row's values
    with its own random salt. Erasing the person (`lifecycle.audit.erase_personal`)
    blanks the values and the salt: the event's hash does not change, the chain still verifies,
    and the digest left in it can no longer be tied to any value.
    """

    event = models.ForeignKey(
        AuditEvent, on_delete=models.PROTECT, related_name="personal_data", verbose_name=_("événement")
    )
    # Whose values they are, as a stable reference: "contact:5", "mentor:2", "user:12"…
    owner = models.CharField(_("personne"), max_length=100, db_index=True)
    # [[path, value], …]: where each value sits in the event ("actor_label", or "changes" and
    # the keys and positions down to it).
    values = models.JSONField(_("valeurs"), default=list, blank=True)
    salt = models.CharField(_("sel"), max_length=32, blank=True)
    erased_at = models.DateTimeField(_("effacée le"), null=True, blank=True)

    objects = PersonalDataQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("donnée personnelle du journal")
        verbose_name_plural = _("données personnelles du journal")
        constraints = [
            models.UniqueConstraint(fields=["event", "owner"], name="lifecycle_personaldata_once_per_event")
        ]

    def __str__(self):
        return f"{self.owner} (#{self.event_id})"

    def delete(self, *args, **kwargs):
        raise AuditTrailIsAppendOnly(ERASE_INSTEAD)
