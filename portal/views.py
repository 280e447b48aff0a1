"""The administrations' portal: a contact writes its dossier in steps, submits it, follows it."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition

from jury import calendar as slot_calendar
from jury import services as jury_services
from lifecycle import calendar, corrections, financing, promotions, rules, services
from lifecycle.dossier import edits, sections
from lifecycle.dossier.rules import dossier_problems
from lifecycle.enums import AuditKind, ChallengeState, TransitionName
from notifications.enums import DeliveryStatus, MessageEvent
from portal import editing, steps
from portal.access import challenge_of, challenges_of, contact_required
from portal.forms import NewDossierForm
from web.files import pitch_deck_response

LOCKED_MESSAGE = gettext_lazy("Ce dossier a été déposé : il ne peut plus être modifié.")


def _open_promotions():
    return promotions.open_for_submission()


def _state_label(challenge) -> str:
    return ChallengeState(challenge.state).label


@contact_required
def dossier_list(request):
    challenges = challenges_of(request.user).select_related("promotion__call").order_by("-created_at")
    rows = [
        {
            "challenge": challenge,
            "state": _state_label(challenge),
            "deadline": steps.deadline_for(challenge),
            "editable": rules.can_edit_dossier(request.user, challenge),
        }
        for challenge in challenges
    ]
    calls = [
        {"promotion": promotion, "deadline": steps.deadline_of(promotion.call)}
        for promotion in _open_promotions()
    ]
    upcoming = [
        {"promotion": promotion, "opens": calendar.label(promotion.call.submission_opens_at)}
        for promotion in promotions.opening_soon()
    ]
    return render(
        request,
        "portal/dossier_list.html",
        {
            "title": _("Mes dossiers"),
            "rows": rows,
            "open_calls": calls,
            "upcoming_calls": upcoming,
            "administration": request.user.profile.administration,
        },
    )


@contact_required
def dossier_create(request):
    open_promotions = _open_promotions()
    form = None
    if open_promotions.exists():
        form = NewDossierForm(request.POST or None, promotions=open_promotions)
        if request.method == "POST" and form.is_valid():
            try:
                challenge = edits.create_challenge(
                    promotion=form.cleaned_data["promotion"],
                    administration=request.user.profile.administration,
                    name=form.cleaned_data["name"],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            except PermissionDenied as refused:  # the call closed meanwhile
                form.add_error(None, str(refused))
            else:
                messages.success(request, _("Le dossier « %(name)s » est créé.") % {"name": challenge.name})
                return redirect("portal:dossier_step", pk=challenge.pk, step=steps.SLUGS[0])
    return render(
        request,
        "portal/dossier_create.html",
        {
            "title": _("Nouveau dossier"),
            "form": form,
            "deadline": steps.deadline_of(open_promotions[0].call) if form else None,
        },
    )


def _page_context(request, challenge, step_slug, **extra):
    current = steps.position(step_slug)
    following = _next_open_step(request.user, challenge, step_slug)
    editable = _editable(request.user, challenge, step_slug)
    context = {
        "title": f"{steps.STEPS[current - 1].title} — {challenge.name}",
        "challenge": challenge,
        "state": _state_label(challenge),
        "editable": editable,
        "corrections": challenge.state == ChallengeState.CORRECTIONS_REQUESTED,
        "deadline": steps.deadline_for(challenge),
        "steps": [
            {
                "slug": step.slug,
                "title": step.title,
                "number": number,
                "current": step.slug == step_slug,
                "to_correct": corrections.is_open_to_corrections(challenge, step.slug),
            }
            for number, step in enumerate(steps.STEPS, start=1)
        ],
        # The sections a dossier sent back for corrections keeps closed (no "Modifier" link).
        "closed_sections": [slug for slug in steps.SLUGS if not _editable(request.user, challenge, slug)],
        "step": steps.STEPS[current - 1],
        "stepper": {
            "current_step_id": current,
            "total_steps": len(steps.STEPS),
            "current_step_title": steps.STEPS[current - 1].title,
            "next_step_title": following.title if following else "",
        },
        "next_step": following,
        "sections": [] if step_slug == steps.REVIEW else sections.read(challenge, only=step_slug),
    }
    if step_slug == steps.REVIEW:
        context.update(sections=sections.read(challenge), problems=dossier_problems(challenge))
    if step_slug in ("financement", steps.REVIEW):
        context["financing_lines"] = financing.describe(challenge)
    context.update(extra)
    return context


def _editable(user, challenge, step_slug) -> bool:
    """A step's form is open: every step of a draft; of a dossier sent back for corrections, the
    sections asked for (and the review, to resubmit)."""
    if step_slug == steps.REVIEW:
        return rules.can_edit_dossier(user, challenge)
    return rules.can_edit_section(user, challenge, step_slug)


def _next_open_step(user, challenge, slug):
    """The next step the person may fill in (a dossier sent back for corrections skips the
    closed sections), the review last."""
    following = steps.following(slug)
    while following and not _editable(user, challenge, following.slug):
        following = steps.following(following.slug)
    return following


@contact_required
def dossier_step(request, pk, step):
    challenge = challenge_of(request.user, pk)
    if step not in steps.SLUGS:
        raise Http404
    editable = _editable(request.user, challenge, step)
    if request.method == "POST" and not editable:
        messages.error(request, LOCKED_MESSAGE)
        return redirect("portal:dossier_step", pk=challenge.pk, step=step)

    handler = None
    if editable:
        posted = request.method == "POST"
        handler = editing.step_class(step)(
            challenge, request.POST if posted else None, request.FILES if posted else None
        )
        if posted:
            try:
                saved = handler.is_valid() and handler.save(by=request.user)
            except (edits.DossierLocked, ConcurrentTransition):
                # Submitted meanwhile (another tab, a colleague): nothing was saved.
                messages.error(request, LOCKED_MESSAGE)
                return redirect("portal:dossier_step", pk=challenge.pk, step=step)
            if saved:
                if challenge.state == ChallengeState.CORRECTIONS_REQUESTED:
                    messages.success(request, _("Vos corrections sont enregistrées."))
                else:
                    messages.success(request, _("Votre brouillon est enregistré."))
                following = _next_open_step(request.user, challenge, step)
                if request.POST.get("action") == "continue" and following:
                    return redirect("portal:dossier_step", pk=challenge.pk, step=following.slug)
                return redirect("portal:dossier_step", pk=challenge.pk, step=step)
            # Invalid: the page is shown again with the errors, nothing was saved.
            challenge.refresh_from_db()
    context = _page_context(request, challenge, step)
    if handler is not None:
        context.update(handler.context(), multipart=handler.multipart)
        template = handler.template
    else:
        template = "portal/steps/read_only.html"
    if step == steps.REVIEW:
        template = "portal/steps/review.html"
    return render(request, template, context)


@contact_required
def dossier_submit(request, pk):
    challenge = challenge_of(request.user, pk)
    if request.method != "POST":
        return redirect("portal:dossier_step", pk=challenge.pk, step=steps.REVIEW)
    corrected = challenge.state == ChallengeState.CORRECTIONS_REQUESTED
    try:
        if corrected:
            corrections.resubmit(challenge, by=request.user)
        else:
            services.transition(challenge, TransitionName.SUBMIT, by=request.user)
    except services.TransitionRefused as refusal:
        context = _page_context(request, challenge, steps.REVIEW, refusal_reasons=refusal.reasons)
        return render(request, "portal/steps/review.html", context, status=200)
    if corrected:
        messages.success(
            request, _("Votre dossier corrigé est déposé. Un accusé de réception vous est envoyé par e-mail.")
        )
    else:
        messages.success(
            request,
            _("Votre dossier est déposé. Un accusé de réception vous est envoyé par e-mail."),
        )
    return redirect("portal:dossier", pk=challenge.pk)


@contact_required
def dossier_detail(request, pk):
    challenge = challenge_of(request.user, pk)
    timeline = [
        {
            "at": event.created_at,
            "from": ChallengeState(event.from_state).label if event.from_state else "",
            "to": ChallengeState(event.to_state).label if event.to_state else "",
            "reason": event.reason,
        }
        for event in challenge.audit_events.filter(kind=AuditKind.TRANSITION).order_by("created_at", "id")
    ]
    # The messages addressed to the administration's people: not those still held for review or
    # abandoned, nor the programme team's own copy, nor what the contacts' own messages sent to
    # the programme (the thread shows those).
    notifications = (
        challenge.notifications.exclude(status__in=[DeliveryStatus.HELD, DeliveryStatus.DISCARDED])
        .exclude(event=MessageEvent.MESSAGE_TO_PROGRAMME)
        .order_by("-created_at", "-id")
    )
    if settings.NOTIFICATIONS_TEAM_EMAIL:
        notifications = notifications.exclude(recipient_email__iexact=settings.NOTIFICATIONS_TEAM_EMAIL)
    return render(
        request,
        "portal/dossier_detail.html",
        {
            "title": challenge.name,
            "challenge": challenge,
            "state": _state_label(challenge),
            "editable": rules.can_edit_dossier(request.user, challenge),
            "deadline": steps.deadline_for(challenge),
            "problems": dossier_problems(challenge) if challenge.state == ChallengeState.DRAFT else [],
            "corrections": _corrections(challenge),
            "timeline": timeline,
            "notifications": notifications,
            "pitch_slot": _pitch_slot(challenge),
            "first_step": steps.SLUGS[0],
            "review_step": steps.REVIEW,
        },
    )


def _pitch_slot(challenge) -> dict | None:
    """When and where the jury hears the challenge, once planned and while it is invited to pitch
    (the e-mail's words, `jury.calendar`), the video link clickable; afterwards, the decision says it."""
    slot = jury_services.slot_of(challenge) if challenge.state == ChallengeState.PITCHED else None
    if slot is None:
        return None
    return {
        "when": slot_calendar.when(slot),
        "place": slot.place,
        "video_link": format_html('<a class="fr-link" href="{0}">{0}</a>', slot.video_link)
        if slot.video_link
        else "",
    }


def _corrections(challenge) -> dict | None:
    """What the programme asked to correct, while it is asked."""
    if challenge.state != ChallengeState.CORRECTIONS_REQUESTED:
        return None
    event = corrections.requested_event(challenge)
    titles = corrections.section_titles()
    return {
        "what": event.reason if event else "",
        "sections": [
            {"slug": slug, "title": titles.get(slug, slug)} for slug in challenge.corrections_sections or []
        ],
        "deadline": steps.deadline_for(challenge),
    }


@contact_required
def pitch_deck(request, pk):
    challenge = challenge_of(request.user, pk)
    return pitch_deck_response(challenge)


@contact_required
def pitch_slot_ics(request, pk):
    """The audition as a calendar file, for the contacts of the challenge's administration."""
    challenge = challenge_of(request.user, pk)
    slot = jury_services.slot_of(challenge)
    if slot is None:
        raise Http404
    response = HttpResponse(
        slot_calendar.ics(slot, method="PUBLISH"), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="audition-jury-eig-{challenge.pk}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
