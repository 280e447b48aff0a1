"""A candidate's candidacy: their identity, profile, CV, links and declarations, and the challenges
they choose with a motivation each. The only writers of `Candidate` and of a draft `Application`;
each change is audited by reference ("candidate:<pk>"), never with the personal values
(docs/personal-data.md). Nothing is accepted once the call is closed (to the second, Paris time).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lifecycle import audit, calendar, clock, profiles
from lifecycle.enums import AuditKind, ChallengeState
from recruitment import cv, rules, services
from recruitment.enums import ApplicationState, Origin
from recruitment.models import Application, Candidate

# The contact address is the account's, verified at sign-up: not a field the candidate types.
IDENTITY_FIELDS = [
    "first_name",
    "last_name",
    "phone",
    "profile",
    "portfolio_url",
    "code_url",
    "other_links",
]
MOTIVATION_MAX = 5000


def problems(candidate) -> list[str]:
    """What keeps the candidacy from being submitted (its identity, profile and CV)."""
    found = []
    if not candidate.first_name.strip() or not candidate.last_name.strip():
        found.append(_("Indiquez votre prénom et votre nom."))
    if not candidate.email.strip():
        found.append(_("Indiquez votre adresse e-mail."))
    if not candidate.profile:
        found.append(_("Choisissez votre profil parmi ceux que l’appel recherche."))
    elif problem := profiles.profile_problem(candidate.call, candidate.profile):
        found.append(problem)
    if not candidate.cv:
        found.append(_("Déposez votre CV (PDF)."))
    return found


def ineligibility(candidate) -> list[str]:
    """The eligibility declarations of the call the candidate has not made."""
    declared = set(candidate.declarations or [])
    return [
        _("Condition d’éligibilité non déclarée : « %(rule)s »") % {"rule": rule.text}
        for rule in candidate.call.eligibility_rules.all()
        if rule.pk not in declared
    ]


def counted_applications(candidate):
    """The applications that count against the call's limit: the candidate's own choices, not
    withdrawn (an offer of the programme does not count)."""
    return candidate.applications.filter(origin=Origin.CANDIDATE).exclude(state=ApplicationState.WITHDRAWN)


def check_open(call):
    """Nothing of a candidacy is written unless the call takes applications now (to the second)."""
    if services.accepts_applications(call):
        return
    if calendar.candidates_call_stage(call, clock.now()) in (calendar.OPEN, calendar.CLOSED):
        message = _("L’appel à candidatures est clos : la candidature ne peut plus être modifiée.")
    else:
        message = _("L’appel à candidatures n’est pas ouvert : la candidature ne peut pas être modifiée.")
    raise ValidationError(message, code="closed")


# What a submitted candidacy keeps as it was: its eligibility and its profile (the rankings are
# per profile); its CV, links and phone may still be brought up to date until the closing.
FIXED_ONCE_SUBMITTED = {"declarations", "profile"}


def _check_owner(candidate, by):
    if not rules.owns_candidacy(by, candidate):
        raise PermissionDenied(_("Seul·e le·la candidat·e modifie sa candidature."))


def _record(candidate, *, by, changed, challenge=None, kind=AuditKind.CANDIDACY_CHANGED, reason=""):
    return audit.record(
        challenge,
        kind,
        by=by,
        subject=candidate.reference,
        reason=reason,
        changes={"fields": sorted(changed)},
    )


def candidacy_for(call, user):
    """The user's candidacy in the call, created (empty, from the account's name and address) at
    the first visit; None when the call takes no applications and there is none yet."""
    candidate = Candidate.objects.filter(call=call, user=user).first()
    if candidate is not None:
        return candidate
    check_open(call)
    now = clock.now()
    with transaction.atomic():
        candidate, created = Candidate.objects.get_or_create(
            call=call,
            user=user,
            defaults={
                "first_name": user.first_name[:100],
                "last_name": user.last_name[:100],
                "email": user.email,
                "language": getattr(getattr(user, "profile", None), "language", "fr"),
                "created_at": now,
                "updated_at": now,
            },
        )
        if created:
            _record(candidate, by=user, changed=["created"])
    return candidate


def update(candidate, values: dict, *, by):
    """Write the candidacy's identity, profile, links and declarations (a dict of some of
    IDENTITY_FIELDS and "declarations": the ids of the rules declared)."""
    _check_owner(candidate, by)
    check_open(candidate.call)
    with transaction.atomic():
        locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
        submitted = locked.applications.exclude(state=ApplicationState.DRAFT).exists()
        changed = []
        for name, value in values.items():
            if name not in [*IDENTITY_FIELDS, "declarations", "language"]:
                raise ValueError(f"Not a field of the candidacy: {name}")
            if name == "declarations":
                known = set(locked.call.eligibility_rules.values_list("pk", flat=True))
                value = sorted({int(pk) for pk in value} & known)
            elif isinstance(value, str):
                value = value.strip()
            if getattr(locked, name) != value:
                if submitted and name in FIXED_ONCE_SUBMITTED:
                    raise ValidationError(
                        {
                            name: _(
                                "Votre candidature est déposée : votre profil et vos déclarations "
                                "d’éligibilité ne changent plus (retirez-la pour en déposer une autre)."
                            )
                        }
                    )
                setattr(locked, name, value)
                changed.append(name)
        if locked.profile and (problem := profiles.profile_problem(locked.call, locked.profile)):
            raise ValidationError({"profile": problem})
        locked.full_clean(exclude=["cv", "user", "call", "entrepreneur"])
        if changed:
            locked.updated_at = clock.now()
            locked.save()
            _record(locked, by=by, changed=changed)
    return locked


def attach_cv(candidate, upload, *, by):
    """Store the CV once checked (a real PDF, 5 Mo, 10 pages at most); a refused file leaves nothing."""
    _check_owner(candidate, by)
    check_open(candidate.call)
    content = cv.read(upload)
    name = (getattr(upload, "name", "") or "cv.pdf").replace("\\", "/").rsplit("/", 1)[-1][:150]
    stored = None
    try:
        with transaction.atomic():
            locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
            previous = locked.cv.name if locked.cv else ""
            locked.cv.save(cv.stored_name(locked, name), ContentFile(content), save=False)
            stored = locked.cv.name
            locked.cv_name = name
            locked.updated_at = clock.now()
            locked.save(update_fields=["cv", "cv_name", "updated_at"])
            _record(locked, by=by, changed=["cv"])
    except Exception:
        if stored:
            candidate.cv.storage.delete(stored)
        raise
    if previous:
        transaction.on_commit(lambda: locked.cv.storage.delete(previous))
    return locked


def choose(candidate, challenge, motivation: str, *, by):
    """Add a challenge to the candidacy (or rewrite its motivation while it is a draft): at most
    the call's number of challenges, only those published to candidates."""
    _check_owner(candidate, by)
    check_open(candidate.call)
    motivation = (motivation or "").strip()
    if len(motivation) > MOTIVATION_MAX:
        raise ValidationError(
            {"motivation": _("La motivation dépasse %(max)d caractères.") % {"max": MOTIVATION_MAX}}
        )
    if challenge.promotion_id != candidate.call.promotion_id or challenge.state != ChallengeState.RECRUITING:
        raise ValidationError(_("Ce défi n’est pas ouvert aux candidatures."), code="not_published")
    with transaction.atomic():
        locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
        application = locked.applications.filter(challenge=challenge).first()
        if application is None:
            limit = locked.call.candidate_max_challenges
            if counted_applications(locked).count() >= limit:
                raise ValidationError(
                    ngettext(
                        "Vous avez déjà choisi %(limit)d défi, le nombre maximal de l’appel.",
                        "Vous avez déjà choisi %(limit)d défis, le nombre maximal de l’appel.",
                        limit,
                    )
                    % {"limit": limit},
                    code="limit",
                )
            now = clock.now()
            application = Application.objects.create(
                candidate=locked,
                challenge=challenge,
                motivation=motivation,
                state_changed_at=now,
                created_at=now,
            )
            audit.record(
                challenge,
                AuditKind.CANDIDACY_CHANGED,
                by=by,
                subject=application.reference,
                changes={"candidate": locked.reference, "fields": ["challenge", "motivation"]},
            )
        elif application.state == ApplicationState.WITHDRAWN:
            raise ValidationError(
                _("Vous avez retiré votre candidature à ce défi : elle ne peut pas être déposée à nouveau."),
                code="withdrawn",
            )
        elif application.state != ApplicationState.DRAFT:
            raise ValidationError(
                _("Votre candidature à ce défi est déjà déposée : retirez-la pour la changer."),
                code="submitted",
            )
        elif application.motivation != motivation:
            application.motivation = motivation
            application.save(update_fields=["motivation"])
            audit.record(
                challenge,
                AuditKind.CANDIDACY_CHANGED,
                by=by,
                subject=application.reference,
                changes={"candidate": locked.reference, "fields": ["motivation"]},
            )
    return application


def drop(application, *, by):
    """Take a challenge out of a draft candidacy (a submitted one is withdrawn instead)."""
    _check_owner(application.candidate, by)
    check_open(application.candidate.call)
    if application.state != ApplicationState.DRAFT:
        raise ValidationError(_("Une candidature déposée se retire, elle ne s’efface pas."), code="submitted")
    with transaction.atomic():
        audit.record(
            application.challenge,
            AuditKind.CANDIDACY_CHANGED,
            by=by,
            subject=application.reference,
            changes={"candidate": application.candidate.reference, "fields": ["dropped"]},
        )
        application.delete()


def submit(candidate, *, by, options=None):
    """Submit every draft application of the candidacy at once, each through the one transition
    function: all or none (the first refusal undoes the others, with every reason)."""
    from recruitment import moves  # it reads this module's rules: imported when submitting

    _check_owner(candidate, by)
    drafts = list(candidate.applications.filter(state=ApplicationState.DRAFT).select_related("challenge"))
    if not drafts:
        raise moves.ApplicationMoveRefused(
            [_("Choisissez au moins un défi avant de déposer votre candidature.")], code="guards"
        )
    reasons = []
    with transaction.atomic():
        for application in drafts:
            try:
                moves.transition(application, "submit", by=by, options=options)
            except moves.ApplicationMoveRefused as refusal:
                reasons.extend(reason for reason in refusal.reasons if reason not in reasons)
        if reasons:
            transaction.set_rollback(True)
        else:
            type(candidate).objects.filter(pk=candidate.pk).update(submitted_at=clock.now())
    if reasons:
        raise moves.ApplicationMoveRefused(reasons, code="guards")
    candidate.refresh_from_db()
    return drafts
