"""The programme managers' challenge pages: the list (filters, export, bulk moves) and a case."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from backoffice import exports
from backoffice.detail import challenge_context
from backoffice.filters import filtered_challenges
from lifecycle import services
from lifecycle.enums import ChallengeState, TransitionName
from lifecycle.models import Challenge
from notifications import outbox
from web.access import manager_required
from web.files import pitch_deck_response

PER_PAGE = 25


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
    page = Paginator(challenges, PER_PAGE).get_page(request.GET.get("page"))
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
            "transitions": TransitionName.choices,
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


def _back(request, default):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


@manager_required
@require_POST
def bulk_transition(request):
    name = request.POST.get("transition", "")
    reason = request.POST.get("reason", "")
    hold_mail = bool(request.POST.get("hold_mail"))
    ids = [value for value in request.POST.getlist("challenges") if value.isdigit()]
    back = _back(request, reverse("backoffice:challenges"))
    if name not in TransitionName.values:
        messages.error(request, _("Choisissez l’action à appliquer aux défis sélectionnés."))
        return back
    if not ids:
        messages.error(request, _("Sélectionnez au moins un défi."))
        return back
    moved = 0
    for challenge in Challenge.objects.filter(pk__in=ids).select_related("administration").order_by("name"):
        try:
            services.transition(
                challenge, name, by=request.user, reason=reason, options={outbox.HOLD_MAIL: hold_mail}
            )
        except services.TransitionRefused as refusal:
            messages.error(
                request,
                _("« %(challenge)s » : %(reasons)s")
                % {"challenge": challenge.name, "reasons": " ".join(refusal.reasons)},
            )
        else:
            moved += 1
    if moved:
        messages.success(
            request,
            ngettext(
                "« %(action)s » : %(count)d défi modifié.",
                "« %(action)s » : %(count)d défis modifiés.",
                moved,
            )
            % {"action": TransitionName(name).label, "count": moved},
        )
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
    challenge = _challenge(pk)
    return render(request, "backoffice/challenge_detail.html", challenge_context(challenge, request.user))


@manager_required
@require_POST
def challenge_transition(request, pk, name):
    challenge = _challenge(pk)
    back = redirect("backoffice:challenge", pk=challenge.pk)
    if name not in TransitionName.values:
        raise Http404
    label = TransitionName(name).label
    if not request.POST.get("confirm"):
        messages.error(
            request,
            _("« %(action)s » n’a pas été effectué : cochez « Je confirme » pour le faire.")
            % {"action": label},
        )
        return back
    try:
        services.transition(
            challenge,
            name,
            by=request.user,
            reason=request.POST.get("reason", ""),
            options={outbox.HOLD_MAIL: bool(request.POST.get("hold_mail"))},
        )
    except services.TransitionRefused as refusal:
        messages.error(
            request,
            _("« %(action)s » refusé : %(reasons)s")
            % {"action": label, "reasons": " ".join(refusal.reasons)},
        )
        return back
    challenge.refresh_from_db(fields=["state"])
    messages.success(
        request,
        _("« %(action)s » effectué : le défi est maintenant « %(state)s ».")
        % {"action": label, "state": ChallengeState(challenge.state).label},
    )
    return back


@manager_required
def pitch_deck(request, pk):
    challenge = get_object_or_404(Challenge, pk=pk)
    return pitch_deck_response(challenge)
