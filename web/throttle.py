"""Throttling what could be tried in a loop.

Sign-in is django-axes' (`AXES_*` settings): five failures lock the account and the address
for a while; `locked_out` is the page it shows. Other requests (password reset, invitation
links) go through `allow(...)`: at most `THROTTLE_LIMIT` per address and per account in
`THROTTLE_WINDOW`, counted in the shared cache.
"""

import hashlib
import math

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from web.addresses import client_ip


def _minutes(delta) -> int:
    return max(1, math.ceil(delta.total_seconds() / 60))


def locked_out(request, original_response=None, credentials=None):
    minutes = _minutes(settings.AXES_COOLOFF_TIME)
    message = ngettext(
        "Trop de tentatives de connexion échouées : ce compte et cette adresse sont bloqués pendant "
        "%(minutes)d minute. Réessayez ensuite, ou demandez un nouveau mot de passe.",
        "Trop de tentatives de connexion échouées : ce compte et cette adresse sont bloqués pendant "
        "%(minutes)d minutes. Réessayez ensuite, ou demandez un nouveau mot de passe.",
        minutes,
    ) % {"minutes": minutes}
    return render(
        request,
        "registration/locked_out.html",
        {"title": _("Connexion bloquée"), "message": message},
        status=429,
    )


def client_address(request) -> str:
    """The address axes counts too (web.addresses)."""
    return client_ip(request) or "unknown"


def _key(scope: str, value: str) -> str:
    return "throttle:" + scope + ":" + hashlib.sha256(value.strip().lower().encode()).hexdigest()


def allow(request, scope: str, *accounts: str) -> bool:
    """Count one more `scope` request from this address (and for each account named); False once
    one of them has reached the limit in the window. Counted whatever the outcome, so that the
    answer says nothing of whether an account exists."""
    keys = [_key(scope, "ip:" + client_address(request))] + [
        _key(scope, "account:" + a) for a in accounts if a
    ]
    window = int(settings.THROTTLE_WINDOW.total_seconds())
    allowed = True
    for key in keys:
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            count = 1
        allowed = allowed and count <= settings.THROTTLE_LIMIT
    return allowed


def too_many_message() -> str:
    minutes = _minutes(settings.THROTTLE_WINDOW)
    return ngettext(
        "Trop de demandes depuis cette adresse ou pour ce compte : réessayez dans %(minutes)d minute.",
        "Trop de demandes depuis cette adresse ou pour ce compte : réessayez dans %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
