"""The e-mails of the candidates' call: to one candidate each (a refusal never names another), in
their language, through the outbox in the transaction of the decision."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from lifecycle.enums import AuditKind
from lifecycle.models import AuditEvent
from notifications import outbox
from notifications.enums import MessageEvent
from notifications.recipients import recipient
from recruitment import calendar


def space_url() -> str:
    return settings.SITE_URL.rstrip("/") + reverse("candidates:space")


def context_of(application) -> dict:
    """The placeholders of a candidate's e-mail about `application` (its text's, and its preview's
    before a bulk decision)."""
    return {
        "candidate": application.candidate.full_name,
        "candidate_url": space_url(),
        **calendar.context(application),
    }


def tell_candidate(application, event, *, audit_event, by, options=None):
    candidate = application.candidate
    event = MessageEvent(event)
    context = context_of(application)
    attachment = None
    if event == MessageEvent.INTERVIEW_INVITATION:
        # Each planning of the interview is a new version of the same invitation.
        planned = AuditEvent.objects.filter(subject=application.reference, kind=AuditKind.INTERVIEW_PLANNED)
        sequence = max(planned.count() - 1, 0)
        attachment = calendar.attachment(application, sequence=sequence)
    return outbox.queue(
        application.challenge,
        event,
        key=f"{candidate.reference}:{application.reference}:{audit_event.pk}",
        audit_event=audit_event,
        by=by,
        recipients=[recipient(candidate.email, candidate.full_name, _("candidat·e"), candidate.language)],
        context=context,
        attachment=attachment,
        # A move's option {outbox.HOLD_MAIL: …} holds the e-mail in a review, as a challenge's move.
        hold=(options or {}).get(outbox.HOLD_MAIL, False),
    )
