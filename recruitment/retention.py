"""Candidates' personal data (RGPD): what is kept and until when, its erasure a configurable time
after the results (`Call.candidate_data_retention_days`) by a daily job, on the candidate's
request, and the download of everything kept about them (docs/personal-data.md).

Erasing a candidate blanks their identity, contact, links and CV (the file is deleted), their
motivations and the comments on them, the e-mails written to them in the outbox, and their
account; the scores and states stay, anonymous, for the programme's figures. The audit trail
holds no personal value of theirs in its hashed payload (events name "candidate:<pk>"): the
personal part kept apart is erased (`lifecycle.audit.erase_personal`) and the chain still verifies.
"""

import datetime as dt
import logging
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lifecycle import audit, calendar, clock, profiles, rules
from lifecycle.actors import SYSTEM
from lifecycle.enums import AuditKind
from notifications.enums import DeliveryStatus
from notifications.models import Notification
from recruitment import moves, workflow
from recruitment import rules as recruitment_rules
from recruitment.enums import ApplicationState
from recruitment.models import Application, ApplicationComment, Candidate

logger = logging.getLogger(__name__)
CHUNK = 200


def results_of(candidate) -> dt.datetime | None:
    """When the candidacy ended without a recruitment: its last application's end, or the call's
    closing for a candidacy never submitted (a draft is dead once the call is closed)."""
    if candidate.results_at is not None:
        return candidate.results_at
    closes_at = candidate.call.recruitment_closes_at
    if candidate.submitted_at is None and closes_at is not None:
        closing = calendar.closing(closes_at)
        if closing <= clock.now():
            return closing
    return None


def kept_until(candidate) -> dt.datetime | None:
    """When the candidate's personal data is erased: None while an application is in progress
    or accepted (an accepted candidate's data follows the EIG's contract), or once erased."""
    results = results_of(candidate)
    if candidate.erased_at is not None or results is None:
        return None
    return results + dt.timedelta(days=candidate.call.candidate_data_retention_days)


def due(now=None):
    """The candidates whose data is to be erased now: their results are older than their call's
    retention, or they asked for it."""
    now = now or clock.now()
    candidates = Candidate.objects.filter(erased_at__isnull=True).select_related("call")
    by_request = Q(erasure_requested_at__isnull=False)
    by_results = Q(results_at__isnull=False)
    never_submitted = Q(submitted_at__isnull=True, call__recruitment_closes_at__lt=now)
    with clock.at(now):
        return [
            candidate
            for candidate in candidates.filter(by_request | by_results | never_submitted)
            .order_by("pk")
            .iterator(chunk_size=2000)
            if _is_due(candidate, now)
        ]


def _is_due(candidate, now) -> bool:
    if candidate.erasure_requested_at is not None:
        return True
    until = kept_until(candidate)
    return until is not None and until <= now


def _erase(pks, *, by, reason, only_due_at=None) -> int:
    """Erase the candidates' personal data in one transaction (a chunk of the job): their rows are
    locked and read again first, so a candidate offered a place meanwhile (`only_due_at`: no
    longer due) or who accepted one is left alone."""
    now = clock.now()
    with transaction.atomic():
        candidates = [
            candidate
            for candidate in Candidate.objects.select_for_update(of=("self",))
            .select_related("call")
            .filter(pk__in=pks, erased_at__isnull=True)
            .exclude(applications__state=ApplicationState.ACCEPTED)
            .order_by("pk")
            if only_due_at is None or _is_due(candidate, only_due_at)
        ]
        if not candidates:
            return 0
        pks = [candidate.pk for candidate in candidates]
        files = [candidate.cv.name for candidate in candidates if candidate.cv]
        user_ids = {candidate.user_id for candidate in candidates if candidate.user_id}
        Candidate.objects.filter(pk__in=pks).update(
            first_name="",
            last_name="",
            email="",
            phone="",
            portfolio_url="",
            code_url="",
            other_links="",
            cv="",
            cv_name="",
            erased_at=now,
        )
        Application.objects.filter(candidate_id__in=pks).update(motivation="", interview_place="")
        ApplicationComment.objects.filter(application__candidate_id__in=pks).delete()
        keys = Q()
        for pk in pks:
            keys |= Q(idempotency_key__startswith=f"candidate:{pk}:")
        mails = Notification.objects.filter(keys)
        notification_ids = list(mails.values_list("pk", flat=True))
        # A message not sent yet is abandoned: its address is gone.
        mails.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.HELD]).update(
            status=DeliveryStatus.DISCARDED
        )
        mails.update(recipient_email="", recipient_name="", subject=_("(effacé)"), body="", attachment=b"")
        # An account that served only erased candidacies is anonymised and closed.
        still_used = set(
            Candidate.objects.filter(user_id__in=user_ids, erased_at__isnull=True).values_list(
                "user_id", flat=True
            )
        )
        anonymised = sorted(user_ids - still_used)
        for user_id in anonymised:
            get_user_model().objects.filter(pk=user_id).update(
                username=f"candidat-efface-{user_id}",
                first_name="",
                last_name="",
                email="",
                is_active=False,
                password="!",
            )
        # What the trail kept apart of them: as candidates, as accounts (their name as authors),
        # as recipients of e-mails.
        owners = [candidate.reference for candidate in candidates]
        owners += [f"user:{user_id}" for user_id in anonymised]
        owners += [f"notification:{pk}" for pk in notification_ids]
        audit.erase_personal(owners, by=by, reason=reason, kind=AuditKind.CANDIDATE_ERASED)
        storage = Candidate._meta.get_field("cv").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in files])
    return len(pks)


@dataclass
class RetentionRun:
    erased: int
    seconds: float


def run(now=None) -> RetentionRun:
    """The daily job: erase every candidate due, by chunks (each its own transaction)."""
    started = time.perf_counter()
    candidates = due(now)
    erased = 0
    now = now or clock.now()
    for start in range(0, len(candidates), CHUNK):
        erased += _erase(
            [candidate.pk for candidate in candidates[start : start + CHUNK]],
            only_due_at=now,
            by=SYSTEM,
            reason=_(
                "Durée de conservation des données des candidats non retenus écoulée, ou effacement demandé."
            ),
        )
    seconds = time.perf_counter() - started
    if erased:
        logger.info("Retention: %d candidates erased in %.2f s", erased, seconds)
    return RetentionRun(erased, seconds)


def request_erasure(candidate, *, by):
    """The candidate asks for the erasure of their data: their applications in progress are
    withdrawn (no e-mail: the address is about to go) and everything is erased at once, with the
    candidate's row locked. Refused for an accepted candidate, whose data the recruitment needs
    (they write to the programme)."""
    if not (recruitment_rules.owns_candidacy(by, candidate) or rules.is_programme_manager(by)):
        raise PermissionDenied(_("Seul·e le·la candidat·e ou le programme demande l’effacement."))
    asked = candidate
    with transaction.atomic():
        candidate = Candidate.objects.select_for_update(of=("self",)).get(pk=candidate.pk)
        if candidate.erased_at is not None:
            return asked
        if candidate.applications.filter(state=ApplicationState.ACCEPTED).exists():
            raise ValidationError(
                _(
                    "Vous avez accepté un défi : vos données servent à votre recrutement. Écrivez à "
                    "l’équipe du programme pour les faire rectifier ou effacer."
                ),
                code="accepted",
            )
        for application in candidate.applications.exclude(state__in=ApplicationState.final()):
            moves.transition(
                application,
                "withdraw",
                by=by,
                reason=_("Effacement des données demandé."),
                options={workflow.QUIET: True},
            )
        Candidate.objects.filter(pk=candidate.pk).update(erasure_requested_at=clock.now())
        _erase([candidate.pk], by=by, reason=_("Effacement demandé par le·la candidat·e."))
    asked.refresh_from_db()
    return asked


def export(candidate) -> dict:
    """Everything kept about the candidate, for their download (JSON)."""
    call = candidate.call
    rules_by_pk = {rule.pk: rule.text for rule in call.eligibility_rules.all()}
    applications = candidate.applications.select_related("challenge").prefetch_related(
        "scores__criterion", "comments"
    )

    def moment(value):
        return timezone.localtime(value).isoformat() if value else None

    return {
        "promotion": str(call.promotion),
        "identity": {
            "first_name": candidate.first_name,
            "last_name": candidate.last_name,
            "email": candidate.email,
            "phone": candidate.phone,
        },
        "profile": {"code": candidate.profile, "label": profiles.label_of(call, candidate.profile)},
        "links": {
            "portfolio": candidate.portfolio_url,
            "code": candidate.code_url,
            "other": [line for line in candidate.other_links.splitlines() if line.strip()],
        },
        "cv": candidate.cv_name or None,
        "declarations": [rules_by_pk[pk] for pk in candidate.declarations if pk in rules_by_pk],
        "account": {"username": candidate.user.username, "email": candidate.user.email}
        if candidate.user_id
        else None,
        "language": candidate.language,
        "created_at": moment(candidate.created_at),
        "erasure_requested_at": moment(candidate.erasure_requested_at),
        "submitted_at": moment(candidate.submitted_at),
        "results_at": moment(candidate.results_at),
        "kept_until": moment(kept_until(candidate)),
        "applications": [
            {
                "challenge": application.challenge.name,
                "origin": application.origin,
                "state": application.state,
                "state_label": str(ApplicationState(application.state).label),
                "created_at": moment(application.created_at),
                "state_changed_at": moment(application.state_changed_at),
                "motivation": application.motivation,
                "interview_at": moment(application.interview_at),
                "interview_place": application.interview_place,
                "interview_minutes": application.interview_minutes if application.interview_at else None,
                "rank": application.rank,
                "scores": [
                    {"criterion": score.criterion.name, "value": score.value}
                    for score in application.scores.all()
                ],
                "comments": [comment.text for comment in application.comments.all()],
            }
            for application in applications
        ],
        "messages": [
            {"to": to, "subject": subject, "body": body, "sent_at": moment(sent_at)}
            for to, subject, body, sent_at in Notification.objects.filter(
                idempotency_key__startswith=f"candidate:{candidate.pk}:"
            )
            .order_by("created_at", "pk")
            .values_list("recipient_email", "subject", "body", "sent_at")
        ],
        # What the audit trail keeps apart about them (a decision's reason, an interview's place…).
        "audit_trail": audit.kept_about(
            [candidate.reference, *([f"user:{candidate.user_id}"] if candidate.user_id else [])]
        ),
    }
