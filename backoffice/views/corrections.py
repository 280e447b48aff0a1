"""Sending a submitted dossier back to its administration for corrections, and extending the
time it has (`lifecycle.corrections`); a refusal shows the case page again with what was typed."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backoffice.corrections_forms import ExtendCorrectionsForm, RequestCorrectionsForm
from backoffice.views.challenges import _challenge, case_page
from lifecycle import corrections, services
from notifications import outbox
from web.access import manager_required


def _add_errors(form, error: ValidationError):
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


@manager_required
@require_POST
def request_corrections(request, pk):
    challenge = _challenge(pk)
    form = RequestCorrectionsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            corrections.request(
                challenge,
                sections=data["sections"],
                what=data["what"],
                due_on=data["due_on"],
                by=request.user,
                options={outbox.HOLD_MAIL: data["hold_mail"]},
            )
        except ValidationError as error:
            _add_errors(form, error)
        except services.TransitionRefused as refusal:
            form.add_error(None, refusal.reasons)
        else:
            messages.success(
                request,
                _(
                    "Le dossier est renvoyé à l’administration : corrections attendues au plus tard "
                    "le %(date)s."
                )
                % {"date": corrections.due_label(challenge)},
            )
            return redirect("backoffice:challenge", pk=challenge.pk)
    return case_page(request, challenge, corrections_form=form)


@manager_required
@require_POST
def extend_corrections(request, pk):
    challenge = _challenge(pk)
    form = ExtendCorrectionsForm(request.POST)
    if form.is_valid():
        try:
            corrections.extend(challenge, form.cleaned_data["due_on"], by=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("Le délai des corrections est prolongé jusqu’au %(date)s.")
                % {"date": corrections.due_label(challenge)},
            )
            return redirect("backoffice:challenge", pk=challenge.pk)
    return case_page(request, challenge, extend_form=form)
