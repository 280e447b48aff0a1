"""The programme managers' pages of the candidates' call (/gestion/candidatures/…): every
application (filters, pagination, bulk decisions confirmed on a page of their own, exports), an
application's page (the grids, the comments, every move, the interview, the rank), a challenge's
ranking, offers and team, and the candidates' personal data (what is kept, until when; the
retention run now).

Every change is the domain's: `recruitment.moves` (transition, transition_many, schedule_interview,
set_rank, offer_elsewhere), `recruitment.assessment`, `recruitment.retention`. The views read the
forms, call it, say what it answered and redirect (PRG); nothing moves before a confirmation."""

import itertools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from lifecycle import clock, profiles, services
from lifecycle.dossier.rules import unconfirmed_mentor_roles
from lifecycle.enums import ChallengeState, MentorRole, TransitionName
from lifecycle.models import Challenge, Promotion
from notifications import outbox
from notifications.enums import MessageEvent
from recruitment import calendar, exports, moves, queries, retention, teams, workflow
from recruitment import messages as candidate_messages
from recruitment.enums import ApplicationMoveName, ApplicationState
from recruitment.forms_manage import (
    BULK_MOVES,
    RECRUITED_STATES,
    BulkForm,
    FilterForm,
    InterviewForm,
    OfferElsewhereForm,
    RankForm,
    filter_choices,
)
from recruitment.models import Application, Candidate
from recruitment.views import _assessment
from web.access import manager_required

PER_PAGE = 50


def _filter_form(request_get):
    challenges, promotions, profile_choices = filter_choices()
    return FilterForm(
        request_get or None, challenges=challenges, promotions=promotions, profiles=profile_choices
    )


# The list, its exports and bulk decisions ------------------------------------------------------


@manager_required
def applications(request):
    form = _filter_form(request.GET)
    filters = form.filters()
    rows = queries.for_managers(filters).only(*queries.ROW_FIELDS)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    page.pages_list = _assessment.pages_list(page)
    page.object_list = queries.label_rows(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "recruitment/manage/list.html",
        {
            "title": _("Candidatures"),
            "form": form,
            "page_obj": page,
            "query": query.urlencode(),
            "filtered": bool(filters),
            "bulk_moves": [(move.value, move.label) for move in BULK_MOVES],
            "next_url": request.get_full_path(),
            "chosen_challenge": filters.get("challenge", ""),
        },
    )


@manager_required
def export(request, file_format):
    if file_format not in exports.FORMATS:
        raise Http404
    filters = _filter_form(request.GET).filters()
    content = exports.applications_table(
        queries.for_managers(filters).defer(*queries.NOT_LISTED), file_format
    )
    response = HttpResponse(content, content_type=exports.FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="candidatures.{file_format}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _mail_of(application, move, templates: dict) -> dict | None:
    """The e-mail the move writes to the application's candidate, as they will read it (in their
    language): its address, subject and text; None for a move that tells nobody."""
    if not move.message:
        return None
    candidate = application.candidate
    event = MessageEvent(move.message)
    language = candidate.language
    if language not in templates:
        templates[language] = outbox.template_for(event, language)
    subject, body = outbox.render(
        event,
        application.challenge,
        language=language,
        template=templates[language],
        context=candidate_messages.context_of(application),
    )
    return {"name": candidate.full_name, "email": candidate.email, "subject": subject, "body": body}


def _bulk_rows(applications_, move, user) -> list[dict]:
    """Each chosen application: whether the move happens to it, the reasons it would be refused
    now (its own button's, `moves.possible_moves`), and the e-mail its candidate would get."""
    templates: dict = {}
    rows = []
    for application in applications_:
        found = next(
            (
                reasons
                for option, reasons in moves.possible_moves(application, by=user)
                if option.name == move.name
            ),
            None,
        )
        refusals = [moves.not_from_state(move, application)] if found is None else found
        rows.append(
            {
                "application": application,
                "state": ApplicationState(application.state).label,
                "refusals": refusals,
                "mail": None if refusals else _mail_of(application, move, templates),
            }
        )
    return rows


def _chosen(request):
    data = request.POST
    wanted = data.getlist("on_page") if data.get("whole_page") else data.getlist("applications")
    ids = [int(value) for value in wanted if value.isdigit()]
    return list(
        queries.for_managers()
        .filter(pk__in=ids)
        .select_related("candidate__call", "challenge__promotion__call", "challenge__administration")
    )


@manager_required
@require_POST
def bulk(request):
    """A decision over the ticked applications: first a page that lists, for each, the e-mail its
    candidate will get (to whom, its subject and text) or why the decision is refused for it, the
    reason when the decision needs one, and the confirmation; nothing moves before. Then
    `moves.transition_many`, and the outcome: those moved, those refused with their reasons."""
    back = _assessment.safe_next(request, reverse("applications:list"))
    form = BulkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez la décision à appliquer aux candidatures cochées."))
        return redirect(back)
    move = workflow.move(form.cleaned_data["move"])
    chosen = _chosen(request)
    if not chosen:
        messages.error(request, _("Cochez au moins une candidature."))
        return redirect(back)
    rows = _bulk_rows(chosen, move, request.user)
    movable = [row for row in rows if not row["refusals"]]
    reason = request.POST.get("reason", "")
    errors = {}
    if request.POST.get("step") == "confirm":
        if move.needs_reason and not reason.strip():
            errors["reason"] = _("Indiquez le motif de la décision : il est obligatoire pour cette décision.")
        if not request.POST.get("confirm"):
            errors["confirm"] = _(
                "Cochez « Je confirme » pour appliquer la décision : rien n’a encore été fait."
            )
        if not errors:
            outcome = moves.transition_many(
                [row["application"] for row in movable], move.name, by=request.user, reason=reason
            )
            refused = [(row["application"], row["refusals"]) for row in rows if row["refusals"]]
            refused += list(outcome.refused.items())
            return render(
                request,
                "recruitment/manage/bulk_outcome.html",
                {
                    "title": _("« %(action)s » : résultat") % {"action": move.label},
                    "move": move,
                    "moved": outcome.moved,
                    "refused": refused,
                    "back_url": back,
                },
            )
        messages.error(
            request, _("« %(action)s » n’a pas été fait : rien n’a changé.") % {"action": move.label}
        )
    return render(
        request,
        "recruitment/manage/bulk_confirm.html",
        {
            "title": _("Confirmer : « %(action)s »") % {"action": move.label},
            "move": move,
            "rows": rows,
            "count": len(rows),
            "movable_count": len(movable),
            "mail_count": sum(1 for row in movable if row["mail"] and row["mail"]["email"]),
            "reason": reason,
            "errors": errors,
            "back_url": back,
        },
    )


# An application --------------------------------------------------------------------------------


def _application(pk):
    return get_object_or_404(
        queries.for_managers().select_related(
            "candidate__call", "challenge__promotion__call", "challenge__administration"
        ),
        pk=pk,
    )


def _page(request, application, posted=None):
    context = _assessment.detail_context(application, request.user, posted=posted, for_manager=True)
    forms = posted.forms if posted else {}
    state = application.state
    context.update(
        title=_("Candidature de %(candidate)s") % {"candidate": application.candidate.full_name},
        grid_url=reverse("applications:grid", args=[application.pk]),
        comment_url=reverse("applications:comment", args=[application.pk]),
        cv_url=reverse("applications:cv", args=[application.pk]),
        move_url_name="applications:move",
        list_url=reverse("applications:list"),
        challenge_url=reverse("applications:challenge", args=[application.challenge_id]),
        interview_form=forms.get("interview")
        or InterviewForm(initial=InterviewForm.initial_of(application), prefix="entretien"),
        can_interview=state in workflow.move(ApplicationMoveName.INVITE_TO_INTERVIEW).sources,
        rank_form=forms.get("rank") or RankForm(initial={"rank": application.rank}, prefix="rang"),
        can_rank=state in workflow.move(ApplicationMoveName.RANK).sources,
    )
    return render(request, "recruitment/manage/detail.html", context)


def _here(application) -> str:
    return reverse("applications:application", args=[application.pk])


@manager_required
def detail(request, pk):
    return _page(request, _application(pk))


@manager_required
def cv(request, pk):
    return _assessment.cv_response(_application(pk))


def _render_again(request, application):
    return lambda posted: _page(request, application, posted)


@manager_required
def grid(request, pk):
    application = _application(pk)
    return _assessment.not_post(request) or _assessment.post_grid(
        request, application, here=_here(application), render_page=_render_again(request, application)
    )


@manager_required
def comment(request, pk):
    application = _application(pk)
    return _assessment.not_post(request) or _assessment.post_comment(
        request, application, here=_here(application), render_page=_render_again(request, application)
    )


@manager_required
def move(request, pk, name):
    application = _application(pk)
    return _assessment.not_post(request) or _assessment.post_move(
        request, application, name, here=_here(application), render_page=_render_again(request, application)
    )


def _domain_errors(form, error: ValidationError, fields: dict | None = None):
    """The domain's errors on the form's fields (`fields` maps the domain's names to the form's)."""
    if hasattr(error, "error_dict") and fields:
        error = ValidationError({fields.get(name, name): errors for name, errors in error.error_dict.items()})
    for message in form.add_domain_errors(error):
        form.add_error(None, message)


@manager_required
def interview(request, pk):
    """Plan or move the interview (Paris time): `moves.schedule_interview` writes it and invites
    the candidate (the e-mail carries the .ics)."""
    application = _application(pk)
    if refused := _assessment.not_post(request):
        return refused
    form = InterviewForm(request.POST, prefix="entretien")
    if form.is_valid():
        try:
            moves.schedule_interview(
                application,
                at=form.moment(),
                place=form.cleaned_data["place"],
                minutes=form.cleaned_data["minutes"],
                by=request.user,
            )
        except ValidationError as error:
            _domain_errors(form, error, {"at": "day"})
        except moves.ApplicationMoveRefused as refusal:
            form.add_error(None, " ".join(refusal.reasons))
        else:
            application.refresh_from_db()
            messages.success(
                request,
                _(
                    "L’entretien de %(candidate)s est planifié le %(when)s ; "
                    "l’invitation (.ics) lui est envoyée."
                )
                % {"candidate": application.candidate.full_name, "when": calendar.when(application)},
            )
            return redirect(f"{_here(application)}#entretien")
    messages.error(request, _("L’entretien n’est pas planifié."))
    return _page(request, application, _assessment.Posted(forms={"interview": form}))


@manager_required
def rank(request, pk):
    application = _application(pk)
    if refused := _assessment.not_post(request):
        return refused
    form = RankForm(request.POST, prefix="rang")
    if form.is_valid():
        try:
            moves.set_rank(
                application, form.cleaned_data["rank"], by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _domain_errors(form, error)
        except moves.ApplicationMoveRefused as refusal:
            form.add_error(None, " ".join(refusal.reasons))
        else:
            messages.success(
                request,
                _("%(candidate)s est classé·e au rang %(rank)d pour « %(challenge)s ».")
                % {
                    "candidate": application.candidate.full_name,
                    "rank": form.cleaned_data["rank"],
                    "challenge": application.challenge.name,
                },
            )
            return redirect(_assessment.safe_next(request, f"{_here(application)}#classement"))
    messages.error(request, _("Le rang n’est pas enregistré."))
    return _page(request, application, _assessment.Posted(forms={"rank": form}))


# A challenge: its ranking, its offers, its team ----------------------------------------------------


def _challenge(challenge_pk):
    return get_object_or_404(
        Challenge.objects.select_related("promotion__call", "administration"), pk=challenge_pk
    )


def _start(challenge, user) -> dict:
    """Whether the challenge can `start` now, and why not (the lifecycle's own answer)."""
    option = next(
        (
            option
            for option in services.transition_options(challenge, by=user)
            if option.name == TransitionName.START
        ),
        None,
    )
    if option is None:
        if challenge.state in (ChallengeState.RUNNING, ChallengeState.COMPLETED):
            return {"possible": False, "started": True, "reasons": []}
        return {
            "possible": False,
            "started": False,
            "reasons": [
                _("Le défi démarre depuis l’état « %(state)s » ; il est « %(now)s ».")
                % {"state": ChallengeState.RECRUITING.label, "now": ChallengeState(challenge.state).label}
            ],
        }
    return {"possible": option.possible, "started": False, "reasons": option.reasons}


def _ranking_groups(challenge, user) -> list[dict]:
    rows = queries.ranking(challenge)
    groups = []
    for label, items in itertools.groupby(rows, key=lambda row: row.profile_label):
        entries = []
        for row in items:
            offer = None
            if row.state == ApplicationState.RANKED:
                found = next(
                    (reasons for move, reasons in moves.possible_moves(row, by=user) if move.name == "offer"),
                    None,
                )
                offer = {"reasons": found or []} if found is not None else None
            entries.append({"application": row, "offer": offer, "state": ApplicationState(row.state).label})
        groups.append({"profile": label, "rows": entries})
    return groups


def _challenge_page(request, challenge, *, elsewhere_form=None):
    call = challenge.promotion.call
    team = teams.team_of(challenge)
    counts = (
        Application.objects.filter(challenge=challenge)
        .exclude(state=ApplicationState.DRAFT)
        .aggregate(
            total=Count("pk"),
            **{state.value: Count("pk", filter=Q(state=state)) for state in queries.LISTED_STATES},
        )
    )
    mentors = {mentor.role: mentor for mentor in challenge.mentors.all()}
    unconfirmed = set(unconfirmed_mentor_roles(challenge))
    candidates = list(queries.interviewed_elsewhere(challenge))
    labels = {
        candidate.pk: f"{candidate.full_name} — {profiles.label_of(call, candidate.profile)}"
        for candidate in candidates
    }
    form = elsewhere_form or OfferElsewhereForm(candidates=candidates, labels=labels)
    return render(
        request,
        "recruitment/manage/challenge.html",
        {
            "title": _("Candidatures et équipe : « %(challenge)s »") % {"challenge": challenge.name},
            "challenge": challenge,
            "state_label": ChallengeState(challenge.state).label,
            "groups": _ranking_groups(challenge, request.user),
            "counts": counts,
            "state_counts": [
                {"state": state, "label": state.label, "count": counts[state.value]}
                for state in queries.LISTED_STATES
                if counts[state.value]
            ],
            "team": team,
            "members": [
                {"name": name, "profile": profiles.label_of(call, code)} for name, code in team.members
            ],
            "warnings": team.warnings(),
            "mentors": [
                {
                    "role": role.label,
                    "mentor": mentors.get(role),
                    "confirmed": role not in unconfirmed,
                }
                for role in MentorRole
            ],
            "start": _start(challenge, request.user),
            "elsewhere_form": form,
            "elsewhere_count": len(candidates),
            "recruiting": challenge.state == ChallengeState.RECRUITING,
            "list_url": reverse("applications:list") + f"?challenge={challenge.pk}",
        },
    )


@manager_required
def challenges(request):
    """The challenges that recruit or have recruited, each with its applications: the way to a
    challenge's ranking and team."""
    listed = ~Q(applications__state=ApplicationState.DRAFT)
    rows = list(
        Challenge.objects.filter(state__in=RECRUITED_STATES)
        .select_related("promotion", "administration")
        .only("pk", "name", "state", "promotion__name", "promotion__number", "administration__name")
        .annotate(
            application_count=Count("applications", filter=listed),
            accepted_count=Count("applications", filter=Q(applications__state=ApplicationState.ACCEPTED)),
        )
        .order_by("-promotion__number", "name", "pk")
    )
    return render(
        request,
        "recruitment/manage/challenges.html",
        {"title": _("Classement et équipe par défi"), "challenges": rows},
    )


@manager_required
def challenge(request, challenge_pk):
    return _challenge_page(request, _challenge(challenge_pk))


@manager_required
@require_POST
def offer_elsewhere(request, challenge_pk):
    """Offer the challenge to a candidate interviewed for another one (`moves.offer_elsewhere`)."""
    challenge_ = _challenge(challenge_pk)
    here = reverse("applications:challenge", args=[challenge_.pk])
    candidates = list(queries.interviewed_elsewhere(challenge_))
    labels = {candidate.pk: candidate.full_name for candidate in candidates}
    form = OfferElsewhereForm(request.POST, candidates=candidates, labels=labels)
    if form.is_valid():
        candidate = form.chosen
        try:
            moves.offer_elsewhere(candidate, challenge_, by=request.user, reason=form.cleaned_data["reason"])
        except moves.ApplicationMoveRefused as refusal:
            form.add_error(None, " ".join(refusal.reasons))
        else:
            messages.success(
                request,
                _("« %(challenge)s » est proposé à %(candidate)s ; un e-mail l’en informe.")
                % {"challenge": challenge_.name, "candidate": candidate.full_name},
            )
            return redirect(f"{here}#classement")
    messages.error(request, _("La proposition n’est pas faite."))
    return _challenge_page(request, challenge_, elsewhere_form=form)


# Personal data ---------------------------------------------------------------------------------


def _person_row(candidate, now) -> dict:
    until = retention.kept_until(candidate)
    return {"candidate": candidate, "kept_until": until, "due": until is not None and until <= now}


@manager_required
def personal_data(request):
    """What is kept about the candidates and until when: those whose data is due for erasure,
    those kept until a date, those who asked for the erasure, those erased."""
    now = clock.now()
    candidates = Candidate.objects.select_related("call__promotion")
    due = retention.due(now)
    kept = candidates.filter(erased_at__isnull=True, results_at__isnull=False).order_by("results_at", "pk")
    page = Paginator(kept, PER_PAGE).get_page(request.GET.get("page"))
    page.pages_list = _assessment.pages_list(page)
    page.object_list = [_person_row(candidate, now) for candidate in page.object_list]
    figures = Candidate.objects.aggregate(
        in_progress=Count(
            "pk", filter=Q(erased_at__isnull=True, results_at__isnull=True, submitted_at__isnull=False)
        ),
        kept=Count("pk", filter=Q(erased_at__isnull=True, results_at__isnull=False)),
        erased=Count("pk", filter=Q(erased_at__isnull=False)),
        asked=Count("pk", filter=Q(erasure_requested_at__isnull=False)),
    )
    return render(
        request,
        "recruitment/manage/personal_data.html",
        {
            "title": _("Données personnelles des candidat·e·s"),
            "figures": figures,
            "due": [_person_row(candidate, now) for candidate in due],
            "page_obj": page,
            "asked": list(
                candidates.filter(erasure_requested_at__isnull=False).order_by("-erasure_requested_at", "pk")[
                    :50
                ]
            ),
            "erased": list(candidates.filter(erased_at__isnull=False).order_by("-erased_at", "pk")[:50]),
            "promotions": list(
                Promotion.objects.filter(call__isnull=False).select_related("call").order_by("-number")
            ),
        },
    )


@manager_required
def run_retention(request):
    """GET: who would be erased now, and the confirmation; POST (the box `confirm`): the retention
    job now (`retention.run`), the same as its daily run."""
    now = clock.now()
    errors = {}
    if request.method == "POST":
        if request.POST.get("confirm"):
            outcome = retention.run()
            messages.success(
                request,
                ngettext(
                    "Conservation appliquée : %(count)d candidat·e effacé·e en %(seconds).2f s.",
                    "Conservation appliquée : %(count)d candidat·e·s effacé·e·s en %(seconds).2f s.",
                    outcome.erased,
                )
                % {"count": outcome.erased, "seconds": outcome.seconds},
            )
            return redirect("applications:personal_data")
        errors["confirm"] = _("Cochez « Je confirme » pour effacer : rien n’a encore été effacé.")
    due = retention.due(now)
    return render(
        request,
        "recruitment/manage/retention_run.html",
        {
            "title": _("Appliquer la conservation des données maintenant"),
            "due": [_person_row(candidate, now) for candidate in due],
            "errors": errors,
        },
    )
