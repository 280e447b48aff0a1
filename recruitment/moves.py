"""The one function that moves an application, and the domain functions made of it.

Pages, the admin, commands and the demo call `transition`; no other code writes an application's
state. What is particular to each move is declared once in `recruitment.workflow`.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lifecycle import audit, clock, guards, services
from lifecycle.actors import SYSTEM
from lifecycle.enums import AuditKind
from lifecycle.models import Challenge
from lifecycle.services import NO_OPTIONS, TransitionRefused
from recruitment import messages, rules, workflow
from recruitment.enums import ApplicationMoveName, ApplicationState, Origin
from recruitment.models import Application, Candidate


class ApplicationMoveRefused(TransitionRefused):
    """A move of an application that cannot happen now, with every reason why (French): the
    lifecycle's refusal (its reasons and code), named for applications."""


def _name(name) -> ApplicationMoveName:
    try:
        return ApplicationMoveName(name)
    except ValueError:
        raise ApplicationMoveRefused(
            [_("Décision inconnue : « %(name)s ».") % {"name": name}], code="unknown"
        ) from None


def not_from_state(move, application) -> str:
    """Why `move` is refused from the application's state."""
    return services.not_from_state(move.label, application.get_state_display())


def _refusals(application, name, *, by, reason, options=NO_OPTIONS) -> tuple[str, list[str]]:
    move = workflow.move(name)
    if not rules.can_move(by, application, move):
        return "forbidden", [
            _("Vous n’avez pas le droit de faire « %(action)s » pour cette candidature.")
            % {"action": move.label}
        ]
    if application.state not in move.sources:
        return "not_allowed", [not_from_state(move, application)]
    if move.made_through and options.get(workflow.MADE_THROUGH) != name:
        return "guards", [
            _("« %(action)s » se fait par son propre formulaire, qui demande aussi ce qu’il lui faut.")
            % {"action": move.label}
        ]
    context = guards.Context(by=by, now=clock.now(), reason=reason)
    return "guards", workflow.refusals(application, name, context)


def _results_at(candidate, now):
    """When the candidacy's last application ended without a recruitment (the retention's start),
    None while one is in progress or accepted."""
    states = set(candidate.applications.values_list("state", flat=True))
    if states and states <= ApplicationState.unsuccessful() | {ApplicationState.DRAFT}:
        return now
    return None


def transition(application: Application, name, *, by, reason: str = "", options: Mapping | None = None):
    """Move `application`: the only way its state changes.

    In one transaction: the challenge's row is locked first for a move that fills its team (an
    offer, an acceptance: two candidates never take its last place), then the candidate's (a
    candidate never accepts two challenges at once), then the application's, read again (its
    state moved since the caller read it: refused, code "conflict"); the actor's right
    (`rules.can_move`), the source state and every guard of the move are checked; the state is
    written, an `AuditEvent` appended to the hash chain (subject "application:<pk>", the
    candidate by reference; the reason kept apart as the candidate's personal data), the
    candidate's e-mail written in the outbox (delivered after the commit), and the candidacy's
    results' moment set when its last application has ended (the retention's clock).

    Raises `ApplicationMoveRefused` with the reasons; nothing is written then.
    """
    name = _name(name)
    move = workflow.move(name)
    reason = (reason or "").strip()
    options = MappingProxyType(dict(options)) if options else NO_OPTIONS
    with transaction.atomic():
        if move.fills_team:
            # The challenge's row only (its default ordering would join, and lock, its promotion),
            # FOR NO KEY UPDATE: the fillers of its team wait for each other, while the events that
            # merely refer to it (a withdrawal elsewhere, written by another move) do not wait.
            list(
                Challenge.objects.select_for_update(of=("self",), no_key=True)
                .filter(pk=application.challenge_id)
                .order_by()
                .values_list("pk")
            )
        candidate = (
            Candidate.objects.select_for_update(of=("self",))
            .select_related("call")
            .get(pk=application.candidate_id)
        )
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("challenge__promotion__call", "challenge__administration")
            .get(pk=application.pk)
        )
        locked.candidate = candidate
        if locked.state != application.state:
            raise ApplicationMoveRefused(
                [
                    _(
                        "La candidature a changé d’état pendant votre action : elle est maintenant "
                        "« %(state)s ». Rechargez la page avant d’agir."
                    )
                    % {"state": ApplicationState(locked.state).label}
                ],
                code="conflict",
            )
        code, reasons = _refusals(locked, name, by=by, reason=reason, options=options)
        if reasons:
            raise ApplicationMoveRefused(reasons, code=code)
        now = clock.now()
        from_state = locked.state
        locked.state = move.target
        locked.state_changed_at = now
        locked.save(update_fields=["state", "state_changed_at"])
        results_at = _results_at(candidate, now)
        if results_at != candidate.results_at and not (results_at and candidate.results_at):
            candidate.results_at = results_at
            candidate.save(update_fields=["results_at"])
        event = audit.record(
            locked.challenge,
            AuditKind.APPLICATION_MOVED,
            by=by,
            subject=locked.reference,
            transition=name,
            from_state=from_state,
            to_state=locked.state,
            changes={"candidate": candidate.reference},
            personal={candidate.reference: {"reason": reason}} if reason else None,
        )
        if move.message and not options.get(workflow.QUIET):
            messages.tell_candidate(locked, move.message, audit_event=event, by=by, options=options)
        if name == ApplicationMoveName.ACCEPT:
            _withdraw_the_others(locked, candidate)
    application.state, application.state_changed_at = locked.state, locked.state_changed_at
    return locked


def _withdraw_the_others(accepted, candidate):
    """A candidate accepts one challenge: their other applications still open are withdrawn, by
    the system, without an e-mail of their own (the acceptance's tells them)."""
    others = candidate.applications.filter(state__in=ApplicationState.in_progress()).exclude(pk=accepted.pk)
    for other in others:
        transition(
            other,
            ApplicationMoveName.WITHDRAW,
            by=SYSTEM,
            reason=_("Le·la candidat·e a accepté le défi « %(challenge)s ».")
            % {"challenge": accepted.challenge},
            options={workflow.QUIET: True},
        )


def _locked(application):
    """The candidate's row, then the application's: the order `transition` locks them in."""
    Candidate.objects.select_for_update(of=("self",)).filter(pk=application.candidate_id).order_by().first()
    return Application.objects.select_for_update(of=("self",)).order_by().get(pk=application.pk)


def possible_moves(application, *, by) -> list[tuple[workflow.Move, list[str]]]:
    """The bare moves leaving the current state that `by` may make, each with the reasons it is
    not possible now (for a button per move)."""
    found = []
    for move in workflow.bare_moves():
        if application.state in move.sources and rules.can_move(by, application, move):
            found.append((move, _refusals(application, move.name, by=by, reason=None)[1]))
    return found


def schedule_interview(application, *, at, place: str, minutes: int = 45, by, options=None):
    """Plan (or move) the candidate's interview and invite them (the .ics comes with the e-mail)."""
    place = (place or "").strip()
    errors = {}
    if at is None:
        errors["at"] = _("Donnez la date et l’heure de l’entretien.")
    elif at <= clock.now():
        errors["at"] = _("L’entretien se tient dans le futur.")
    if not place:
        errors["place"] = _("Donnez le lieu ou le lien de l’entretien.")
    if not 10 <= int(minutes or 0) <= 240:
        errors["minutes"] = _("Un entretien dure de 10 à 240 minutes.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(application)
        previous = (locked.interview_at, locked.interview_place, locked.interview_minutes)
        locked.interview_at, locked.interview_place, locked.interview_minutes = at, place, minutes
        locked.save(update_fields=["interview_at", "interview_place", "interview_minutes"])
        audit.record(
            locked.challenge,
            AuditKind.INTERVIEW_PLANNED,
            by=by,
            subject=locked.reference,
            changes={
                "candidate": f"candidate:{locked.candidate_id}",
                "interview_at": [previous[0].isoformat() if previous[0] else None, at.isoformat()],
                "minutes": [previous[2], minutes],
            },
            personal={f"candidate:{locked.candidate_id}": {"interview_place": place}},
        )
        return transition(
            locked,
            ApplicationMoveName.INVITE_TO_INTERVIEW,
            by=by,
            options={**(options or {}), workflow.MADE_THROUGH: "invite_to_interview"},
        )


def set_rank(application, rank: int, *, by, reason: str = ""):
    """Place the interviewed application in its challenge's ranking (one list per profile)."""
    if not rank or int(rank) < 1:
        raise ValidationError({"rank": _("Un rang est un nombre entier à partir de 1.")})
    with transaction.atomic():
        locked = _locked(application)
        locked.rank = int(rank)
        locked.save(update_fields=["rank"])
        return transition(
            locked, ApplicationMoveName.RANK, by=by, reason=reason, options={workflow.MADE_THROUGH: "rank"}
        )


def offer_elsewhere(candidate, challenge, *, by, reason: str = "", options=None):
    """Offer an interviewed candidate a challenge they did not apply to (the rules' article 6.5):
    a programme's application to it, ranked, then offered through `transition`, in one
    transaction with the candidate's row locked (its checks cannot race)."""
    if not rules.is_programme_manager(by):
        raise ApplicationMoveRefused(
            [_("Seul le programme propose un défi à un·e candidat·e.")], code="forbidden"
        )
    with transaction.atomic():
        candidate = (
            Candidate.objects.select_for_update(of=("self",)).select_related("call").get(pk=candidate.pk)
        )
        reasons = []
        if challenge.promotion_id != candidate.call.promotion_id:
            reasons.append(_("Ce défi n’est pas de la promotion de la candidature."))
        if not candidate.applications.filter(interview_at__isnull=False).exists():
            reasons.append(_("Le programme propose un autre défi à un·e candidat·e auditionné·e seulement."))
        if candidate.applications.filter(challenge=challenge).exists():
            reasons.append(_("Ce·tte candidat·e a déjà une candidature à ce défi : décidez sur celle-ci."))
        if candidate.erased_at is not None or candidate.erasure_requested_at is not None:
            reasons.append(_("Les données de ce·tte candidat·e sont effacées : plus de proposition."))
        if reasons:
            raise ApplicationMoveRefused(reasons, code="guards")
        now = clock.now()
        application = Application.objects.create(
            candidate=candidate,
            challenge=challenge,
            origin=Origin.PROGRAMME,
            state=ApplicationState.RANKED,
            state_changed_at=now,
            created_at=now,
        )
        audit.record(
            challenge,
            AuditKind.CANDIDACY_CHANGED,
            by=by,
            subject=application.reference,
            to_state=ApplicationState.RANKED,
            changes={"candidate": candidate.reference, "origin": Origin.PROGRAMME},
        )
        return transition(application, ApplicationMoveName.OFFER, by=by, reason=reason, options=options)


@dataclass
class BulkOutcome:
    moved: list = field(default_factory=list)
    refused: dict = field(default_factory=dict)  # application: reasons


def transition_many(applications, name, *, by, reason: str = "") -> BulkOutcome:
    """One decision over several applications (a manager's bulk form): each through `transition`,
    each with its own guards; those refused are reported with their reasons, the others move."""
    outcome = BulkOutcome()
    for application in applications:
        try:
            with transaction.atomic():
                outcome.moved.append(transition(application, name, by=by, reason=reason))
        except ApplicationMoveRefused as refusal:
            outcome.refused[application] = refusal.reasons
    return outcome
