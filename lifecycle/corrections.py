"""Asking an administration to correct its submitted dossier, and its resubmission.

A manager sends a submitted dossier back (`request`): what to correct (the move's reason, quoted
in the e-mail), the sections of the official form that open again to the administration, and the
last day it may submit the corrected dossier. The dossier is then in the state
`corrections_requested`: its administration edits those sections only, and resubmits
(`resubmit`), which brings it back to `submitted`. Both are moves of the lifecycle (the table of
`lifecycle.workflow`), with their guards and audit events.

The deadline rule: the date is a day after today (Paris time) and, when the call has a jury, before
its first day (the dossier must be examined before the pitches); the administration may resubmit
until that day at 23:59 Paris time included (`deadline`, read as `calendar.closing` reads the
call's deadline). After it, the administration can no longer resubmit: a manager extends the date
(`extend`: a later day, within the same rule; audited, and e-mailed to the administration) or
decides on the dossier as it is (not preselected).
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from lifecycle import audit, calendar, clock, rules, services, signals, workflow
from lifecycle.enums import AuditKind, ChallengeState, TransitionName

LAST_MINUTE = dt.time(23, 59)


# The states a request for corrections concerns: it may be sent, or it is under way.
CONCERNED_STATES = (ChallengeState.SUBMITTED, ChallengeState.CORRECTIONS_REQUESTED)


def section_titles() -> dict[str, str]:
    from lifecycle.dossier.sections import SECTIONS  # the sections read the models

    return {section.slug: str(section.title) for section in SECTIONS}


def deadline(challenge):
    """The last moment of the corrections: their day at 23:59 Paris time, that minute included
    (`calendar.closing`); None when no date is set."""
    if challenge.corrections_due_on is None:
        return None
    return timezone.make_aware(dt.datetime.combine(challenge.corrections_due_on, LAST_MINUTE))


def due_label(challenge) -> str:
    moment = deadline(challenge)
    return calendar.deadline_label(moment) if moment else ""


def sections_label(challenge) -> str:
    titles = section_titles()
    return ", ".join(titles.get(slug, slug) for slug in challenge.corrections_sections or [])


def is_open_to_corrections(challenge, slug: str) -> bool:
    """The section `slug` of this dossier is open again to its administration."""
    return challenge.state == ChallengeState.CORRECTIONS_REQUESTED and slug in (
        challenge.corrections_sections or []
    )


def date_problem(call, due_on, now) -> str:
    """Why `due_on` cannot be the corrections' last day (empty when it can)."""
    today = timezone.localdate(now)
    if due_on is None:
        return _("Indiquez la date limite des corrections.")
    if due_on <= today:
        return _("La date limite des corrections doit être postérieure à aujourd’hui.")
    if call.jury_starts_on and due_on >= call.jury_starts_on:
        return _(
            "La date limite des corrections doit précéder le premier jour du jury (%(date)s) : "
            "le dossier corrigé doit être examiné avant les auditions."
        ) % {"date": date_format(call.jury_starts_on, "j F Y")}
    return ""


def allowed_days(call, now) -> tuple:
    """The first and last days the corrections may end on (the last is None without a jury);
    None when no day can (the jury starts tomorrow or has started)."""
    first = timezone.localdate(now) + dt.timedelta(days=1)
    last = call.jury_starts_on - dt.timedelta(days=1) if call.jury_starts_on else None
    if last is not None and last < first:
        return None
    return first, last


def problems(challenge, *, sections, what, due_on, now) -> dict[str, list[str]]:
    """The request's problems, per field of its form (empty when it may be sent)."""
    found = {}
    known = section_titles()
    if not sections:
        found["sections"] = [_("Choisissez au moins une partie du dossier à corriger.")]
    elif unknown := [slug for slug in sections if slug not in known]:
        found["sections"] = [_("Partie du dossier inconnue : %(slugs)s.") % {"slugs": ", ".join(unknown)}]
    if not (what or "").strip():
        found["what"] = [_("Indiquez ce que l’administration doit corriger.")]
    if problem := date_problem(challenge.promotion.call, due_on, now):
        found["due_on"] = [problem]
    return found


def request(challenge, *, sections, what, due_on, by, options=None):
    """Send a submitted dossier back to its administration for corrections (a manager's move).

    Writes the sections and the date, then makes the move `request_corrections` (its guards, its
    audit event with what to correct as the reason, its e-mail quoting it), in one transaction:
    a refused move leaves nothing written. Raises ValidationError (per field) or TransitionRefused.
    """
    if not (rules.is_system(by) or rules.is_programme_manager(by)):
        raise PermissionDenied(_("Seul·e un·e chargé·e de programme demande des corrections."))
    found = problems(challenge, sections=list(sections), what=what, due_on=due_on, now=clock.now())
    ordered = [slug for slug in section_titles() if slug in set(sections)]
    if found:
        raise ValidationError(found)
    with transaction.atomic():
        type(challenge).objects.filter(pk=challenge.pk, state=ChallengeState.SUBMITTED).update(
            corrections_sections=ordered, corrections_due_on=due_on
        )
        moved = services.transition(
            challenge,
            TransitionName.REQUEST_CORRECTIONS,
            by=by,
            reason=what,
            options={**(options or {}), workflow.MADE_THROUGH: TransitionName.REQUEST_CORRECTIONS},
        )
    challenge.refresh_from_db(fields=["corrections_sections", "corrections_due_on"])
    return moved


def resubmit(challenge, *, by):
    """The administration (or a manager) submits the corrected dossier: the move `resubmit`,
    refused after the corrections' deadline or while the dossier is incomplete."""
    return services.transition(challenge, TransitionName.RESUBMIT, by=by)


@transaction.atomic
def extend(challenge, due_on, *, by):
    """Give the administration more time (a manager's decision, audited with both dates)."""
    if not (rules.is_system(by) or rules.is_programme_manager(by)):
        raise PermissionDenied(_("Seul·e un·e chargé·e de programme prolonge le délai des corrections."))
    locked = (
        type(challenge)
        .objects.select_for_update(of=("self",))
        .select_related("promotion__call")
        .get(pk=challenge.pk)
    )
    if locked.state != ChallengeState.CORRECTIONS_REQUESTED:
        raise ValidationError(
            {
                "due_on": [
                    _("Aucune correction n’est en cours sur ce dossier : il n’y a pas de délai à prolonger.")
                ]
            }
        )
    before = locked.corrections_due_on
    if before is not None and due_on <= before:
        raise ValidationError(
            {
                "due_on": [
                    _("Choisissez un jour après la date limite actuelle (%(date)s) : un délai se prolonge.")
                    % {"date": date_format(before, "j F Y")}
                ]
            }
        )
    if problem := date_problem(locked.promotion.call, due_on, clock.now()):
        raise ValidationError({"due_on": [problem]})
    locked.corrections_due_on = due_on
    locked.save(update_fields=["corrections_due_on", "updated_at"])
    event = audit.record(
        locked,
        AuditKind.DOSSIER_CHANGED,
        by=by,
        changes={"corrections_due_on": [before.isoformat() if before else None, due_on.isoformat()]},
    )
    # The administration hears of it (notifications.receivers writes the e-mail in this transaction).
    signals.corrections_extended.send(sender=type(locked), challenge=locked, by=by, event=event)
    challenge.corrections_due_on = due_on
    return locked


def requested_event(challenge):
    """The audit event of the last request (what to correct is its reason), or None."""
    return (
        challenge.audit_events.filter(
            kind=AuditKind.TRANSITION, transition=TransitionName.REQUEST_CORRECTIONS
        )
        .order_by("-id")
        .first()
    )
