"""The invitation's page, where the invited person chooses a password (web/urls.py's account
URLs). Every request, shown or posted, is counted per address (`web.throttle`), so that links
cannot be tried in a loop; the work is `accounts.invitations`'."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts import invitations
from accounts.enums import LinkState
from accounts.forms import InvitationPasswordForm
from lifecycle import calendar
from web import navigation, throttle

TEMPLATE = "accounts/invitation.html"


def _context(reading, **extra) -> dict:
    invitation = reading.invitation
    context = {
        "title": reading.state.label,
        "state": reading.state,
        "days": invitations.VALIDITY_DAYS,
        "team": settings.NOTIFICATIONS_TEAM_EMAIL,
    }
    if invitation is not None:
        whom, address = invitations.whom_to_ask(invitation)
        context |= {
            "invitation": invitation,
            "inviter": invitations.inviter_label(invitation),
            "whom": whom,
            "contact": address,
            "until": calendar.label(invitation.expires_at),
            "username": invitation.email.lower(),
        }
    return context | extra


def _unusable(request, reading):
    status = 404 if reading.state == LinkState.INVALID else 410
    return render(request, TEMPLATE, _context(reading), status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def accept_invitation(request, token):
    if not throttle.allow(request, "invitation"):
        return render(
            request,
            TEMPLATE,
            {"title": _("Trop de demandes"), "throttled": throttle.too_many_message()},
            status=429,
        )
    reading = invitations.read(token)
    if not reading.usable:
        return _unusable(request, reading)
    data = request.POST if request.method == "POST" else None
    form = InvitationPasswordForm(invitations.future_user(reading.invitation), data)
    if data is not None and form.is_valid():
        try:
            user = invitations.accept(token, password=form.cleaned_data["new_password1"])
        except invitations.LinkUnusable as refused:  # used or revoked meanwhile
            return _unusable(request, refused.reading)
        except ValidationError as error:
            form.add_error("new_password1", error)
        else:
            login(request, user, backend="accounts.backends.PasswordBackend")
            messages.success(
                request,
                _("Bienvenue : votre compte est ouvert. Votre identifiant est « %(username)s ».")
                % {"username": user.get_username()},
            )
            return redirect(navigation.home_url(user))
    return render(request, TEMPLATE, _context(reading, form=form, title=_("Choisir votre mot de passe")))
