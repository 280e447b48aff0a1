"""What the mentors' and the managers' application pages share: the application's facts, the
assessor's grid and the comments, the moves' forms, the CV's download, and the handlers of
their posts. Each handler gets the application already read through the person's own list
(`recruitment.queries`): an application one may not read never reaches it (404 before).

The domain decides: `assessment.save_grid`, `assessment.comment`, `moves.transition`; a handler
says what it answered (its French messages) and redirects (PRG), or shows the page again with
what was typed when it refused."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _

from lifecycle import personal, profiles
from lifecycle.actors import actor_label
from lifecycle.enums import AuditKind
from lifecycle.models import AuditEvent
from recruitment import assessment, calendar, moves, workflow
from recruitment.enums import ApplicationMoveName, ApplicationState
from recruitment.forms_manage import CommentForm, GridForm
from recruitment.models import ApplicationComment, CandidateScore


@dataclass
class Posted:
    """What a refused post brought, shown again on the page."""

    grid: GridForm | None = None
    comment: CommentForm | None = None
    move: str = ""
    reason: str = ""
    errors: dict = field(default_factory=dict)
    forms: dict = field(default_factory=dict)  # other forms of the page (the interview, the rank)


def not_post(request):
    """The answer to anything but a POST on a post's URL (405), once the application is read (so
    an application one may not read answers 404 whatever the method); None for a POST."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


def pages_list(page):
    """The page numbers the pagination shows: first, last, and two around the current one."""
    last = page.paginator.num_pages
    wanted = sorted({1, last, *range(max(1, page.number - 2), min(last, page.number + 2) + 1)})
    pages, previous = [], 0
    for number in wanted:
        if number - previous > 1:
            pages.append("…")
        pages.append(number)
        previous = number
    return pages


def safe_next(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def cv_response(application) -> FileResponse:
    """The candidate's CV, as a download (never shown inline), to those who may read the
    application only (the caller read it through their own list)."""
    candidate = application.candidate
    if not candidate.cv or candidate.erased_at is not None:
        raise Http404
    try:
        stored = candidate.cv.open("rb")
    except OSError:
        raise Http404 from None
    name = slugify(f"cv {candidate.full_name}") or f"cv-{candidate.pk}"
    response = FileResponse(
        stored, as_attachment=True, content_type="application/pdf", filename=f"{name}.pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _links(candidate) -> list[dict]:
    links = []
    if candidate.portfolio_url:
        links.append({"label": _("Portfolio ou site personnel"), "url": candidate.portfolio_url})
    if candidate.code_url:
        links.append({"label": _("Code"), "url": candidate.code_url})
    for line in candidate.other_links.splitlines():
        if line.strip():
            links.append({"label": _("Autre lien"), "url": line.strip()})
    return links


def _safe_url(url: str) -> str:
    """A link typed by a candidate is followed only when it is http(s)."""
    return url if url.lower().startswith(("https://", "http://")) else ""


def _grids(application, criteria) -> list[dict]:
    """Every assessor's grid on the application: a row per assessor, a value per criterion."""
    by_scorer: dict = {}
    for score in CandidateScore.objects.filter(application=application).select_related("scorer"):
        row = by_scorer.setdefault(score.scorer_id, {"scorer": actor_label(score.scorer), "values": {}})
        row["values"][score.criterion_id] = score.value
    rows = []
    for row in by_scorer.values():
        values = list(row["values"].values())
        rows.append(
            {
                "scorer": row["scorer"],
                "values": [row["values"].get(criterion.pk) for criterion in criteria],
                "mean": round(sum(values) / len(values), 2) if values else None,
            }
        )
    return rows


def _history(application) -> list[dict]:
    events = list(
        AuditEvent.objects.filter(subject=application.reference)
        .select_related("actor")
        .order_by("created_at", "pk")
    )
    personal.prefetch(events)
    rows = []
    for event in events:
        changes = personal.changes_of(event)
        title = AuditKind(event.kind).label if event.kind in AuditKind.values else event.kind
        if event.transition in ApplicationMoveName.values:
            title = ApplicationMoveName(event.transition).label
        rows.append(
            {
                "event": event,
                "title": title,
                "from_state": _state_label(event.from_state),
                "to_state": _state_label(event.to_state),
                "reason": changes.get("reason") or "",
            }
        )
    return rows


def _state_label(state) -> str:
    return str(ApplicationState(state).label) if state in ApplicationState.values else ""


def _move_forms(application, user, posted: Posted | None) -> list[dict]:
    forms = []
    for move, reasons in moves.possible_moves(application, by=user):
        mine = posted is not None and posted.move == move.name.value
        forms.append(
            {
                "move": move,
                "name": move.name.value,
                "label": move.label,
                "reasons": reasons,
                "needs_reason": move.needs_reason,
                "reason": posted.reason if mine else "",
                "errors": posted.errors if mine else {},
                "tells_candidate": bool(move.message),
            }
        )
    return forms


def detail_context(application, user, *, posted: Posted | None = None, for_manager: bool) -> dict:
    """The application's page: the candidate, their links and motivation, the grids, the
    comments, the moves `user` may make (with what keeps each back now) and, for managers, the
    candidate's declarations, their other applications and the application's history."""
    candidate = application.candidate
    call = candidate.call
    criteria = list(call.candidate_criteria.all())
    assessable = application.state in assessment.ASSESSED_STATES
    grid_form = (posted.grid if posted and posted.grid else None) or GridForm(
        criteria=criteria, scores=assessment.grid_of(application, user)
    )
    comment_form = (posted.comment if posted and posted.comment else None) or CommentForm()
    comments = list(
        ApplicationComment.objects.filter(application=application)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    grids = _grids(application, criteria)
    move_forms = _move_forms(application, user, posted)
    all_values = [value for row in grids for value in row["values"] if value is not None]
    context = {
        "application": application,
        "candidate": candidate,
        "challenge": application.challenge,
        "state_label": ApplicationState(application.state).label,
        "profile_label": profiles.label_of(call, candidate.profile),
        "links": [{**link, "href": _safe_url(link["url"])} for link in _links(candidate)],
        "interview_when": calendar.when(application) if application.interview_at else "",
        "criteria": criteria,
        "grid_form": grid_form,
        "grid_blocks": grid_form.blocks(),
        "comment_form": comment_form,
        "comments": [
            {"comment": comment, "author": actor_label(comment.author), "mine": comment.author_id == user.pk}
            for comment in comments
        ],
        "assessable": assessable,
        "mean_score": round(sum(all_values) / len(all_values), 2) if all_values else None,
        "score_count": len(all_values),
        "scorer_count": len(grids),
        "move_forms": [option for option in move_forms if not option["reasons"]],
        "blocked_moves": [option for option in move_forms if option["reasons"]],
        "for_manager": for_manager,
        "posted": posted,
    }
    if for_manager:
        declared = set(candidate.declarations or [])
        context.update(
            grids=grids,
            declarations=[
                {"text": rule.text, "declared": rule.pk in declared} for rule in call.eligibility_rules.all()
            ],
            others=list(
                candidate.applications.exclude(pk=application.pk)
                .exclude(state=ApplicationState.DRAFT)
                .select_related("challenge")
                .order_by("challenge__name")
            ),
            history=_history(application),
        )
    return context


# The posts ---------------------------------------------------------------------------------


def post_grid(request, application, *, here: str, render_page):
    criteria = list(application.candidate.call.candidate_criteria.all())
    form = GridForm(request.POST, criteria=criteria)
    if not form.is_valid():
        messages.error(request, _("La grille n’est pas enregistrée : vérifiez les notes."))
        return render_page(Posted(grid=form))
    try:
        assessment.save_grid(application, form.values(), by=request.user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return render_page(Posted(grid=form))
    messages.success(request, _("Votre grille est enregistrée."))
    return redirect(f"{here}#grille")


def post_comment(request, application, *, here: str, render_page):
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            assessment.comment(application, form.cleaned_data["text"], by=request.user)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            for message in form.add_domain_errors(error):
                form.add_error(None, message)
        else:
            messages.success(request, _("Votre commentaire est enregistré."))
            return redirect(f"{here}#commentaires")
    messages.error(request, _("Le commentaire n’est pas enregistré."))
    return render_page(Posted(comment=form))


def bare_move(name: str):
    """The move a post names, offered by a button (a move made through its own form is not): 404
    for any other name."""
    if name not in ApplicationMoveName.values:
        raise Http404
    move = workflow.move(name)
    if move.made_through:
        raise Http404
    return move


def moved_message(application, move) -> str:
    text = _("« %(action)s » : la candidature de %(candidate)s est maintenant « %(state)s ».") % {
        "action": move.label,
        "candidate": application.candidate.full_name,
        "state": ApplicationState(application.state).label,
    }
    if move.message:
        text += " " + _("Un e-mail l’en informe.")
    return text


def post_move(request, application, name: str, *, here: str, render_page):
    """One move of the application, confirmed (the box `confirm`), with its reason when it needs
    one; refused: the page again with the reasons and what was typed."""
    move = bare_move(name)
    reason = request.POST.get("reason", "")
    if not request.POST.get("confirm"):
        messages.error(
            request,
            _("« %(action)s » n’a pas été fait : cochez « Je confirme » pour le faire.")
            % {"action": move.label},
        )
        errors = {"confirm": _("Cochez cette case pour faire « %(action)s ».") % {"action": move.label}}
        return render_page(Posted(move=name, reason=reason, errors=errors))
    try:
        moves.transition(application, name, by=request.user, reason=reason)
    except moves.ApplicationMoveRefused as refusal:
        messages.error(
            request,
            _("« %(action)s » refusé : %(reasons)s")
            % {"action": move.label, "reasons": " ".join(refusal.reasons)},
        )
        errors = {"refused": refusal.reasons}
        if move.needs_reason and not reason.strip():
            errors["reason"] = _("Indiquez le motif de la décision : il est obligatoire.")
        return render_page(Posted(move=name, reason=reason, errors=errors))
    messages.success(request, moved_message(application, move))
    return redirect(safe_next(request, here))
