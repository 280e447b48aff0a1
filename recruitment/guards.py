"""The conditions an application's moves check, each returning French reasons (none: it may
happen); `recruitment.workflow` says which move checks which. `team_complete` is the lifecycle's
`start` guard (named by its dotted path in `lifecycle.workflow`)."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lifecycle import calendar
from lifecycle.enums import ChallengeState
from recruitment import candidacy, rules, teams
from recruitment.enums import ApplicationState, Origin
from recruitment.services import accepts_applications


def reason_given(application, ctx):
    if ctx.reason is not None and not ctx.reason.strip():
        return [_("Indiquez le motif de la décision (il reste interne au programme).")]
    return []


def call_takes_applications(application, ctx):
    call = application.candidate.call
    if accepts_applications(call, now=ctx.now):
        return []
    stage = calendar.candidates_call_stage(call, ctx.now)
    if stage == calendar.BEFORE:
        return [
            _("L’appel à candidatures n’ouvre que le %(moment)s.")
            % {"moment": calendar.label(call.recruitment_opens_at)}
        ]
    if stage == calendar.UNSET:
        return [_("L’appel à candidatures de cette promotion n’a pas de date d’ouverture.")]
    return [
        _("L’appel à candidatures est clos depuis le %(moment)s (heure de Paris) : plus aucune candidature.")
        % {"moment": calendar.deadline_label(call.recruitment_closes_at)}
    ]


def challenge_published(application, ctx):
    if application.challenge.state != ChallengeState.RECRUITING:
        return [
            _("Le défi « %(challenge)s » n’est pas ouvert aux candidatures.")
            % {"challenge": application.challenge}
        ]
    return []


def challenge_recruiting(application, ctx):
    if application.challenge.state != ChallengeState.RECRUITING:
        return [
            _("Le défi « %(challenge)s » ne recrute plus (il est « %(state)s »).")
            % {
                "challenge": application.challenge,
                "state": ChallengeState(application.challenge.state).label,
            }
        ]
    return []


def candidacy_complete(application, ctx):
    reasons = candidacy.problems(application.candidate)
    if application.origin == Origin.CANDIDATE and not application.motivation.strip():
        reasons.append(
            _("Écrivez votre motivation pour le défi « %(challenge)s ».")
            % {"challenge": application.challenge}
        )
    return reasons


def eligible(application, ctx):
    return candidacy.ineligibility(application.candidate)


def within_the_call_limit(application, ctx):
    limit = application.candidate.call.candidate_max_challenges
    count = candidacy.counted_applications(application.candidate).count()
    if application.pk and not candidacy.counted_applications(application.candidate).filter(pk=application.pk):
        count += 1
    if count > limit:
        return [
            ngettext(
                "Une candidature porte sur %(limit)d défi au plus (vous en avez choisi %(count)d).",
                "Une candidature porte sur %(limit)d défis au plus (vous en avez choisi %(count)d).",
                limit,
            )
            % {"limit": limit, "count": count}
        ]
    return []


def interview_planned(application, ctx):
    if application.interview_at is None or not application.interview_place.strip():
        return [_("Donnez la date, l’heure et le lieu (ou le lien) de l’entretien.")]
    return []


def rank_given(application, ctx):
    if not application.rank:
        return [_("Donnez le rang de la candidature dans le classement du défi.")]
    return []


def not_accepted_elsewhere(application, ctx):
    other = (
        application.candidate.applications.filter(state=ApplicationState.ACCEPTED)
        .exclude(pk=application.pk)
        .select_related("challenge")
        .first()
    )
    if other is None:
        return []
    if rules.owns_application(ctx.by, application):
        return [
            _("Vous avez déjà accepté le défi « %(challenge)s » : on n’en accepte qu’un.")
            % {"challenge": other.challenge}
        ]
    return [
        _("Ce·tte candidat·e a déjà accepté le défi « %(challenge)s » : on n’accepte qu’un défi.")
        % {"challenge": other.challenge}
    ]


def candidate_not_erased(application, ctx):
    candidate = application.candidate
    if candidate.erased_at is not None or candidate.erasure_requested_at is not None:
        return [
            _("Les données de ce·tte candidat·e sont effacées (ou en cours d’effacement) : plus de décision.")
        ]
    return []


def team_has_room(application, ctx):
    call = application.challenge.promotion.call
    count = teams.members_count(application.challenge)
    if count >= call.max_eigs_per_challenge:
        return [
            _("L’équipe du défi « %(challenge)s » est complète (%(count)d EIG sur %(max)d au plus).")
            % {"challenge": application.challenge, "count": count, "max": call.max_eigs_per_challenge}
        ]
    return []


def team_complete(challenge, ctx):
    """The `start` guard: the call's minimum to maximum of EIGs, accepted candidates included."""
    call = challenge.promotion.call
    count = teams.members_count(challenge)
    if not call.min_eigs_per_challenge <= count <= call.max_eigs_per_challenge:
        return [
            _("Le défi doit compter entre %(min)d et %(max)d EIG recrutés (%(count)d).")
            % {"min": call.min_eigs_per_challenge, "max": call.max_eigs_per_challenge, "count": count}
        ]
    return []
