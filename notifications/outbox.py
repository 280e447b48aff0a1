"""The outbox: messages written with the move they announce, then delivered once each.

`queue` writes the messages of an event in the caller's transaction; their delivery is a
django-q2 task enqueued after the commit. Held messages wait, in the review (`Batch`) of the
one decision act that wrote them, for a manager to read, edit or drop them one by one, then
release or discard the whole review, each decision audited.
"""

import contextvars
import hashlib
import json
import logging
import re
import string
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lifecycle import audit, calendar, clock, rules, workflow
from lifecycle.actors import actor_label
from lifecycle.enums import AuditKind, TransitionName
from notifications import placeholders
from notifications.defaults import DEFAULTS
from notifications.enums import DeliveryStatus, MessageEvent
from notifications.models import Batch, MessageTemplate, Notification
from notifications.recipients import carriers_of, contacts_of, recipients_for
from triggers import queue as task_queue

logger = logging.getLogger(__name__)
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# The option of `lifecycle.services.transition` that holds the move's e-mails for review:
# transition(..., options={outbox.HOLD_MAIL: True}) in a review of this move's own;
# options={outbox.HOLD_MAIL: batch} in the review of a whole act (`review_of_act`: a bulk move).
HOLD_MAIL = "hold_mail"


def ensure_templates(**_kwargs):
    """Every shipped default as an editable template row, for the events that have none yet
    (after each migration): a new event's texts reach the admin without a data migration."""
    for (event, language), (subject, body) in DEFAULTS.items():
        MessageTemplate.objects.get_or_create(
            event=event, language=language, defaults={"subject": subject, "body": body}
        )


def template_for(event: MessageEvent, language: str) -> tuple[str, str]:
    together = _written_together.get()
    if together is not None:  # several moves at once: each template read once for them all
        if (event, language) not in together.templates:
            together.templates[(event, language)] = _template_read(event, language)
        return together.templates[(event, language)]
    return _template_read(event, language)


def _template_read(event: MessageEvent, language: str) -> tuple[str, str]:
    custom = MessageTemplate.objects.filter(event=event, language=language).first()
    if custom:
        return custom.subject, custom.body
    return DEFAULTS.get((event, language)) or DEFAULTS[(event, "fr")]


def quotes_reason(event, language: str) -> bool:
    """Whether the event's message (its template row, else the default) cites the decision's
    reason: a reason typed for the move then reaches the administration and the mentors."""
    return any(
        name == "reason"
        for text in template_for(MessageEvent(event), language)
        for _literal, name, _spec, _conversion in string.Formatter().parse(text)
    )


def render(event, challenge, *, language, reason="", days_left=None, template=None, context=None):
    subject, body = template or template_for(event, language)
    values = placeholders.values_for(
        challenge, language=language, reason=reason, days_left=days_left, context=context
    )
    # A subject is one line, whatever a value brings (a name entered before names were checked).
    subject = " ".join(CONTROL.sub(" ", placeholders.render(subject, values)).split())
    return subject, placeholders.render(body, values)


def _act_label(transition, event, about, when) -> str:
    """What the act did, to what, when, e.g. "Présélectionner — 12 défis — 1 décembre 2026 14:05"
    (in the site's language, whoever's page made it)."""
    with translation.override(settings.LANGUAGE_CODE):
        action = TransitionName(transition).label if transition else MessageEvent(event).label
        return f"{action} — {about} — {date_format(timezone.localtime(when), 'j F Y H:i')}"[:200]


def _new_batch(*, by, transition="", event="", about="") -> Batch:
    now = clock.now()
    return Batch.objects.create(
        label=_act_label(transition, event, about, now),
        transition=transition,
        event=event,
        created_by=by if getattr(by, "pk", None) else None,
        created_at=now,
    )


@contextmanager
def review_of_act(*, by, transition="", event="", hold=True):
    """One held review for a whole decision act (a bulk move, the planning of the jury's
    auditions): give it to each of the act's moves as their option `{HOLD_MAIL: batch}` (to a
    function that writes e-mails, as its `hold`). `transition` names a move's act, `event` an act
    of another kind by its message. When the act is done, the review is named after what it holds
    (the move or message, how many challenges, when), or deleted if it holds nothing (every move
    was refused). Yields None when the act's e-mails are not held (`hold` false)."""
    if not hold:
        yield None
        return
    with translation.override(settings.LANGUAGE_CODE):
        about = _("en cours")
    if transition:
        transition = TransitionName(transition)
        event = workflow.move(transition).message
    batch = _new_batch(by=by, transition=transition, event=MessageEvent(event), about=about)
    try:
        yield batch
    finally:
        _name_after_content(batch)


def _name_after_content(batch: Batch):
    names = sorted(set(batch.notifications.order_by().values_list("challenge__name", flat=True)))
    if not names:
        batch.delete()
        return
    with translation.override(settings.LANGUAGE_CODE):
        about = (
            names[0]
            if len(names) == 1
            else ngettext("%(count)d défi", "%(count)d défis", len(names)) % {"count": len(names)}
        )
    batch.label = _act_label(batch.transition, batch.event, about, batch.created_at)
    Batch.objects.filter(pk=batch.pk).update(label=batch.label)


def _holding_batch(hold, *, challenge, event, by, audit_event) -> Batch:
    """The review the messages wait in: the act's (`hold` is a Batch still open), else one of
    their own, named after this call's move or event and its challenge."""
    if isinstance(hold, Batch):
        batch = Batch.objects.select_for_update().get(pk=hold.pk)
        if batch.closed_at is None:
            return batch
    transition = audit_event.transition if audit_event is not None else ""
    return _new_batch(by=by, transition=transition, event=event, about=challenge.name)


# A MIME type and its parameters: "type/subtype", then "; name=value" (a value may be quoted).
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
CONTENT_TYPE = re.compile(rf'{_TOKEN}/{_TOKEN}(?:[ \t]*;[ \t]*{_TOKEN}=(?:{_TOKEN}|"[^"\\\x00-\x1f\x7f]*"))*')


@dataclass(frozen=True)
class Attachment:
    """The one file an e-mail carries (`queue(..., attachment=...)`), e.g. a jury's pitch slot:
    Attachment("invitation.ics", "text/calendar; method=REQUEST; charset=utf-8", ics_bytes).

    `content_type` is the MIME type as it will be sent, parameters included: a calendar's
    `method=REQUEST` makes mail software show an invitation. `content` is sent byte for byte."""

    name: str
    content_type: str
    content: bytes

    def __post_init__(self):
        name_field = Notification._meta.get_field("attachment_name")
        type_field = Notification._meta.get_field("attachment_type")
        if not self.name or CONTROL.search(self.name) or len(self.name) > name_field.max_length:
            raise ValueError(f"An attachment's name is one line of 1 to {name_field.max_length} characters.")
        if len(self.content_type) > type_field.max_length or not CONTENT_TYPE.fullmatch(self.content_type):
            raise ValueError(f"Not a MIME type: {self.content_type!r}.")
        if not isinstance(self.content, bytes):
            raise TypeError("An attachment's content is bytes.")


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
    attachment: Attachment | None = None,
    new_key=False,
):
    """Write the messages of `event` for every recipient of the case, once per key and recipient.

    `recipients` (a list of `recipients.Recipient`) replaces the case's usual recipients, e.g. the
    EIGs of a challenge for a cohort session; `context` gives the values of the placeholders that
    come with the message (`placeholders.CONTEXT_PLACEHOLDERS`).
    `attachment` (an `Attachment`: name, MIME type, bytes) is the one file sent with each of the
    messages this call writes (a recipient already queued for the key keeps the message it has).
    `hold` keeps them for a manager's review: True in a review of this call's own, a `Batch` in
    that review (one act's, `review_of_act`; a review closed meanwhile gives way to a new one).
    Must run in the transaction of what it announces; delivery starts after the commit: the
    outbox registers it (`enqueue`), except for a move, whose committed signal does it.
    `new_key`: the key was made in this transaction (an audit event's just written), so nothing
    can be queued under it yet: the query that looks is spared.
    """
    together = _written_together.get()
    if recipients is None:
        recipients = recipients_for(challenge, contacts=together.contacts if together is not None else None)
    wanted = {}
    for recipient in recipients:
        address = recipient.email.lower() if not recipient.problem else f"{recipient.role}/{recipient.name}"
        wanted.setdefault(f"{key}:{event}:{address}", recipient)
    already_queued = (
        set()  # checked once for the whole act as they are written (`written_together`), or new
        if together is not None or new_key
        else set(
            Notification.objects.filter(idempotency_key__in=wanted).values_list("idempotency_key", flat=True)
        )
    )
    attachment_fields = (
        {
            "attachment_name": attachment.name,
            "attachment_type": attachment.content_type,
            "attachment": attachment.content,
        }
        if attachment is not None
        else {}
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
                **attachment_fields,
            )
        )
    # A review holds e-mails (its problems of address beside them): none without one held.
    if hold and any(row.status == DeliveryStatus.HELD for row in rows):
        batch = _holding_batch(hold, challenge=challenge, event=event, by=by, audit_event=audit_event)
        for row in rows:
            row.batch = batch
        if audit_event is not None:
            batch.audit_events.add(audit_event)
    if together is not None:
        together.rows += rows
        together.enqueue |= enqueue
        return rows
    created = Notification.objects.bulk_create(rows)
    if enqueue:
        enqueue_on_commit([n.pk for n in created if n.status == DeliveryStatus.PENDING])
    return created


@dataclass
class _Together:
    rows: list
    templates: dict
    contacts: dict
    enqueue: bool = False


_written_together = contextvars.ContextVar("outbox_written_together", default=None)


@contextmanager
def written_together(challenges=()):
    """The messages of several acts written at once (a bulk move's, about `challenges`), inside
    their transaction: the challenges' contacts read in one query, each template once, then, on
    leaving, one query for the messages already queued under the same keys and one insert of the
    others."""
    if _written_together.get() is not None:
        yield
        return
    contacts = contacts_of(carriers_of(challenge) for challenge in challenges) if challenges else {}
    together = _Together(rows=[], templates={}, contacts=contacts)
    token = _written_together.set(together)
    try:
        yield
    finally:
        _written_together.reset(token)
    rows = together.rows
    if not rows:
        return
    already = set(
        Notification.objects.filter(idempotency_key__in=[row.idempotency_key for row in rows]).values_list(
            "idempotency_key", flat=True
        )
    )
    created = Notification.objects.bulk_create(row for row in rows if row.idempotency_key not in already)
    if together.enqueue:
        enqueue_on_commit([n.pk for n in created if n.status == DeliveryStatus.PENDING])


def _pending_of(event_ids) -> list[int]:
    pending = Notification.objects.filter(audit_event_id__in=event_ids, status=DeliveryStatus.PENDING)
    return list(pending.order_by("pk").values_list("pk", flat=True))


def enqueue(notification_ids):
    """Hand the messages to the workers; if the broker is down, the periodic sweep sends them."""
    task_queue.hand_over("notifications.tasks.deliver_many", notification_ids, group="notifications")


_enqueued_together = contextvars.ContextVar("outbox_enqueued_together", default=None)


@contextmanager
def enqueued_together(challenges=()):
    """After the commit of several moves: their messages handed to the workers at once, by one
    query and one enqueue, on leaving (`enqueue_pending_of` inside only notes the event)."""
    if _enqueued_together.get() is not None:
        yield
        return
    events = []
    token = _enqueued_together.set(events)
    try:
        yield
    finally:
        _enqueued_together.reset(token)
    if events:
        enqueue(_pending_of(events))


def enqueue_pending_of(event):
    """Hand the pending messages of an audit event (a move's) to the workers."""
    events = _enqueued_together.get()
    if events is not None:
        events.append(event.pk)
        return
    enqueue(_pending_of([event.pk]))


def enqueue_on_commit(notification_ids):
    if notification_ids:
        transaction.on_commit(lambda: enqueue(notification_ids))


def _recipient(notification):
    """The address a message went to, as the trail keeps it: apart from its chain, as the
    message's ("notification:<pk>"; docs/personal-data.md)."""
    email = notification.recipient_email
    return audit.Personal(f"notification:{notification.pk}", email) if email else email


def _check_manager(by):
    if not (rules.is_system(by) or rules.is_programme_manager(by)):
        raise PermissionDenied(_("Seul·e un·e chargé·e de programme décide de l’envoi des e-mails."))


@dataclass(frozen=True)
class HeldFigures:
    """What a review holds, as the manager confirms it: so many e-mails to so many
    administrations, and a fingerprint of their recipients and texts (a drop or an edit changes it)."""

    messages: int
    administrations: int
    challenges: int
    fingerprint: str

    def __str__(self):
        return _("%(messages)s à %(administrations)s") % {
            "messages": ngettext("%(count)d e-mail", "%(count)d e-mails", self.messages)
            % {"count": self.messages},
            "administrations": ngettext(
                "%(count)d administration", "%(count)d administrations", self.administrations
            )
            % {"count": self.administrations},
        }


def held_figures(batch: Batch, *, lock=False) -> HeldFigures:
    held = batch.notifications.filter(status=DeliveryStatus.HELD).order_by("pk")
    if lock:  # a drop or an edit waits for the decision, or the decision sees it
        held = held.select_for_update(of=("self",))
    rows = list(
        held.values_list(
            "pk", "recipient_email", "subject", "body", "challenge_id", "challenge__administration_id"
        )
    )
    texts = json.dumps([row[:4] for row in rows], ensure_ascii=False)
    return HeldFigures(
        messages=len(rows),
        administrations=len({row[5] for row in rows}),
        challenges=len({row[4] for row in rows}),
        fingerprint=hashlib.sha256(texts.encode()).hexdigest()[:32],
    )


def _decided(batch: Batch, confirmed: HeldFigures | None) -> tuple[Batch, HeldFigures]:
    """The review locked, still open, and holding what the manager confirmed (when they did)."""
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    if batch.closed_at is not None:
        raise ValidationError(
            _("Ce lot a déjà été envoyé ou abandonné le %(date)s.")
            % {"date": calendar.label(batch.closed_at)},
            code="closed",
        )
    figures = held_figures(batch, lock=True)
    if confirmed is not None and confirmed != figures:
        raise ValidationError(
            _(
                "Le lot a changé depuis que vous l’avez relu (un message a été retiré ou modifié) : "
                "il retient maintenant %(figures)s. Relisez-le, puis confirmez de nouveau."
            )
            % {"figures": figures},
            code="changed",
        )
    return batch, figures


def _close(batch, kind, by, figures):
    batch.closed_at = timezone.now()
    batch.save(update_fields=["closed_at"])
    audit.record(
        None,
        kind,
        by=by,
        subject=f"batch:{batch.pk}",
        reason=batch.label,
        changes={
            "messages": [None, figures.messages],
            "administrations": [None, figures.administrations],
        },
    )


@transaction.atomic
def release(batch: Batch, *, by, confirmed: HeldFigures | None = None) -> int:
    """Send a held review's messages, and only them: a manager's decision, audited. With
    `confirmed` (the figures the manager read), refused if the review holds anything else now."""
    _check_manager(by)
    batch, figures = _decided(batch, confirmed)
    ids = list(batch.notifications.filter(status=DeliveryStatus.HELD).values_list("pk", flat=True))
    Notification.objects.filter(pk__in=ids).update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now()
    )
    _close(batch, AuditKind.MAIL_RELEASED, by, figures)
    enqueue_on_commit(ids)
    return len(ids)


@transaction.atomic
def discard(batch: Batch, *, by, confirmed: HeldFigures | None = None) -> int:
    """Abandon a held review (nothing of it will be sent): a manager's decision, audited."""
    _check_manager(by)
    batch, figures = _decided(batch, confirmed)
    count = batch.notifications.filter(status=DeliveryStatus.HELD).update(
        status=DeliveryStatus.DISCARDED,
        last_error=_("Abandonné par %(actor)s.") % {"actor": actor_label(by)},
    )
    _close(batch, AuditKind.MAIL_DISCARDED, by, figures)
    return count


@transaction.atomic
def drop(notification: Notification, *, by) -> Notification:
    """Take one message out of its review: it will not be sent; audited on its case. The review
    closes when nothing is held in it any more."""
    _check_manager(by)
    # The review first, then its message: the order release and discard lock them in.
    if notification.batch_id is not None:
        Batch.objects.select_for_update().filter(pk=notification.batch_id).first()
    notification = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("challenge")
        .get(pk=notification.pk)
    )
    if notification.status != DeliveryStatus.HELD:
        raise ValidationError(_("Ce message n’est plus retenu : il ne peut plus être retiré."))
    notification.status = DeliveryStatus.DISCARDED
    notification.last_error = _("Retiré du lot par %(actor)s.") % {"actor": actor_label(by)}
    notification.save(update_fields=["status", "last_error"])
    batch = notification.batch
    audit.record(
        notification.challenge,
        AuditKind.MAIL_DROPPED,
        by=by,
        subject=f"notification:{notification.pk}",
        reason=batch.label if batch else "",
        changes={
            "status": [DeliveryStatus.HELD.value, DeliveryStatus.DISCARDED.value],
            "recipient": [None, _recipient(notification)],
            "subject": [None, notification.subject],
        },
    )
    if batch is not None and not batch.notifications.filter(status=DeliveryStatus.HELD).exists():
        Batch.objects.filter(pk=batch.pk, closed_at=None).update(closed_at=timezone.now())
    return notification


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
                    "recipient": [None, _recipient(notification)],
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
    if "body" in changes:  # it greets its recipient by name: kept apart, as the message's
        owner = f"notification:{notification.pk}"
        changes["body"] = [audit.Personal(owner, text) if text else text for text in changes["body"]]
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
