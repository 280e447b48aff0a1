"""The outbox: messages written with the move they announce, then delivered once each.

`queue` writes the messages of an event in the caller's transaction; their delivery is a
django-q2 task enqueued after the commit. Held messages wait for a manager to review, edit,
release or discard them.
"""

import logging
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lifecycle import audit, rules
from lifecycle.actors import actor_label
from lifecycle.enums import AuditKind
from notifications import placeholders
from notifications.defaults import DEFAULTS
from notifications.enums import DeliveryStatus, MessageEvent
from notifications.models import Batch, MessageTemplate, Notification
from notifications.recipients import recipients_for

logger = logging.getLogger(__name__)
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# The option of `lifecycle.services.transition` that holds the move's e-mails for review:
# transition(..., options={outbox.HOLD_MAIL: True}).
HOLD_MAIL = "hold_mail"


def ensure_templates(**_kwargs):
    """Every shipped default as an editable template row, for the events that have none yet
    (after each migration): a new event's texts reach the admin without a data migration."""
    for (event, language), (subject, body) in DEFAULTS.items():
        MessageTemplate.objects.get_or_create(
            event=event, language=language, defaults={"subject": subject, "body": body}
        )


def template_for(event: MessageEvent, language: str) -> tuple[str, str]:
    custom = MessageTemplate.objects.filter(event=event, language=language).first()
    if custom:
        return custom.subject, custom.body
    return DEFAULTS.get((event, language)) or DEFAULTS[(event, "fr")]


def render(event, challenge, *, language, reason="", days_left=None, template=None, context=None):
    subject, body = template or template_for(event, language)
    values = placeholders.values_for(
        challenge, language=language, reason=reason, days_left=days_left, context=context
    )
    # A subject is one line, whatever a value brings (a name entered before names were checked).
    subject = " ".join(CONTROL.sub(" ", placeholders.render(subject, values)).split())
    return subject, placeholders.render(body, values)


def _open_batch(event, by) -> Batch:
    creator = by if getattr(by, "pk", None) else None
    batch = Batch.objects.filter(closed_at=None, created_by=creator, event=event).first()
    if batch is None:
        label = f"{MessageEvent(event).label} – {timezone.localtime():%d/%m/%Y %H:%M}"
        batch = Batch.objects.create(label=label, event=event, created_by=creator)
    return batch


def queue(
    challenge,
    event,
    *,
    key,
    audit_event=None,
    reason="",
    days_left=None,
    hold=False,
    by=None,
    recipients=None,
    context=None,
    enqueue=True,
):
    """Write the messages of `event` for every recipient of the case, once per key and recipient.

    `recipients` (a list of `recipients.Recipient`) replaces the case's usual recipients, e.g. the
    EIGs of a challenge for a cohort session; `context` gives the values of the placeholders that
    come with the message (`placeholders.CONTEXT_PLACEHOLDERS`).
    Must run in the transaction of what it announces; delivery starts after the commit: the
    outbox registers it (`enqueue`), except for a move, whose committed signal does it.
    """
    batch = _open_batch(event, by) if hold else None
    wanted = {}
    for recipient in recipients_for(challenge) if recipients is None else recipients:
        address = recipient.email.lower() if not recipient.problem else f"{recipient.role}/{recipient.name}"
        wanted.setdefault(f"{key}:{event}:{address}", recipient)
    already_queued = set(
        Notification.objects.filter(idempotency_key__in=wanted).values_list("idempotency_key", flat=True)
    )
    # The text depends on the language only: render it once per language.
    texts = {}
    now = timezone.now()
    rows = []
    for idempotency_key, recipient in wanted.items():
        if idempotency_key in already_queued:
            continue
        if recipient.language not in texts:
            texts[recipient.language] = render(
                event,
                challenge,
                language=recipient.language,
                reason=reason,
                days_left=days_left,
                context=context,
            )
        subject, body = texts[recipient.language]
        if recipient.problem:
            status = DeliveryStatus.INVALID_RECIPIENT
        else:
            status = DeliveryStatus.HELD if hold else DeliveryStatus.PENDING
        rows.append(
            Notification(
                challenge=challenge,
                audit_event=audit_event,
                event=event,
                batch=batch,
                recipient_email=recipient.email,
                recipient_name=recipient.name,
                recipient_role=recipient.role,
                language=recipient.language,
                subject=subject,
                body=body,
                status=status,
                idempotency_key=idempotency_key,
                last_error=recipient.problem,
                next_attempt_at=now,
            )
        )
    created = Notification.objects.bulk_create(rows)
    if enqueue:
        enqueue_on_commit([n.pk for n in created if n.status == DeliveryStatus.PENDING])
    return created


def enqueue_on_commit(notification_ids):
    if notification_ids:
        transaction.on_commit(lambda: enqueue(notification_ids))


# Messages handed to one task, sent over one SMTP connection.
TASK_SIZE = 50


def enqueue(notification_ids):
    """Hand the messages to the task queue; if the broker is down, the periodic sweep sends them."""
    from django_q.tasks import async_task  # django-q2 reads its settings on import

    for start in range(0, len(notification_ids), TASK_SIZE):
        chunk = list(notification_ids[start : start + TASK_SIZE])
        try:
            async_task(
                "notifications.tasks.deliver_many",
                chunk,
                task_name=f"notifications-{chunk[0]}-{chunk[-1]}",
                group="notifications",
            )
        except Exception:  # the sweep catches up whatever the broker lost
            logger.exception("Could not enqueue notifications %s", chunk)


def _check_manager(by):
    if not (rules.is_system(by) or rules.is_programme_manager(by)):
        raise PermissionDenied(_("Seul·e un·e chargé·e de programme décide de l’envoi des e-mails."))


@transaction.atomic
def release(batch: Batch, *, by) -> int:
    """Send a held batch: a manager's decision, audited."""
    _check_manager(by)
    ids = list(batch.notifications.filter(status=DeliveryStatus.HELD).values_list("pk", flat=True))
    Notification.objects.filter(pk__in=ids).update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now()
    )
    batch.closed_at = timezone.now()
    batch.save(update_fields=["closed_at"])
    audit.record(
        None,
        AuditKind.MAIL_RELEASED,
        by=by,
        subject=f"batch:{batch.pk}",
        reason=batch.label,
        changes={"messages": [None, len(ids)]},
    )
    enqueue_on_commit(ids)
    return len(ids)


@transaction.atomic
def discard(batch: Batch, *, by) -> int:
    """Abandon a held batch (nothing will be sent): a manager's decision, audited."""
    _check_manager(by)
    count = batch.notifications.filter(status=DeliveryStatus.HELD).update(
        status=DeliveryStatus.DISCARDED,
        last_error=_("Abandonné par %(actor)s.") % {"actor": actor_label(by)},
    )
    batch.closed_at = timezone.now()
    batch.save(update_fields=["closed_at"])
    audit.record(
        None,
        AuditKind.MAIL_DISCARDED,
        by=by,
        subject=f"batch:{batch.pk}",
        reason=batch.label,
        changes={"messages": [None, count]},
    )
    return count


@transaction.atomic
def retry(queryset, *, by, accept_duplicates=False) -> int:
    """Put failed messages back in the queue: a manager's decision, after reading the error;
    each retry audited on its case. An uncertain message may reach its recipient twice: it is
    retried only when the manager accepts that (`accept_duplicates`), and keeps its Message-ID,
    so that mail software can tell the copies apart."""
    _check_manager(by)
    failed = queryset.filter(status=DeliveryStatus.FAILED)
    if not accept_duplicates:
        failed = failed.filter(uncertain=False)
    retried = list(failed.select_related("challenge"))
    Notification.objects.filter(pk__in=[n.pk for n in retried]).update(
        status=DeliveryStatus.PENDING, attempts=0, uncertain=False, next_attempt_at=timezone.now()
    )
    audit.record_many(
        [
            {
                "challenge": notification.challenge,
                "kind": AuditKind.MAIL_RETRIED,
                "by": by,
                "subject": f"notification:{notification.pk}",
                "reason": notification.last_error,
                "changes": {
                    "recipient": [None, notification.recipient_email],
                    "subject": [None, notification.subject],
                    "uncertain": [None, notification.uncertain],
                },
            }
            for notification in retried
        ]
    )
    enqueue_on_commit([n.pk for n in retried])
    return len(retried)


@transaction.atomic
def edit_held(notification: Notification, *, subject: str, body: str, by) -> Notification:
    """Correct a held message before it leaves; audited with the old and new texts."""
    _check_manager(by)
    notification = Notification.objects.select_for_update().get(pk=notification.pk)
    if notification.status != DeliveryStatus.HELD:
        raise ValidationError(_("Ce message n’est plus retenu : il ne peut plus être modifié."))
    before = {"subject": notification.subject, "body": notification.body}
    notification.subject, notification.body = subject, body
    notification.full_clean()
    notification.save(update_fields=["subject", "body"])
    changes = {
        name: [before[name], value]
        for name, value in (("subject", subject), ("body", body))
        if before[name] != value
    }
    if changes:
        audit.record(
            notification.challenge,
            AuditKind.MAIL_EDITED,
            by=by,
            subject=f"notification:{notification.pk}",
            changes=changes,
        )
    return notification


@transaction.atomic
def update_template(template: MessageTemplate, *, subject: str, body: str, by) -> MessageTemplate:
    """Change a message template (checked: only known placeholders); audited."""
    _check_manager(by)
    previous = MessageTemplate.objects.select_for_update().filter(pk=template.pk).first()
    before = (
        {"subject": previous.subject, "body": previous.body} if previous else {"subject": None, "body": None}
    )
    template.subject, template.body = subject, body
    template.updated_by = by if getattr(by, "pk", None) else None
    template.save()  # refuses an unknown placeholder
    changes = {
        name: [before[name], getattr(template, name)]
        for name in ("subject", "body")
        if before[name] != getattr(template, name)
    }
    if changes:
        audit.record(
            None,
            AuditKind.TEMPLATE_CHANGED,
            by=by,
            subject=f"messagetemplate:{template.pk}",
            reason=str(template),
            changes=changes,
        )
    return template


def status_counts() -> dict:
    rows = Notification.objects.values("status").annotate(count=Count("id"), oldest=Min("created_at"))
    return {row["status"]: (row["count"], row["oldest"]) for row in rows}


def preview(template: MessageTemplate | tuple, challenge, *, language=None, reason=None):
    """A template rendered with a real case, as its recipients would read it."""
    if isinstance(template, MessageTemplate):
        event, language, text = template.event, template.language, (template.subject, template.body)
    else:
        event, text = template[0], template_for(template[0], language)
    with translation.override(language):
        example_reason = reason if reason is not None else _("(le motif de la décision)")
        examples = {
            name: f"({placeholders.PLACEHOLDERS[name]})" for name in placeholders.CONTEXT_PLACEHOLDERS
        }
    return render(
        event,
        challenge,
        language=language,
        reason=example_reason,
        days_left=7,
        template=text,
        context=examples,
    )
