"""The invitation's page, where the invited person chooses a password (web/urls.py's account
URLs); the work is `accounts.invitations`'.

The throttle is there against guessing links: only a link that names no invitation (forged or
unknown, answered 404) is counted per address (`web.throttle`); once an address has had too many,
it is held back for the window whatever the link, so that it learns nothing more. A genuine
link's page and its successful form are never counted: invitees behind one outgoing address do
not lock each other out. Refused passwords are counted per invitation, with a generous limit."""

import hashlib
import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts import invitations
from accounts.enums import LinkState
from accounts.forms import InvitationPasswordForm
from lifecycle import calendar
from web import navigation, throttle

TEMPLATE = "accounts/invitation.html"
THROTTLE_SCOPE = "invitation"
# Refused passwords per invitation in `THROTTLE_WINDOW`: a person trying hard, not a script.
PASSWORD_ATTEMPTS = 20


def _window() -> int:
    return int(settings.THROTTLE_WINDOW.total_seconds())


def _minutes() -> int:
    return max(1, math.ceil(_window() / 60))


def _held_back_key(request) -> str:
    address = throttle.client_address(request)
    return "throttle:invitation-held:" + hashlib.sha256(address.encode()).hexdigest()


def _attempts_key(invitation) -> str:
    """A new sending (a new link) starts afresh."""
    return f"throttle:invitation-passwords:{invitation.pk}:{invitation.sent_count}"


def _count_refusal(invitation):
    key = _attempts_key(invitation)
    cache.add(key, 0, timeout=_window())
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=_window())


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


def _throttled(request, message: str, invitation=None):
    """429, and whom to write to: the invitation's inviter when the link is known genuine, else
    the programme's team (naming nobody)."""
    context = {
        "title": _("Trop de demandes"),
        "throttled": message,
        "team": settings.NOTIFICATIONS_TEAM_EMAIL,
    }
    if invitation is not None:
        context["whom"], context["contact"] = invitations.whom_to_ask(invitation)
    return render(request, TEMPLATE, context, status=429)


def _unusable(request, reading):
    status = 404 if reading.state == LinkState.INVALID else 410
    return render(request, TEMPLATE, _context(reading), status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def accept_invitation(request, token):
    # A genuine link is never held back: nobody makes one without the key, so only the links
    # that designate nothing (guesses, or links cut by a mail client) count, per address.
    reading = invitations.read(token)
    if reading.state == LinkState.INVALID:
        if cache.get(_held_back_key(request)):
            return _throttled(request, throttle.too_many_message())
        if not throttle.allow(request, THROTTLE_SCOPE):
            cache.set(_held_back_key(request), True, timeout=_window())
            return _throttled(request, throttle.too_many_message())
        return _unusable(request, reading)
    if not reading.usable:
        return _unusable(request, reading)
    invitation = reading.invitation
    if cache.get(_attempts_key(invitation), 0) >= PASSWORD_ATTEMPTS:
        message = ngettext(
            "Trop de mots de passe refusés pour cette invitation : réessayez dans %(minutes)d minute.",
            "Trop de mots de passe refusés pour cette invitation : réessayez dans %(minutes)d minutes.",
            _minutes(),
        ) % {"minutes": _minutes()}
        return _throttled(request, message, invitation)
    data = request.POST if request.method == "POST" else None
    form = InvitationPasswordForm(invitations.future_user(invitation), data)
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
    if form.errors:
        _count_refusal(invitation)
    return render(request, TEMPLATE, _context(reading, form=form, title=_("Choisir votre mot de passe")))
