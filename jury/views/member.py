"""The jury members' space (/jury/…): their auditions, the dossiers and pitch decks of the
challenges they hear, the collective grids, their general grid and their conflicts of interest.

Only a jury member reaches these pages (everyone else: 404). A challenge's pages answer only
when `services.can_read` says so: a member who does not hear it, or is in conflict with it, gets
a 404, as for a challenge that does not exist. Every change goes through `jury.services`."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jury import calendar as slot_calendar
from jury import services
from jury.member_forms import ConflictForm, GeneralGridForm, GridForm
from jury.models import Score
from lifecycle import clock, criteria, rules
from lifecycle.dossier import sections
from lifecycle.models import Challenge
from web.files import pitch_deck_response


def member_required(view):
    """Anonymous people go to the sign-in page; signed-in people other than jury members: 404."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not rules.is_jury_member(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return login_required(wrapper)


# --- What a page reads ----------------------------------------------------------------------


def _seat(request):
    """The seat a page is about: `?promotion=<number>`, else the latest promotion's."""
    seats = list(services.seats_of(request.user))
    number = request.GET.get("promotion")
    if number:
        seat = next((seat for seat in seats if str(seat.jury.promotion.number) == number), None)
        if seat is None:
            raise Http404
        return seat, seats
    return (seats[0] if seats else None), seats


def _seat_url(name, seat, seats) -> str:
    """The page's URL for `seat` (its promotion named only when the member has several seats)."""
    url = reverse(name)
    if seat is not None and len(seats) > 1:
        url += f"?promotion={seat.jury.promotion.number}"
    return url


def _readable(request, pk) -> Challenge:
    """The challenge, if the member hears it and is not in conflict with it; else 404."""
    challenge = get_object_or_404(
        Challenge.objects.select_related("promotion__call", "administration"), pk=pk
    )
    if not services.can_read(request.user, challenge):
        raise Http404
    return challenge


def _slot_row(slot) -> dict:
    return {
        "slot": slot,
        "challenge": slot.challenge,
        "when": slot_calendar.when(slot),
        "started": clock.now() >= slot.starts_at,
    }


def _scores(challenge) -> list[Score]:
    return list(Score.objects.filter(challenge=challenge).select_related("criterion", "updated_by"))


def _grid_rows(challenge) -> list[dict]:
    """The collective grid so far: each criterion of the call, its score (or none yet)."""
    call = challenge.promotion.call
    labels = dict(criteria.scale(call))
    scores = {score.criterion_id: score for score in _scores(challenge)}
    rows = []
    for criterion in criteria.of_call(call):
        score = scores.get(criterion.pk)
        rows.append(
            {
                "criterion": criterion,
                "weighted": criterion.weight != 1,
                "score": score,
                "label": labels.get(score.value, "") if score else "",
            }
        )
    return rows


def _grid_state(slot) -> dict:
    """Whether the collective grid may be written now, and if not why (closed, or not yet)."""
    jury = slot.sub_jury.jury
    if jury.closed:
        return {"open": False, "closed": True}
    if clock.now() < slot.starts_at:
        return {"open": False, "opens": slot_calendar.when(slot)}
    return {"open": True}


def _general_state(seat) -> dict:
    """The general grid's state for a seat: not yet (when it opens), open, given, closed."""
    opens_at = services.general_grid_opens_at(seat)
    opinions = list(seat.opinions.all())
    return {
        "opens_at": opens_at,
        "opens": slot_calendar.moment(opens_at) if opens_at else "",
        "open": opens_at is not None and clock.now() >= opens_at and not seat.jury.closed,
        "given": bool(opinions),
        "given_at": max((opinion.updated_at for opinion in opinions), default=None),
        "closed": seat.jury.closed,
    }


def _posted(request):
    """The form's data on a POST (even an empty one: a form posted blank is refused, not shown anew)."""
    return request.POST if request.method == "POST" else None


def _add_errors(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


# --- The pages ------------------------------------------------------------------------------


@member_required
def home(request):
    """My auditions: per seat (the latest promotion first), the sub-juries, the slots, whether
    each collective grid is complete, and the general grid's state."""
    seats = list(services.seats_of(request.user))
    blocks = []
    for seat in seats:
        slots = list(services.slots_heard_by(seat).select_related("challenge__promotion__call"))
        call = seat.jury.promotion.call
        scored = services.scored_criteria([slot.challenge_id for slot in slots])
        rows = []
        for slot in slots:
            row = _slot_row(slot)
            row["missing"] = len(services.unscored(call, scored[slot.challenge_id]))
            row["complete"] = row["missing"] == 0
            rows.append(row)
        blocks.append(
            {
                "seat": seat,
                "promotion": seat.jury.promotion,
                "sub_juries": list(seat.sub_juries.all()),
                "rows": rows,
                "general": _general_state(seat),
                "general_url": _seat_url("jury:general_grid", seat, seats),
                "conflicts_url": _seat_url("jury:conflicts", seat, seats),
                "conflicts": seat.conflicts.count(),
            }
        )
    return render(request, "jury/member/home.html", {"title": _("Mes auditions"), "blocks": blocks})


@member_required
def challenge(request, pk):
    """A challenge the member hears: its slot, its dossier (read-only), its pitch deck, and the
    collective grid so far."""
    challenge = _readable(request, pk)
    slot = services.slot_of(challenge)  # readable: it has one
    return render(
        request,
        "jury/member/challenge.html",
        {
            "title": challenge.name,
            "challenge": challenge,
            "slot": _slot_row(slot),
            "sections": sections.read(challenge, for_managers=False),
            "grid": _grid_rows(challenge),
            "grid_state": _grid_state(slot),
        },
    )


@member_required
def pitch_deck(request, pk):
    return pitch_deck_response(_readable(request, pk))


@member_required
def grid(request, pk):
    """The collective grid of a challenge the member hears: a level and a comment per criterion,
    written from the audition's start until the jury is closed."""
    challenge = _readable(request, pk)
    slot = services.slot_of(challenge)  # readable: it has one
    call = challenge.promotion.call
    state = _grid_state(slot)
    form = GridForm(_posted(request), call=call, scores=_scores(challenge))
    if request.method == "POST" and form.is_valid():
        try:
            written = services.save_grid(challenge, form.marks(), by=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        except PermissionDenied as refused:
            form.add_error(None, str(refused))
        else:
            missing = len(services.missing_criteria(challenge))
            if not written:
                text = _("Aucune note n’a changé.")
            else:
                text = _("La grille collective de « %(challenge)s » est enregistrée.") % {
                    "challenge": challenge.name
                }
            if missing:
                text += " " + ngettext(
                    "Il reste %(count)s critère à noter.", "Il reste %(count)s critères à noter.", missing
                ) % {"count": missing}
            else:
                text += " " + _("Tous les critères sont notés.")
            messages.success(request, text)
            return redirect("jury:grid", pk=challenge.pk)
    return render(
        request,
        "jury/member/grid.html",
        {
            "title": _("Grille collective — %(challenge)s") % {"challenge": challenge.name},
            "challenge": challenge,
            "slot": _slot_row(slot),
            "form": form,
            "blocks": form.blocks(),
            "grid": _grid_rows(challenge),
            "state": state,
            "top": form.top,
        },
    )


@member_required
def general_grid(request):
    """The member's general grid, once all their challenges are heard: an opinion on each."""
    seat, seats = _seat(request)
    context = {"title": _("Ma grille générale"), "seat": seat, "seats": seats}
    if seat is None:
        return render(request, "jury/member/general_grid.html", context)
    slots = list(services.slots_heard_by(seat))
    state = _general_state(seat)
    challenges = [slot.challenge for slot in slots]
    opinions = list(seat.opinions.all())
    form = None
    if slots and (state["open"] or request.method == "POST"):
        form = GeneralGridForm(_posted(request), challenges=challenges, opinions=opinions)
        if request.method == "POST" and form.is_valid():
            try:
                written = services.save_general_grid(seat, form.verdicts(), by=request.user)
            except ValidationError as error:
                _add_errors(form, error)
            except PermissionDenied as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(
                    request,
                    _("Votre grille générale est enregistrée.")
                    if written
                    else _("Votre grille générale n’a pas changé."),
                )
                return redirect(_seat_url("jury:general_grid", seat, seats))
    by_challenge = {opinion.challenge_id: opinion for opinion in opinions}
    context.update(
        promotion=seat.jury.promotion,
        state=state,
        form=form,
        blocks=form.blocks() if form else [],
        heard=[{"slot": _slot_row(slot), "opinion": by_challenge.get(slot.challenge_id)} for slot in slots],
        action=_seat_url("jury:general_grid", seat, seats),
        max_length=services.EXPLANATION_MAX_LENGTH,
    )
    return render(request, "jury/member/general_grid.html", context)


@member_required
def conflicts(request):
    """The member's declared conflicts of interest, and the form to declare one."""
    seat, seats = _seat(request)
    context = {"title": _("Mes conflits d’intérêts"), "seat": seat, "seats": seats}
    if seat is None:
        return render(request, "jury/member/conflicts.html", context)
    form = None
    if not seat.jury.closed:
        form = ConflictForm(_posted(request), member=seat)
        if request.method == "POST" and form.is_valid():
            chosen = form.cleaned_data["challenge"]
            try:
                services.declare_conflict(seat, chosen, reason=form.cleaned_data["reason"], by=request.user)
            except ValidationError as error:
                _add_errors(form, error)
            except PermissionDenied as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(
                    request,
                    _(
                        "Votre conflit d’intérêts avec « %(challenge)s » est déclaré : vous ne lirez ni ne "
                        "noterez ce défi."
                    )
                    % {"challenge": chosen.name},
                )
                return redirect(_seat_url("jury:conflicts", seat, seats))
    context.update(
        promotion=seat.jury.promotion,
        declared=list(seat.conflicts.select_related("challenge__administration", "declared_by")),
        form=form,
        action=_seat_url("jury:conflicts", seat, seats),
        closed=seat.jury.closed,
    )
    return render(request, "jury/member/conflicts.html", context)
