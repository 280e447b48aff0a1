"""The preselection's assessment of an application: each assessor's grid (one score per criterion
of the call, on `call_rules.SCORE_SCALE`) and their comments. Managers and the challenge's
operational mentors only (`rules.can_assess`); each save is audited by reference."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lifecycle import audit, clock
from lifecycle.enums import AuditKind
from recruitment import call_rules, rules
from recruitment.enums import ApplicationState
from recruitment.models import Application, ApplicationComment, CandidateScore

COMMENT_MAX = 3000
ASSESSED_STATES = {
    ApplicationState.SUBMITTED,
    ApplicationState.PRESELECTED,
    ApplicationState.INTERVIEW,
    ApplicationState.RANKED,
}


def _check(application, by):
    if not rules.can_assess(by, application):
        raise PermissionDenied(_("Vous ne pouvez pas évaluer cette candidature."))
    if application.state not in ASSESSED_STATES:
        raise ValidationError(
            _("Une candidature « %(state)s » ne s’évalue plus.")
            % {"state": ApplicationState(application.state).label},
            code="closed",
        )


def grid_of(application, by) -> dict[int, int]:
    """The scores `by` gave the application, by criterion's pk."""
    return dict(
        CandidateScore.objects.filter(application=application, scorer=by).values_list("criterion_id", "value")
    )


def save_grid(application, values: dict, *, by) -> dict[int, int]:
    """Write `by`'s grid: {criterion pk: value or None (unscored)}; values on the scale only."""
    _check(application, by)
    criteria = {criterion.pk: criterion for criterion in application.candidate.call.candidate_criteria.all()}
    levels = {value for value, _label in call_rules.SCORE_SCALE}
    errors = {}
    for pk, value in values.items():
        if int(pk) not in criteria:
            errors[str(pk)] = _("Critère inconnu pour cet appel.")
        elif value not in (None, "") and int(value) not in levels:
            errors[str(pk)] = _("Une note va de %(low)d à %(high)d.") % {
                "low": min(levels),
                "high": max(levels),
            }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # One assessor's saves of one application, one after the other (a double click).
        Application.objects.select_for_update(of=("self",)).filter(pk=application.pk).order_by().first()
        before = grid_of(application, by)
        now = clock.now()
        for pk, value in values.items():
            pk = int(pk)
            if value in (None, ""):
                CandidateScore.objects.filter(application=application, criterion_id=pk, scorer=by).delete()
            else:
                CandidateScore.objects.update_or_create(
                    application=application,
                    criterion_id=pk,
                    scorer=by,
                    defaults={"value": int(value), "updated_at": now},
                )
        after = grid_of(application, by)
        changed = {
            str(pk): [before.get(pk), after.get(pk)]
            for pk in set(before) | set(after)
            if before.get(pk) != after.get(pk)
        }
        if changed:
            audit.record(
                application.challenge,
                AuditKind.CANDIDATE_SCORED,
                by=by,
                subject=application.reference,
                changes={"candidate": f"candidate:{application.candidate_id}", "scores": changed},
            )
    return after


def comment(application, text: str, *, by) -> ApplicationComment:
    """A comment on the application (never shown to the candidate); kept apart from the trail
    as the candidate's personal data (the trail records that a comment was written)."""
    _check(application, by)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Écrivez le commentaire.")})
    if len(text) > COMMENT_MAX:
        raise ValidationError(
            {"text": _("Un commentaire fait %(max)d caractères au plus.") % {"max": COMMENT_MAX}}
        )
    with transaction.atomic():
        written = ApplicationComment.objects.create(
            application=application, author=by, text=text, created_at=clock.now()
        )
        reference = f"candidate:{application.candidate_id}"
        audit.record(
            application.challenge,
            AuditKind.CANDIDATE_COMMENT,
            by=by,
            subject=application.reference,
            changes={"candidate": reference, "comment_id": written.pk},
            personal={reference: {"comment": text}},
        )
    return written


def mean_score(application) -> float | None:
    values = list(application.scores.values_list("value", flat=True))
    return round(sum(values) / len(values), 2) if values else None
