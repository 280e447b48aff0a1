"""Who the API lets in, and what each person reads: the pages' rules (a programme manager every
case, an administration's contact its administration's, an auditor the trail), narrowed by the
token (its promotion, its scope)."""

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions, permissions, throttling

from api import tokens
from lifecycle import rules
from lifecycle.models import Challenge
from portal.access import challenges_of


class BearerToken(authentication.BaseAuthentication):
    """`Authorization: Bearer eig_…`: a person's token, checked and its use recorded."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        kind, _space, secret = header.partition(" ")
        if kind.lower() != "bearer" or not secret:
            return None
        token = tokens.active(secret.strip())
        if token is None:
            raise exceptions.AuthenticationFailed(_("Jeton d’API invalide, expiré ou révoqué."))
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class TokenScope(permissions.BasePermission):
    """A token, and a read-write one for anything but reading."""

    message = _("Ce jeton est en lecture seule : une écriture demande un jeton « lecture et écriture ».")

    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, tokens.ApiToken):
            return False
        return request.method in permissions.SAFE_METHODS or token.scope == tokens.Scope.WRITE


class ReadsTheTrail(permissions.BasePermission):
    message = _("Le journal d’audit est réservé aux chargé·es de programme et aux auditeur·rices.")

    def has_permission(self, request, view):
        return rules.can_view_audit_trail(request.user)


class ManagesTheProgramme(permissions.BasePermission):
    """The jury's ranking and the candidates' applications: the managers' pages only (no personal
    data of candidates to anyone else)."""

    message = _("Le classement du jury et les candidatures sont réservés aux chargé·es de programme.")

    def has_permission(self, request, view):
        return rules.is_programme_manager(request.user)


class PerToken(throttling.SimpleRateThrottle):
    """Requests per token (settings API_RATE), whoever holds it."""

    scope = "token"

    def get_cache_key(self, request, view):
        token = request.auth
        return f"api-throttle-{token.pk}" if isinstance(token, tokens.ApiToken) else None


def challenges_for(user, token):
    """The challenges a token's person reads, within the token's promotion."""
    if rules.is_programme_manager(user):
        challenges = Challenge.objects.all()
    elif rules.is_administration_contact(user):
        challenges = challenges_of(user)
    else:
        challenges = Challenge.objects.none()
    if token.promotion_id:
        challenges = challenges.filter(promotion_id=token.promotion_id)
    return challenges
