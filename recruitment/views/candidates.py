"""The candidates' pages: the public list of the challenges published to candidates and their
pages (no sign-in), and the candidate's space (/candidatures/espace/…): the candidacy, its CV,
declarations and challenges, its submission, the decisions on an offer, the interview's .ics, and
the candidate's data (download, erasure).

Views are thin: `recruitment.candidacy`, `recruitment.moves` and `recruitment.retention` check
and write (a closed call refuses every change there); `recruitment.publication` says what is
published. A candidate reaches only their own candidacy, CV, applications and files: anything
else answers 404; the space is for the candidate's role only (404 otherwise).
"""

import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from lifecycle import profiles, richtext
from recruitment import calendar, candidacy, moves, publication, retention, rules
from recruitment.enums import ApplicationMoveName, ApplicationState, Origin
from recruitment.forms_candidates import CvForm, DeclarationsForm, FiltersForm, IdentityForm, MotivationForm
from recruitment.models import Application, Candidate

# --- The public pages --------------------------------------------------------------------------


def challenges(request):
    """The challenges published to candidates while the call is open, filtered by profile and
    place; the call's calendar; what to do to apply. Closed or not open yet: said, no list."""
    stage = publication.public_stage()
    context = {
        "title": _("Candidater au programme EIG"),
        "stage": stage,
        "is_candidate": rules.is_candidate(request.user),
    }
    if stage is not None:
        context["calendar_rows"] = publication.calendar_rows(stage.call)
    if stage is not None and stage.open:
        call = stage.call
        every, places = publication.cards(call)
        form = FiltersForm(request.GET or None, call=call, places=places)
        profile, place = (form.value("profil"), form.value("lieu")) if form.is_bound else ("", "")
        kept = publication.keep(every, profile=profile, place=place)
        context |= {
            "form": form,
            "cards": kept,
            "total": len(every),
            "filtered": bool(profile or place),
            "max_challenges": call.candidate_max_challenges,
        }
    return render(request, "candidates/challenges.html", context)


def challenge(request, pk):
    """A published challenge's page: its missions, the profiles sought, its administration and
    place; 404 unless it is published to candidates now."""
    stage = publication.public_stage()
    if stage is None or not stage.open:
        raise Http404
    found = publication.published_challenge(pk, stage.call)
    if found is None:
        raise Http404
    call = stage.call
    positions = [
        {
            "rank": position.rank,
            "profile": profiles.label_of(call, position.profile),
            "mission": position.mission,
            "expertise": position.expertise,
        }
        for position in found.eig_positions.all()
    ]
    context = {
        "title": found.name,
        "stage": stage,
        "challenge": found,
        "card": publication.card(found, call),
        "description": richtext.to_html(found.public_description),
        "address": found.address or found.administration.address,
        "positions": positions,
        "calendar_rows": publication.calendar_rows(call),
    }
    return render(request, "candidates/challenge.html", context)


# --- Access ------------------------------------------------------------------------------------


def candidate_required(view):
    """Signed in (else the sign-in page), with the candidate's role (else 404, as every page a
    role may not see)."""

    @login_required
    @never_cache
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not rules.is_candidate(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _current(user):
    """The candidacy the space shows, and where its call stands: the one in the call open now
    (created at the first visit), else the candidate's latest; (None, the public call's stage)
    for a candidate who never applied."""
    # An offer waiting for the candidate's answer comes first, whatever call is open now.
    offered = (
        Candidate.objects.filter(user=user, applications__state=ApplicationState.OFFERED)
        .select_related("call__promotion")
        .order_by("-call__promotion__number", "-pk")
        .first()
    )
    if offered is not None:
        return offered, publication.stage_of(offered.call)
    call = publication.open_call()
    if call is not None:
        try:
            return candidacy.candidacy_for(call, user), publication.Stage(call, publication.OPEN)
        except ValidationError:  # closed at this very second
            pass
    latest = (
        Candidate.objects.filter(user=user)
        .select_related("call__promotion")
        .order_by("-call__promotion__number", "-pk")
        .first()
    )
    if latest is not None:
        return latest, publication.stage_of(latest.call)
    return None, publication.public_stage()


def _own_candidate(user, pk) -> Candidate:
    candidate = Candidate.objects.select_related("call__promotion").filter(pk=pk).first()
    if candidate is None or not rules.owns_candidacy(user, candidate):
        raise Http404
    return candidate


def _own_application(user, pk) -> Application:
    application = (
        Application.objects.select_related("candidate__call__promotion", "challenge__administration")
        .filter(pk=pk)
        .first()
    )
    if application is None or not rules.owns_application(user, application):
        raise Http404
    return application


# --- The candidate's space ---------------------------------------------------------------------

BADGES = {
    ApplicationState.DRAFT: "new",
    ApplicationState.SUBMITTED: "info",
    ApplicationState.PRESELECTED: "info",
    ApplicationState.INTERVIEW: "info",
    ApplicationState.RANKED: "info",
    ApplicationState.OFFERED: "new",
    ApplicationState.ACCEPTED: "success",
    ApplicationState.DECLINED: "",
    ApplicationState.REJECTED: "",
    ApplicationState.WITHDRAWN: "",
}
# The candidate's decisions on their own application, each on its confirmation page.
DECISIONS = {
    ApplicationMoveName.ACCEPT: "candidates:accept",
    ApplicationMoveName.DECLINE: "candidates:decline",
    ApplicationMoveName.WITHDRAW: "candidates:withdraw",
}


# The states in which an application's interview is still the candidate's (its .ics served).
INTERVIEW_STATES = {
    ApplicationState.INTERVIEW,
    ApplicationState.RANKED,
    ApplicationState.OFFERED,
    ApplicationState.ACCEPTED,
}


def has_calendar(application) -> bool:
    return application.interview_at is not None and application.state in INTERVIEW_STATES


def state_sentence(application) -> str:
    """Where an application stands, in the candidate's words (never its rank nor the grids)."""
    state = application.state
    if state == ApplicationState.DRAFT:
        return _("Brouillon : pas encore déposée. Déposez votre candidature pour qu’elle soit étudiée.")
    if state == ApplicationState.SUBMITTED:
        return _("Déposée : l’équipe du programme et les mentors du défi l’étudient.")
    if state == ApplicationState.PRESELECTED:
        return _("Présélectionnée : vous serez invité·e à un entretien.")
    if state == ApplicationState.INTERVIEW:
        return _("Invitée à un entretien : voyez la date et le lieu ci-dessous.")
    if state == ApplicationState.RANKED:
        return _("Entretien passé : le programme vous écrira sa décision.")
    if state == ApplicationState.OFFERED:
        return _("Le programme vous propose ce défi : acceptez-le ou déclinez-le.")
    if state == ApplicationState.ACCEPTED:
        return _("Vous avez accepté ce défi : bienvenue dans la promotion !")
    if state == ApplicationState.DECLINED:
        return _("Vous avez décliné ce défi.")
    if state == ApplicationState.REJECTED:
        return _("Votre candidature à ce défi n’a pas été retenue.")
    return _("Cette candidature est retirée.")


def motivation_missing(application) -> str:
    if application.origin == Origin.CANDIDATE and not application.motivation.strip():
        return _("Écrivez votre motivation pour le défi « %(challenge)s ».") % {
            "challenge": application.challenge
        }
    return ""


def checklist(candidate, drafts) -> list[str]:
    """What keeps the candidacy from being submitted, as the submission's guards would say it."""
    missing = candidacy.problems(candidate) + candidacy.ineligibility(candidate)
    if not drafts and not candidate.applications.exclude(state=ApplicationState.DRAFT).exists():
        missing.append(_("Choisissez au moins un défi avant de déposer votre candidature."))
    missing += [text for text in (motivation_missing(draft) for draft in drafts) if text]
    return missing


def retention_sentence(candidate, applications) -> str:
    """What is kept of the candidate's data, and until when, in words."""
    days = candidate.call.candidate_data_retention_days
    if candidate.erased_at:
        return _("Vos données ont été effacées le %(day)s.") % {"day": _day(candidate.erased_at)}
    if any(application.state == ApplicationState.ACCEPTED for application in applications):
        return _(
            "Vous avez accepté un défi : vos données servent à votre recrutement et suivent votre "
            "contrat d’EIG. Pour les faire rectifier, écrivez à l’équipe du programme."
        )
    until = retention.kept_until(candidate)
    if until is not None:
        return _(
            "Vos candidatures sont terminées : vos données (identité, coordonnées, liens, CV, motivations) "
            "seront effacées le %(day)s, %(days)d jours après les résultats."
        ) % {"day": _day(until), "days": days}
    return _(
        "Vos données (identité, coordonnées, liens, CV, motivations) sont conservées tant que votre "
        "candidature est en cours. Si elle n’aboutit pas, elles sont effacées %(days)d jours après "
        "les résultats ; si vous êtes recruté·e, elles suivent votre contrat."
    ) % {"days": days}


def _day(moment) -> str:
    return date_format(timezone.localtime(moment), "j F Y")


def _rows(candidate, applications, user):
    rows = []
    for application in applications:
        decisions = []
        if application.state != ApplicationState.DRAFT:
            for move, reasons in moves.possible_moves(application, by=user):
                if move.name in DECISIONS:
                    decisions.append(
                        {
                            "name": str(move.name),
                            "label": move.label,
                            "url": reverse(DECISIONS[move.name], args=[application.pk]),
                            "reasons": reasons,
                        }
                    )
        rows.append(
            {
                "application": application,
                "state_label": ApplicationState(application.state).label,
                "badge": BADGES[ApplicationState(application.state)],
                "sentence": state_sentence(application),
                "missing": motivation_missing(application)
                if application.state == ApplicationState.DRAFT
                else "",
                "interview": calendar.when(application) if application.interview_at else "",
                "interview_link": application.interview_place.startswith(("https://", "http://")),
                "ics": has_calendar(application),
                "decisions": decisions,
            }
        )
    return rows


def _readable(candidate) -> dict:
    """What the read-only summary of a candidacy shows besides its fields."""
    texts = {rule.pk: rule.text for rule in candidate.call.eligibility_rules.all()}
    return {
        "declared": [texts[pk] for pk in candidate.declarations if pk in texts],
        "links": [line.strip() for line in candidate.other_links.splitlines() if line.strip()],
    }


def _space(request, candidate, stage, **forms):
    """The space's page; `forms` gives a refused form back (with `form_errors`, the domain's
    refusals that belong to no field, and `errors_of`, the part they belong to)."""
    call = candidate.call
    applications = list(
        candidate.applications.select_related(
            "challenge__administration", "challenge__promotion__call"
        ).order_by("created_at", "pk")
    )
    drafts = [application for application in applications if application.state == ApplicationState.DRAFT]
    editable = stage.open and candidate.erased_at is None
    counted = candidacy.counted_applications(candidate).count()
    # Once submitted, the profile and the declarations stand (`candidacy.FIXED_ONCE_SUBMITTED`).
    submitted = any(application.state != ApplicationState.DRAFT for application in applications)
    context = {
        "title": _("Ma candidature"),
        "candidate": candidate,
        "call": call,
        "stage": stage,
        "editable": editable,
        "calendar_rows": publication.calendar_rows(call),
        "identity_form": forms.get("identity_form")
        or IdentityForm(initial=IdentityForm.initial_of(candidate), call=call),
        "declarations_form": forms.get("declarations_form")
        or DeclarationsForm(initial={"declarations": [str(pk) for pk in candidate.declarations]}, call=call),
        "cv_form": forms.get("cv_form") or CvForm(),
        "form_errors": forms.get("form_errors") or [],
        "errors_of": forms.get("errors_of", ""),
        "rows": _rows(candidate, applications, request.user),
        "drafts": drafts,
        "counted": counted,
        "max_challenges": call.candidate_max_challenges,
        "room_left": 0
        if any(application.state == ApplicationState.ACCEPTED for application in applications)
        else max(call.candidate_max_challenges - counted, 0),
        "fixed": submitted,
        "missing": checklist(candidate, drafts) if editable else [],
        "profile_label": profiles.label_of(call, candidate.profile),
        **_readable(candidate),
        "retention": retention_sentence(candidate, applications),
        "can_erase": candidate.erased_at is None
        and not any(application.state == ApplicationState.ACCEPTED for application in applications),
    }
    if submitted:
        context["identity_form"].fields["profile"].disabled = True
        for field in context["declarations_form"].fields.values():
            field.disabled = True
    return render(request, "candidates/space.html", context)


@candidate_required
def space(request):
    candidate, stage = _current(request.user)
    if candidate is None:
        return render(
            request,
            "candidates/space_none.html",
            {"title": _("Ma candidature"), "stage": stage},
        )
    return _space(request, candidate, stage)


def _editable_candidacy(request):
    """The candidacy a form of the space writes to: the one in the open call (the domain refuses
    any change once it is closed); 404 for a candidate without one."""
    candidate, stage = _current(request.user)
    if candidate is None:
        raise Http404
    return candidate, stage


def _back_to(anchor: str):
    return redirect(reverse("candidates:space") + f"#{anchor}")


@candidate_required
@require_http_methods(["GET", "POST"])
def identity(request):
    if request.method == "GET":
        return _back_to("identite")
    candidate, stage = _editable_candidacy(request)
    form = IdentityForm(request.POST, call=candidate.call, initial=IdentityForm.initial_of(candidate))
    submitted = candidate.applications.exclude(state=ApplicationState.DRAFT).exists()
    form.fields["profile"].disabled = submitted  # it stands once submitted: its initial value is kept
    others = []
    if form.is_valid():
        try:
            candidacy.update(candidate, form.cleaned_data, by=request.user)
        except ValidationError as error:
            others = form.add_domain_errors(error)
        else:
            messages.success(request, _("Vos informations sont enregistrées."))
            return _back_to("identite")
    return _space(request, candidate, stage, identity_form=form, form_errors=others, errors_of="identity")


@candidate_required
@require_http_methods(["GET", "POST"])
def declarations(request):
    if request.method == "GET":
        return _back_to("eligibilite")
    candidate, stage = _editable_candidacy(request)
    form = DeclarationsForm(request.POST, call=candidate.call)
    others = []
    if form.is_valid():
        try:
            candidacy.update(candidate, {"declarations": form.cleaned_data["declarations"]}, by=request.user)
        except ValidationError as error:
            others = list(error.messages)
        else:
            messages.success(request, _("Vos déclarations sont enregistrées."))
            return _back_to("eligibilite")
    return _space(
        request, candidate, stage, declarations_form=form, form_errors=others, errors_of="declarations"
    )


@candidate_required
@require_http_methods(["GET", "POST"])
def cv_upload(request):
    if request.method == "GET":  # a refused large upload comes back here (web.uploads)
        return _back_to("cv")
    candidate, stage = _editable_candidacy(request)
    form = CvForm(request.POST, request.FILES)
    others = []
    if form.is_valid():
        try:
            candidacy.attach_cv(candidate, form.cleaned_data["cv"], by=request.user)
        except ValidationError as error:
            if error.code == "closed":
                others = list(error.messages)
            else:
                form.add_error("cv", error)
        else:
            messages.success(request, _("Votre CV est enregistré."))
            return _back_to("cv")
    return _space(request, candidate, stage, cv_form=form, form_errors=others, errors_of="cv")


@candidate_required
def cv_download(request, pk):
    candidate = _own_candidate(request.user, pk)
    if not candidate.cv:
        raise Http404
    try:
        stored = candidate.cv.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(
        stored,
        as_attachment=True,
        content_type="application/pdf",
        filename=candidate.cv_name or f"cv-{candidate.pk}.pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def sign_in_first(request):
    return render(
        request,
        "candidates/sign_in_first.html",
        {"title": _("Créez votre compte pour postuler"), "next": request.get_full_path()},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def apply(request, pk):
    """A challenge chosen from the public list: the motivation for it (a draft application, or
    its motivation rewritten). Anonymous visitors are asked to sign up or in first."""
    call = publication.open_call()
    chosen = publication.published_challenge(pk, call) if call is not None else None
    if chosen is None:
        raise Http404
    if not request.user.is_authenticated:
        return sign_in_first(request)
    if not rules.is_candidate(request.user):
        raise PermissionDenied
    candidate, stage = _current(request.user)
    if candidate is None or candidate.call_id != call.pk:
        raise Http404
    application = candidate.applications.filter(challenge=chosen).first()
    submitted = application is not None and application.state != ApplicationState.DRAFT
    data = request.POST if request.method == "POST" and not submitted else None
    form = MotivationForm(data, initial={"motivation": application.motivation if application else ""})
    refusal = []
    if data is not None and form.is_valid():
        try:
            candidacy.choose(candidate, chosen, form.cleaned_data["motivation"], by=request.user)
        except ValidationError as error:
            refusal = form.add_domain_errors(error)
        else:
            if application is None:
                messages.success(
                    request,
                    _("Le défi « %(challenge)s » est ajouté à votre candidature (brouillon).")
                    % {"challenge": chosen.name},
                )
            else:
                messages.success(request, _("Votre motivation est enregistrée."))
            return _back_to("defis")
    counted = candidacy.counted_applications(candidate).count()
    context = {
        "title": _("Postuler : %(challenge)s") % {"challenge": chosen.name},
        "challenge": chosen,
        "card": publication.card(chosen, call),
        "application": application,
        "submitted": submitted,
        "form": form,
        "refusal": refusal,
        "counted": counted,
        "max_challenges": call.candidate_max_challenges,
        "full": application is None and counted >= call.candidate_max_challenges,
        "stage": stage,
    }
    return render(request, "candidates/apply.html", context, status=400 if refusal else 200)


@candidate_required
@require_POST
def drop(request, pk):
    application = _own_application(request.user, pk)
    stage = publication.stage_of(application.candidate.call)
    if not stage.open:  # a draft is kept as it was once the call is closed
        messages.error(request, stage.closed_message)
        return _back_to("defis")
    try:
        candidacy.drop(application, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Le défi « %(challenge)s » est retiré de votre brouillon.")
            % {"challenge": application.challenge},
        )
    return _back_to("defis")


@candidate_required
@require_http_methods(["GET", "POST"])
def submit(request):
    """What will be sent, then its submission: every draft at once, or every reason it cannot."""
    candidate, stage = _editable_candidacy(request)
    drafts = list(
        candidate.applications.filter(state=ApplicationState.DRAFT)
        .select_related("challenge__administration")
        .order_by("created_at", "pk")
    )
    reasons = []
    if request.method == "POST":
        try:
            candidacy.submit(candidate, by=request.user)
        except moves.ApplicationMoveRefused as refusal:
            reasons = refusal.reasons
        else:
            messages.success(
                request,
                _(
                    "Votre candidature est déposée : un e-mail vous le confirme. Vous suivez ici chaque "
                    "étape, jusqu’aux résultats."
                ),
            )
            return _back_to("defis")
    call = candidate.call
    context = {
        "title": _("Déposer ma candidature"),
        "candidate": candidate,
        "stage": stage,
        "drafts": drafts,
        "reasons": reasons,
        "missing": checklist(candidate, drafts) if stage.open else [],
        "profile_label": profiles.label_of(call, candidate.profile),
        **_readable(candidate),
    }
    return render(request, "candidates/submit.html", context, status=400 if reasons else 200)


@candidate_required
@require_http_methods(["GET", "POST"])
def decide(request, pk, move):
    """Accept or decline an offer, or withdraw an application: a confirmation page each (the
    decision cannot be undone), then the move through `moves.transition`."""
    application = _own_application(request.user, pk)
    move = ApplicationMoveName(move)
    if application.state == ApplicationState.DRAFT:
        raise Http404
    reasons = []
    if request.method == "POST":
        try:
            moves.transition(application, move, by=request.user)
        except moves.ApplicationMoveRefused as refusal:
            reasons = refusal.reasons
        else:
            done = {
                ApplicationMoveName.ACCEPT: _(
                    "Vous avez accepté le défi « %(challenge)s ». L’équipe du programme vous écrit pour "
                    "la suite."
                ),
                ApplicationMoveName.DECLINE: _("Vous avez décliné le défi « %(challenge)s »."),
                ApplicationMoveName.WITHDRAW: _("Votre candidature au défi « %(challenge)s » est retirée."),
            }[move]
            messages.success(request, done % {"challenge": application.challenge.name})
            return _back_to("defis")
    else:
        possible = dict((m.name, r) for m, r in moves.possible_moves(application, by=request.user))
        reasons = possible[move] if move in possible else [moves.not_from_state(move, application)]
    context = {
        "title": {
            ApplicationMoveName.ACCEPT: _("Accepter le défi"),
            ApplicationMoveName.DECLINE: _("Décliner le défi"),
            ApplicationMoveName.WITHDRAW: _("Retirer ma candidature"),
        }[move],
        "application": application,
        "move": str(move),
        "reasons": reasons,
        "others": [
            other
            for other in application.candidate.applications.exclude(pk=application.pk)
            .exclude(state__in=ApplicationState.final())
            .exclude(state=ApplicationState.DRAFT)
            .select_related("challenge")
        ],
    }
    return render(
        request,
        "candidates/decide.html",
        context,
        status=400 if reasons and request.method == "POST" else 200,
    )


@candidate_required
def interview_ics(request, pk):
    application = _own_application(request.user, pk)
    if not has_calendar(application):
        raise Http404
    response = HttpResponse(calendar.ics(application), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="entretien-eig-{application.pk}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


@candidate_required
def data_export(request, pk):
    """Everything kept about the candidate (retention.export), as a JSON download."""
    candidate = _own_candidate(request.user, pk)
    content = json.dumps(retention.export(candidate), ensure_ascii=False, indent=2)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="mes-donnees-eig-{candidate.pk}.json"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@candidate_required
@require_http_methods(["GET", "POST"])
def erasure(request, pk):
    """What an erasure does, then the request: applications in progress withdrawn, the data
    erased at once, the account closed (when it served this candidacy only)."""
    candidate = _own_candidate(request.user, pk)
    accepted = candidate.applications.filter(state=ApplicationState.ACCEPTED).exists()
    refusal = []
    if request.method == "POST" and candidate.erased_at is None:
        try:
            retention.request_erasure(candidate, by=request.user)
        except ValidationError as error:
            refusal = list(error.messages)
        except moves.ApplicationMoveRefused as error:
            refusal = error.reasons
        else:
            if not get_user_model().objects.filter(pk=request.user.pk, is_active=True).exists():
                logout(request)
                return render(request, "candidates/erased.html", {"title": _("Vos données sont effacées")})
            messages.success(request, _("Les données de cette candidature sont effacées."))
            return redirect("candidates:space")
    in_progress = list(
        candidate.applications.exclude(state__in=ApplicationState.final()).select_related("challenge")
    )
    context = {
        "title": _("Demander l’effacement de mes données"),
        "candidate": candidate,
        "accepted": accepted,
        "refusal": refusal,
        "in_progress": in_progress,
        "in_progress_names": ", ".join(application.challenge.name for application in in_progress),
    }
    return render(request, "candidates/erasure.html", context, status=400 if refusal else 200)
