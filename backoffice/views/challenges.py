"""The programme managers' challenge pages: the list (filters, export, bulk moves, confirmed on
a page of their own) and a case (its moves' forms, each with the preview of its e-mail).

Every move goes through `lifecycle.services.transition`, one challenge at a time; the e-mails of
one decision act held for review wait in one review (`notifications.outbox.review_of_act`)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from backoffice import exports
from backoffice.detail import challenge_context
from backoffice.filters import filtered_challenges
from lifecycle import clock, financing, guards, services, workflow
from lifecycle.enums import ChallengeState, TransitionName
from lifecycle.models import Challenge
from notifications import outbox
from notifications.enums import MessageEvent
from notifications.models import Batch
from notifications.recipients import recipients_for
from web.access import manager_required
from web.files import pitch_deck_response
from web.pagination import KeysFirstPaginator

PER_PAGE = 25
# What a row of the list shows, and no more: a challenge holds its whole dossier.
ROW_FIELDS = (
    "name",
    "state",
    "state_changed_at",
    "cofinancing_requested",
    "promotion__name",
    "administration__name",
)
# Where the reason goes in a preview: replaced by a mark the typed text fills (decisions.js).
REASON_MARK = "\ue000"


def _pages(page):
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


def _sort_headers(request) -> dict:
    """Per sortable column: the link that sorts by it (reversed when it is the current sort)."""
    current = request.GET.get("tri") or "nom"
    headers = {}
    for key in ("nom", "administration", "etat", "changement"):
        query = request.GET.copy()
        query.pop("page", None)
        query["tri"] = f"-{key}" if current == key else key
        direction = {key: "ascending", f"-{key}": "descending"}.get(current, "")
        headers[key] = {"url": f"?{query.urlencode()}", "aria_sort": direction}
    return headers


@manager_required
def challenge_list(request):
    filterset, challenges = filtered_challenges(request.GET)
    page = KeysFirstPaginator(challenges.only(*ROW_FIELDS), PER_PAGE).get_page(request.GET.get("page"))
    page.pages_list = _pages(page)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "backoffice/challenge_list.html",
        {
            "title": _("Défis"),
            "filter": filterset,
            "page_obj": page,
            "query": query.urlencode(),
            "transitions": [(move.name.value, move.label) for move in workflow.bare_moves()],
            "next_url": request.get_full_path(),
            "sort": _sort_headers(request),
        },
    )


@manager_required
def challenge_export(request, file_format):
    if file_format not in exports.FORMATS:
        raise Http404
    _filterset, challenges = filtered_challenges(request.GET)
    content = exports.WRITERS[file_format](challenges)
    response = HttpResponse(content, content_type=exports.FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="defis.{file_format}"'
    return response


def _back_url(request, default) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _back(request, default):
    return redirect(_back_url(request, default))


# The e-mail a move sends, previewed ------------------------------------------------------------


@dataclass(frozen=True)
class MailPreview:
    """The e-mail a move will send for a case, as its recipients will read it (in the site's
    language), the reason shown by a mark that the typed text fills."""

    quotes_reason: bool
    subject: str
    body: str
    recipients: list


def _marked(text, source, shown, empty):
    mark = format_html(
        '<mark class="reason-mark" data-reason-of="{}" data-empty="{}">{}</mark>', source, empty, shown
    )
    return mark_safe(mark.join(conditional_escape(part) for part in text.split(REASON_MARK)))


def mail_preview(challenge, name, *, reason, source, asks_reason, recipients=None) -> MailPreview | None:
    """`source`: the id of the reason's field the marks follow; without a reason field
    (`asks_reason` false), the e-mail as it will leave, with no reason."""
    event = workflow.move(name).message
    if not event:
        return None
    language = settings.LANGUAGE_CODE
    reason = reason.strip()
    subject, body = outbox.preview(
        (MessageEvent(event),), challenge, language=language, reason=REASON_MARK if asks_reason else ""
    )
    empty = _("[le motif que vous saisirez]")
    shown = reason or empty
    return MailPreview(
        quotes_reason=outbox.quotes_reason(event, language),
        subject=_marked(subject, source, shown, empty),
        body=_marked(body, source, shown, empty),
        recipients=recipients_for(challenge) if recipients is None else recipients,
    )


# The case page's moves --------------------------------------------------------------------------


@dataclass(frozen=True)
class Posted:
    """What the manager sent for one move, shown again when it did not happen."""

    name: str
    reason: str = ""
    hold_mail: bool = False
    preview: bool = False
    errors: dict = field(default_factory=dict)


@dataclass(frozen=True)
class MoveForm:
    """A possible move as its form shows it (what `services.TransitionOption` says, plus the
    reason typed, the preview of its e-mail and the errors of the last try)."""

    option: services.TransitionOption
    preview: MailPreview | None
    reason: str = ""
    hold_mail: bool = False
    preview_open: bool = False
    errors: dict = field(default_factory=dict)

    name = property(lambda self: self.option.name)
    label = property(lambda self: self.option.label)
    notice = property(lambda self: self.option.notice)
    needs_reason = property(lambda self: self.option.needs_reason)
    reasons = property(lambda self: self.option.reasons)


def move_forms(challenge, options, *, posted: Posted | None = None) -> list[MoveForm]:
    recipients = recipients_for(challenge)
    forms = []
    for option in options:
        mine = posted if posted is not None and posted.name == option.name.value else None
        reason = mine.reason if mine else ""
        forms.append(
            MoveForm(
                option=option,
                preview=mail_preview(
                    challenge,
                    option.name,
                    reason=reason,
                    source=f"reason-{option.name.value}",
                    asks_reason=option.needs_reason,
                    recipients=recipients,
                ),
                reason=reason,
                hold_mail=bool(mine and mine.hold_mail),
                preview_open=bool(mine and mine.preview),
                errors=mine.errors if mine else {},
            )
        )
    return forms


def case_page(request, challenge, *, posted=None, **extra):
    """The case page; `extra` gives the forms of other acts again (the corrections' with what was
    typed). A move made through its own form (`Move.made_through`) is offered there only."""
    context = {**challenge_context(challenge, request.user), **extra}
    bare = {move.name for move in workflow.bare_moves()}
    context["impossible"] = [option for option in context["impossible"] if option.name in bare]
    possible = [option for option in context["possible"] if option.name in bare]
    context["possible"] = move_forms(challenge, possible, posted=posted)
    shown = {form.name.value for form in context["possible"]}
    if posted is not None and posted.reason.strip() and posted.name not in shown:
        # The move is no longer offered (the case changed meanwhile): the typed reason, to copy.
        messages.info(
            request,
            _("Le motif que vous aviez saisi, non enregistré : « %(reason)s »") % {"reason": posted.reason},
        )
    return render(request, "backoffice/challenge_detail.html", context)


# Bulk moves -------------------------------------------------------------------------------------


def _chosen(request):
    """The challenges a bulk form names, and whether they are all those matching the list's
    filter (evaluated again here, `filtered_challenges`), those of the page, or those ticked."""
    data = request.POST
    if data.get("all_matching"):
        _filterset, matching = filtered_challenges(QueryDict(data.get("query", "")))
        ids, scope = list(matching.values_list("pk", flat=True)), "matching"
    else:
        wanted = data.getlist("on_page") if data.get("whole_page") else data.getlist("challenges")
        # The confirmation page names the matching challenges it showed, and says they were.
        ids, scope = (
            [value for value in wanted if value.isdigit()],
            "matching" if data.get("matched") else "chosen",
        )
    challenges = Challenge.objects.filter(pk__in=ids).select_related("administration", "promotion__call")
    return list(challenges.order_by("name", "pk")), scope


def _refusals_now(challenge, move, user) -> list[str]:
    """What keeps the move from happening to this challenge now, as its own button would say."""
    options = services.transition_options(challenge, by=user)
    return next((option.reasons for option in options if option.name == move.name), [])


def _envelope_outcome(move, movable) -> dict | None:
    """For a move weighing the envelope (the selection): what is committed, what these challenges
    would add, and by how much the whole would go over (the moves are made in the list's order,
    those over the envelope refused)."""
    if not (move.one_at_a_time_per_promotion and movable):
        return None
    promotion = movable[0].promotion
    call = promotion.call
    committed = guards.committed_cofinancing(promotion)
    added = sum(
        (
            challenge.cofinancing_amount or Decimal("0")
            for challenge in movable
            if challenge.cofinancing_requested and financing.eligibility(challenge).eligible
        ),
        Decimal("0"),
    )
    total = committed + added
    return {
        "funder": call.cofinancing_funder,
        "committed": financing.format_euros(committed),
        "added": financing.format_euros(added),
        "total": financing.format_euros(total),
        "envelope": financing.format_euros(call.cofinancing_envelope),
        "over": financing.format_euros(total - call.cofinancing_envelope)
        if total > call.cofinancing_envelope
        else "",
        "one_promotion": len({challenge.promotion_id for challenge in movable}) == 1,
    }


def _bulk_confirmation(request, move, challenges, *, scope, errors=None):
    now = clock.now()
    movable = [challenge for challenge in challenges if challenge.state in move.sources]
    asks_reason = any(move.asks_reason(challenge, now) for challenge in movable)
    reason = request.POST.get("reason", "")
    example = movable[0] if movable else challenges[0]
    rows = [
        {
            "challenge": challenge,
            "state": ChallengeState(challenge.state).label,
            "movable": challenge in movable,
            "refusals": _refusals_now(challenge, move, request.user) if challenge in movable else [],
        }
        for challenge in challenges
    ]
    return render(
        request,
        "backoffice/challenge_bulk.html",
        {
            "title": _("Confirmer : « %(action)s »") % {"action": move.label},
            "move": move,
            "rows": rows,
            "count": len(challenges),
            "movable_count": len(movable),
            "envelope": _envelope_outcome(move, movable),
            "scope": scope,
            "asks_reason": asks_reason,
            "reason": reason,
            "hold_mail": bool(request.POST.get("hold_mail")),
            "preview": mail_preview(
                example, move.name, reason=reason, source="bulk-reason", asks_reason=asks_reason
            ),
            "example": example,
            "preview_open": "preview" in request.POST,
            "errors": errors or {},
            "back_url": _back_url(request, reverse("backoffice:challenges")),
        },
    )


def _held_notice(request, review):
    messages.info(
        request,
        format_html(
            '{} <a href="{}">{}</a>',
            _("Les e-mails de cette décision sont retenus : ils ne partiront qu’après votre relecture."),
            f"{reverse('backoffice:held_mails')}?lot={review.pk}",
            _("Relire les e-mails retenus"),
        ),
    )


@manager_required
@require_POST
def bulk_transition(request):
    """A move applied to several challenges: first a page that lists them with the action, the
    reason when the move asks one, the hold option and the confirmation; nothing moves before it
    is confirmed. Then each challenge moves through `services.transition`, its refusal reported
    on its own; their held e-mails wait in one review (`outbox.review_of_act`)."""
    name = request.POST.get("transition", "")
    back = _back(request, reverse("backoffice:challenges"))
    move = workflow.MOVES.get(name) if name in TransitionName.values else None
    if move is None:
        messages.error(request, _("Choisissez l’action à appliquer aux défis sélectionnés."))
        return back
    challenges, scope = _chosen(request)
    if not challenges:
        if scope == "matching":
            messages.error(request, _("Aucun défi ne correspond au filtre de la liste : rien n’a été fait."))
        else:
            messages.error(request, _("Sélectionnez au moins un défi."))
        return back
    if request.POST.get("step") != "confirm" or "preview" in request.POST:
        return _bulk_confirmation(request, move, challenges, scope=scope)

    reason = request.POST.get("reason", "")
    errors = {}
    now = clock.now()
    if not reason.strip() and any(
        move.asks_reason(challenge, now) for challenge in challenges if challenge.state in move.sources
    ):
        errors["reason"] = _("Indiquez le motif de la décision : il est obligatoire pour cette action.")
    if not request.POST.get("confirm"):
        errors["confirm"] = _("Cochez « Je confirme » pour appliquer l’action : rien n’a encore été fait.")
    if errors:
        messages.error(
            request, _("« %(action)s » n’a pas été effectué : rien n’a changé.") % {"action": move.label}
        )
        return _bulk_confirmation(request, move, challenges, scope=scope, errors=errors)

    hold = bool(request.POST.get("hold_mail"))
    with outbox.review_of_act(by=request.user, transition=move.name, hold=hold) as review:
        outcome = services.transition_many(
            challenges, move.name, by=request.user, reason=reason, options={outbox.HOLD_MAIL: review}
        )
    names = {challenge.pk: challenge.name for challenge in challenges}
    for pk, refusal in outcome.refused.items():
        messages.error(
            request,
            _("« %(challenge)s » : %(reasons)s")
            % {"challenge": names[pk], "reasons": " ".join(refusal.reasons)},
        )
    moved = len(outcome.moved)
    if moved:
        messages.success(
            request,
            ngettext(
                "« %(action)s » : %(count)d défi modifié.",
                "« %(action)s » : %(count)d défis modifiés.",
                moved,
            )
            % {"action": move.label, "count": moved},
        )
    if review is not None and review.pk is not None:
        _held_notice(request, review)
    return back


def _challenge(pk):
    return get_object_or_404(
        Challenge.objects.select_related(
            "promotion__call", "administration", "administrative_carrier", "manager"
        ),
        pk=pk,
    )


@manager_required
def challenge_detail(request, pk):
    return case_page(request, _challenge(pk))


@manager_required
@require_POST
def challenge_transition(request, pk, name):
    """One move of a case, confirmed. "Prévisualiser" shows the case again with the e-mail as the
    typed reason makes it, moving nothing; an error shows it again with what was typed."""
    challenge = _challenge(pk)
    if name not in TransitionName.values:
        raise Http404
    label = TransitionName(name).label
    reason = request.POST.get("reason", "")
    hold_mail = bool(request.POST.get("hold_mail"))
    if "preview" in request.POST:
        return case_page(
            request, challenge, posted=Posted(name, reason=reason, hold_mail=hold_mail, preview=True)
        )
    if not request.POST.get("confirm"):
        messages.error(
            request,
            _("« %(action)s » n’a pas été effectué : cochez « Je confirme » pour le faire.")
            % {"action": label},
        )
        errors = {"confirm": _("Cochez cette case pour faire « %(action)s ».") % {"action": label}}
        return case_page(request, challenge, posted=Posted(name, reason, hold_mail, errors=errors))
    try:
        services.transition(
            challenge,
            name,
            by=request.user,
            reason=reason,
            options={outbox.HOLD_MAIL: hold_mail},
        )
    except services.TransitionRefused as refusal:
        messages.error(
            request,
            _("« %(action)s » refusé : %(reasons)s")
            % {"action": label, "reasons": " ".join(refusal.reasons)},
        )
        errors = {"refused": refusal.reasons}
        if not reason.strip() and workflow.move(name).needs_reason:
            errors["reason"] = _("Indiquez le motif de la décision : il est obligatoire.")
        return case_page(request, challenge, posted=Posted(name, reason, hold_mail, errors=errors))
    challenge.refresh_from_db(fields=["state"])
    messages.success(
        request,
        _("« %(action)s » effectué : le défi est maintenant « %(state)s ».")
        % {"action": label, "state": ChallengeState(challenge.state).label},
    )
    if hold_mail:  # the review of this very move: its audit event is the case's last of this move
        moved = challenge.audit_events.filter(transition=name).order_by("-id").first()
        review = Batch.objects.filter(closed_at=None, audit_events=moved).first() if moved else None
        if review is not None:
            _held_notice(request, review)
    return redirect("backoffice:challenge", pk=challenge.pk)


@manager_required
def pitch_deck(request, pk):
    challenge = get_object_or_404(Challenge, pk=pk)
    return pitch_deck_response(challenge)
