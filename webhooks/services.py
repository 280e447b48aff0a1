"""Registering, disabling and replaying webhooks. A webhook sends the programme's events out of
the building: registering one, disabling it and replaying a delivery are audited."""

import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.utils.translation import gettext as _

from lifecycle import audit, clock, rules
from lifecycle.enums import AuditKind
from webhooks import outbox
from webhooks import rules as webhook_rules
from webhooks.enums import DeliveryStatus
from webhooks.models import Delivery, Webhook

SECRET_PREFIX = "whsec_"


def check_url(url: str) -> str:
    url = url.strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as error:
        raise ValidationError(
            {"url": _("Adresse invalide : donnez une URL complète (https://…).")}
        ) from error
    parts = urlsplit(url)
    if parts.scheme != "https" and not settings.WEBHOOKS_ALLOW_HTTP:
        raise ValidationError(
            {
                "url": _(
                    "L’adresse doit commencer par https:// : les envois contiennent des données du programme."
                )
            }
        )
    if parts.username or parts.password:
        raise ValidationError(
            {
                "url": _(
                    "Pas d’identifiant ni de mot de passe dans l’adresse : "
                    "les envois sont signés par le secret."
                )
            }
        )
    try:
        webhook_rules.check_destination(url)
    except webhook_rules.Unreachable as error:
        raise ValidationError({"url": str(error)}) from error
    return url


def register(
    user, *, name, url, promotion=None, on_moves=True, on_messages=False, on_jury_closed=False
) -> tuple[Webhook, str]:
    """A new webhook of `user` and its secret (to show once). A contact's hears its
    administration's challenges."""
    if not webhook_rules.may_register(user):
        raise PermissionDenied(_("Votre rôle ne permet pas d’enregistrer un webhook."))
    url = check_url(url)
    name = " ".join(name.split())[:100]
    if not name:
        raise ValidationError({"name": _("Donnez un nom au webhook (à quoi il sert).")})
    if not (on_moves or on_messages or on_jury_closed):
        raise ValidationError(_("Choisissez au moins un événement à recevoir."))
    administration_id = None if rules.is_programme_manager(user) else user.profile.administration_id
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        hook = Webhook.objects.create(
            owner=user,
            name=name,
            url=url,
            administration_id=administration_id,
            promotion=promotion,
            on_moves=on_moves,
            on_messages=on_messages,
            on_jury_closed=on_jury_closed,
            secret=secret,
            created_at=clock.now(),
        )
        audit.record(
            None,
            AuditKind.WEBHOOK_CREATED,
            by=user,
            subject=f"webhook:{hook.pk}",
            reason=f"{url} ({', '.join(hook.event_types)}; {promotion or _('toutes les promotions')})",
        )
    return hook, secret


def visible_to(user):
    """A manager sees every webhook, anyone else their own."""
    hooks = Webhook.objects.select_related("owner", "promotion", "administration")
    return hooks if rules.is_programme_manager(user) else hooks.filter(owner=user)


def disable(hook: Webhook, *, by) -> Webhook:
    """Nothing more is sent: the deliveries waiting fail with the reason, in the same transaction."""
    if hook.owner_id != by.pk and not rules.is_programme_manager(by):
        raise PermissionDenied(_("Ce webhook n’est pas le vôtre."))
    with transaction.atomic():
        hook = Webhook.objects.select_for_update().get(pk=hook.pk)
        if hook.disabled_at is None:
            hook.disabled_at = clock.now()
            hook.save(update_fields=["disabled_at"])
            hook.deliveries.filter(status=DeliveryStatus.PENDING).update(
                status=DeliveryStatus.FAILED, last_error=_("Webhook désactivé : envoi abandonné.")
            )
            audit.record(
                None, AuditKind.WEBHOOK_DISABLED, by=by, subject=f"webhook:{hook.pk}", reason=hook.url
            )
    return hook


def replay(delivery: Delivery, *, by) -> Delivery:
    """Send a delivery's body again, as a new delivery (a new id, `X-EIG-Replay-Of` the first):
    a programme manager's decision, audited."""
    if not webhook_rules.may_replay(by):
        raise PermissionDenied(_("Seul·es les chargé·es de programme peuvent rejouer un envoi."))
    hook = delivery.webhook
    if hook.disabled_at is not None:
        raise ValidationError(_("Ce webhook est désactivé : rien n’est plus envoyé à son adresse."))
    if not webhook_rules.may_hold(hook.owner, hook.administration_id):
        raise ValidationError(
            _(
                "La personne qui a enregistré ce webhook n’en a plus le droit "
                "(rôle ou administration changés)."
            )
        )
    with transaction.atomic():
        replay = outbox.replayed(delivery, now=clock.now())
        audit.record(
            delivery.audit_event.challenge if delivery.audit_event_id else None,
            AuditKind.WEBHOOK_REPLAYED,
            by=by,
            subject=f"webhook:{delivery.webhook_id}",
            reason=f"{delivery.uid} → {replay.uid}",
        )
        transaction.on_commit(lambda: outbox.enqueue([replay.pk]))
    return replay


def status_counts(hook: Webhook) -> dict:
    counts = dict(hook.deliveries.order_by().values_list("status").annotate(models.Count("id")))
    return {status: counts.get(status, 0) for status in DeliveryStatus.values}
