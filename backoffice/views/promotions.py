"""Promotions and their calls, configured by programme managers: the list, a new promotion, and
the page of a promotion with its whole calendar and rules. Saved through `lifecycle.promotions`
(validated, audited): a refusal writes nothing and is shown on its fields."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from backoffice import promotion_forms as forms
from lifecycle import calendar, criteria, profiles, promotions
from lifecycle.models import Promotion
from web.access import manager_required


def call_of(promotion):
    try:
        return promotion.call
    except ObjectDoesNotExist:
        return None


def _day(value) -> str:
    return date_format(value, "j F Y") if value else ""


def _moment(value) -> str:
    return calendar.label(value) if value else ""


def _span(start: str, end: str) -> str:
    if start and end:
        return _("du %(start)s au %(end)s") % {"start": start, "end": end}
    if start:
        return _("à partir du %(start)s") % {"start": start}
    if end:
        return _("jusqu’au %(end)s") % {"end": end}
    return ""


def _key_dates(call) -> dict:
    if call is None:
        return {}
    return {
        "submission_opens": _moment(call.submission_opens_at),
        "submission_deadline": calendar.deadline_label(call.submission_deadline)
        if call.submission_deadline
        else "",
        "jury": _span(_day(call.jury_starts_on), _day(call.jury_ends_on)),
        "recruitment": _span(_moment(call.recruitment_opens_at), _moment(call.recruitment_closes_at)),
        "arrival": _day(call.starts_on),
    }


@manager_required
def promotion_list(request):
    rows = [
        {
            "promotion": promotion,
            "call": call_of(promotion),
            "url": promotion_url(promotion),
            **_key_dates(call_of(promotion)),
        }
        for promotion in Promotion.objects.select_related("call").order_by("-number")
    ]
    return render(request, "backoffice/promotion_list.html", {"title": _("Promotions"), "rows": rows})


def promotion_url(promotion=None) -> str:
    """The page of `promotion`, or of a new one."""
    url = reverse("backoffice:promotion")
    return f"{url}?{urlencode({'promotion': promotion.pk})}" if promotion is not None else url


@manager_required
def promotion_page(request):
    """A promotion's page (?promotion=<pk>), or a new promotion's without it. A query parameter,
    as the dashboard's and the list's filters, rather than a path's."""
    wanted = request.GET.get("promotion")
    if wanted is None:
        return _edit(request, None)
    if not wanted.isdigit():
        raise Http404
    return _edit(request, get_object_or_404(Promotion.objects.select_related("call"), pk=int(wanted)))


def _edit(request, promotion):
    call = call_of(promotion) if promotion else None
    if promotion is None:
        initial = forms.initial_for_new()
        profile_rows = [{"code": code, "label": label} for code, label in _default_profiles()]
    else:
        initial, profile_rows = forms.initial_for(promotion), forms.profile_rows(call)
    data = request.POST if request.method == "POST" else None
    form = forms.PromotionForm(data, initial=initial, editing=promotion)
    profile_set = forms.Profiles(data, initial=profile_rows, prefix="profils")
    level_set = forms.PayLevels(data, initial=forms.pay_level_rows(call), prefix="niveaux")
    criterion_set = forms.Criteria(data, initial=forms.criterion_rows(call), prefix="criteres")
    lists = [profile_set, level_set, criterion_set]
    refusals = []
    if data is not None:
        valid = form.is_valid() & all([formset.is_valid() for formset in lists])
        if valid:
            saved = _save(request, form, profile_set, level_set, criterion_set, refusals)
            if saved is not None:
                messages.success(
                    request,
                    _("La promotion %(name)s et son appel sont enregistrés.") % {"name": saved.name}
                    if promotion
                    else _("La promotion %(name)s est créée avec son appel.") % {"name": saved.name},
                )
                return redirect(promotion_url(saved))
    context = {
        "title": promotion.name if promotion else _("Nouvelle promotion"),
        "promotion": promotion,
        "form": form,
        "profiles": profile_set,
        "pay_levels": level_set,
        "criteria": criterion_set,
        "summary": _summary(form, profile_set, level_set, criterion_set, refusals)
        if data is not None
        else [],
    }
    return render(request, "backoffice/promotion_form.html", context)


def _default_profiles():
    from lifecycle.enums import DefaultProfile

    return [(profile.value, str(profile.label)) for profile in DefaultProfile]


def _save(request, form, profile_set, level_set, criterion_set, refusals):
    """Configure the promotion, then its lists, in one transaction: the first refusal undoes all.
    Each step's errors go where the manager reads them (the fields, the list concerned)."""
    values = form.promotion_values()
    if form.editing is not None:
        values["number"] = form.editing.number
    try:
        with transaction.atomic():
            try:
                promotion = promotions.configure_promotion(
                    **values, call=form.call_values(), by=request.user, profiles=None, pay_levels=None
                )
            except ValidationError as error:
                refusals += form.add_domain_errors(error)
                raise
            for formset, setter in (
                (profile_set, profiles.set_profiles),
                (level_set, promotions.set_pay_levels),
                (criterion_set, criteria.set_criteria),
            ):
                try:
                    setter(promotion.call, formset.rows(), by=request.user)
                except ValidationError as error:
                    formset.refusals = error.messages
                    raise
    except ValidationError:
        return None
    return promotion


def _summary(form, profile_set, level_set, criterion_set, refusals) -> list[dict]:
    """Every problem of the page, each with a link to its field when it has one."""
    items = []
    for name, errors in form.errors.items():
        if name in form.fields:
            field = form[name]
            anchor = field.id_for_label or field.auto_id
            items += [{"label": field.label, "message": error, "anchor": anchor} for error in errors]
        else:
            items += [{"label": "", "message": error, "anchor": ""} for error in errors]
    items += [
        {"label": _("Limites des réponses"), "message": problem, "anchor": "limites-des-reponses"}
        for problem in form.line_limits_problems
    ]
    for formset, title, anchor in (
        (criterion_set, _("Critères du jury"), "criteres-du-jury"),
        (profile_set, _("Profils d’EIG recherchés"), "profils-recherches"),
        (level_set, _("Niveaux de rémunération"), "niveaux-de-remuneration"),
    ):
        for number, row in enumerate(formset.forms, start=1):
            for name, errors in row.errors.items():
                label = row.fields[name].label if name in row.fields else ""
                items += [
                    {
                        "label": _("%(list)s, ligne %(number)d — %(field)s")
                        % {"list": title, "number": number, "field": label},
                        "message": error,
                        "anchor": row[name].id_for_label if name in row.fields else anchor,
                    }
                    for error in errors
                ]
        items += [
            {"label": title, "message": error, "anchor": anchor}
            for error in [*formset.non_form_errors(), *formset.refusals]
        ]
    items += [{"label": "", "message": message, "anchor": ""} for message in refusals]
    return items
