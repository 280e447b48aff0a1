"""The programme managers' jury pages (/gestion/jury/…): the jury's progress and its closing, the
members and their invitations, the sub-juries, the auditions' planning, the conflicts of interest,
and a challenge's collective grid entered from the sub-jury's paper grid.

A page names its promotion by `?promotion=<number>` (the latest promotion without it), a grid its
challenge by the path. Every change is `jury.services`' work: these views read the forms, call the
service, say what it answered (its French messages) and redirect (PRG). A closed jury shows no
change form, and a change posted anyway is refused with the domain's message. Each page runs a
fixed number of queries, whatever the number of members, slots or conflicts."""

import itertools
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.enums import InvitationStatus
from jury import calendar as slot_calendar
from jury import services
from jury.forms import (
    CancelSlotForm,
    CloseJuryForm,
    ConflictForm,
    InviteMemberForm,
    SlotForm,
    SubJuryForm,
    SubJuryMembersForm,
)
from jury.member_forms import GridForm
from jury.models import Conflict, Jury, PitchSlot, Score
from lifecycle import clock, criteria
from lifecycle.actors import actor_label
from lifecycle.enums import ChallengeState
from lifecycle.models import Challenge, Promotion
from lifecycle.text import folded
from web.access import manager_required

# The secondary navigation of the managers' jury pages: (URL name, label).
PAGES = [
    ("jury:overview", gettext_lazy("Vue d’ensemble")),
    ("jury:members", gettext_lazy("Membres")),
    ("jury:sub_juries", gettext_lazy("Sous-jurys")),
    ("jury:planning", gettext_lazy("Auditions")),
    ("jury:manage_conflicts", gettext_lazy("Conflits")),
    ("jury:ranking", gettext_lazy("Classement")),
]
# The challenges a manager may record a conflict with.


def _id(value) -> int:
    """A query parameter or field that names an object: a number, else 404."""
    if not (value or "").isdigit():
        raise Http404
    return int(value)


def _url(name: str, promotion, **params) -> str:
    query = urlencode({"promotion": promotion.number, **params})
    return f"{reverse(name)}?{query}"


@dataclass
class Page:
    """The promotion a manager's page is about, its jury, and the other promotions to pick."""

    promotions: list
    promotion: Promotion
    jury: Jury

    @property
    def call(self):
        return self.promotion.call


def _jury(promotion) -> Jury:
    jury = services.jury_of(promotion)
    jury.promotion = promotion  # its call already read
    return jury


def _current(promotions: list) -> Promotion:
    """The promotion whose jury is the managers' work now: the latest with a challenge preselected
    or invited to pitch, else the latest whose jury has members, else the latest."""
    busy = set(
        Challenge.objects.filter(state__in=services.CONFLICT_STATES)
        .order_by()
        .values_list("promotion_id", flat=True)
        .distinct()
    )
    seated = set(Jury.objects.filter(members__isnull=False).values_list("promotion_id", flat=True))
    for group in (busy, seated):
        for promotion in promotions:
            if promotion.pk in group:
                return promotion
    return promotions[0]


def _page(request) -> Page | None:
    """The promotion named by ?promotion=<number> (404 for an unknown one), else the one whose
    jury is at work (`_current`); None when no promotion has a call yet."""
    promotions = list(Promotion.objects.filter(call__isnull=False).select_related("call"))
    if not promotions:
        return None
    wanted = request.GET.get("promotion", "")
    if wanted:
        number = _id(wanted)
        promotion = next((item for item in promotions if item.number == number), None)
        if promotion is None:
            raise Http404
    else:
        promotion = _current(promotions)
    return Page(promotions=promotions, promotion=promotion, jury=_jury(promotion))


def _closed_by(jury: Jury) -> str:
    if not jury.closed:
        return ""
    return actor_label(jury.closed_by) if jury.closed_by_id else _("le système")


def _render(request, template: str, page: Page, *, current: str, title: str, picker=True, **context):
    nav = [
        {"label": label, "url": _url(name, page.promotion), "current": name == current}
        for name, label in PAGES
    ]
    context = {
        "title": title,
        "promotions": page.promotions,
        "promotion": page.promotion,
        "jury": page.jury,
        "closed_by": _closed_by(page.jury),
        "jury_nav": nav,
        "picker": picker,
        "on_overview": template == "jury/manage/overview.html",
        "picker_url": reverse(current) if current in dict(PAGES) else "",
        **context,
    }
    return render(request, template, context)


def _no_promotion(request):
    return render(request, "jury/manage/no_promotion.html", {"title": _("Jury")})


def _refused_while_closed(request, jury: Jury) -> bool:
    """A change posted to a closed jury: the domain's message, nothing done."""
    try:
        services.check_open(jury)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return True
    return False


def _domain_errors(form, error: ValidationError):
    for message in form.add_domain_errors(error):
        form.add_error(None, message)


def _heard_conflicts(jury: Jury):
    """Conflicts of members with a challenge their own sub-jury hears (declared after the
    assignment): the planning must change."""
    return (
        Conflict.objects.filter(member__jury=jury, challenge__pitch_slot__sub_jury__members=F("member"))
        .select_related("member", "challenge__pitch_slot__sub_jury")
        .order_by("declared_at", "pk")
    )


def _by_name(challenges) -> list:
    """Challenges in the order people read names (accents and case aside: "à" before "b")."""
    return sorted(challenges, key=lambda challenge: (folded(challenge.name), challenge.pk))


def _pitched(promotion):
    return _by_name(
        Challenge.objects.filter(promotion=promotion, state=ChallengeState.PITCHED).select_related(
            "administration"
        )
    )


# --- The overview and the closing -----------------------------------------------------------


def _steps(page: Page, figures) -> list[dict]:
    """The jury's work in its order, each step done or not, for a jury that has no audition yet."""
    promotion = page.promotion
    counts = Challenge.objects.filter(promotion=promotion).aggregate(
        preselected=Count("pk", filter=Q(state=ChallengeState.PRESELECTED)),
        pitched=Count("pk", filter=Q(state=ChallengeState.PITCHED)),
    )
    challenges = reverse("backoffice:challenges")
    return [
        {
            "label": _("Inviter les membres du jury, entrepreneur·e·s et agents publics"),
            "done": figures.members > 0,
            "url": _url("jury:members", promotion),
        },
        {
            "label": _("Composer les sous-jurys"),
            "done": page.jury.sub_juries.exists(),
            "url": _url("jury:sub_juries", promotion),
        },
        {
            "label": ngettext(
                "Inviter à pitcher les défis présélectionnés (%(count)s présélectionné), "
                "depuis la liste des défis",
                "Inviter à pitcher les défis présélectionnés (%(count)s présélectionnés), "
                "depuis la liste des défis",
                counts["preselected"],
            )
            % {"count": counts["preselected"]},
            "done": counts["pitched"] > 0,
            "url": challenges
            + "?"
            + urlencode({"state": ChallengeState.PRESELECTED, "promotion": promotion.pk}),
        },
        {
            "label": _("Planifier leurs auditions pendant les jours du jury"),
            "done": figures.slots > 0,
            "url": _url("jury:planning", promotion),
        },
    ]


def _figures(page: Page) -> dict:
    figures = services.progress(page.jury)
    return {
        "figures": figures,
        "steps": _steps(page, figures) if figures.slots == 0 else [],
        "unplanned": _by_name(
            Challenge.objects.filter(
                promotion=page.promotion, state=ChallengeState.PITCHED, pitch_slot__isnull=True
            ).select_related("administration")
        ),
    }


@manager_required
def overview(request):
    page = _page(request)
    if page is None:
        return _no_promotion(request)
    return _render(
        request,
        "jury/manage/overview.html",
        page,
        current="jury:overview",
        title=_("Jury de la promotion %(promotion)s") % {"promotion": page.promotion.name},
        heard_conflicts=list(_heard_conflicts(page.jury)),
        **_figures(page),
    )


@manager_required
def close(request):
    """GET: what closing means, with the figures; POST (the box `confirmation` ticked): close."""
    page = _page(request)
    if page is None:
        raise Http404
    form = CloseJuryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if _refused_while_closed(request, page.jury):
            return redirect(_url("jury:overview", page.promotion))
        if form.is_valid():
            try:
                services.close(page.jury, by=request.user)
            except ValidationError as error:
                _domain_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Le jury de la promotion %(promotion)s est clos : plus aucune note ne change.")
                    % {"promotion": page.promotion.name},
                )
                return redirect(_url("jury:overview", page.promotion))
    return _render(
        request,
        "jury/manage/close.html",
        page,
        current="jury:overview",
        title=_("Clore le jury de la promotion %(promotion)s") % {"promotion": page.promotion.name},
        picker=False,
        form=form,
        action_url=_url("jury:close", page.promotion),
        **_figures(page),
    )


# --- Members --------------------------------------------------------------------------------


def _account_status(member, now) -> dict:
    if member.user_id:
        if member.invitation_id:
            return {"code": "accepted", "label": _("Invitation acceptée")}
        return {"code": "account", "label": _("Compte existant")}
    if member.invitation_id is None:
        return {"code": "none", "label": _("Sans invitation")}
    status = member.invitation.status_at(now)
    labels = {
        InvitationStatus.PENDING: _("Invitation en attente"),
        InvitationStatus.EXPIRED: _("Invitation expirée"),
        InvitationStatus.ACCEPTED: _("Invitation acceptée"),
        InvitationStatus.REVOKED: _("Invitation révoquée"),
    }
    return {"code": str(status), "label": labels[status], "until": member.invitation.expires_at}


@manager_required
def members(request):
    page = _page(request)
    if page is None:
        return _no_promotion(request)
    jury = page.jury
    removing = request.method == "POST" and "retirer" in request.POST
    form = InviteMemberForm(request.POST if request.method == "POST" and not removing else None)
    if request.method == "POST":
        if _refused_while_closed(request, jury):
            return redirect(_url("jury:members", page.promotion))
        if removing:
            member = get_object_or_404(jury.members, pk=_id(request.POST["retirer"]))
            try:
                services.remove_member(member, by=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("%(name)s ne fait plus partie du jury.") % {"name": member})
            return redirect(_url("jury:members", page.promotion))
        if form.is_valid():
            try:
                member = services.invite_member(jury, **form.cleaned_data, by=request.user)
            except ValidationError as error:
                _domain_errors(form, error)
            else:
                if member.user_id:
                    text = _("%(name)s siège au jury : son compte de membre du jury existait déjà.")
                else:
                    text = _("%(name)s est invité·e : un e-mail avec le lien d’invitation part à %(email)s.")
                messages.success(request, text % {"name": member, "email": member.email})
                return redirect(_url("jury:members", page.promotion))
    now = clock.now()
    rows = [
        {
            "member": member,
            "status": _account_status(member, now),
            "sub_juries": list(member.sub_juries.all()),
        }
        for member in jury.members.select_related("invitation")
        .prefetch_related("sub_juries")
        .annotate(conflict_count=Count("conflicts"))
    ]
    return _render(
        request,
        "jury/manage/members.html",
        page,
        current="jury:members",
        title=_("Membres du jury"),
        rows=rows,
        form=form,
        action_url=_url("jury:members", page.promotion),
    )


# --- Sub-juries -----------------------------------------------------------------------------


def _member_choices(members, sub_jury, conflicts) -> list:
    """Each member of the jury, named with their conflicts with a challenge the sub-jury hears."""
    heard = {slot.challenge_id for slot in sub_jury.slots.all()}
    choices = []
    for member in members:
        label = f"{member} ({member.get_kind_display()})"
        clashes = [
            conflict.challenge.name
            for conflict in conflicts.get(member.pk, [])
            if conflict.challenge_id in heard
        ]
        if clashes:
            label += " — " + _("conflit d’intérêts avec %(challenges)s") % {
                "challenges": ", ".join(f"« {name} »" for name in clashes)
            }
        choices.append((member, label))
    return choices


@manager_required
def sub_juries(request):
    """The sub-juries: creating one (POST action=creer), and each one's members (POST
    action=membres, the field `sub_jury` naming it) and slots."""
    page = _page(request)
    if page is None:
        return _no_promotion(request)
    jury = page.jury
    groups = list(
        jury.sub_juries.prefetch_related(
            "members",
            Prefetch("slots", queryset=PitchSlot.objects.select_related("challenge__administration")),
        )
    )
    members_ = list(jury.members.all())
    conflicts = {
        member_id: list(rows)
        for member_id, rows in itertools.groupby(
            Conflict.objects.filter(member__jury=jury)
            .select_related("challenge")
            .order_by("member_id", "pk"),
            key=lambda conflict: conflict.member_id,
        )
    }
    action = request.POST.get("action") if request.method == "POST" else None
    if action not in (None, "creer", "membres"):
        raise Http404
    create_form = SubJuryForm(request.POST if action == "creer" else None)
    posted = None
    if action == "membres":
        posted = next((group for group in groups if group.pk == _id(request.POST.get("sub_jury"))), None)
        if posted is None:
            raise Http404
    forms_ = {}
    for group in groups:
        choices = _member_choices(members_, group, conflicts)
        prefix = f"sous-jury-{group.pk}"
        if group is posted:
            forms_[group.pk] = SubJuryMembersForm(request.POST, choices=choices, prefix=prefix)
        else:
            initial = {"members": [str(member.pk) for member in group.members.all()]}
            forms_[group.pk] = SubJuryMembersForm(choices=choices, prefix=prefix, initial=initial)
    if action and _refused_while_closed(request, jury):
        return redirect(_url("jury:sub_juries", page.promotion))
    if action == "creer" and create_form.is_valid():
        try:
            created = services.create_sub_jury(jury, name=create_form.cleaned_data["name"], by=request.user)
        except ValidationError as error:
            _domain_errors(create_form, error)
        else:
            messages.success(request, _("Le %(name)s est créé : choisissez ses membres.") % {"name": created})
            return redirect(_url("jury:sub_juries", page.promotion) + f"#sous-jury-{created.pk}")
    if posted is not None:
        form = forms_[posted.pk]
        if form.is_valid():
            try:
                services.set_members(posted, form.chosen(), by=request.user)
            except ValidationError as error:
                _domain_errors(form, error)
            else:
                messages.success(request, _("Les membres du %(name)s sont enregistrés.") % {"name": posted})
                return redirect(_url("jury:sub_juries", page.promotion) + f"#sous-jury-{posted.pk}")
    return _render(
        request,
        "jury/manage/sub_juries.html",
        page,
        current="jury:sub_juries",
        title=_("Sous-jurys"),
        groups=[
            {
                "sub_jury": group,
                "form": forms_[group.pk],
                "form_id": f"members-form-{group.pk}",
                "slots": [{"slot": slot, "when": slot_calendar.when(slot)} for slot in group.slots.all()],
            }
            for group in groups
        ],
        create_form=create_form,
        posted=posted,
        action_url=_url("jury:sub_juries", page.promotion),
    )


# --- The planning ---------------------------------------------------------------------------


def _days(slots) -> list[dict]:
    return [
        {"day": day, "slots": list(rows)}
        for day, rows in itertools.groupby(slots, key=lambda row: timezone.localdate(row["slot"].starts_at))
    ]


def _hours(slot) -> str:
    start, end = timezone.localtime(slot.starts_at), timezone.localtime(slot.ends_at)
    return f"{start:%H:%M}–{end:%H:%M}"


def _slot_of(slots, challenge_pk):
    return next((slot for slot in slots if slot.challenge_id == challenge_pk), None)


@manager_required
def planning(request):
    """The auditions by day (Paris time), the pitched challenges without one, and the form that
    plans or changes one (?defi=<pk> fills it with that challenge's). ?annuler=<pk> is the
    confirmation page of a cancellation. POST action=planifier, or action=annuler with the fields
    `challenge` and `reason`."""
    page = _page(request)
    if page is None:
        return _no_promotion(request)
    jury = page.jury
    slots = list(
        PitchSlot.objects.filter(sub_jury__jury=jury)
        .select_related("challenge__administration", "sub_jury")
        .order_by("starts_at", "pk")
    )
    pitched = _pitched(page.promotion)
    groups = list(jury.sub_juries.all())
    action = request.POST.get("action") if request.method == "POST" else None
    if action not in (None, "planifier", "annuler"):
        raise Http404
    back = _url("jury:planning", page.promotion)
    if action and _refused_while_closed(request, jury):
        return redirect(back)

    if action == "annuler" or (action is None and "annuler" in request.GET):
        source = request.POST if action else request.GET
        slot = _slot_of(slots, _id(source.get("challenge") if action else source.get("annuler")))
        if slot is None:
            raise Http404
        cancel_form = CancelSlotForm(request.POST if action else None)
        if action and cancel_form.is_valid():
            try:
                services.cancel_slot(slot, by=request.user, reason=cancel_form.cleaned_data["reason"])
            except ValidationError as error:
                _domain_errors(cancel_form, error)
            else:
                messages.success(
                    request,
                    _("L’audition de « %(challenge)s » est annulée ; l’administration en est informée.")
                    % {"challenge": slot.challenge.name},
                )
                return redirect(back)
        return _render(
            request,
            "jury/manage/cancel_slot.html",
            page,
            current="jury:planning",
            title=_("Annuler l’audition de « %(challenge)s »") % {"challenge": slot.challenge.name},
            picker=False,
            slot=slot,
            when=slot_calendar.when(slot),
            where=slot_calendar.where(slot),
            form=cancel_form,
            action_url=back,
            back=back,
        )

    if action == "planifier":
        form = SlotForm(request.POST, challenges=pitched, sub_juries=groups)
        if form.is_valid():
            challenge, data = form.chosen_challenge, form.cleaned_data
            changed = _slot_of(slots, challenge.pk) is not None
            try:
                services.plan_slot(
                    challenge,
                    sub_jury=form.chosen_sub_jury,
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    place=data["place"],
                    video_link=data["video_link"],
                    by=request.user,
                )
            except ValidationError as error:
                _domain_errors(form, error)
            else:
                text = (
                    _("L’audition de « %(challenge)s » est modifiée ; l’administration en est informée.")
                    if changed
                    else _(
                        "L’audition de « %(challenge)s » est planifiée ; l’administration en est informée."
                    )
                )
                messages.success(request, text % {"challenge": challenge.name})
                return redirect(back)
    else:
        wanted = request.GET.get("defi")
        editing = _slot_of(slots, _id(wanted)) if wanted else None
        if editing is not None:
            initial = SlotForm.initial_of(editing)
        else:
            initial = {"challenge": wanted or "", "day": page.call.jury_starts_on}
        form = SlotForm(challenges=pitched, sub_juries=groups, initial=initial)

    flagged: dict[int, list] = {}
    for conflict in _heard_conflicts(jury):
        flagged.setdefault(conflict.challenge_id, []).append(conflict.member)
    rows = [
        {
            "slot": slot,
            "hours": _hours(slot),
            "conflicted": flagged.get(slot.challenge_id, []),
        }
        for slot in slots
    ]
    planned = {slot.challenge_id for slot in slots}
    return _render(
        request,
        "jury/manage/planning.html",
        page,
        current="jury:planning",
        title=_("Auditions"),
        days=_days(rows),
        slot_count=len(slots),
        unplanned=[challenge for challenge in pitched if challenge.pk not in planned],
        form=form,
        has_sub_juries=bool(groups),
        action_url=back,
    )


# --- Conflicts of interest ------------------------------------------------------------------


@manager_required
def conflicts(request):
    page = _page(request)
    if page is None:
        return _no_promotion(request)
    jury = page.jury
    members_ = list(jury.members.all())
    challenges = _by_name(
        Challenge.objects.filter(promotion=page.promotion, state__in=services.CONFLICT_STATES).select_related(
            "administration"
        )
    )
    form = ConflictForm(
        request.POST if request.method == "POST" else None, members=members_, challenges=challenges
    )
    if request.method == "POST":
        if _refused_while_closed(request, jury):
            return redirect(_url("jury:manage_conflicts", page.promotion))
        if form.is_valid():
            try:
                conflict = services.declare_conflict(
                    form.chosen_member,
                    form.chosen_challenge,
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except ValidationError as error:
                _domain_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Le conflit d’intérêts de %(member)s avec « %(challenge)s » est enregistré.")
                    % {"member": conflict.member, "challenge": conflict.challenge.name},
                )
                return redirect(_url("jury:manage_conflicts", page.promotion))
    heard = {conflict.pk for conflict in _heard_conflicts(jury)}
    rows = [
        {"conflict": conflict, "heard": conflict.pk in heard}
        for conflict in Conflict.objects.filter(member__jury=jury)
        .select_related("member", "challenge__administration", "declared_by")
        .order_by("declared_at", "pk")
    ]
    return _render(
        request,
        "jury/manage/conflicts.html",
        page,
        current="jury:manage_conflicts",
        title=_("Conflits d’intérêts"),
        rows=rows,
        form=form,
        action_url=_url("jury:manage_conflicts", page.promotion),
    )


# --- A challenge's collective grid ----------------------------------------------------------


@manager_required
def grid(request, pk):
    """The collective grid of a challenge, entered by a manager from the sub-jury's paper grid."""
    challenge = get_object_or_404(
        Challenge.objects.select_related("promotion__call", "administration"), pk=pk
    )
    promotion = challenge.promotion
    if getattr(promotion, "call", None) is None:
        raise Http404
    page = Page(promotions=[promotion], promotion=promotion, jury=_jury(promotion))
    slot = PitchSlot.objects.filter(challenge=challenge).select_related("sub_jury").first()
    scores = {
        score.criterion_id: score
        for score in Score.objects.filter(challenge=challenge).select_related("updated_by")
    }
    scale = criteria.scale(promotion.call)
    # The members' grid form: one form, one set of rules, whoever types the grid.
    form = GridForm(
        request.POST if request.method == "POST" else None, call=promotion.call, scores=scores.values()
    )
    here = reverse("jury:manage_grid", args=[challenge.pk])
    notice = services.grid_not_open(slot)
    if request.method == "POST":
        if _refused_while_closed(request, page.jury):
            return redirect(here)
        if notice:
            messages.error(request, notice)
            return redirect(here)
        if form.is_valid():
            try:
                written = services.save_grid(challenge, form.marks(), by=request.user)
            except ValidationError as error:
                _domain_errors(form, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "La grille de « %(challenge)s » est enregistrée : %(count)d note changée.",
                        "La grille de « %(challenge)s » est enregistrée : %(count)d notes changées.",
                        len(written),
                    )
                    % {"challenge": challenge.name, "count": len(written)},
                )
                return redirect(here)
    last = max(scores.values(), key=lambda score: (score.updated_at, score.pk), default=None)
    return _render(
        request,
        "jury/manage/grid.html",
        page,
        current="jury:overview",
        title=_("Grille collective de « %(challenge)s »") % {"challenge": challenge.name},
        picker=False,
        challenge=challenge,
        slot=slot,
        notice=notice,
        editable=not notice and not page.jury.closed,
        form=form,
        rows=[
            {
                **row,
                "score": scores.get(row["criterion"].pk),
                "label": dict(scale).get(getattr(scores.get(row["criterion"].pk), "value", None), ""),
            }
            for row in form.blocks()
        ],
        last=last,
        last_by=actor_label(last.updated_by) if last else "",
        action_url=here,
    )
